"""A date far outside the practice's years, typed or sent on any counselor page, is a 400 saying which
years are accepted — never an overflow while converting it or counting weeks from it."""

import pytest

from counseling.models import Booking, SessionNote, TimeOff
from tests.counseling.conftest import WEDNESDAY, tokyo
from tests.counseling.factories import BookingFactory, client_of

pytestmark = pytest.mark.django_db

RANGE_MESSAGE = "2000年から2100年までの日付を指定してください。"
FAR_DAYS = ["9999-12-31", "0001-01-01"]


@pytest.fixture
def desk(client, counselor):
    client.force_login(counselor)
    return client


def calendar_week(desk, counselor, session_type, day):
    return desk.get(f"/counselor/calendar/?date={day}")


def book_week(desk, counselor, session_type, day):
    client = client_of(counselor)
    return desk.get(f"/counselor/clients/{client.pk}/book/?session_type={session_type.pk}&start_day={day}")


def book_first_session(desk, counselor, session_type, day):
    client = client_of(counselor)
    return desk.get(f"/counselor/clients/{client.pk}/book/?session_type={session_type.pk}&start={day}T10:00")


def book_weekly_series(desk, counselor, session_type, day):
    client = client_of(counselor)
    return desk.get(
        f"/counselor/clients/{client.pk}/book/?session_type={session_type.pk}"
        f"&start={day}T10:00&repeat=weekly&count=12"
    )


def book_posted_series(desk, counselor, session_type, day):
    client = client_of(counselor)
    return desk.post(
        f"/counselor/clients/{client.pk}/book/?session_type={session_type.pk}",
        {"starts": [f"{day}T10:00"], "idempotency_key": "far"},
    )


def reschedule_week(desk, counselor, session_type, day):
    booking = BookingFactory(session_type=session_type, start=tokyo(WEDNESDAY, 10))
    return desk.get(f"/counselor/bookings/{booking.pk}/reschedule/?from={day}")


def reschedule_to(desk, counselor, session_type, day):
    booking = BookingFactory(session_type=session_type, start=tokyo(WEDNESDAY, 10))
    return desk.post(f"/counselor/bookings/{booking.pk}/reschedule/", {"start": f"{day}T10:00"})


def time_off(desk, counselor, session_type, day):
    return desk.post(
        "/counselor/schedule/time-off/", {"off-start": f"{day}T09:00", "off-end": f"{day}T13:00"}
    )


def note_without_booking(desk, counselor, session_type, day):
    client = client_of(counselor)
    return desk.post(f"/counselor/clients/{client.pk}/notes/new/", {"date": day, "plan": "次回"})


PAGES = [
    calendar_week,
    book_week,
    book_first_session,
    book_weekly_series,
    book_posted_series,
    reschedule_week,
    reschedule_to,
    time_off,
    note_without_booking,
]


@pytest.mark.parametrize("day", FAR_DAYS)
@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.__name__)
def test_a_far_date_on_a_counselor_page_is_a_400_naming_the_accepted_years(
    desk, counselor, session_type, frozen_now, page, day
):
    bookings_before = Booking.objects.count()

    response = page(desk, counselor, session_type, day)

    assert response.status_code == 400
    assert RANGE_MESSAGE in response.content.decode()
    assert Booking.objects.count() <= bookings_before + 1  # only the fixture's own booking, if any
    assert not TimeOff.objects.exists() and not SessionNote.objects.exists()
