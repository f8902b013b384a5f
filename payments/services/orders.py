"""What a booking or a seat costs and how it is paid: the questions counseling and courses ask payments.

``payment_needs_hold`` tells them whether to create the booking or seat ``pending_payment``;
``payment_open_for_booking`` / ``payment_open_for_enrollment`` write the payment in their transaction
and mail how to pay. This module imports neither app, so both can import it.
"""

import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.links import absolute_url
from core.localtime import local_label
from counseling.models import BookingStatus
from courses.models import EnrollmentStatus
from payments.methods import ADVANCE_METHODS, PaymentMethod
from payments.models import Payment
from payments.stripe_gateway import online_payment_available

if TYPE_CHECKING:
    from counseling.models import Booking
    from courses.models import Course, Enrollment

PAY_LINK_SALT = "payments.pay-link"


def payment_method_effective(method: str) -> str:
    """The method actually offered: online payment without a Stripe key falls back to bank transfer."""
    if method == PaymentMethod.ONLINE and not online_payment_available():
        return PaymentMethod.TRANSFER
    return method


def payment_needs_hold(*, method: str, price_jpy: int) -> bool:
    """Paid in advance: the booking or seat is created ``pending_payment`` and held until paid."""
    return price_jpy > 0 and payment_method_effective(method) in ADVANCE_METHODS


def payment_deadline(*, method: str, now: datetime, starts_at: datetime | None) -> datetime | None:
    """Until when a place is held unpaid: 30 minutes for card, some days for a transfer (never past
    the start). Konbini extends a card hold once the voucher is issued (see the webhook)."""
    method = payment_method_effective(method)
    if method == PaymentMethod.ONLINE:
        return now + settings.PAYMENTS_CARD_HOLD
    if method == PaymentMethod.TRANSFER:
        deadline = now + timedelta(days=settings.PAYMENTS_TRANSFER_DAYS)
        return min(deadline, starts_at) if starts_at else deadline
    return None


def konbini_offered(*, starts_at: datetime | None, now: datetime | None = None) -> bool:
    """A konbini voucher is paid within days; it fits only when the session is that far ahead."""
    if starts_at is None:
        return False
    now = now or timezone.now()
    reach = timedelta(days=settings.PAYMENTS_KONBINI_DAYS) + settings.PAYMENTS_KONBINI_MARGIN
    return starts_at - now >= reach


def pay_link_token(payment: Payment) -> str:
    return signing.dumps(payment.pk, salt=PAY_LINK_SALT)


def pay_link_payment_id(token: str) -> int | None:
    try:
        value = signing.loads(token, salt=PAY_LINK_SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


def pay_link(payment: Payment) -> str:
    return absolute_url("payments:pay", token=pay_link_token(payment))


def _new_reference() -> str:
    # Eight digits the client writes before their name in the transfer (振込依頼人名).
    return f"{secrets.randbelow(90_000_000) + 10_000_000}"


def _payment_save(payment: Payment) -> Payment:
    payment.full_clean(exclude=["reference"], validate_constraints=False)
    for _attempt in range(5):
        payment.reference = _new_reference()
        try:
            with transaction.atomic():
                payment.save(force_insert=True)
        except IntegrityError:
            if Payment.objects.filter(reference=payment.reference).exists():
                continue
            raise
        return payment
    raise RuntimeError("no free payment reference")


def _open(
    *,
    method: str,
    amount_jpy: int,
    holds_place: bool,
    starts_at: datetime | None,
    **fields,
) -> Payment | None:
    method = payment_method_effective(method)
    if amount_jpy <= 0 or method == PaymentMethod.ARRANGED:
        return None
    now = timezone.now()
    payment = _payment_save(
        Payment(
            amount_jpy=amount_jpy,
            method=method,
            holds_place=holds_place,
            due_at=payment_deadline(method=method, now=now, starts_at=starts_at) if holds_place else None,
            **fields,
        )
    )
    # Deferred import: the mail module names this one for its links.
    from payments.services.payment_mail import payment_mail_requested

    payment_mail_requested(payment=payment)
    return payment


def payment_open_for_booking(*, booking: "Booking") -> Payment | None:
    """The payment of a new booking, in the booking's transaction; None when nothing is collected here."""
    session_type = booking.session_type
    return _open(
        method=session_type.payment_method,
        amount_jpy=session_type.price_jpy,
        holds_place=booking.status == BookingStatus.PENDING_PAYMENT,
        starts_at=booking.start,
        counselor_id=booking.counselor_id,
        payer=booking.client,
        payer_name=booking.client.display_name or booking.client.email,
        payer_email=booking.client.email,
        booking=booking,
        description=_("カウンセリング料（%(name)s・%(start)s）")
        % {"name": session_type.name, "start": local_label(booking.start)},
    )


def payment_open_for_enrollment(
    *, enrollment: "Enrollment", course: "Course", starts_at: datetime | None
) -> Payment | None:
    """The payment of a seat (a new one, or one given from the waitlist), with its own deadline."""
    return _open(
        method=course.payment_method,
        amount_jpy=course.price_jpy,
        holds_place=enrollment.status == EnrollmentStatus.PENDING_PAYMENT,
        starts_at=starts_at,
        counselor_id=course.counselor_id,
        payer=enrollment.user,
        payer_name=enrollment.person_name,
        payer_email=enrollment.person_email,
        enrollment=enrollment,
        description=_("受講料（%(title)s）") % {"title": course.title},
    )
