"""The ledger: every money movement as one append-only row, written once whatever retries it."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from payments.models import LedgerEntry, LedgerKind, Payment


def ledger_record(
    *, payment: Payment, kind: str, amount_jpy: int, key: str, external_id: str = ""
) -> tuple[LedgerEntry, bool]:
    """Writes the movement named ``key`` unless it is already there; returns the row and whether it is new.

    ``amount_jpy`` is the money's size; the sign follows ``kind`` (a refund is negative).
    """
    signed = amount_jpy if kind == LedgerKind.PAYMENT else -amount_jpy
    entry = LedgerEntry(
        payment=payment,
        counselor_id=payment.counselor_id,
        kind=kind,
        amount_jpy=signed,
        method=payment.method,
        key=key,
        external_id=external_id,
        at=timezone.now(),
    )
    try:
        # A savepoint: a second webhook or click meets the unique key, and the caller goes on.
        with transaction.atomic():
            entry.save(force_insert=True)
    except IntegrityError:
        existing = LedgerEntry.objects.filter(key=key).first()
        if existing is None:
            raise
        return existing, False
    return entry, True
