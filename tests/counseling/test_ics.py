from datetime import datetime, timedelta, timezone

import pytest
from django.core import mail
from icalendar import Calendar, Event

from counseling.models import Booking
from tests.counseling.calendars import assert_unambiguous_event
from tests.counseling.conftest import MEETING_URL, WEDNESDAY, tokyo
from tests.counseling.factories import AvailabilityRuleFactory, SessionTypeFactory

pytestmark = pytest.mark.django_db

BOOKINGS = "/api/v1/bookings/"


def book(api, session_type, start):
    response = api.post(
        BOOKINGS, {"session_type": session_type.pk, "start": start.isoformat()}, format="json"
    )
    assert response.status_code == 201
    return response.json()["id"]


def fetch_event(api, booking_id):
    response = api.get(f"{BOOKINGS}{booking_id}/ics/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    [event] = calendar.walk("VEVENT")
    return calendar, event


def test_the_ics_parses_and_carries_start_end_meeting_url_and_uid(booking_client, session_type, frozen_now):
    booking_id = book(booking_client, session_type, tokyo(WEDNESDAY, 10))
    booking = Booking.objects.get(pk=booking_id)

    calendar, event = fetch_event(booking_client, booking_id)

    assert str(calendar["METHOD"]) == "REQUEST"
    assert event.decoded("DTSTART") == tokyo(WEDNESDAY, 10)
    assert event.decoded("DTEND") == tokyo(WEDNESDAY, 11)
    assert str(event["LOCATION"]) == MEETING_URL
    assert str(event["URL"]) == MEETING_URL
    assert str(event["UID"]) == f"booking-{booking.uid}@127.0.0.1"
    assert int(event["SEQUENCE"]) == 0
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["ORGANIZER"]) == f"mailto:{booking.counselor.email}"


def test_a_venue_session_names_its_place(booking_client, counselor, frozen_now):
    venue = SessionTypeFactory(counselor=counselor, format="nagoya", location="名古屋・栄")
    AvailabilityRuleFactory(counselor=counselor, weekday=2, format="nagoya")
    booking_id = book(booking_client, venue, tokyo(WEDNESDAY, 10))

    _calendar, event = fetch_event(booking_client, booking_id)

    assert str(event["LOCATION"]) == "名古屋・栄"
    assert "URL" not in event


def test_rescheduling_keeps_the_uid_and_raises_the_sequence(booking_client, session_type, frozen_now):
    booking_id = book(booking_client, session_type, tokyo(WEDNESDAY, 10))
    _calendar, before = fetch_event(booking_client, booking_id)

    booking_client.post(
        f"{BOOKINGS}{booking_id}/reschedule/", {"start": tokyo(WEDNESDAY, 11).isoformat()}, format="json"
    )
    _calendar, after = fetch_event(booking_client, booking_id)

    assert str(after["UID"]) == str(before["UID"])
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1
    assert after.decoded("DTSTART") == tokyo(WEDNESDAY, 11)


def test_a_cancelled_booking_gives_method_cancel_with_the_same_uid(
    booking_client, session_type, frozen_now, django_capture_on_commit_callbacks, client_user
):
    booking_id = book(booking_client, session_type, tokyo(WEDNESDAY, 10))
    _calendar, before = fetch_event(booking_client, booking_id)
    mail.outbox = []

    with django_capture_on_commit_callbacks(execute=True):
        booking_client.post(f"{BOOKINGS}{booking_id}/cancel/", {}, format="json")
    calendar, event = fetch_event(booking_client, booking_id)

    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == str(before["UID"])
    assert int(event["SEQUENCE"]) > int(before["SEQUENCE"])
    notice = next(message for message in mail.outbox if message.to == [client_user.email])
    [(_filename, content, _mimetype)] = notice.attachments
    assert str(Calendar.from_ical(content)["METHOD"]) == "CANCEL"


def test_the_confirmation_mail_attaches_the_same_calendar(
    booking_client, session_type, frozen_now, django_capture_on_commit_callbacks, client_user
):
    with django_capture_on_commit_callbacks(execute=True):
        booking_id = book(booking_client, session_type, tokyo(WEDNESDAY, 10))
    _calendar, served = fetch_event(booking_client, booking_id)

    confirmation = next(message for message in mail.outbox if message.to == [client_user.email])
    [(filename, content, mimetype)] = confirmation.attachments
    [attached] = Calendar.from_ical(content).walk("VEVENT")

    assert (filename, mimetype) == ("booking.ics", "text/calendar")
    assert str(attached["UID"]) == str(served["UID"])
    assert attached.decoded("DTSTART") == served.decoded("DTSTART")


def test_the_check_refuses_floating_times_and_fixed_offset_tzids():
    # What a booking made with "+09:00" produced before: DTSTART;TZID="UTC+09:00" with no VTIMEZONE.
    fixed = datetime(2025, 6, 4, 10, tzinfo=timezone(timedelta(hours=9)))
    for start in (fixed, fixed.replace(tzinfo=None)):
        calendar = Calendar()
        event = Event()
        event.add("dtstart", start)
        calendar.add_component(event)

        with pytest.raises(AssertionError):
            assert_unambiguous_event(calendar.to_ical(), start=fixed)


def attachments(recipient: str) -> list[bytes]:
    return [
        content
        for message in mail.outbox
        if message.to == [recipient]
        for (_filename, content, mimetype) in message.attachments
        if mimetype == "text/calendar"
    ]


def test_every_ics_of_a_booking_states_its_times_unambiguously(
    booking_client, session_type, frozen_now, django_capture_on_commit_callbacks, client_user
):
    # Booked with a fixed offset, as any API client sends it: the instant must survive, not the offset.
    with django_capture_on_commit_callbacks(execute=True):
        booking_id = book(booking_client, session_type, tokyo(WEDNESDAY, 10))
    with django_capture_on_commit_callbacks(execute=True):
        booking_client.post(
            f"{BOOKINGS}{booking_id}/reschedule/", {"start": "2025-06-04T02:00:00Z"}, format="json"
        )
    with django_capture_on_commit_callbacks(execute=True):
        booking_client.post(f"{BOOKINGS}{booking_id}/cancel/", {}, format="json")
    booking = Booking.objects.select_related("counselor").get(pk=booking_id)

    client_files = attachments(client_user.email)
    counselor_files = attachments(booking.counselor.email)
    # Confirmation, rescheduled confirmation and cancellation, to each of them.
    assert len(client_files) == len(counselor_files) == 3
    first, *later = client_files
    assert_unambiguous_event(first, start=tokyo(WEDNESDAY, 10), end=tokyo(WEDNESDAY, 11))
    for content in [*later, *counselor_files[1:]]:
        assert_unambiguous_event(content, start=tokyo(WEDNESDAY, 11), end=tokyo(WEDNESDAY, 12))
    download = booking_client.get(f"{BOOKINGS}{booking_id}/ics/").content
    assert_unambiguous_event(download, start=booking.start, end=booking.end)
    assert b"TZID" not in download
