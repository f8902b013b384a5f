"""The few Stripe calls the practice makes, through the official library: Checkout Sessions and refunds.

Card data never touches this server: the client pays on Stripe's hosted Checkout page, and Stripe
tells us the outcome by a signed webhook (payments.services.webhooks). ``HTTP_CLIENT`` is the
library's documented seam (``StripeClient(http_client=…)``): None uses the library's own client;
the tests put one there that answers as Stripe documents and checks what we send.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import stripe
from django.conf import settings
from django.utils import timezone

if TYPE_CHECKING:
    from payments.models import Payment, Refund

HTTP_CLIENT: stripe.HTTPClient | None = None
# Stripe refuses a Checkout Session that expires sooner than 30 minutes after its creation.
CHECKOUT_MIN_LIFETIME = timedelta(minutes=30, seconds=60)

StripeError = stripe.StripeError


def online_payment_available() -> bool:
    """Online payment is offered only when the practice has set a Stripe key."""
    return bool(settings.STRIPE_SECRET_KEY)


def stripe_client() -> stripe.StripeClient:
    return stripe.StripeClient(settings.STRIPE_SECRET_KEY, http_client=HTTP_CLIENT, max_network_retries=2)


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str
    expires_at: datetime


def checkout_session_create(
    *, payment: "Payment", konbini: bool, success_url: str, cancel_url: str
) -> CheckoutSession:
    """A hosted Checkout page for ``payment``; card always, konbini when the session is far enough ahead."""
    expires_at = max(payment.due_at or timezone.now(), timezone.now() + CHECKOUT_MIN_LIFETIME)
    params: dict = {
        "mode": "payment",
        "line_items": [
            {
                "price_data": {
                    "currency": "jpy",
                    "unit_amount": payment.amount_jpy,
                    "product_data": {"name": payment.description},
                },
                "quantity": 1,
            }
        ],
        "payment_method_types": ["card", "konbini"] if konbini else ["card"],
        "customer_email": payment.payer_email,
        "client_reference_id": payment.reference,
        "metadata": {"payment_id": str(payment.pk)},
        "payment_intent_data": {"metadata": {"payment_id": str(payment.pk)}},
        "expires_at": int(expires_at.timestamp()),
        "success_url": success_url,
        "cancel_url": cancel_url,
        "locale": "ja",
    }
    if konbini:
        params["payment_method_options"] = {"konbini": {"expires_after_days": settings.PAYMENTS_KONBINI_DAYS}}
    session = stripe_client().v1.checkout.sessions.create(
        params=params,  # type: ignore[arg-type]
        # A double click within the same minute gets the same session back rather than a second one.
        options={"idempotency_key": f"checkout-{payment.pk}-{int(timezone.now().timestamp()) // 60}"},
    )
    return CheckoutSession(
        id=session.id, url=session.url or "", expires_at=datetime.fromtimestamp(session.expires_at, tz=UTC)
    )


@dataclass(frozen=True)
class RefundResult:
    id: str
    status: str


def refund_create(*, refund: "Refund") -> RefundResult:
    """Asks Stripe to pay ``refund`` back; the idempotency key makes a retried task refund once."""
    result = stripe_client().v1.refunds.create(
        params={
            "payment_intent": refund.payment.stripe_payment_intent_id,
            "amount": refund.amount_jpy,
            "metadata": {"refund_id": str(refund.pk), "payment_id": str(refund.payment_id)},
        },
        options={"idempotency_key": f"refund-{refund.pk}"},
    )
    return RefundResult(id=result.id, status=result.status or "")


def webhook_event(*, payload: bytes, signature: str) -> stripe.Event:
    """The event, once the library has verified its signature with the endpoint's secret.

    Raises ``stripe.SignatureVerificationError`` or ``ValueError`` for anything not signed by Stripe.
    """
    return stripe.Webhook.construct_event(payload, signature, settings.STRIPE_WEBHOOK_SECRET)


SignatureVerificationError = stripe.SignatureVerificationError
