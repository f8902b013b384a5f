from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from counseling.models import Booking, Intake
from counseling.selectors.availability import SlotState
from tests.accounts.factories import ClientFactory, CounselorFactory
from tests.conftest import authenticated_client
from tests.counseling.conftest import MEETING_URL, NOW, WEDNESDAY, tokyo
from tests.counseling.factories import (
    AvailabilityRuleFactory,
    BookingFactory,
    IntakeFactory,
    SessionTypeFactory,
)

pytestmark = pytest.mark.django_db

BOOKINGS = "/api/v1/bookings/"
TEN = tokyo(WEDNESDAY, 10)


def book(api, session_type, start=TEN, **headers):
    return api.post(
        BOOKINGS, {"session_type": session_type.pk, "start": start.isoformat()}, format="json", **headers
    )


def new_client_api():
    client = ClientFactory()
    IntakeFactory(client=client)
    return authenticated_client(client)


def test_a_client_books_a_free_slot_and_the_online_booking_carries_the_meeting_url(
    booking_client, client_user, session_type, counselor, frozen_now, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = book(booking_client, session_type)

    assert response.status_code == 201
    body = response.json()
    assert body["start"] == "2025-06-04T10:00:00+09:00"
    assert body["end"] == "2025-06-04T11:00:00+09:00"
    assert body["status"] == "confirmed"
    assert body["meeting_url"] == MEETING_URL
    assert body["session_type"] == session_type.pk
    assert body["counselor"]["id"] == counselor.pk
    booking = Booking.objects.get()
    assert (booking.client, booking.counselor) == (client_user, counselor)
    assert sorted(message.to[0] for message in mail.outbox) == sorted([client_user.email, counselor.email])
    confirmation = next(message for message in mail.outbox if message.to == [client_user.email])
    assert "ご予約を承りました" in confirmation.subject
    assert "2025年6月4日（水）10:00〜11:00" in confirmation.body
    assert MEETING_URL in confirmation.body


def test_a_venue_booking_has_no_meeting_url_and_names_the_place(
    booking_client, counselor, session_type, frozen_now
):
    venue = SessionTypeFactory(counselor=counselor, format="tokyo", location="東京・丸の内")
    AvailabilityRuleFactory(counselor=counselor, weekday=3, format="tokyo")

    response = book(booking_client, venue, start=tokyo(WEDNESDAY + timedelta(days=1), 10))

    assert response.status_code == 201
    assert response.json()["meeting_url"] == ""
    assert response.json()["location"] == "東京・丸の内"


def test_booking_a_taken_slot_is_a_409_and_changes_nothing(booking_client, session_type, frozen_now):
    assert book(booking_client, session_type).status_code == 201

    response = book(new_client_api(), session_type, start=tokyo(WEDNESDAY, 10, 30))

    assert response.status_code == 409
    assert "予約" in response.json()["detail"]
    assert Booking.objects.count() == 1


def test_a_time_that_is_no_slot_is_a_400(booking_client, session_type, frozen_now):
    for start in (tokyo(WEDNESDAY, 10, 15), tokyo(WEDNESDAY, 11, 30), tokyo(WEDNESDAY, 18)):
        response = book(booking_client, session_type, start=start)
        assert response.status_code == 400
        assert "start" in response.json()
    assert not Booking.objects.exists()


def test_a_slot_inside_the_notice_is_a_409(booking_client, session_type):
    with time_machine.travel(TEN - timedelta(hours=23), tick=False):
        response = book(booking_client, session_type)

    assert response.status_code == 409


@pytest.mark.parametrize(
    "bad", [{"start": "tomorrow"}, {"session_type": 999999}, {"start": None}, {"session_type": None}]
)
def test_malformed_booking_requests_are_400(booking_client, session_type, frozen_now, bad):
    body = {"session_type": session_type.pk, "start": TEN.isoformat()} | bad

    response = booking_client.post(BOOKINGS, {k: v for k, v in body.items() if v is not None}, format="json")

    assert response.status_code == 400
    assert not Booking.objects.exists()


def test_booking_needs_an_intake_that_is_not_declined(client_api, client_user, session_type, frozen_now):
    without = book(client_api, session_type)
    assert without.status_code == 400
    assert "インテーク" in without.json()["detail"]

    intake = IntakeFactory(client=client_user, status=Intake.Status.DECLINED)
    assert book(client_api, session_type).status_code == 400

    Intake.objects.filter(pk=intake.pk).update(status=Intake.Status.REVIEWED)
    assert book(client_api, session_type).status_code == 201


def test_counselors_and_anonymous_visitors_cannot_book(counselor_api, api_client, session_type, frozen_now):
    assert book(counselor_api, session_type).status_code == 403
    assert book(api_client, session_type).status_code == 401


def test_a_retry_with_the_same_idempotency_key_returns_the_first_booking(
    booking_client, session_type, frozen_now
):
    first = book(booking_client, session_type, HTTP_IDEMPOTENCY_KEY="c0ffee-1")
    retry = book(booking_client, session_type, HTTP_IDEMPOTENCY_KEY="c0ffee-1")

    assert first.status_code == 201
    assert retry.status_code == 200
    assert retry.json() == first.json()
    assert Booking.objects.count() == 1
    # Another key is another request: that slot is now taken.
    assert book(booking_client, session_type, HTTP_IDEMPOTENCY_KEY="c0ffee-2").status_code == 409


def test_the_same_idempotency_key_with_another_slot_is_a_422_and_books_nothing(
    booking_client, session_type, frozen_now
):
    first = book(booking_client, session_type, start=tokyo(WEDNESDAY, 10), HTTP_IDEMPOTENCY_KEY="k-1")
    other_slot = book(booking_client, session_type, start=tokyo(WEDNESDAY, 11), HTTP_IDEMPOTENCY_KEY="k-1")

    assert first.status_code == 201
    assert other_slot.status_code == 422
    assert "idempotency_key" in other_slot.json()
    assert Booking.objects.count() == 1
    # The true retry still answers with the first booking.
    retry = book(booking_client, session_type, start=tokyo(WEDNESDAY, 10), HTTP_IDEMPOTENCY_KEY="k-1")
    assert (retry.status_code, retry.json()["id"]) == (200, first.json()["id"])


def test_idempotency_keys_belong_to_each_client(booking_client, session_type, frozen_now):
    assert book(booking_client, session_type, HTTP_IDEMPOTENCY_KEY="same").status_code == 201

    other = book(new_client_api(), session_type, start=tokyo(WEDNESDAY, 11), HTTP_IDEMPOTENCY_KEY="same")

    assert other.status_code == 201
    assert Booking.objects.count() == 2


def test_an_overlong_idempotency_key_is_a_400(booking_client, session_type, frozen_now):
    response = book(booking_client, session_type, HTTP_IDEMPOTENCY_KEY="k" * 256)

    assert response.status_code == 400
    assert not Booking.objects.exists()


def test_two_adjacent_slots_are_both_booked(booking_client, session_type, frozen_now):
    assert book(booking_client, session_type, start=tokyo(WEDNESDAY, 10)).status_code == 201
    assert book(new_client_api(), session_type, start=tokyo(WEDNESDAY, 11)).status_code == 201


def test_a_cancelled_booking_frees_its_slot(booking_client, session_type, frozen_now):
    booking_id = book(booking_client, session_type).json()["id"]
    assert booking_client.post(f"{BOOKINGS}{booking_id}/cancel/", {}, format="json").status_code == 200

    assert book(new_client_api(), session_type).status_code == 201


def test_a_client_cancels_free_of_charge_before_the_window_and_late_after_it(
    booking_client, session_type, frozen_now, django_capture_on_commit_callbacks, client_user, counselor
):
    early_id = book(booking_client, session_type, start=tokyo(WEDNESDAY, 10)).json()["id"]
    late_id = book(booking_client, session_type, start=tokyo(WEDNESDAY, 11)).json()["id"]
    mail.outbox = []

    # 49 hours before 10:00: free.
    with (
        time_machine.travel(tokyo(WEDNESDAY, 10) - timedelta(hours=49), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        early = booking_client.post(f"{BOOKINGS}{early_id}/cancel/", {"reason": "体調不良"}, format="json")
    # 47 hours before 11:00: inside the 48-hour window.
    with time_machine.travel(tokyo(WEDNESDAY, 11) - timedelta(hours=47), tick=False):
        late = booking_client.post(f"{BOOKINGS}{late_id}/cancel/", {}, format="json")

    assert (early.status_code, early.json()["status"]) == (200, "cancelled")
    assert (late.status_code, late.json()["status"]) == (200, "late_cancelled")
    assert sorted(message.to[0] for message in mail.outbox) == sorted([client_user.email, counselor.email])
    assert all("キャンセル" in message.subject for message in mail.outbox)


def test_the_cancellation_window_setting_moves_the_line(booking_client, session_type, frozen_now, settings):
    settings.COUNSELING_CANCELLATION_WINDOW = timedelta(hours=72)
    booking_id = book(booking_client, session_type).json()["id"]

    response = booking_client.post(f"{BOOKINGS}{booking_id}/cancel/", {}, format="json")

    assert response.json()["status"] == "late_cancelled"


def test_a_client_cannot_cancel_a_session_that_has_started_or_is_cancelled(
    booking_client, session_type, frozen_now
):
    booking_id = book(booking_client, session_type).json()["id"]

    with time_machine.travel(TEN + timedelta(minutes=5), tick=False):
        started = booking_client.post(f"{BOOKINGS}{booking_id}/cancel/", {}, format="json")
    assert started.status_code == 409
    assert Booking.objects.get().status == "confirmed"

    booking_client.post(f"{BOOKINGS}{booking_id}/cancel/", {}, format="json")
    again = booking_client.post(f"{BOOKINGS}{booking_id}/cancel/", {}, format="json")
    assert again.status_code == 409
    assert again.json()["status"] == "cancelled"


def test_the_counselor_cancels_at_any_time_without_a_late_mark(
    booking_client, counselor_api, session_type, frozen_now, django_capture_on_commit_callbacks, client_user
):
    booking_id = book(booking_client, session_type).json()["id"]
    mail.outbox = []

    with (
        time_machine.travel(TEN - timedelta(hours=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = counselor_api.post(f"{BOOKINGS}{booking_id}/cancel/", {"reason": "急病"}, format="json")

    assert (response.status_code, response.json()["status"]) == (200, "cancelled")
    to_client = next(message for message in mail.outbox if message.to == [client_user.email])
    assert "こちらの都合により" in to_client.body


def test_rescheduling_moves_the_booking_frees_the_old_slot_and_raises_the_sequence(
    booking_client, session_type, frozen_now, django_capture_on_commit_callbacks, client_user
):
    booking_id = book(booking_client, session_type).json()["id"]
    mail.outbox = []

    with django_capture_on_commit_callbacks(execute=True):
        response = booking_client.post(
            f"{BOOKINGS}{booking_id}/reschedule/", {"start": tokyo(WEDNESDAY, 11).isoformat()}, format="json"
        )

    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["start"], body["sequence"]) == (booking_id, "2025-06-04T11:00:00+09:00", 1)
    assert Booking.objects.count() == 1
    to_client = next(message for message in mail.outbox if message.to == [client_user.email])
    assert "変更しました" in to_client.subject
    # The old slot is free again, for the moved booking's own neighbour too.
    assert book(new_client_api(), session_type, start=tokyo(WEDNESDAY, 10)).status_code == 201


def test_rescheduling_onto_a_taken_slot_is_a_409_and_leaves_the_booking_where_it_was(
    booking_client, session_type, frozen_now
):
    booking_id = book(booking_client, session_type).json()["id"]
    assert book(new_client_api(), session_type, start=tokyo(WEDNESDAY, 11)).status_code == 201

    response = booking_client.post(
        f"{BOOKINGS}{booking_id}/reschedule/", {"start": tokyo(WEDNESDAY, 10, 30).isoformat()}, format="json"
    )

    assert response.status_code == 409
    booking = Booking.objects.get(pk=booking_id)
    assert (booking.start, booking.sequence) == (TEN, 0)


def test_rescheduling_within_its_own_time_is_allowed(booking_client, session_type, frozen_now):
    booking_id = book(booking_client, session_type).json()["id"]

    # 10:30–11:30 overlaps the booking's own 10:00–11:00, which it leaves.
    response = booking_client.post(
        f"{BOOKINGS}{booking_id}/reschedule/", {"start": tokyo(WEDNESDAY, 10, 30).isoformat()}, format="json"
    )

    assert response.status_code == 200


def test_a_client_cannot_reschedule_inside_the_cancellation_window(booking_client, session_type, frozen_now):
    booking_id = book(booking_client, session_type).json()["id"]

    with time_machine.travel(TEN - timedelta(hours=47), tick=False):
        response = booking_client.post(
            f"{BOOKINGS}{booking_id}/reschedule/", {"start": tokyo(WEDNESDAY, 11).isoformat()}, format="json"
        )

    assert response.status_code == 409
    assert "48時間" in response.json()["detail"]
    assert Booking.objects.get().start == TEN


def test_the_counselor_marks_a_session_completed_or_no_show_once_it_has_started(
    booking_client, counselor_api, client_api, session_type, frozen_now
):
    booking_id = book(booking_client, session_type).json()["id"]
    url = f"{BOOKINGS}{booking_id}/mark/"

    assert counselor_api.post(url, {"status": "completed"}, format="json").status_code == 409
    with time_machine.travel(TEN + timedelta(minutes=50), tick=False):
        assert client_api.post(url, {"status": "completed"}, format="json").status_code == 403
        assert counselor_api.post(url, {"status": "cancelled"}, format="json").status_code == 400
        completed = counselor_api.post(url, {"status": "completed"}, format="json")
        no_show = counselor_api.post(url, {"status": "no_show"}, format="json")

    assert (completed.status_code, completed.json()["status"]) == (200, "completed")
    assert (no_show.status_code, no_show.json()["status"]) == (200, "no_show")


def test_clients_reach_only_their_own_bookings_and_counselors_only_theirs(
    booking_client, session_type, frozen_now
):
    booking_id = book(booking_client, session_type).json()["id"]
    stranger = new_client_api()
    other_counselor = authenticated_client(CounselorFactory())
    own_counselor = authenticated_client(session_type.counselor)

    for api in (stranger, other_counselor):
        assert api.get(BOOKINGS).json()["results"] == []
        assert api.get(f"{BOOKINGS}{booking_id}/").status_code == 404
        assert api.get(f"{BOOKINGS}{booking_id}/ics/").status_code == 404
        assert api.post(f"{BOOKINGS}{booking_id}/cancel/", {}, format="json").status_code == 404
        assert (
            api.post(
                f"{BOOKINGS}{booking_id}/reschedule/",
                {"start": tokyo(WEDNESDAY, 11).isoformat()},
                format="json",
            )
        ).status_code == 404
    assert (
        other_counselor.post(
            f"{BOOKINGS}{booking_id}/mark/", {"status": "completed"}, format="json"
        ).status_code
        == 404
    )
    assert Booking.objects.get().status == "confirmed"
    assert Booking.objects.get().start == TEN

    for api in (booking_client, own_counselor):
        assert [item["id"] for item in api.get(BOOKINGS).json()["results"]] == [booking_id]
        assert api.get(f"{BOOKINGS}{booking_id}/").status_code == 200


def test_the_booking_list_filters_by_status_and_tokyo_dates(client_user, client_api, session_type):
    BookingFactory(client=client_user, session_type=session_type, start=tokyo(WEDNESDAY, 10))
    late_night = BookingFactory(client=client_user, session_type=session_type, start=tokyo(WEDNESDAY, 23, 30))
    BookingFactory(
        client=client_user, session_type=session_type, start=tokyo(WEDNESDAY + timedelta(days=1), 0, 30)
    )
    BookingFactory(
        client=client_user, session_type=session_type, start=tokyo(WEDNESDAY, 12), status="cancelled"
    )

    wednesday = client_api.get(
        BOOKINGS, {"from": "2025-06-04", "to": "2025-06-04", "status": "confirmed"}
    ).json()

    assert wednesday["count"] == 2
    assert wednesday["results"][-1]["id"] == late_night.pk
    assert client_api.get(BOOKINGS, {"status": "gone"}).status_code == 400


@pytest.mark.parametrize("role", ["client", "counselor"])
def test_the_booking_list_costs_the_same_queries_for_1_and_50_bookings(role, client_user, counselor):
    session_type = SessionTypeFactory(counselor=counselor)
    api = authenticated_client(client_user if role == "client" else counselor)

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            response = api.get(BOOKINGS, {"page_size": 100})
        assert response.status_code == 200
        return len(queries), response.json()["count"]

    BookingFactory(client=client_user, session_type=session_type, start=NOW)
    one = count_queries()
    for hour in range(1, 50):
        BookingFactory(client=client_user, session_type=session_type, start=NOW + timedelta(hours=hour))
    fifty = count_queries()

    assert (one[1], fifty[1]) == (1, 50)
    assert fifty[0] == one[0]


def test_the_database_refuses_overlapping_live_bookings_of_one_counselor(session_type):
    BookingFactory(session_type=session_type, start=TEN)

    with pytest.raises(IntegrityError):
        BookingFactory(session_type=session_type, start=TEN + timedelta(minutes=30))


def test_the_database_counts_the_buffer_and_ignores_cancelled_bookings(counselor):
    buffered = SessionTypeFactory(counselor=counselor, buffer_minutes=15)
    BookingFactory(session_type=buffered, start=TEN)  # 10:00–11:15 with its buffer
    BookingFactory(session_type=buffered, start=TEN + timedelta(hours=2), status="cancelled")
    BookingFactory(session_type=buffered, start=TEN + timedelta(hours=2))  # over the cancelled one

    with pytest.raises(IntegrityError):
        BookingFactory(session_type=buffered, start=TEN + timedelta(hours=1))


def test_when_the_database_refuses_an_overlap_the_client_gets_a_409(
    booking_client, session_type, frozen_now, monkeypatch
):
    BookingFactory(session_type=session_type, start=TEN)
    # As if two requests had both passed the check before either wrote.
    monkeypatch.setattr("counseling.services.bookings.slot_state", lambda **kwargs: SlotState.FREE)

    response = book(booking_client, session_type, start=tokyo(WEDNESDAY, 10, 30))

    assert response.status_code == 409
    assert Booking.objects.count() == 1
