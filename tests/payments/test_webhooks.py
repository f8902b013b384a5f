"""Stripe's webhook: verified by signature with the library's own check, processed once, in any order."""

import json
import time
from datetime import timedelta

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction

from counseling.models import Booking
from counseling.services.bookings import booking_create
from payments.methods import PaymentMethod
from payments.models import LedgerEntry, Payment, Receipt, StripeEvent
from payments.services.orders import pay_link_token
from tests.counseling.conftest import NOW, WEDNESDAY, tokyo
from tests.counseling.factories import IntakeFactory
from tests.payments.conftest import paid_session_type
from tests.payments.stripe_fake import checkout_event, post_event, stripe_signature

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(counselor, fake_stripe):
    """A card hold booked at NOW for Wednesday 10:00 (49 hours ahead)."""
    session_type = paid_session_type(counselor, payment_method=PaymentMethod.ONLINE)
    with time_machine.travel(NOW, tick=False):
        booking, _created = booking_create(
            client=IntakeFactory().client, session_type=session_type, start=tokyo(WEDNESDAY, 10)
        )
    return Payment.objects.get(booking=booking)


def test_an_event_signed_with_another_secret_is_refused_and_changes_nothing(client, held):
    event = checkout_event("checkout.session.completed", payment_id=held.pk)

    response = post_event(client, event, secret="whsec_someone_else")

    assert response.status_code == 400
    assert not StripeEvent.objects.exists() and not LedgerEntry.objects.exists()
    held.refresh_from_db()
    assert held.status == Payment.Status.PENDING


@pytest.mark.parametrize(
    "signature",
    ["", "t=1,v1=00", "garbage", f"t={int(time.time()) - 3600},v1=abc"],
)
def test_a_missing_malformed_or_stale_signature_is_refused(client, held, signature):
    response = post_event(
        client, checkout_event("checkout.session.completed", payment_id=held.pk), signature=signature
    )

    assert response.status_code == 400
    assert not StripeEvent.objects.exists()


def test_an_old_but_validly_signed_event_is_refused_as_a_replay(client, held):
    event = checkout_event("checkout.session.completed", payment_id=held.pk)
    payload = json.dumps(event)
    old = stripe_signature(payload, timestamp=int(time.time()) - 3600)

    response = post_event(client, event, signature=old)

    assert response.status_code == 400


def test_without_a_webhook_secret_every_event_is_refused(client, held, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""

    response = post_event(client, checkout_event("checkout.session.completed", payment_id=held.pk))

    assert response.status_code == 400


def test_the_same_event_twice_is_processed_once(client, held, django_capture_on_commit_callbacks):
    event = checkout_event("checkout.session.completed", payment_id=held.pk)

    with django_capture_on_commit_callbacks(execute=True):
        first = post_event(client, event)
        second = post_event(client, event)

    assert first.status_code == second.status_code == 200
    assert StripeEvent.objects.count() == 1
    assert LedgerEntry.objects.count() == 1 and Receipt.objects.count() == 1


def test_the_event_id_is_unique_in_the_database():
    StripeEvent.objects.create(event_id="evt_1", type="x", created=NOW, payload={})

    with pytest.raises(IntegrityError), transaction.atomic():
        StripeEvent.objects.create(event_id="evt_1", type="x", created=NOW, payload={})


def test_two_events_reporting_the_same_payment_record_the_money_once(client, held):
    post_event(client, checkout_event("checkout.session.completed", payment_id=held.pk, event_id="evt_a"))
    post_event(
        client,
        checkout_event("checkout.session.async_payment_succeeded", payment_id=held.pk, event_id="evt_b"),
    )

    assert StripeEvent.objects.count() == 2
    assert list(LedgerEntry.objects.values_list("amount_jpy", flat=True)) == [10000]


def test_events_out_of_order_end_in_the_same_state(client, held):
    # Konbini: the money arrives before the "completed (unpaid)" event that issued the voucher,
    # and an "expired" event is delivered last.
    post_event(client, checkout_event("checkout.session.async_payment_succeeded", payment_id=held.pk))
    post_event(
        client, checkout_event("checkout.session.completed", payment_id=held.pk, payment_status="unpaid")
    )
    post_event(
        client, checkout_event("checkout.session.expired", payment_id=held.pk, payment_status="unpaid")
    )

    held.refresh_from_db()
    assert held.status == Payment.Status.PAID
    assert Booking.objects.get().status == Booking.Status.CONFIRMED
    assert LedgerEntry.objects.count() == 1


def test_a_konbini_voucher_extends_the_hold_until_it_expires(client, held, settings):
    settings.PAYMENTS_KONBINI_DAYS = 1
    created = int(NOW.timestamp())

    post_event(
        client,
        checkout_event(
            "checkout.session.completed", payment_id=held.pk, payment_status="unpaid", created=created
        ),
    )

    held.refresh_from_db()
    assert held.status == Payment.Status.PENDING
    assert held.due_at == NOW + timedelta(days=2)


def test_an_expired_checkout_releases_the_hold_at_once(client, held):
    post_event(
        client, checkout_event("checkout.session.expired", payment_id=held.pk, payment_status="unpaid")
    )

    held.refresh_from_db()
    assert held.status == Payment.Status.EXPIRED
    assert Booking.objects.get().status == Booking.Status.CANCELLED


def test_an_event_for_an_unknown_payment_or_of_another_type_is_recorded_and_ignored(client, held):
    post_event(client, checkout_event("checkout.session.completed", payment_id=999999, session_id="cs_x"))
    post_event(client, {**checkout_event("customer.created", payment_id=held.pk), "id": "evt_other"})

    assert StripeEvent.objects.count() == 2
    assert not LedgerEntry.objects.exists()


def test_a_body_that_is_not_json_is_refused(client, held):
    response = client.post(
        "/payments/stripe/webhook/",
        data="not json",
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=stripe_signature("not json"),
    )

    assert response.status_code == 400


def test_the_pay_button_sends_the_client_to_a_checkout_session_built_from_the_payment(
    client, held, fake_stripe
):
    token = pay_link_token(held)

    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        response = client.post(f"/payments/{token}/checkout/")
        again = client.post(f"/payments/{token}/checkout/")

    assert response.status_code == 302
    assert response["Location"].startswith("https://checkout.stripe.com/c/pay/cs_test_")
    assert again["Location"] == response["Location"]  # the open page again, not a second session
    [sent] = fake_stripe.posts_to("/v1/checkout/sessions")
    assert sent.params["mode"] == "payment"
    assert sent.params["line_items[0][price_data][currency]"] == "jpy"
    assert sent.params["line_items[0][price_data][unit_amount]"] == "10000"
    assert sent.params["metadata[payment_id]"] == str(held.pk)
    assert sent.params["customer_email"] == held.payer_email
    # Wednesday is two days ahead: far enough for a 3-day konbini voucher? No: card only.
    assert sent.params["payment_method_types[0]"] == "card"
    assert "payment_method_types[1]" not in sent.params
    assert sent.params["success_url"].startswith("http://127.0.0.1:8000/payments/")
    assert sent.params["success_url"].endswith("/?checkout=done")
    held.refresh_from_db()
    assert held.stripe_checkout_session_id and held.due_at >= NOW + timedelta(minutes=31)


def test_konbini_is_offered_when_the_session_is_far_enough_ahead(client, held, fake_stripe, settings):
    settings.PAYMENTS_KONBINI_DAYS = 1

    with time_machine.travel(NOW, tick=False):
        client.post(f"/payments/{pay_link_token(held)}/checkout/")

    [sent] = fake_stripe.posts_to("/v1/checkout/sessions")
    assert sent.params["payment_method_types[1]"] == "konbini"
    assert sent.params["payment_method_options[konbini][expires_after_days]"] == "1"


def test_stripe_being_down_leaves_the_payment_pending_with_a_clear_409(client, held, fake_stripe):
    fake_stripe.fail_with = 500

    with time_machine.travel(NOW, tick=False):
        response = client.post(f"/payments/{pay_link_token(held)}/checkout/")

    assert response.status_code == 409
    assert "決済ページを開けませんでした" in response.content.decode()
    held.refresh_from_db()
    assert held.status == Payment.Status.PENDING and not held.stripe_checkout_session_id


def test_a_pay_link_with_a_forged_token_is_404(client, held):
    assert client.get("/payments/not-a-token/").status_code == 404
    assert client.post("/payments/not-a-token/checkout/").status_code == 404
    assert client.get(f"/payments/{pay_link_token(held)}/").status_code == 200


def test_the_ledger_refuses_any_update_or_delete_even_in_sql(client, held):
    post_event(client, checkout_event("checkout.session.completed", payment_id=held.pk))
    entry = LedgerEntry.objects.get()

    with pytest.raises(Exception, match="append-only"):
        entry.save()
    with pytest.raises(Exception, match="append-only"):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount_jpy=1)
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE payments_ledgerentry SET amount_jpy = 1")
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM payments_ledgerentry")
    assert LedgerEntry.objects.get().amount_jpy == 10000
