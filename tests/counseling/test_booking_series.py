"""The counselor books for a client: a single session or a weekly / fortnightly series, all or none."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from icalendar import Calendar

from core.exceptions import ApplicationError, ConflictError
from counseling.models import Booking
from counseling.selectors.availability import SlotState
from counseling.selectors.series import Repeat, series_preview, series_starts
from counseling.services.bookings import IdempotencyKeyReused
from counseling.services.series import booking_series_create
from counseling.services.series_mail import KIND_SERIES_CONFIRMED
from outbox.models import OutboundEmail
from tests.accounts.factories import ClientFactory
from tests.counseling.conftest import NOW, WEDNESDAY, tokyo
from tests.counseling.factories import BookingFactory, client_of
from tests.counseling.test_booking_races import booking_request, clients_with_intakes, run_at_once

pytestmark = pytest.mark.django_db

TEN = tokyo(WEDNESDAY, 10)


def weekly(count: int, start=TEN):
    return series_starts(start=start, repeat=Repeat.WEEKLY, count=count)


def test_a_series_repeats_the_tokyo_wall_clock_time_weekly_or_every_two_weeks():
    assert weekly(3) == [TEN, TEN + timedelta(days=7), TEN + timedelta(days=14)]
    assert series_starts(start=TEN, repeat=Repeat.FORTNIGHTLY, count=2) == [TEN, TEN + timedelta(days=14)]
    assert series_starts(start=TEN, repeat=Repeat.NONE, count=5) == [TEN]


def test_the_preview_shows_which_occurrences_are_taken_before_anything_is_written(
    counselor, session_type, frozen_now
):
    BookingFactory(session_type=session_type, start=TEN + timedelta(days=7))

    preview = series_preview(session_type=session_type, starts=weekly(4))

    assert [occurrence.state for occurrence in preview] == [
        SlotState.FREE,
        SlotState.UNAVAILABLE,
        SlotState.FREE,
        SlotState.FREE,
    ]
    assert Booking.objects.count() == 1


def test_the_counselor_books_a_weekly_series_and_the_client_gets_one_mail_with_every_event(
    counselor, session_type, frozen_now, django_capture_on_commit_callbacks
):
    client = client_of(counselor)

    with django_capture_on_commit_callbacks(execute=True):
        bookings = booking_series_create(
            counselor=counselor, client=client, session_type=session_type, starts=weekly(4)
        )

    assert [booking.start for booking in bookings] == weekly(4)
    assert len({booking.series_id for booking in bookings}) == 1 and bookings[0].series_id is not None
    assert all(booking.status == Booking.Status.CONFIRMED for booking in bookings)
    [message] = [message for message in mail.outbox if message.to == [client.email]]
    assert "4回のご予約" in message.subject
    assert "6月25日" in message.body
    [(filename, content, mimetype)] = message.attachments
    events = Calendar.from_ical(content).walk("VEVENT")
    assert (filename, mimetype) == ("sessions.ics", "text/calendar")
    assert sorted(event.decoded("DTSTART") for event in events) == [booking.start for booking in bookings]
    assert all(event.decoded("DTSTART").tzinfo is not None for event in events)
    text = content.decode() if isinstance(content, bytes) else content
    assert "TZID" not in text and text.count("DTSTART:") == 4  # UTC: never floating time
    assert {str(event["UID"]) for event in events} == {
        f"booking-{booking.uid}@127.0.0.1" for booking in bookings
    }
    assert OutboundEmail.objects.get(recipient=client.email, kind=KIND_SERIES_CONFIRMED).carries_secret


def test_a_single_session_booked_by_the_counselor_is_an_ordinary_booking_without_a_series(
    counselor, session_type, frozen_now
):
    client = client_of(counselor)

    [booking] = booking_series_create(
        counselor=counselor, client=client, session_type=session_type, starts=[TEN]
    )

    assert booking.series_id is None and booking.counselor == counselor


def test_one_taken_occurrence_refuses_the_whole_series_and_writes_nothing(
    counselor, session_type, frozen_now
):
    client = client_of(counselor)
    BookingFactory(session_type=session_type, start=TEN + timedelta(days=14))

    with pytest.raises(ConflictError) as refused:
        booking_series_create(counselor=counselor, client=client, session_type=session_type, starts=weekly(4))

    assert "6月18日" in refused.value.message
    assert Booking.objects.filter(client=client).count() == 0
    assert mail.outbox == []


def test_a_race_past_the_check_is_refused_by_the_database_and_leaves_none_of_the_series(
    counselor, session_type, frozen_now, monkeypatch
):
    client = client_of(counselor)
    BookingFactory(session_type=session_type, start=TEN + timedelta(days=21, minutes=30))
    # As if another booking had been written between the check and this series' inserts.
    monkeypatch.setattr("counseling.services.series.slot_state", lambda **kwargs: SlotState.FREE)

    with pytest.raises(ConflictError):
        booking_series_create(counselor=counselor, client=client, session_type=session_type, starts=weekly(4))

    assert Booking.objects.filter(client=client).count() == 0


# A series booked before fingerprints were kept is told from another request by its starts.
@pytest.mark.parametrize("fingerprint_kept", [True, False])
def test_a_retry_with_the_same_key_returns_the_series_booked_the_first_time(
    counselor, session_type, frozen_now, fingerprint_kept
):
    client = client_of(counselor)
    first = booking_series_create(
        counselor=counselor, client=client, session_type=session_type, starts=weekly(3), idempotency_key="k1"
    )
    if not fingerprint_kept:
        Booking.objects.filter(client=client).update(idempotency_request="")

    again = booking_series_create(
        counselor=counselor, client=client, session_type=session_type, starts=weekly(3), idempotency_key="k1"
    )

    assert [booking.pk for booking in again] == [booking.pk for booking in first]
    assert Booking.objects.filter(client=client).count() == 3


@pytest.mark.parametrize(
    "other_starts",
    [weekly(2), weekly(3, start=TEN + timedelta(hours=1)), list(reversed(weekly(4)))],
    ids=["fewer", "later", "more"],
)
def test_the_same_key_for_another_series_is_a_422_and_books_nothing_more(
    counselor, session_type, frozen_now, other_starts
):
    client = client_of(counselor)
    booking_series_create(
        counselor=counselor, client=client, session_type=session_type, starts=weekly(3), idempotency_key="k1"
    )

    with pytest.raises(IdempotencyKeyReused) as raised:
        booking_series_create(
            counselor=counselor,
            client=client,
            session_type=session_type,
            starts=other_starts,
            idempotency_key="k1",
        )

    assert raised.value.status_code == 422
    assert Booking.objects.filter(client=client).count() == 3


def test_more_than_twelve_or_no_occurrences_are_refused(counselor, session_type, frozen_now):
    client = client_of(counselor)
    for starts in ([], weekly(13)):
        with pytest.raises(ApplicationError):
            booking_series_create(
                counselor=counselor, client=client, session_type=session_type, starts=starts
            )
    assert Booking.objects.count() == 0


def test_a_fortnightly_series_of_twelve_reaches_past_the_clients_booking_window(
    counselor, session_type, frozen_now
):
    client = client_of(counselor)
    starts = series_starts(start=TEN, repeat=Repeat.FORTNIGHTLY, count=12)

    bookings = booking_series_create(
        counselor=counselor, client=client, session_type=session_type, starts=starts
    )

    assert len(bookings) == 12 and bookings[-1].start == TEN + timedelta(weeks=22)


def test_the_counselor_books_only_their_own_clients_with_their_own_session_types(
    counselor, session_type, frozen_now
):
    stranger = ClientFactory()
    other_type = BookingFactory().session_type

    with pytest.raises(ApplicationError):
        booking_series_create(counselor=counselor, client=stranger, session_type=session_type, starts=[TEN])
    with pytest.raises(ApplicationError):
        booking_series_create(
            counselor=counselor, client=client_of(counselor), session_type=other_type, starts=[TEN]
        )
    assert not Booking.objects.filter(counselor=counselor).exists()


def test_a_time_outside_the_hours_is_refused_as_no_slot(counselor, session_type, frozen_now):
    with pytest.raises(ApplicationError) as refused:
        booking_series_create(
            counselor=counselor,
            client=client_of(counselor),
            session_type=session_type,
            starts=[tokyo(WEDNESDAY, 15)],
        )

    assert not isinstance(refused.value, ConflictError)


class _Outcome:
    def __init__(self, status_code: int, body=None):
        self.status_code, self._body = status_code, body

    def json(self):
        return self._body


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_series_racing_clients_for_one_of_its_slots_is_booked_whole_or_not_at_all(session_type, counselor):
    client = client_of(counselor)
    apis = clients_with_intakes(8)

    def series():
        try:
            booked = booking_series_create(
                counselor=counselor, client=client, session_type=session_type, starts=weekly(4)
            )
        except ConflictError as error:
            return _Outcome(409, error.message)
        return _Outcome(201, [booking.pk for booking in booked])

    with time_machine.travel(NOW, tick=False):
        results = run_at_once(
            [series, *(booking_request(api, session_type, TEN + timedelta(days=14)) for api in apis)]
        )

    series_status, client_statuses = results[0][0], [status for status, _ in results[1:]]
    assert series_status in (201, 409)
    if series_status == 201:
        assert client_statuses == [409] * 8
        assert Booking.objects.filter(client=client).count() == 4
    else:
        assert sorted(client_statuses) == [201] + [409] * 7
        assert not Booking.objects.filter(client=client).exists()


def test_a_date_past_the_counselors_booking_window_is_a_400_not_taken(
    counselor, session_type, frozen_now, settings
):
    client = client_of(counselor)
    starts = [TEN, TEN + settings.COUNSELING_COUNSELOR_BOOKING_WINDOW + timedelta(weeks=1)]

    with pytest.raises(ApplicationError) as refused:
        booking_series_create(counselor=counselor, client=client, session_type=session_type, starts=starts)

    assert not isinstance(refused.value, ConflictError)
    assert "予約を受け付ける期間" in refused.value.message and Booking.objects.count() == 0
