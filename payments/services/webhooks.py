"""Stripe's events, the truth about online payments: each processed once, in any order, any number of times.

The event id is unique in the database and is written in the transaction that acts on the event, so
a redelivery finds it and does nothing, and an event that failed half way is retried whole. Order
does not matter because every action checks the payment's state: a late "expired" for a paid
payment does nothing, a "completed" for a released hold refunds the money.
"""

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction

from payments.models import Payment, StripeEvent
from payments.services.settlement import payment_hold_extend, payment_hold_release, payment_settle

HANDLED_TYPES = (
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "checkout.session.expired",
)


def _payment_for(session: dict) -> Payment | None:
    payment_id = (session.get("metadata") or {}).get("payment_id")
    payments = Payment.objects.select_related("booking", "enrollment")
    if payment_id and str(payment_id).isdigit():
        found = payments.filter(pk=int(payment_id)).first()
        if found is not None:
            return found
    return payments.filter(stripe_checkout_session_id=session.get("id")).first()


def _act(event_type: str, session: dict, created: datetime) -> None:
    payment = _payment_for(session)
    if payment is None:
        return
    intent = session.get("payment_intent") or ""
    if isinstance(intent, dict):
        intent = intent.get("id", "")
    paid = session.get("payment_status") in ("paid", "no_payment_required")
    if event_type in ("checkout.session.completed", "checkout.session.async_payment_succeeded") and paid:
        payment_settle(payment=payment, external_id=str(session.get("id", "")), payment_intent_id=str(intent))
    elif event_type == "checkout.session.completed":
        # Konbini: the voucher is issued, the money comes within its validity; hold until then.
        payment_hold_extend(
            payment=payment, until=created + timedelta(days=settings.PAYMENTS_KONBINI_DAYS + 1)
        )
    else:
        payment_hold_release(payment=payment, force=True)


@transaction.atomic
def stripe_event_process(*, event: dict) -> bool:
    """Acts on a verified event; False when it was processed before (or is of no interest)."""
    created = datetime.fromtimestamp(int(event.get("created") or 0), tz=UTC)
    record = StripeEvent(event_id=event["id"], type=event.get("type", ""), created=created, payload=event)
    try:
        with transaction.atomic():
            record.save(force_insert=True)
    except IntegrityError:
        return False
    if record.type not in HANDLED_TYPES:
        return False
    session = (event.get("data") or {}).get("object") or {}
    _act(record.type, session, created)
    return True
