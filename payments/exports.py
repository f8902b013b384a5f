from core.personal_data import register_exporter
from payments.models import Payment


@register_exporter("payments")
def payments_export(user) -> list[dict]:
    """What the client paid, how, and what came back: their payments, receipts and refunds."""
    payments = Payment.objects.filter(payer=user).select_related("receipt", "refund").order_by("id")
    rows = []
    for payment in payments:
        receipt = getattr(payment, "receipt", None)
        refund = getattr(payment, "refund", None)
        rows.append(
            {
                "id": payment.pk,
                "description": payment.description,
                "amount_jpy": payment.amount_jpy,
                "method": payment.method,
                "status": payment.status,
                "reference": payment.reference,
                "due_at": payment.due_at.isoformat() if payment.due_at else None,
                "paid_at": payment.paid_at.isoformat() if payment.paid_at else None,
                "receipt_number": receipt.display_number if receipt else None,
                "refund": {
                    "amount_jpy": refund.amount_jpy,
                    "reason": refund.reason,
                    "status": refund.status,
                    "done_at": refund.done_at.isoformat() if refund.done_at else None,
                }
                if refund
                else None,
            }
        )
    return rows
