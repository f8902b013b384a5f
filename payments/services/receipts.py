"""Receipts: a number with no gap and no repeat, issued in the transaction that records the payment."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.localtime import local_date
from payments.models import Payment, Receipt, ReceiptCounter
from payments.receipt_pdf import ReceiptContent, receipt_pdf_build


def consumption_tax_included(amount_jpy: int) -> int:
    """The tax inside a tax-inclusive amount, rounded down (10 % rate: amount × 10 / 110)."""
    rate = settings.PAYMENTS_CONSUMPTION_TAX_PERCENT
    return amount_jpy * rate // (100 + rate)


def _next_receipt_number() -> int:
    # The counter row is created once; its lock then makes concurrent issues take turns, and it
    # rolls back with a failed issue, so the numbers have neither gaps nor repeats.
    ReceiptCounter.objects.get_or_create(pk=1)
    counter = ReceiptCounter.objects.select_for_update().get(pk=1)
    counter.value += 1
    counter.save(update_fields=["value"])
    return counter.value


def receipt_issue(*, payment: Payment) -> Receipt:
    """The receipt of a paid payment; the existing one when it was issued before. Runs inside the
    caller's transaction (the one that records the payment)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("receipt_issue() must run inside the payment's transaction")
    existing = Receipt.objects.filter(payment=payment).first()
    if existing is not None:
        return existing
    receipt = Receipt(
        payment=payment,
        number=_next_receipt_number(),
        recipient_name=payment.payer_name,
        description=payment.description,
        amount_jpy=payment.amount_jpy,
        tax_jpy=consumption_tax_included(payment.amount_jpy),
        issued_at=payment.paid_at or timezone.now(),
    )
    receipt.full_clean(exclude=["payment"], validate_constraints=False)
    receipt.save(force_insert=True)
    return receipt


@transaction.atomic
def receipt_render(*, receipt: Receipt) -> bytes:
    """The PDF of one more copy: the first is the original, every later one says 再発行."""
    receipt = Receipt.objects.select_for_update().get(pk=receipt.pk)
    receipt.copies += 1
    receipt.save(update_fields=["copies", "updated_at"])
    return receipt_pdf_build(
        ReceiptContent(
            number=receipt.display_number,
            issued_on=local_date(receipt.issued_at),
            recipient_name=receipt.recipient_name,
            description=receipt.description,
            amount_jpy=receipt.amount_jpy,
            tax_jpy=receipt.tax_jpy,
            tax_percent=settings.PAYMENTS_CONSUMPTION_TAX_PERCENT,
            issuer_name=settings.PRACTICE_NAME,
            issuer_address=settings.PRACTICE_POSTAL_ADDRESS,
            registration_number=settings.PAYMENTS_INVOICE_REGISTRATION_NUMBER,
            reissue=receipt.copies > 1,
        )
    )
