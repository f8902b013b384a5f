"""The booking policy: one rule read by the services, the API, the pages and the mails."""

from datetime import timedelta

import pytest
from django.core import mail

from counseling.models import Booking
from counseling.policy import BookingPolicy, booking_policy
from counseling.services.bookings import booking_cancel
from tests.accounts.factories import ClientFactory
from tests.conftest import authenticated_client
from tests.counseling.conftest import NOW
from tests.counseling.factories import BookingFactory

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)


def policy_at(booking, role, now) -> BookingPolicy:
    return BookingPolicy(booking=booking, role=role, now=now)


@pytest.mark.parametrize(
    ("hours_before_start", "cancel", "late", "reschedule"),
    [
        (72, True, False, True),
        (48, True, True, False),  # the window's first instant is inside it
        (47, True, True, False),
        (0, False, False, False),  # started
        (-2, False, False, False),
    ],
)
def test_what_a_client_may_still_do_depends_on_the_48_hour_window(
    hours_before_start, cancel, late, reschedule
):
    booking = BookingFactory(start=NOW + hours_before_start * HOUR)

    policy = policy_at(booking, "client", NOW)

    assert (policy.cancel_allowed, policy.cancel_is_late, policy.reschedule_allowed) == (
        cancel,
        late,
        reschedule,
    )
    assert policy.inside_cancellation_window == (hours_before_start <= 48)
    assert policy.mark_allowed is False


@pytest.mark.parametrize("hours_before_start", [72, 10, -2])
def test_the_counselor_may_cancel_and_reschedule_a_confirmed_booking_and_never_causes_a_late_cancel(
    hours_before_start,
):
    booking = BookingFactory(start=NOW + hours_before_start * HOUR)

    policy = policy_at(booking, "counselor", NOW)

    assert policy.cancel_allowed and policy.reschedule_allowed
    assert policy.cancel_is_late is False
    assert policy.mark_allowed == (hours_before_start < 0)


@pytest.mark.parametrize("status", ["cancelled", "late_cancelled", "completed", "no_show"])
def test_a_booking_no_longer_confirmed_can_be_neither_cancelled_nor_rescheduled(status):
    booking = BookingFactory(start=NOW - 2 * HOUR, status=status)

    for role in ("client", "counselor"):
        policy = policy_at(booking, role, NOW)
        assert not policy.cancel_allowed and not policy.reschedule_allowed
    assert policy_at(booking, "counselor", NOW).mark_allowed == (status in ("completed", "no_show"))


def test_the_window_follows_the_setting(settings):
    settings.COUNSELING_CANCELLATION_WINDOW = timedelta(hours=24)
    booking = BookingFactory(start=NOW + 30 * HOUR)

    policy = policy_at(booking, "client", NOW)

    assert policy.reschedule_allowed and not policy.cancel_is_late
    assert policy.change_deadline == booking.start - 24 * HOUR


def test_someone_else_gets_no_policy_at_all():
    booking = BookingFactory()

    with pytest.raises(Exception, match="権限"):
        booking_policy(booking, ClientFactory())


def test_the_service_records_a_late_cancel_exactly_when_the_policy_says_so(frozen_now):
    inside = BookingFactory(start=NOW + 47 * HOUR)
    outside = BookingFactory(start=NOW + 49 * HOUR)

    booking_cancel(booking=inside, actor=inside.client)
    booking_cancel(booking=outside, actor=outside.client)

    assert Booking.objects.get(pk=inside.pk).status == "late_cancelled"
    assert Booking.objects.get(pk=outside.pk).status == "cancelled"


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("client", {"cancel_allowed": True, "cancel_is_late": True, "reschedule_allowed": False}),
        ("counselor", {"cancel_allowed": True, "cancel_is_late": False, "reschedule_allowed": True}),
    ],
)
def test_the_api_exposes_the_policy_for_the_caller(frozen_now, role, expected):
    booking = BookingFactory(start=NOW + 47 * HOUR)
    api = authenticated_client(booking.client if role == "client" else booking.counselor)

    detail = api.get(f"/api/v1/bookings/{booking.pk}/").json()
    listed = api.get("/api/v1/bookings/").json()["results"][0]

    for body in (detail, listed):
        assert {key: body[key] for key in expected} == expected
        assert body["inside_cancellation_window"] is True
        assert body["mark_allowed"] is False
        assert body["change_deadline"] == "2025-06-02T08:00:00+09:00"


def test_the_schema_documents_the_policy_fields(api_client):
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    properties = schema["components"]["schemas"]["Booking"]["properties"]

    for name in ("cancel_allowed", "cancel_is_late", "reschedule_allowed", "mark_allowed"):
        assert properties[name]["type"] == "boolean"
    assert properties["inside_cancellation_window"]["type"] == "boolean"
    assert properties["change_deadline"]["format"] == "date-time"


def test_the_confirmation_mail_states_the_deadline_the_policy_applies(
    booking_client, session_type, frozen_now, django_capture_on_commit_callbacks, client_user
):
    with django_capture_on_commit_callbacks(execute=True):
        response = booking_client.post(
            "/api/v1/bookings/",
            {"session_type": session_type.pk, "start": "2025-06-04T10:00:00+09:00"},
            format="json",
        )
    assert response.status_code == 201

    confirmation = next(message for message in mail.outbox if message.to == [client_user.email])
    assert "開始48時間前（2025年6月2日（月）10:00）まで" in confirmation.body
