"""A slot paid by card is held while its payment is pending, let go when the deadline passes, and a
payment that arrives after that is refunded, never turned back into a booking."""

from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from django.core import mail

from counseling.models import Booking
from counseling.selectors.availability import SlotState, slot_state
from counseling.services.bookings import booking_create
from payments.methods import PaymentMethod
from payments.models import LedgerEntry, Payment, Refund
from payments.selectors import booking_balance
from payments.services.settlement import payment_holds_release_expired
from tests.conftest import authenticated_client
from tests.counseling.conftest import NOW, WEDNESDAY, tokyo
from tests.counseling.factories import IntakeFactory
from tests.counseling.test_booking_races import booking_request, clients_with_intakes, run_at_once
from tests.payments.conftest import paid_session_type
from tests.payments.stripe_fake import checkout_event, post_event


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_clients_race_for_a_card_slot_one_hold_expires_and_its_late_payment_is_refunded(
    counselor, fake_stripe, client
):
    session_type = paid_session_type(counselor, payment_method=PaymentMethod.ONLINE)
    apis = clients_with_intakes(20)
    start = tokyo(WEDNESDAY, 10)

    with time_machine.travel(NOW, tick=False):
        results = run_at_once([booking_request(api, session_type, start) for api in apis])

    assert Counter(status for status, _ in results) == {201: 1, 409: 19}
    held = Booking.objects.get()
    assert held.status == Booking.Status.PENDING_PAYMENT
    payment = Payment.objects.get()
    assert payment.holds_place and payment.due_at == NOW + timedelta(minutes=30)
    assert slot_state(session_type=session_type, start=start) is SlotState.UNAVAILABLE

    with time_machine.travel(NOW + timedelta(minutes=31), tick=False):
        assert payment_holds_release_expired() == 1
        held.refresh_from_db()
        assert held.status == Booking.Status.CANCELLED
        assert slot_state(session_type=session_type, start=start) is SlotState.FREE
        # The place is gone: someone else books the slot.
        other = IntakeFactory().client
        _taken, created = booking_create(client=other, session_type=session_type, start=start)
        assert created

    mail.outbox.clear()
    response = post_event(client, checkout_event("checkout.session.completed", payment_id=payment.pk))

    assert response.status_code == 200
    held.refresh_from_db()
    assert held.status == Booking.Status.CANCELLED  # a refund, not a booking
    refund = Refund.objects.get(payment=payment)
    assert refund.amount_jpy == 10000 and refund.status == Refund.Status.DONE
    [sent] = fake_stripe.posts_to("/v1/refunds")
    assert sent.params["payment_intent"] == "pi_test_1" and sent.params["amount"] == "10000"
    assert sent.headers["Idempotency-Key"] == f"refund-{refund.pk}"
    assert sorted(LedgerEntry.objects.values_list("amount_jpy", flat=True)) == [-10000, 10000]
    assert booking_balance(booking=held) == 0
    subjects = [message.subject for message in mail.outbox if message.to == [held.client.email]]
    assert any("期限後のお支払いを返金します" in subject for subject in subjects)
    assert any("返金しました" in subject for subject in subjects)


@pytest.mark.django_db
def test_a_card_hold_paid_in_time_confirms_the_booking_and_mails_the_receipt(
    counselor, fake_stripe, client, django_capture_on_commit_callbacks
):
    session_type = paid_session_type(counselor, payment_method=PaymentMethod.ONLINE)
    booker = IntakeFactory().client
    with time_machine.travel(NOW, tick=False):
        booking, _created = booking_create(
            client=booker, session_type=session_type, start=tokyo(WEDNESDAY, 10)
        )
        payment = Payment.objects.get(booking=booking)
        mail.outbox.clear()

        with django_capture_on_commit_callbacks(execute=True):
            response = post_event(client, checkout_event("checkout.session.completed", payment_id=payment.pk))

    assert response.status_code == 200
    booking.refresh_from_db()
    payment.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert payment.status == Payment.Status.PAID and payment.receipt.number >= 1
    assert booking_balance(booking=booking) == 10000
    received = [message for message in mail.outbox if "お支払いを確認しました" in message.subject]
    assert len(received) == 1
    assert received[0].attachments[0][0].startswith("receipt-")
    assert any("ご予約" in message.subject for message in mail.outbox if message not in received)


@pytest.mark.django_db
def test_a_bank_transfer_hold_lasts_the_configured_days_and_the_mail_gives_the_account_and_reference(
    counselor, settings, django_capture_on_commit_callbacks
):
    settings.PAYMENTS_TRANSFER_DAYS = 1
    session_type = paid_session_type(counselor, payment_method=PaymentMethod.TRANSFER)
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        booking, _created = booking_create(
            client=IntakeFactory().client, session_type=session_type, start=tokyo(WEDNESDAY, 10)
        )

    payment = Payment.objects.get(booking=booking)
    assert booking.status == Booking.Status.PENDING_PAYMENT
    assert payment.method == PaymentMethod.TRANSFER and payment.due_at == NOW + timedelta(days=1)
    [request] = [message for message in mail.outbox if "お支払いのご案内" in message.subject]
    assert settings.PAYMENTS_BANK_ACCOUNT in request.body
    assert payment.reference in request.body and "/payments/" in request.body


@pytest.mark.django_db
def test_online_payment_without_a_stripe_key_falls_back_to_bank_transfer(counselor, settings):
    settings.STRIPE_SECRET_KEY = ""
    session_type = paid_session_type(counselor, payment_method=PaymentMethod.ONLINE)
    with time_machine.travel(NOW, tick=False):
        booking, _created = booking_create(
            client=IntakeFactory().client, session_type=session_type, start=tokyo(WEDNESDAY, 10)
        )

    assert Payment.objects.get(booking=booking).method == PaymentMethod.TRANSFER


@pytest.mark.django_db
def test_pay_at_the_venue_confirms_the_booking_at_once_and_leaves_the_payment_open(counselor):
    session_type = paid_session_type(counselor, payment_method=PaymentMethod.VENUE, format="tokyo")
    with time_machine.travel(NOW, tick=False):
        booking, _created = booking_create(
            client=IntakeFactory().client, session_type=session_type, start=tokyo(WEDNESDAY, 10)
        )

    payment = Payment.objects.get(booking=booking)
    assert booking.status == Booking.Status.CONFIRMED
    assert payment.status == Payment.Status.PENDING and not payment.holds_place and payment.due_at is None


@pytest.mark.django_db
def test_a_free_session_or_one_paid_as_arranged_makes_no_payment(counselor):
    session_type = paid_session_type(counselor, payment_method=PaymentMethod.ARRANGED)
    with time_machine.travel(NOW, tick=False):
        booking, _created = booking_create(
            client=IntakeFactory().client, session_type=session_type, start=tokyo(WEDNESDAY, 10)
        )

    assert booking.status == Booking.Status.CONFIRMED
    assert not Payment.objects.exists()


@pytest.mark.django_db
def test_a_client_may_cancel_a_hold_awaiting_payment_which_frees_the_slot_and_closes_the_payment(counselor):
    session_type = paid_session_type(counselor, payment_method=PaymentMethod.TRANSFER)
    client = IntakeFactory().client
    api = authenticated_client(client)
    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        booking, _created = booking_create(
            client=client, session_type=session_type, start=tokyo(WEDNESDAY, 10)
        )
        detail = api.get(f"/api/v1/bookings/{booking.pk}/").json()
        cancelled = api.post(f"/api/v1/bookings/{booking.pk}/cancel/", {}, format="json")
        again = api.post(f"/api/v1/bookings/{booking.pk}/cancel/", {}, format="json")
        slot = slot_state(session_type=session_type, start=tokyo(WEDNESDAY, 10))

    # Inside the 48-hour window, but nothing was paid: a plain cancellation, never a late one.
    assert detail["cancel_allowed"] is True and detail["cancel_is_late"] is False
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")
    assert again.status_code == 409
    assert slot is SlotState.FREE
    assert Payment.objects.get().status == Payment.Status.CANCELLED
    assert not Refund.objects.exists()


@pytest.mark.django_db
def test_the_beat_task_releases_expired_holds_and_is_scheduled_every_minute(counselor, settings):
    from payments.tasks import payment_holds_release_expired_task

    session_type = paid_session_type(counselor, payment_method=PaymentMethod.TRANSFER)
    with time_machine.travel(NOW, tick=False):
        booking, _created = booking_create(
            client=IntakeFactory().client, session_type=session_type, start=tokyo(WEDNESDAY, 10)
        )
    with time_machine.travel(tokyo(WEDNESDAY, 10), tick=False):
        released = payment_holds_release_expired_task.delay().get()

    assert released == 1
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    entry = settings.CELERY_BEAT_SCHEDULE["payments-release-expired-holds"]
    assert entry["task"] == payment_holds_release_expired_task.name
