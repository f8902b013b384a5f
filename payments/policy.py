"""How much of a payment goes back, by the cancellation policy: the one rule pages, mails and refunds read.

- A client cancelling before the cancellation window (48 h by default) gets everything back.
- Inside the window, and for a no-show, the late rule applies: with no fee set the practice keeps the
  whole payment; with PAYMENTS_LATE_CANCELLATION_FEE_JPY it keeps that fee and refunds the rest.
- A cancellation by the counselor (or the practice cancelling a course) always refunds in full.
- A payment that arrives for a place already released is refunded in full.
"""

from django.conf import settings

from payments.models import RefundReason

LATE_REASONS = (RefundReason.LATE_CANCEL, RefundReason.NO_SHOW)


def late_fee_jpy(paid_jpy: int) -> int:
    """What the practice keeps of ``paid_jpy`` after a late cancellation or a no-show."""
    fee = settings.PAYMENTS_LATE_CANCELLATION_FEE_JPY
    return paid_jpy if fee is None else min(max(fee, 0), paid_jpy)


def refund_amount(*, paid_jpy: int, reason: str) -> int:
    if reason in LATE_REASONS:
        return paid_jpy - late_fee_jpy(paid_jpy)
    return paid_jpy
