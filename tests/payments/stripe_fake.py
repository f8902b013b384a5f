"""Stripe as the tests meet it: events signed as Stripe signs them, and a stand-in for its HTTP API.

``FakeStripeHTTP`` sits at the library's documented seam (``StripeClient(http_client=…)``): the
official library builds and sends every request as it would to api.stripe.com, and this answers
with the response shapes Stripe documents for the two endpoints the practice uses, recording each
request so a test can assert what we asked for.
"""

import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

import stripe

WEBHOOK_SECRET = "whsec_test_0123456789abcdef"
SECRET_KEY = "sk_test_counsel_0123456789"


def stripe_signature(payload: str, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """The Stripe-Signature header exactly as Stripe builds it: HMAC-SHA256 of "<t>.<payload>"."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={signed}"


def checkout_event(
    event_type: str,
    *,
    payment_id: int,
    session_id: str = "cs_test_1",
    payment_status: str = "paid",
    event_id: str | None = None,
    payment_intent: str = "pi_test_1",
    created: int | None = None,
) -> dict:
    """A Checkout Session event with the fields Stripe documents for it."""
    created = int(time.time()) if created is None else created
    return {
        "id": event_id or f"evt_{event_type.replace('.', '_')}_{payment_id}",
        "object": "event",
        "api_version": stripe.api_version,
        "created": created,
        "livemode": False,
        "pending_webhooks": 1,
        "type": event_type,
        "data": {
            "object": {
                "id": session_id,
                "object": "checkout.session",
                "mode": "payment",
                "currency": "jpy",
                "payment_status": payment_status,
                "status": "expired" if event_type.endswith("expired") else "complete",
                "payment_intent": payment_intent,
                "metadata": {"payment_id": str(payment_id)},
            }
        },
    }


def post_event(client, event: dict, *, secret: str = WEBHOOK_SECRET, signature: str | None = None):
    payload = json.dumps(event)
    return client.post(
        "/payments/stripe/webhook/",
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature if signature is not None else stripe_signature(payload, secret),
    )


@dataclass
class SentRequest:
    method: str
    path: str
    params: dict
    headers: dict


@dataclass
class FakeStripeHTTP(stripe.HTTPClient):
    """Answers POST /v1/checkout/sessions and POST /v1/refunds as Stripe documents; refuses the rest."""

    name = "fake"
    requests: list[SentRequest] = field(default_factory=list)
    refund_status: str = "succeeded"
    fail_with: int | None = None

    def __post_init__(self):
        stripe.HTTPClient.__init__(self)

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        parts = urlsplit(url)
        params = dict(parse_qsl(post_data or parts.query or ""))
        sent = SentRequest(method=method.upper(), path=parts.path, params=params, headers=dict(headers or {}))
        self.requests.append(sent)
        assert headers["Authorization"] == f"Bearer {SECRET_KEY}"
        if self.fail_with:
            body = {"error": {"type": "api_error", "message": "Stripe is unavailable"}}
            return json.dumps(body), self.fail_with, {}
        number = len(self.requests)
        if sent.method == "POST" and sent.path == "/v1/checkout/sessions":
            body = {
                "id": f"cs_test_{number}",
                "object": "checkout.session",
                "mode": "payment",
                "status": "open",
                "payment_status": "unpaid",
                "currency": "jpy",
                "amount_total": int(params["line_items[0][price_data][unit_amount]"]),
                "client_reference_id": params.get("client_reference_id"),
                "customer_email": params.get("customer_email"),
                "expires_at": int(params["expires_at"]),
                "metadata": {"payment_id": params["metadata[payment_id]"]},
                "payment_intent": None,
                "url": f"https://checkout.stripe.com/c/pay/cs_test_{number}",
            }
        elif sent.method == "POST" and sent.path == "/v1/refunds":
            body = {
                "id": f"re_test_{number}",
                "object": "refund",
                "amount": int(params["amount"]),
                "currency": "jpy",
                "payment_intent": params["payment_intent"],
                "status": self.refund_status,
                "metadata": {
                    key[9:-1]: value for key, value in params.items() if key.startswith("metadata[")
                },
            }
        else:
            raise AssertionError(f"unexpected Stripe request {sent.method} {sent.path}")
        return json.dumps(body), 200, {"Request-Id": f"req_{number}"}

    def request_stream(self, method, url, headers, post_data=None, *, _usage=None):
        raise AssertionError("no streaming request is expected")

    def close(self):
        return None

    def posts_to(self, path: str) -> list[SentRequest]:
        return [sent for sent in self.requests if sent.path == path]
