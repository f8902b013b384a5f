"""The counselor's private calendar feed: a secret address, every recent and coming session."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from icalendar import Calendar

from counseling.calendar import booking_ics, booking_ics_uid, person_initials
from counseling.selectors.calendar_feed import calendar_feed_url
from counseling.services.calendar_feed import calendar_feed_token_regenerate
from tests.accounts.factories import ClientFactory
from tests.counseling.calendars import assert_unambiguous_times
from tests.counseling.conftest import NOW
from tests.counseling.factories import BookingFactory, SessionTypeFactory

pytestmark = pytest.mark.django_db

FEED = "/counselor/calendar.ics"


@pytest.fixture
def token(counselor):
    return calendar_feed_token_regenerate(counselor=counselor)


def events(response) -> dict[str, object]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    assert_unambiguous_times(calendar)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def test_the_feed_lists_upcoming_and_last_30_days_bookings_with_the_mail_uid(
    client, counselor, token, frozen_now
):
    session_type = SessionTypeFactory(counselor=counselor, name="オンライン60分")
    soon = BookingFactory(
        session_type=session_type,
        start=NOW + timedelta(days=3),
        client=ClientFactory(display_name="山田 花子"),
    )
    recent = BookingFactory(session_type=session_type, start=NOW - timedelta(days=29), status="completed")
    BookingFactory(session_type=session_type, start=NOW - timedelta(days=31), status="completed")
    BookingFactory(session_type=session_type, start=NOW + timedelta(days=4), status="cancelled")
    BookingFactory(start=NOW + timedelta(days=3, hours=2))  # another counselor's

    found = events(client.get(FEED, {"token": token}))

    assert set(found) == {booking_ics_uid(soon), booking_ics_uid(recent)}
    event = found[booking_ics_uid(soon)]
    assert event.decoded("DTSTART") == soon.start
    assert event.decoded("DTEND") == soon.end
    assert str(event["SUMMARY"]) == "オンライン60分 山.花."
    [mailed] = Calendar.from_ical(booking_ics(soon)).walk("VEVENT")
    assert str(mailed["UID"]) == str(event["UID"])
    assert "ATTENDEE" not in event and "花子" not in client.get(FEED, {"token": token}).content.decode()


def test_a_setting_switches_the_summaries_to_full_names(client, counselor, token, settings, frozen_now):
    settings.COUNSELING_CALENDAR_FEED_FULL_NAMES = True
    booking = BookingFactory(
        session_type=SessionTypeFactory(counselor=counselor, name="対面"),
        client=ClientFactory(display_name="山田 花子"),
    )

    [event] = events(client.get(FEED, {"token": token})).values()

    assert str(event["SUMMARY"]) == "対面 山田 花子"
    assert str(event["DESCRIPTION"]).endswith(f"/counselor/bookings/{booking.pk}/")


@pytest.mark.parametrize(
    ("name", "email", "initials"),
    [
        ("Hanako Yamada", "h@example.com", "H.Y."),
        ("山田\u3000花子", "h@example.com", "山.花."),
        ("", "mika@x.jp", "M."),
    ],
)
def test_initials_come_from_the_name_or_else_the_email(name, email, initials):
    assert person_initials(ClientFactory.build(display_name=name, email=email)) == initials


@pytest.mark.parametrize("query", [{}, {"token": ""}, {"token": "not-the-token"}])
def test_without_the_right_token_the_feed_is_404(client, counselor, token, query):
    assert client.get(FEED, query).status_code == 404


def test_regenerating_the_token_invalidates_the_old_address(client, counselor, token):
    new = calendar_feed_token_regenerate(counselor=counselor)

    assert new != token
    assert client.get(FEED, {"token": token}).status_code == 404
    assert client.get(FEED, {"token": new}).status_code == 200
    assert calendar_feed_url(counselor=counselor) == f"http://127.0.0.1:8000{FEED}?token={new}"


def test_a_counselor_without_a_feed_has_no_address(counselor):
    assert calendar_feed_url(counselor=counselor) is None


def test_only_a_counselor_gets_a_feed(client_user):
    with pytest.raises(PermissionDenied):
        calendar_feed_token_regenerate(counselor=client_user)


def test_the_feed_costs_the_same_queries_for_1_and_50_bookings(client, counselor, token, frozen_now):
    session_type = SessionTypeFactory(counselor=counselor)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(FEED, {"token": token}).status_code == 200
        return len(captured)

    BookingFactory(session_type=session_type, start=NOW + timedelta(days=1))
    one = count()
    for n in range(49):
        BookingFactory(session_type=session_type, start=NOW + timedelta(days=2, hours=n))
    assert count() == one
