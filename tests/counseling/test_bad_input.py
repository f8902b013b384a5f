"""Whatever arrives, the answer is a clear 4xx and nothing changes: never a 500."""

import pytest

from counseling.models import AvailabilityRule, Booking, Intake, SessionType, TimeOff
from tests.conftest import authenticated_client

pytestmark = pytest.mark.django_db

ODD_DATES = ["0001-01-01", "9999-12-31", "1999-12-31", "2025-02-30", "1e400", "今日"]
ODD_DATETIMES = ["0001-01-01T00:00:00+09:00", "9999-12-31T23:30:00+09:00", "2025-06-04T25:00:00+09:00", "x"]


@pytest.mark.parametrize("value", ODD_DATES)
def test_odd_dates_in_queries_are_400(value, api_client, booking_client, session_type, frozen_now):
    for api, url, params in (
        (api_client, "/api/v1/availability/", {"session_type": session_type.pk, "from": value}),
        (api_client, "/api/v1/availability/", {"session_type": session_type.pk, "to": value}),
        (booking_client, "/api/v1/bookings/", {"from": value}),
        (booking_client, "/api/v1/bookings/", {"to": value}),
    ):
        response = api.get(url, params)
        assert response.status_code == 400, (url, params)


@pytest.mark.parametrize("value", ODD_DATETIMES)
def test_odd_times_in_bookings_and_time_off_are_400_and_store_nothing(
    value, booking_client, counselor, session_type, frozen_now
):
    counselor_api = authenticated_client(counselor)

    booked = booking_client.post(
        "/api/v1/bookings/", {"session_type": session_type.pk, "start": value}, format="json"
    )
    time_off = counselor_api.post(
        "/api/v1/time-off/", {"start": value, "end": "2025-06-05T00:00:00+09:00"}, format="json"
    )

    assert (booked.status_code, time_off.status_code) == (400, 400)
    assert "start" in booked.json() and "start" in time_off.json()
    assert not Booking.objects.exists() and not TimeOff.objects.exists()


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/api/v1/intakes/", []),
        ("/api/v1/intakes/", {"self_check": [1, 2], "scenes": "scene.work"}),
        ("/api/v1/bookings/", ["start"]),
    ],
)
def test_bodies_of_the_wrong_shape_are_400(url, body, booking_client, session_type, frozen_now):
    response = booking_client.post(url, body, format="json")

    assert response.status_code == 400
    assert not Booking.objects.exists()
    assert Intake.objects.count() == 1  # the fixture's own


@pytest.mark.parametrize(
    ("url", "body"),
    [
        (
            "/api/v1/session-types/",
            {"name": "x" * 101, "format": "online", "duration_minutes": 60, "price_jpy": 1},
        ),
        (
            "/api/v1/session-types/",
            {"name": "x", "format": "online", "duration_minutes": 10**12, "price_jpy": 1},
        ),
        ("/api/v1/availability-rules/", {"weekday": "月", "start_time": "10:00", "end_time": "12:00"}),
        (
            "/api/v1/availability-rules/",
            {"weekday": 1, "start_time": "23:59", "end_time": "24:00", "format": "online"},
        ),
    ],
)
def test_odd_counselor_settings_are_400_and_store_nothing(url, body, counselor_api):
    response = counselor_api.post(url, body, format="json")

    assert response.status_code == 400
    assert not SessionType.objects.exists() and not AvailabilityRule.objects.exists()
