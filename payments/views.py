"""The pages behind a pay link (anyone holding it: a client or a guest) and Stripe's webhook."""

import json

from csp.decorators import csp_update
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from core.exceptions import ApplicationError
from payments import stripe_gateway
from payments.models import Payment
from payments.selectors import payment_get_by_token
from payments.services.checkout import payment_checkout_start
from payments.services.orders import konbini_offered, pay_link_token
from payments.services.receipts import receipt_render
from payments.services.webhooks import stripe_event_process

# The pay button posts here and is redirected to Stripe's hosted page: browsers check that redirect
# against the page's form-action, so this page (and only this one) names Stripe's checkout host.
STRIPE_CHECKOUT_ORIGIN = "https://checkout.stripe.com"


def payment_page_context(payment: Payment) -> dict:
    from django.conf import settings

    return {
        "payment": payment,
        "token": pay_link_token(payment),
        "bank_account": settings.PAYMENTS_BANK_ACCOUNT,
        "online_available": stripe_gateway.online_payment_available(),
        "konbini": konbini_offered(starts_at=payment.item_starts_at),
        "receipt": getattr(payment, "receipt", None),
    }


@csp_update({"form-action": [STRIPE_CHECKOUT_ORIGIN]})
@require_GET
def pay(request, token: str):
    payment = payment_get_by_token(token=token)
    context = payment_page_context(payment)
    context["checkout_done"] = request.GET.get("checkout") == "done"
    return render(request, "payments/pay.html", context)


@csp_update({"form-action": [STRIPE_CHECKOUT_ORIGIN]})
@require_POST
def checkout(request, token: str):
    payment = payment_get_by_token(token=token)
    try:
        url = payment_checkout_start(payment=payment)
    except ApplicationError as error:
        context = payment_page_context(payment)
        context["error"] = error.message
        return render(request, "payments/pay.html", context, status=error.status_code)
    # Stripe's hosted page: the one place this site sends a browser to another host.
    return redirect(url)


@require_GET
def receipt(request, token: str):
    payment = payment_get_by_token(token=token)
    return receipt_response(payment)


def receipt_response(payment: Payment) -> HttpResponse:
    found = getattr(payment, "receipt", None)
    if found is None:
        return HttpResponse(status=404)
    response = HttpResponse(receipt_render(receipt=found), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="receipt-{found.display_number}.pdf"'
    return response


@csrf_exempt  # Stripe cannot send our CSRF token; its signature stands in for it.
@require_POST
def stripe_webhook(request):
    """Only events whose Stripe-Signature verifies against STRIPE_WEBHOOK_SECRET are acted on."""
    from django.conf import settings

    if not settings.STRIPE_WEBHOOK_SECRET:
        return HttpResponseBadRequest("webhook not configured")
    try:
        stripe_gateway.webhook_event(
            payload=request.body, signature=request.headers.get("Stripe-Signature", "")
        )
        event = json.loads(request.body)
    except (stripe_gateway.SignatureVerificationError, ValueError):
        return HttpResponseBadRequest("invalid signature or payload")
    if not isinstance(event, dict) or not isinstance(event.get("id"), str):
        return HttpResponseBadRequest("not an event")
    stripe_event_process(event=event)
    return HttpResponse(status=200)
