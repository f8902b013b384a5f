"""Refunds by the cancellation policy (payments.policy), each made once.

A payment has at most one refund (a one-to-one row), so a cancel sent twice, a retried task or a
second webhook never pays back twice. Stripe payments are refunded through Stripe after the
transaction commits; a bank transfer or cash payment becomes a task for the counselor, who pays it
back by hand and marks it made. The ledger row is written when the money actually goes back.
"""

from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ConflictError
from core.tasks import enqueue_on_commit
from payments.methods import PaymentMethod
from payments.models import OPEN_PAYMENT_STATUSES, LedgerKind, Payment, Refund, RefundStatus
from payments.policy import refund_amount
from payments.services.ledger import ledger_record

if TYPE_CHECKING:
    from counseling.models import Booking
    from courses.models import Enrollment


def _lock_payment(payment_id: int) -> Payment:
    return Payment.objects.select_for_update(of=("self",)).select_related("counselor").get(pk=payment_id)


def refund_open(*, payment: Payment, amount_jpy: int, reason: str) -> Refund:
    """The refund of ``payment`` (the caller holds its lock); the existing one when there is one."""
    existing = Refund.objects.filter(payment=payment).first()
    if existing is not None:
        return existing
    online = payment.method == PaymentMethod.ONLINE
    refund = Refund(
        payment=payment,
        amount_jpy=amount_jpy,
        reason=reason,
        status=RefundStatus.REQUESTED if online else RefundStatus.TO_MAKE,
    )
    try:
        with transaction.atomic():
            refund.save(force_insert=True)
    except IntegrityError:
        return Refund.objects.get(payment=payment)
    if online:
        from payments import tasks  # the task module imports the services, not the other way round

        enqueue_on_commit(tasks.refund_send_task, refund.pk)
    return refund


def _refund_for(payment: Payment | None, reason: str) -> Refund | None:
    if payment is None:
        return None
    payment = _lock_payment(payment.pk)
    if payment.status == Payment.Status.PENDING:
        # Nothing was paid: the payment simply ends with its booking or seat.
        payment.status = Payment.Status.CANCELLED
        payment.closed_at = timezone.now()
        payment.save(update_fields=["status", "closed_at", "updated_at"])
        return None
    if payment.status != Payment.Status.PAID:
        return None
    amount = refund_amount(paid_jpy=payment.amount_jpy, reason=reason)
    if amount <= 0:
        return None
    return refund_open(payment=payment, amount_jpy=amount, reason=reason)


def payment_refund_for_booking(*, booking: "Booking", reason: str) -> Refund | None:
    """Called by counseling in the cancelling (or no-show marking) transaction."""
    payment = Payment.objects.filter(booking=booking, status__in=OPEN_PAYMENT_STATUSES).first()
    return _refund_for(payment, reason)


def payment_refund_for_enrollment(*, enrollment: "Enrollment", reason: str) -> Refund | None:
    """Called by courses in the cancelling transaction."""
    payment = Payment.objects.filter(enrollment=enrollment, status__in=OPEN_PAYMENT_STATUSES).first()
    return _refund_for(payment, reason)


def _refund_done(refund: Refund, *, external_id: str = "") -> None:
    from payments.services.payment_mail import payment_mail_refunded

    refund.status = RefundStatus.DONE
    refund.done_at = timezone.now()
    refund.save(update_fields=["status", "done_at", "stripe_refund_id", "updated_at"])
    ledger_record(
        payment=refund.payment,
        kind=LedgerKind.REFUND,
        amount_jpy=refund.amount_jpy,
        key=f"refund:{refund.pk}",
        external_id=external_id,
    )
    payment_mail_refunded(refund=refund)


@transaction.atomic
def refund_send(*, refund: Refund) -> Refund:
    """Sends a Stripe refund; a retry after success changes nothing (Stripe's idempotency key too)."""
    from payments.stripe_gateway import StripeError, refund_create

    refund = Refund.objects.select_for_update().select_related("payment").get(pk=refund.pk)
    if refund.status != RefundStatus.REQUESTED:
        return refund
    try:
        result = refund_create(refund=refund)
    except StripeError as error:
        refund.status = RefundStatus.FAILED
        refund.failure = str(error)[:500]
        refund.save(update_fields=["status", "failure", "updated_at"])
        return refund
    refund.stripe_refund_id = result.id
    _refund_done(refund, external_id=result.id)
    return refund


@transaction.atomic
def refund_mark_made(*, refund: Refund, actor) -> Refund:
    """The counselor paid back a transfer or cash payment (or a failed Stripe refund) by hand."""
    refund = Refund.objects.select_for_update().select_related("payment").get(pk=refund.pk)
    if refund.payment.counselor_id != actor.pk:
        raise ConflictError(_("この返金を操作する権限がありません。"))
    if refund.status == RefundStatus.DONE:
        return refund
    if refund.status == RefundStatus.REQUESTED:
        raise ConflictError(_("この返金は Stripe で手続き中です。"))
    _refund_done(refund)
    return refund
