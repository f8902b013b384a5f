"""Money received, and holds let go: the writes that change a booking or a seat because of a payment.

Counseling and courses are asked through their services (confirm a paid place, release an unpaid
one); nothing here touches their rows directly.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ConflictError
from counseling.services.bookings import booking_confirm_paid, booking_release_unpaid
from courses.services.enrollments import enrollment_confirm_paid, enrollment_release_unpaid
from payments.methods import PaymentMethod
from payments.models import LedgerKind, Payment, RefundReason
from payments.services.ledger import ledger_record
from payments.services.payment_mail import (
    payment_mail_hold_released,
    payment_mail_late_payment_refunded,
    payment_mail_received,
)
from payments.services.receipts import receipt_issue
from payments.services.refunds import refund_open


def _lock(payment: Payment) -> Payment:
    return Payment.objects.select_for_update(of=("self",)).get(pk=payment.pk)


def _confirm_place(payment: Payment) -> None:
    if payment.booking is not None:
        booking_confirm_paid(booking=payment.booking)
    elif payment.enrollment is not None:
        enrollment_confirm_paid(enrollment=payment.enrollment)


@transaction.atomic
def payment_settle(*, payment: Payment, external_id: str = "", payment_intent_id: str = "") -> Payment:
    """Records money received for ``payment``, once, however often it is reported.

    A pending payment becomes paid, its booking or seat confirmed, and its receipt issued and mailed.
    Money for a place that was already let go (the hold expired, or was cancelled unpaid) is recorded
    and refunded in full at once, with a mail that says so: the place may be someone else's by now.
    """
    payment = _lock(payment)
    if payment_intent_id and not payment.stripe_payment_intent_id:
        payment.stripe_payment_intent_id = payment_intent_id
        payment.save(update_fields=["stripe_payment_intent_id", "updated_at"])
    _entry, new = ledger_record(
        payment=payment,
        kind=LedgerKind.PAYMENT,
        amount_jpy=payment.amount_jpy,
        key=f"payment:{payment.pk}",
        external_id=external_id or payment_intent_id,
    )
    if not new:
        return payment
    if payment.status in (Payment.Status.EXPIRED, Payment.Status.CANCELLED):
        refund = refund_open(payment=payment, amount_jpy=payment.amount_jpy, reason=RefundReason.EXPIRED_HOLD)
        payment_mail_late_payment_refunded(payment=payment, refund=refund)
        return payment
    payment.status = Payment.Status.PAID
    payment.paid_at = timezone.now()
    payment.save(update_fields=["status", "paid_at", "updated_at"])
    _confirm_place(payment)
    receipt = receipt_issue(payment=payment)
    payment_mail_received(payment=payment, receipt=receipt)
    return payment


def payment_mark_received(*, payment: Payment, actor) -> Payment:
    """The counselor saw the bank transfer arrive (or took the cash at the venue)."""
    if payment.counselor_id != actor.pk:
        raise ConflictError(_("このお支払いを操作する権限がありません。"))
    if payment.method == PaymentMethod.ONLINE:
        raise ConflictError(_("オンライン決済の入金は Stripe からの通知で記録されます。"))
    if payment.status == Payment.Status.PAID:
        raise ConflictError(_("このお支払いは入金済みです。"))
    return payment_settle(payment=payment, external_id=f"manual:{actor.pk}")


@transaction.atomic
def payment_hold_release(*, payment: Payment, now: datetime | None = None, force: bool = False) -> bool:
    """Lets an unpaid hold go once its deadline passed (or at once, ``force``: Stripe said the checkout
    expired or failed). The slot reopens; a course seat goes to the waitlist. Returns whether it did."""
    now = now or timezone.now()
    payment = _lock(payment)
    if payment.status != Payment.Status.PENDING or not payment.holds_place:
        return False
    if not force and (payment.due_at is None or payment.due_at > now):
        return False
    payment.status = Payment.Status.EXPIRED
    payment.closed_at = now
    payment.save(update_fields=["status", "closed_at", "updated_at"])
    if payment.booking is not None:
        booking_release_unpaid(booking=payment.booking)
    elif payment.enrollment is not None:
        enrollment_release_unpaid(enrollment=payment.enrollment)
    payment_mail_hold_released(payment=payment)
    return True


def payment_holds_release_expired(*, now: datetime | None = None) -> int:
    """The beat scan: releases every hold past its deadline, each in its own transaction."""
    now = now or timezone.now()
    due = list(
        Payment.objects.filter(status=Payment.Status.PENDING, holds_place=True, due_at__lte=now)
        .order_by("due_at", "id")
        .values_list("pk", flat=True)[:500]
    )
    released = 0
    for payment in Payment.objects.filter(pk__in=due).order_by("due_at", "id"):
        released += payment_hold_release(payment=payment, now=now)
    return released


@transaction.atomic
def payment_hold_extend(*, payment: Payment, until: datetime) -> Payment:
    """A konbini voucher was issued: the place stays held until the voucher expires."""
    payment = _lock(payment)
    if (
        payment.status == Payment.Status.PENDING
        and payment.holds_place
        and (payment.due_at or until) <= until
    ):
        payment.due_at = until
        payment.save(update_fields=["due_at", "updated_at"])
    return payment
