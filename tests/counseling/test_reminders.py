from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail

from counseling.models import Booking
from counseling.services.bookings import booking_cancel, booking_create, booking_reschedule
from counseling.services.reminders import booking_reminders_queue_due
from counseling.tasks import booking_reminders_send_due_task
from outbox.models import OutboundEmail
from outbox.services import email_send
from tests.counseling.conftest import NOW, WEDNESDAY, tokyo
from tests.counseling.factories import AvailabilityRuleFactory, BookingFactory, IntakeFactory

pytestmark = pytest.mark.django_db

TUESDAY_1900 = tokyo(WEDNESDAY - timedelta(days=1), 19)


@pytest.fixture
def booking(client_user, session_type, frozen_now):
    IntakeFactory(client=client_user)
    booking, _created = booking_create(
        client=client_user, session_type=session_type, start=tokyo(WEDNESDAY, 10)
    )
    return booking


def run_task(now, capture):
    with time_machine.travel(now, tick=False), capture(execute=True):
        booking_reminders_send_due_task.delay()


def reminders():
    return [message for message in mail.outbox if "明日のご予約" in message.subject]


def test_the_reminder_is_due_at_19_tokyo_on_the_day_before(booking):
    assert booking.reminder_due_at == TUESDAY_1900
    assert booking.reminder_due_at == datetime(2025, 6, 3, 10, 0, tzinfo=UTC)


def test_a_session_just_after_midnight_is_reminded_the_evening_before_in_tokyo(
    client_user, counselor, session_type, frozen_now
):
    # Thursday 00:30 in Tokyo is still Wednesday in UTC; the reminder is Wednesday 19:00 Tokyo.
    AvailabilityRuleFactory(counselor=counselor, weekday=3, start_time=time(0), end_time=time(2))
    IntakeFactory(client=client_user)
    thursday = WEDNESDAY + timedelta(days=1)

    booking, _ = booking_create(client=client_user, session_type=session_type, start=tokyo(thursday, 0, 30))

    assert booking.reminder_due_at == tokyo(WEDNESDAY, 19)


def test_no_reminder_goes_before_19_and_one_goes_at_19(booking, django_capture_on_commit_callbacks):
    mail.outbox = []

    run_task(TUESDAY_1900 - timedelta(minutes=1), django_capture_on_commit_callbacks)
    assert reminders() == []

    run_task(TUESDAY_1900, django_capture_on_commit_callbacks)
    [reminder] = reminders()
    assert reminder.to == [booking.client.email]
    assert "2025年6月4日（水）10:00" in reminder.subject
    assert booking.meeting_url in reminder.body


def test_running_the_reminder_task_twice_sends_one_reminder_per_booking(
    client_user, session_type, django_capture_on_commit_callbacks
):
    for hour in (10, 11):
        BookingFactory(
            session_type=session_type,
            start=tokyo(WEDNESDAY, hour),
            reminder_due_at=TUESDAY_1900,
        )
    mail.outbox = []

    run_task(TUESDAY_1900 + timedelta(minutes=1), django_capture_on_commit_callbacks)
    run_task(TUESDAY_1900 + timedelta(minutes=2), django_capture_on_commit_callbacks)

    assert len(reminders()) == 2
    assert OutboundEmail.objects.filter(kind="counseling.booking_reminder").count() == 2


def test_the_outbox_key_stops_a_second_reminder_even_if_the_booking_is_scanned_again(
    booking, django_capture_on_commit_callbacks
):
    run_task(TUESDAY_1900, django_capture_on_commit_callbacks)
    # As if the mark had been lost: the scan finds the booking again, the outbox row already exists.
    Booking.objects.filter(pk=booking.pk).update(reminder_queued_at=None)
    mail.outbox = []

    with time_machine.travel(TUESDAY_1900 + timedelta(minutes=1), tick=False):
        assert booking_reminders_queue_due() == 0
    assert reminders() == []


def test_a_cancelled_booking_gets_no_reminder(booking, client_user, django_capture_on_commit_callbacks):
    booking_cancel(booking=booking, actor=client_user)
    mail.outbox = []

    run_task(TUESDAY_1900 + timedelta(minutes=5), django_capture_on_commit_callbacks)

    assert reminders() == []
    assert not OutboundEmail.objects.filter(kind="counseling.booking_reminder").exists()


def test_a_reminder_queued_before_a_cancel_is_skipped_when_its_turn_comes(
    booking, client_user, django_capture_on_commit_callbacks
):
    with time_machine.travel(TUESDAY_1900, tick=False):
        # Queued, but the sender has not run yet (the commit hooks are dropped).
        with django_capture_on_commit_callbacks(execute=False):
            assert booking_reminders_queue_due() == 1
        booking_cancel(booking=booking, actor=booking.counselor)
        row = OutboundEmail.objects.get(kind="counseling.booking_reminder")
        mail.outbox = []

        email_send(email_id=row.pk)

    row.refresh_from_db()
    assert row.status == OutboundEmail.Status.SKIPPED
    assert reminders() == []


def test_a_rescheduled_booking_is_reminded_of_its_new_time_only(
    booking, client_user, django_capture_on_commit_callbacks
):
    with time_machine.travel(NOW, tick=False):
        booking_reschedule(booking=booking, actor=client_user, start=tokyo(WEDNESDAY, 11))
    mail.outbox = []

    run_task(TUESDAY_1900, django_capture_on_commit_callbacks)

    [reminder] = reminders()
    assert "11:00" in reminder.subject


def test_a_booking_made_after_its_reminder_time_gets_only_its_confirmation(
    client_user, session_type, settings, django_capture_on_commit_callbacks
):
    settings.COUNSELING_MIN_NOTICE = timedelta(hours=12)
    IntakeFactory(client=client_user)
    with time_machine.travel(TUESDAY_1900 + timedelta(minutes=30), tick=False):
        booking, _ = booking_create(client=client_user, session_type=session_type, start=tokyo(WEDNESDAY, 10))

    run_task(TUESDAY_1900 + timedelta(hours=1), django_capture_on_commit_callbacks)

    assert booking.reminder_due_at is None
    assert reminders() == []


def test_the_reminder_hour_setting_moves_the_reminder(client_user, session_type, frozen_now, settings):
    settings.COUNSELING_REMINDER_HOUR = 18
    IntakeFactory(client=client_user)

    booking, _ = booking_create(client=client_user, session_type=session_type, start=tokyo(WEDNESDAY, 10))

    assert booking.reminder_due_at == tokyo(WEDNESDAY - timedelta(days=1), 18)


def test_beat_runs_the_reminder_scan():
    entry = settings.CELERY_BEAT_SCHEDULE["counseling-send-due-reminders"]

    assert entry["task"] == booking_reminders_send_due_task.name
