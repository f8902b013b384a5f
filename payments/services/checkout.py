"""Sending a client to Stripe's hosted Checkout page for one payment."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError, ConflictError
from payments.methods import PaymentMethod
from payments.models import Payment
from payments.services.orders import konbini_offered, pay_link
from payments.stripe_gateway import StripeError, checkout_session_create, online_payment_available


@transaction.atomic
def payment_checkout_start(*, payment: Payment) -> str:
    """The URL of the payment's Checkout page: the open one again, or a new one."""
    payment = Payment.objects.select_for_update(of=("self",)).get(pk=payment.pk)
    if payment.method != PaymentMethod.ONLINE or not online_payment_available():
        raise ApplicationError(_("このお支払いはオンライン決済ではありません。"))
    if payment.status != Payment.Status.PENDING:
        raise ConflictError(
            _("このお支払いは受け付けを終えています（%(status)s）。")
            % {"status": payment.get_status_display()}
        )
    now = timezone.now()
    if payment.is_overdue:
        raise ConflictError(_("お支払いの期限を過ぎました。"))
    if (
        payment.checkout_url
        and payment.checkout_expires_at
        and payment.checkout_expires_at > now + timedelta(minutes=1)
    ):
        return payment.checkout_url
    link = pay_link(payment)
    try:
        session = checkout_session_create(
            payment=payment,
            konbini=konbini_offered(starts_at=payment.item_starts_at, now=now),
            success_url=f"{link}?checkout=done",
            cancel_url=link,
        )
    except StripeError as error:
        raise ConflictError(
            _("決済ページを開けませんでした。時間をおいてもう一度お試しください。")
        ) from error
    payment.stripe_checkout_session_id = session.id
    payment.checkout_url = session.url
    payment.checkout_expires_at = session.expires_at
    fields = ["stripe_checkout_session_id", "checkout_url", "checkout_expires_at", "updated_at"]
    # The place stays held while Stripe's page is open (it lives at least 30 minutes).
    if payment.holds_place and payment.due_at and payment.due_at < session.expires_at:
        payment.due_at = session.expires_at
        fields.append("due_at")
    payment.save(update_fields=fields)
    return session.url
