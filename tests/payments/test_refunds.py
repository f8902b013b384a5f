"""Refunds follow the cancellation policy, once each, however often the cancel is sent."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail

from counseling.services.bookings import booking_create, booking_mark
from payments.methods import PaymentMethod
from payments.models import LedgerEntry, Payment, Refund
from payments.policy import refund_amount
from payments.selectors import booking_balance
from payments.services.refunds import refund_mark_made
from payments.services.settlement import payment_mark_received, payment_settle
from tests.conftest import authenticated_client
from tests.counseling.conftest import NOW, WEDNESDAY, tokyo
from tests.counseling.factories import IntakeFactory
from tests.payments.conftest import paid_session_type

pytestmark = pytest.mark.django_db

BOOKINGS = "/api/v1/bookings/"
TEN = tokyo(WEDNESDAY, 10)
OUTSIDE_WINDOW = TEN - timedelta(hours=49)
INSIDE_WINDOW = TEN - timedelta(hours=47)


def _paid_booking(counselor, method: str):
    """A booking for Wednesday 10:00, booked and paid on Monday 09:00 (49 hours before)."""
    session_type = paid_session_type(counselor, payment_method=method, price_jpy=11000)
    client = IntakeFactory().client
    with time_machine.travel(NOW, tick=False):
        booking, _created = booking_create(client=client, session_type=session_type, start=TEN)
        payment = Payment.objects.get(booking=booking)
        if method == PaymentMethod.ONLINE:
            payment_settle(payment=payment, external_id="cs_test_1", payment_intent_id="pi_test_9")
        else:
            payment_mark_received(payment=payment, actor=counselor)
    booking.refresh_from_db()
    return booking, client


def _cancel_twice(api, booking, capture, at):
    with time_machine.travel(at, tick=False), capture(execute=True):
        first = api.post(f"{BOOKINGS}{booking.pk}/cancel/", {}, format="json")
        second = api.post(f"{BOOKINGS}{booking.pk}/cancel/", {}, format="json")
    return first, second


def test_a_client_cancelling_outside_the_window_twice_is_refunded_in_full_once_through_stripe(
    counselor, fake_stripe, django_capture_on_commit_callbacks
):
    booking, client = _paid_booking(counselor, PaymentMethod.ONLINE)

    first, second = _cancel_twice(
        authenticated_client(client), booking, django_capture_on_commit_callbacks, OUTSIDE_WINDOW
    )

    assert (first.status_code, first.json()["status"]) == (200, "cancelled")
    assert second.status_code == 409
    refund = Refund.objects.get()
    assert (refund.amount_jpy, refund.reason, refund.status) == (11000, "client_cancel", "done")
    [sent] = fake_stripe.posts_to("/v1/refunds")
    assert sent.params == {
        "payment_intent": "pi_test_9",
        "amount": "11000",
        "metadata[refund_id]": str(refund.pk),
        "metadata[payment_id]": str(refund.payment_id),
    }
    assert booking_balance(booking=booking) == 0
    assert LedgerEntry.objects.filter(kind="refund").count() == 1


def test_a_client_cancelling_inside_the_window_gets_nothing_back_when_no_fee_is_set(
    counselor, fake_stripe, django_capture_on_commit_callbacks, settings
):
    settings.PAYMENTS_LATE_CANCELLATION_FEE_JPY = None
    booking, client = _paid_booking(counselor, PaymentMethod.ONLINE)

    first, second = _cancel_twice(
        authenticated_client(client), booking, django_capture_on_commit_callbacks, INSIDE_WINDOW
    )

    assert first.json()["status"] == "late_cancelled" and second.status_code == 409
    assert not Refund.objects.exists()
    assert fake_stripe.posts_to("/v1/refunds") == []
    assert booking_balance(booking=booking) == 11000


def test_a_client_cancelling_inside_the_window_is_refunded_all_but_the_late_fee_once(
    counselor, fake_stripe, django_capture_on_commit_callbacks, settings
):
    settings.PAYMENTS_LATE_CANCELLATION_FEE_JPY = 5500
    booking, client = _paid_booking(counselor, PaymentMethod.ONLINE)

    _cancel_twice(authenticated_client(client), booking, django_capture_on_commit_callbacks, INSIDE_WINDOW)

    refund = Refund.objects.get()
    assert (refund.amount_jpy, refund.reason) == (5500, "late_cancel")
    [sent] = fake_stripe.posts_to("/v1/refunds")
    assert sent.params["amount"] == "5500"
    assert booking_balance(booking=booking) == 5500


def test_a_counselor_cancelling_inside_the_window_twice_refunds_in_full_once(
    counselor, fake_stripe, django_capture_on_commit_callbacks, settings
):
    settings.PAYMENTS_LATE_CANCELLATION_FEE_JPY = None
    booking, client = _paid_booking(counselor, PaymentMethod.ONLINE)

    first, second = _cancel_twice(
        authenticated_client(counselor), booking, django_capture_on_commit_callbacks, INSIDE_WINDOW
    )

    assert (first.status_code, second.status_code) == (200, 409)
    refund = Refund.objects.get()
    assert (refund.amount_jpy, refund.reason, refund.status) == (11000, "counselor_cancel", "done")
    assert len(fake_stripe.posts_to("/v1/refunds")) == 1
    assert booking_balance(booking=booking) == 0
    assert any("返金しました" in message.subject for message in mail.outbox if message.to == [client.email])


def test_a_transfer_refund_becomes_the_counselors_task_with_the_amount_and_is_recorded_once_made(
    counselor, django_capture_on_commit_callbacks, client
):
    booking, booker = _paid_booking(counselor, PaymentMethod.TRANSFER)

    _cancel_twice(authenticated_client(booker), booking, django_capture_on_commit_callbacks, OUTSIDE_WINDOW)

    refund = Refund.objects.get()
    assert (refund.amount_jpy, refund.status) == (11000, Refund.Status.TO_MAKE)
    assert booking_balance(booking=booking) == 11000  # nothing went back yet
    client.force_login(counselor)
    page = client.get("/counselor/money/").content.decode()
    assert "返金額 ¥11,000" in page
    response = client.post(f"/counselor/money/refunds/{refund.pk}/made/")
    again = client.post(f"/counselor/money/refunds/{refund.pk}/made/")
    assert response.status_code == again.status_code == 302
    refund.refresh_from_db()
    assert refund.status == Refund.Status.DONE
    assert booking_balance(booking=booking) == 0
    assert LedgerEntry.objects.filter(kind="refund").count() == 1


def test_a_no_show_follows_the_late_rule(
    counselor, fake_stripe, django_capture_on_commit_callbacks, settings
):
    settings.PAYMENTS_LATE_CANCELLATION_FEE_JPY = 3000
    booking, _client = _paid_booking(counselor, PaymentMethod.ONLINE)

    with (
        time_machine.travel(TEN + timedelta(minutes=20), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        booking_mark(booking=booking, actor=counselor, status="no_show")

    refund = Refund.objects.get()
    assert (refund.amount_jpy, refund.reason) == (8000, "no_show")
    assert booking_balance(booking=booking) == 3000


def test_cancelling_an_unpaid_booking_refunds_nothing_and_closes_its_payment(counselor):
    session_type = paid_session_type(counselor, payment_method=PaymentMethod.VENUE, format="tokyo")
    client = IntakeFactory().client
    with time_machine.travel(NOW, tick=False):
        booking, _created = booking_create(client=client, session_type=session_type, start=TEN)
        authenticated_client(client).post(f"{BOOKINGS}{booking.pk}/cancel/", {}, format="json")

    assert Payment.objects.get().status == Payment.Status.CANCELLED
    assert not Refund.objects.exists() and not LedgerEntry.objects.exists()


def test_another_counselor_cannot_mark_a_refund_made(counselor, django_capture_on_commit_callbacks, client):
    from tests.accounts.factories import CounselorFactory

    booking, booker = _paid_booking(counselor, PaymentMethod.TRANSFER)
    _cancel_twice(authenticated_client(booker), booking, django_capture_on_commit_callbacks, OUTSIDE_WINDOW)
    refund = Refund.objects.get()
    other = CounselorFactory()
    client.force_login(other)

    assert client.post(f"/counselor/money/refunds/{refund.pk}/made/").status_code == 404
    with pytest.raises(Exception, match="権限"):
        refund_mark_made(refund=refund, actor=other)
    refund.refresh_from_db()
    assert refund.status == Refund.Status.TO_MAKE


@pytest.mark.parametrize(
    ("reason", "fee", "expected"),
    [
        ("client_cancel", None, 11000),
        ("counselor_cancel", None, 11000),
        ("late_cancel", None, 0),
        ("no_show", None, 0),
        ("late_cancel", 3000, 8000),
        ("no_show", 20000, 0),
        ("expired_hold", None, 11000),
    ],
)
def test_the_policy_gives_the_refund_amounts(settings, reason, fee, expected):
    settings.PAYMENTS_LATE_CANCELLATION_FEE_JPY = fee

    assert refund_amount(paid_jpy=11000, reason=reason) == expected


def test_a_refund_stripe_refuses_becomes_a_task_for_the_counselor_and_moves_no_money(
    counselor, fake_stripe, django_capture_on_commit_callbacks, client
):
    booking, booker = _paid_booking(counselor, PaymentMethod.ONLINE)
    fake_stripe.fail_with = 400

    _cancel_twice(authenticated_client(booker), booking, django_capture_on_commit_callbacks, OUTSIDE_WINDOW)

    refund = Refund.objects.get()
    assert refund.status == Refund.Status.FAILED and "Stripe is unavailable" in refund.failure
    assert booking_balance(booking=booking) == 11000
    client.force_login(counselor)
    assert "返金額 ¥11,000" in client.get("/counselor/money/").content.decode()
