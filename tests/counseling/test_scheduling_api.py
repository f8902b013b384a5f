from datetime import time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from counseling.models import AvailabilityRule, SessionType, TimeOff
from tests.accounts.factories import CounselorFactory
from tests.conftest import authenticated_client
from tests.counseling.conftest import NOW, WEDNESDAY, tokyo
from tests.counseling.factories import AvailabilityRuleFactory, SessionTypeFactory, TimeOffFactory

pytestmark = pytest.mark.django_db

SESSION_TYPES = "/api/v1/session-types/"
RULES = "/api/v1/availability-rules/"
TIME_OFF = "/api/v1/time-off/"
PROFILE = "/api/v1/counselor-profile/"


def test_the_counselor_creates_a_session_type_that_books_them(counselor_api, counselor):
    response = counselor_api.post(
        SESSION_TYPES,
        {
            "name": "対面カウンセリング（東京）",
            "format": "tokyo",
            "location": "東京・丸の内",
            "duration_minutes": 60,
            "price_jpy": 12000,
            "buffer_minutes": 15,
        },
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert body | {"id": 0} == {
        "id": 0,
        "counselor": counselor.pk,
        "counselor_name": counselor.display_name,
        "name": "対面カウンセリング（東京）",
        "format": "tokyo",
        "location": "東京・丸の内",
        "duration_minutes": 60,
        "price_jpy": 12000,
        "buffer_minutes": 15,
        "active": True,
    }
    assert SessionType.objects.get().counselor == counselor


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"format": "tokyo", "location": ""}, "location"),
        ({"duration_minutes": 5}, "duration_minutes"),
        ({"buffer_minutes": 300}, "buffer_minutes"),
        ({"price_jpy": -1}, "price_jpy"),
        ({"format": "kyoto"}, "format"),
    ],
)
def test_an_invalid_session_type_is_refused_with_the_field_named(counselor_api, changes, field):
    body = {"name": "オンライン", "format": "online", "duration_minutes": 50, "price_jpy": 10000} | changes

    response = counselor_api.post(SESSION_TYPES, body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not SessionType.objects.exists()


def test_anyone_reads_active_session_types_and_a_counselor_also_their_own_inactive_ones(
    api_client, counselor
):
    active = SessionTypeFactory(counselor=counselor)
    inactive = SessionTypeFactory(counselor=counselor, active=False)
    someone_elses_inactive = SessionTypeFactory(active=False)

    anonymous = [item["id"] for item in api_client.get(SESSION_TYPES).json()["results"]]
    own = [item["id"] for item in authenticated_client(counselor).get(SESSION_TYPES).json()["results"]]

    assert anonymous == [active.pk]
    assert sorted(own) == sorted([active.pk, inactive.pk])
    assert api_client.get(f"{SESSION_TYPES}{inactive.pk}/").status_code == 404
    assert api_client.get(f"{SESSION_TYPES}{active.pk}/").status_code == 200
    assert (
        authenticated_client(counselor).get(f"{SESSION_TYPES}{someone_elses_inactive.pk}/").status_code == 404
    )


def test_only_the_owning_counselor_changes_a_session_type(counselor_api, counselor, client_api):
    own = SessionTypeFactory(counselor=counselor)
    other = SessionTypeFactory()

    changed = counselor_api.patch(
        f"{SESSION_TYPES}{own.pk}/", {"active": False, "price_jpy": 9000}, format="json"
    )
    assert (changed.status_code, changed.json()["active"], changed.json()["price_jpy"]) == (200, False, 9000)
    assert (
        counselor_api.patch(f"{SESSION_TYPES}{other.pk}/", {"active": False}, format="json").status_code
        == 404
    )
    assert client_api.patch(f"{SESSION_TYPES}{own.pk}/", {"active": True}, format="json").status_code == 403
    assert client_api.post(SESSION_TYPES, {}, format="json").status_code == 403
    other.refresh_from_db()
    assert other.active is True


def test_the_counselor_keeps_weekly_hours_in_tokyo_time(counselor_api, counselor, api_client, frozen_now):
    session_type = SessionTypeFactory(counselor=counselor)

    created = counselor_api.post(
        RULES, {"weekday": 2, "start_time": "10:00", "end_time": "12:00", "format": "online"}, format="json"
    )

    assert created.status_code == 201
    assert created.json() | {"id": 0} == {
        "id": 0,
        "weekday": 2,
        "start_time": "10:00",
        "end_time": "12:00",
        "format": "online",
    }
    slots = api_client.get("/api/v1/availability/", {"session_type": session_type.pk}).json()
    assert slots[0]["start"] == "2025-06-04T10:00:00+09:00"

    rule_id = created.json()["id"]
    moved = counselor_api.patch(f"{RULES}{rule_id}/", {"start_time": "11:00"}, format="json")
    assert (moved.status_code, moved.json()["start_time"]) == (200, "11:00")
    assert counselor_api.delete(f"{RULES}{rule_id}/").status_code == 204
    assert api_client.get("/api/v1/availability/", {"session_type": session_type.pk}).json() == []


@pytest.mark.parametrize(
    "body",
    [
        {"weekday": 7, "start_time": "10:00", "end_time": "12:00", "format": "online"},
        {"weekday": 1, "start_time": "12:00", "end_time": "10:00", "format": "online"},
        {"weekday": 1, "start_time": "10:00", "end_time": "10:00", "format": "online"},
        {"weekday": 1, "start_time": "25:00", "end_time": "26:00", "format": "online"},
        {"weekday": 1, "start_time": "10:00", "end_time": "12:00", "format": "mars"},
    ],
)
def test_invalid_hours_are_a_400_and_store_nothing(counselor_api, body):
    response = counselor_api.post(RULES, body, format="json")

    assert response.status_code == 400
    assert set(response.json()) & {"weekday", "start_time", "end_time", "format"}
    assert not AvailabilityRule.objects.exists()


def test_time_off_blocks_slots_and_rejects_a_reversed_range(counselor_api, counselor, api_client, frozen_now):
    session_type = SessionTypeFactory(counselor=counselor)
    AvailabilityRuleFactory(counselor=counselor, weekday=2, start_time=time(10), end_time=time(12))

    created = counselor_api.post(
        TIME_OFF,
        {"start": "2025-06-04T00:00:00+09:00", "end": "2025-06-05T00:00:00+09:00", "note": "研修"},
        format="json",
    )
    reversed_range = counselor_api.post(
        TIME_OFF, {"start": "2025-06-05T00:00:00+09:00", "end": "2025-06-04T00:00:00+09:00"}, format="json"
    )

    assert created.status_code == 201
    assert created.json()["start"] == "2025-06-04T00:00:00+09:00"
    assert reversed_range.status_code == 400
    assert "end" in reversed_range.json()
    assert api_client.get("/api/v1/availability/", {"session_type": session_type.pk}).json() == []
    assert counselor_api.delete(f"{TIME_OFF}{created.json()['id']}/").status_code == 204
    assert len(api_client.get("/api/v1/availability/", {"session_type": session_type.pk}).json()) == 3


def test_hours_and_time_off_are_private_to_their_counselor(counselor_api, client_api, api_client):
    other = CounselorFactory()
    rule = AvailabilityRuleFactory(counselor=other)
    time_off = TimeOffFactory(counselor=other)

    assert counselor_api.get(RULES).json()["results"] == []
    assert counselor_api.get(TIME_OFF).json()["results"] == []
    assert counselor_api.patch(f"{RULES}{rule.pk}/", {"weekday": 3}, format="json").status_code == 404
    assert counselor_api.delete(f"{RULES}{rule.pk}/").status_code == 404
    assert counselor_api.delete(f"{TIME_OFF}{time_off.pk}/").status_code == 404
    assert client_api.get(RULES).status_code == 403
    assert api_client.get(TIME_OFF).status_code == 401
    assert AvailabilityRule.objects.filter(pk=rule.pk, weekday=2).exists()
    assert TimeOff.objects.filter(pk=time_off.pk).exists()


def test_the_counselor_sets_the_meeting_url_that_online_bookings_carry(counselor_api):
    assert counselor_api.get(PROFILE).json() == {"meeting_url": "", "meeting_url_template": ""}

    saved = counselor_api.patch(PROFILE, {"meeting_url": "https://meet.example.com/abc"}, format="json")
    bad = counselor_api.patch(PROFILE, {"meeting_url": "not a url"}, format="json")

    assert (saved.status_code, saved.json()["meeting_url"]) == (200, "https://meet.example.com/abc")
    assert bad.status_code == 400
    assert counselor_api.get(PROFILE).json()["meeting_url"] == "https://meet.example.com/abc"


def _queries_for(api, url) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url, {"page_size": 100})
    assert response.status_code == 200
    return len(queries), response.json()["count"]


@pytest.mark.parametrize(
    ("url", "make"),
    [
        (SESSION_TYPES, lambda counselor, n: SessionTypeFactory(counselor=CounselorFactory())),
        (RULES, lambda counselor, n: AvailabilityRuleFactory(counselor=counselor, weekday=n % 7)),
        (
            TIME_OFF,
            lambda counselor, n: TimeOffFactory(counselor=counselor, start=NOW + timedelta(days=n)),
        ),
    ],
)
def test_scheduling_lists_cost_the_same_queries_for_1_and_50_rows(counselor, url, make):
    api = authenticated_client(counselor)
    make(counselor, 0)
    one = _queries_for(api, url)
    for n in range(1, 50):
        make(counselor, n)
    fifty = _queries_for(api, url)

    assert (one[1], fifty[1]) == (1, 50)
    assert fifty[0] == one[0]


def test_time_off_given_with_the_tokyo_offset_is_stored_in_utc(counselor_api):
    created = counselor_api.post(
        TIME_OFF,
        {"start": tokyo(WEDNESDAY, 18).isoformat(), "end": tokyo(WEDNESDAY, 23).isoformat()},
        format="json",
    )

    time_off = TimeOff.objects.get(pk=created.json()["id"])
    assert time_off.start.isoformat() == "2025-06-04T09:00:00+00:00"
