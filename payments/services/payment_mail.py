"""The mail money causes: how to pay, payment received (with the receipt), hold released, refunds.

Keyed by the payment (or refund), so a retried webhook or a second scan never mails twice.
"""

from django.conf import settings

from core.localtime import local_label
from outbox.services import Attachment, email_enqueue_template
from payments.models import Payment, Receipt, Refund
from payments.services.orders import konbini_offered, pay_link

KIND_REQUESTED = "payments.requested"
KIND_RECEIVED = "payments.received"
KIND_HOLD_RELEASED = "payments.hold_released"
KIND_LATE_PAYMENT_REFUNDED = "payments.late_payment_refunded"
KIND_REFUNDED = "payments.refunded"


def _context(payment: Payment, **extra) -> dict:
    return {
        "payment": payment,
        "pay_url": pay_link(payment),
        "due_label": local_label(payment.due_at) if payment.due_at else "",
        "bank_account": settings.PAYMENTS_BANK_ACCOUNT,
        "konbini": konbini_offered(starts_at=payment.item_starts_at),
        "practice_name": settings.PRACTICE_NAME,
        **extra,
    }


def _send(kind: str, payment: Payment, template: str, key: str, **context) -> None:
    email_enqueue_template(
        kind=kind,
        recipient=payment.payer_email,
        key=key,
        template=f"payments/email/{template}",
        template_context=_context(payment, **context),
        context={"payment_id": payment.pk},
        carries_secret=True,  # the signed link to the payment's page
    )


def payment_mail_requested(*, payment: Payment) -> None:
    promoted = payment.enrollment is not None and payment.enrollment.promoted_at is not None
    _send(KIND_REQUESTED, payment, "payment_requested", str(payment.pk), promoted=promoted)


def payment_mail_received(*, payment: Payment, receipt: Receipt) -> None:
    from payments.services.receipts import receipt_render

    pdf = receipt_render(receipt=receipt)
    email_enqueue_template(
        kind=KIND_RECEIVED,
        recipient=payment.payer_email,
        key=str(payment.pk),
        template="payments/email/payment_received",
        template_context=_context(payment, receipt=receipt),
        attachments=[
            Attachment(
                filename=f"receipt-{receipt.display_number}.pdf", content=pdf, mimetype="application/pdf"
            )
        ],
        context={"payment_id": payment.pk},
        carries_secret=True,
    )


def payment_mail_hold_released(*, payment: Payment) -> None:
    _send(KIND_HOLD_RELEASED, payment, "hold_released", str(payment.pk))


def payment_mail_late_payment_refunded(*, payment: Payment, refund: Refund) -> None:
    _send(KIND_LATE_PAYMENT_REFUNDED, payment, "late_payment_refunded", str(payment.pk), refund=refund)


def payment_mail_refunded(*, refund: Refund) -> None:
    _send(KIND_REFUNDED, refund.payment, "refunded", str(refund.pk), refund=refund)
