"""Every API operation × every kind of caller × own and others' objects → the expected status.

The operations come from the OpenAPI schema: an endpoint without a row in MATRIX fails the test.
Each call runs in a savepoint that is rolled back, so every caller meets the same world.

Callers: anonymous; client A and client B; counselor A and counselor B; staff (the practice
owner: a superuser counselor with no part in A's records — superuser rights open the admin, never
another counselor's clients in the API). The path's objects belong to client A and counselor A.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from datetime import time as dt_time

import pytest
from django.db import transaction
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from knox.models import AuthToken
from rest_framework.test import APIClient

from counseling.models import Intake
from courses.services.enrollments import enrollment_create
from tests.accounts.factories import ClientFactory, CounselorFactory
from tests.counseling.factories import (
    AvailabilityRuleFactory,
    BookingFactory,
    CounselorProfileFactory,
    IntakeFactory,
    SessionNoteFactory,
    SessionTypeFactory,
    TimeOffFactory,
    WorksheetFactory,
)
from tests.courses.factories import CourseFactory
from tests.newsletter.factories import BroadcastFactory, LessonFactory

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "client_a", "client_b", "counselor_a", "counselor_b", "staff")
OK = "ok"  # access granted: 2xx, or 400/409 for a body or state the rules refuse

# Who may do what, as statuses per role (OK where access is granted).
PUBLIC = dict.fromkeys(ROLES, OK)
SIGNED_IN = {**dict.fromkeys(ROLES, OK), "anonymous": 401}
COUNSELORS = {
    "anonymous": 401,
    "client_a": 403,
    "client_b": 403,
    "counselor_a": OK,
    "counselor_b": OK,
    "staff": OK,
}
CLIENTS = {
    "anonymous": 401,
    "client_a": OK,
    "client_b": OK,
    "counselor_a": 403,
    "counselor_b": 403,
    "staff": 403,
}
# An object of client A that counselor A looks after.
CLIENT_A_RECORD = {
    "anonymous": 401,
    "client_a": OK,
    "client_b": 404,
    "counselor_a": OK,
    "counselor_b": 404,
    "staff": 404,
}
# The same, but only the counselor may act on it: every client is refused by role, whatever the id
# (403 says nothing about whether the object exists).
CLIENT_A_RECORD_COUNSELOR_ACTS = {**CLIENT_A_RECORD, "client_a": 403, "client_b": 403}
# A note: its author alone; clients are refused by role, every other counselor gets 404.
NOTE_OF_COUNSELOR_A = {
    "anonymous": 401,
    "client_a": 403,
    "client_b": 403,
    "counselor_a": OK,
    "counselor_b": 404,
    "staff": 404,
}
# A client's worksheet where only the client may act (fill in, submit).
CLIENT_A_RECORD_CLIENT_ACTS = {**CLIENT_A_RECORD, "counselor_a": 403, "counselor_b": 403, "staff": 403}
# An object of counselor A's own (hours, time off, courses): other counselors get 404, clients 403.
COUNSELOR_A_OBJECT = {
    "anonymous": 401,
    "client_a": 403,
    "client_b": 403,
    "counselor_a": OK,
    "counselor_b": 404,
    "staff": 404,
}


@dataclass
class Row:
    expect: dict
    params: dict = field(default_factory=dict)  # path parameter -> attribute of the world
    body: dict | None = None  # a valid body where one is needed to reach the permission check
    query: str = ""


MATRIX: dict[tuple[str, str], Row] = {
    # accounts
    ("POST", "/api/v1/auth/register/"): Row(PUBLIC),
    ("POST", "/api/v1/auth/verify-email/"): Row(PUBLIC),
    ("POST", "/api/v1/auth/token/"): Row(PUBLIC),
    ("POST", "/api/v1/auth/logout/"): Row(SIGNED_IN),
    ("POST", "/api/v1/auth/password-reset/"): Row(PUBLIC),
    ("POST", "/api/v1/auth/password-reset/confirm/"): Row(PUBLIC),
    ("GET", "/api/v1/me/"): Row(SIGNED_IN),
    ("PATCH", "/api/v1/me/"): Row(SIGNED_IN, body={"display_name": "新しい名前"}),
    ("GET", "/api/v1/me/export/"): Row(SIGNED_IN),
    # counseling: patterns, intakes
    ("GET", "/api/v1/patterns/"): Row(COUNSELORS),
    ("GET", "/api/v1/intakes/"): Row(SIGNED_IN),
    ("POST", "/api/v1/intakes/"): Row(CLIENTS),
    ("GET", "/api/v1/intakes/{intake_id}/"): Row(CLIENT_A_RECORD, {"intake_id": "intake_a"}),
    ("PATCH", "/api/v1/intakes/{intake_id}/"): Row(
        CLIENT_A_RECORD_COUNSELOR_ACTS, {"intake_id": "intake_a"}, body={"status": "reviewed"}
    ),
    # counseling: scheduling
    ("GET", "/api/v1/session-types/"): Row(PUBLIC),
    ("POST", "/api/v1/session-types/"): Row(COUNSELORS),
    ("GET", "/api/v1/session-types/{session_type_id}/"): Row(PUBLIC, {"session_type_id": "session_type_a"}),
    ("PATCH", "/api/v1/session-types/{session_type_id}/"): Row(
        COUNSELOR_A_OBJECT, {"session_type_id": "session_type_a"}, body={"price_jpy": 12000}
    ),
    ("GET", "/api/v1/availability-rules/"): Row(COUNSELORS),
    ("POST", "/api/v1/availability-rules/"): Row(COUNSELORS),
    ("GET", "/api/v1/availability-rules/{rule_id}/"): Row(COUNSELOR_A_OBJECT, {"rule_id": "rule_a"}),
    ("PATCH", "/api/v1/availability-rules/{rule_id}/"): Row(
        COUNSELOR_A_OBJECT, {"rule_id": "rule_a"}, body={"end_time": "17:00"}
    ),
    ("DELETE", "/api/v1/availability-rules/{rule_id}/"): Row(COUNSELOR_A_OBJECT, {"rule_id": "rule_a"}),
    ("GET", "/api/v1/time-off/"): Row(COUNSELORS),
    ("POST", "/api/v1/time-off/"): Row(COUNSELORS),
    ("GET", "/api/v1/time-off/{time_off_id}/"): Row(COUNSELOR_A_OBJECT, {"time_off_id": "time_off_a"}),
    ("PATCH", "/api/v1/time-off/{time_off_id}/"): Row(COUNSELOR_A_OBJECT, {"time_off_id": "time_off_a"}),
    ("DELETE", "/api/v1/time-off/{time_off_id}/"): Row(COUNSELOR_A_OBJECT, {"time_off_id": "time_off_a"}),
    ("GET", "/api/v1/counselor-profile/"): Row(COUNSELORS),
    ("PATCH", "/api/v1/counselor-profile/"): Row(
        COUNSELORS, body={"meeting_url": "https://meet.example.com/x"}
    ),
    ("GET", "/api/v1/availability/"): Row(PUBLIC, query="?session_type={session_type_a}"),
    # counseling: bookings
    ("GET", "/api/v1/bookings/"): Row(SIGNED_IN),
    ("POST", "/api/v1/bookings/"): Row(CLIENTS),
    ("GET", "/api/v1/bookings/{booking_id}/"): Row(CLIENT_A_RECORD, {"booking_id": "booking_a"}),
    ("POST", "/api/v1/bookings/{booking_id}/cancel/"): Row(CLIENT_A_RECORD, {"booking_id": "booking_a"}),
    ("POST", "/api/v1/bookings/{booking_id}/reschedule/"): Row(CLIENT_A_RECORD, {"booking_id": "booking_a"}),
    ("GET", "/api/v1/bookings/{booking_id}/ics/"): Row(CLIENT_A_RECORD, {"booking_id": "booking_a"}),
    ("POST", "/api/v1/bookings/{booking_id}/mark/"): Row(
        CLIENT_A_RECORD_COUNSELOR_ACTS, {"booking_id": "booking_a"}, body={"status": "completed"}
    ),
    # counseling: session notes, the client's profile and access log
    ("GET", "/api/v1/session-notes/"): Row(COUNSELORS),
    ("POST", "/api/v1/session-notes/"): Row(COUNSELORS),
    ("GET", "/api/v1/session-notes/{note_id}/"): Row(NOTE_OF_COUNSELOR_A, {"note_id": "note_a"}),
    ("PATCH", "/api/v1/session-notes/{note_id}/"): Row(
        NOTE_OF_COUNSELOR_A, {"note_id": "note_a"}, body={"plan": "次回はステップ3"}
    ),
    ("DELETE", "/api/v1/session-notes/{note_id}/"): Row(NOTE_OF_COUNSELOR_A, {"note_id": "note_a"}),
    ("POST", "/api/v1/session-notes/{note_id}/sign/"): Row(NOTE_OF_COUNSELOR_A, {"note_id": "note_a"}),
    ("POST", "/api/v1/session-notes/{note_id}/addenda/"): Row(
        NOTE_OF_COUNSELOR_A, {"note_id": "note_a"}, body={"text": "追記です。"}
    ),
    ("GET", "/api/v1/clients/{client_id}/pattern-profile/"): Row(
        NOTE_OF_COUNSELOR_A, {"client_id": "client_a"}
    ),
    ("GET", "/api/v1/clients/{client_id}/access-log/"): Row(NOTE_OF_COUNSELOR_A, {"client_id": "client_a"}),
    # counseling: worksheets
    ("GET", "/api/v1/worksheet-templates/"): Row(COUNSELORS),
    ("GET", "/api/v1/worksheets/"): Row(SIGNED_IN),
    ("POST", "/api/v1/worksheets/"): Row(COUNSELORS),
    ("GET", "/api/v1/worksheets/{worksheet_id}/"): Row(CLIENT_A_RECORD, {"worksheet_id": "worksheet_a"}),
    ("POST", "/api/v1/worksheets/{worksheet_id}/entries/"): Row(
        CLIENT_A_RECORD_CLIENT_ACTS,
        {"worksheet_id": "worksheet_a"},
        body={"date": date.today().isoformat(), "answers": {"items": ["散歩した", "料理した", "電話した"]}},
    ),
    ("POST", "/api/v1/worksheets/{worksheet_id}/submit/"): Row(
        CLIENT_A_RECORD_CLIENT_ACTS, {"worksheet_id": "worksheet_a"}
    ),
    ("POST", "/api/v1/worksheets/{worksheet_id}/review/"): Row(
        CLIENT_A_RECORD_COUNSELOR_ACTS,
        {"worksheet_id": "worksheet_a"},
        body={"comment": "よく書けています。"},
    ),
    # newsletter: the practice's one newsletter, kept by any counselor
    ("POST", "/api/v1/newsletter/subscribe/"): Row(PUBLIC),
    ("POST", "/api/v1/newsletter/workbook-link/"): Row(PUBLIC),
    ("GET", "/api/v1/newsletter/lessons/"): Row(COUNSELORS),
    ("POST", "/api/v1/newsletter/lessons/"): Row(COUNSELORS),
    ("GET", "/api/v1/newsletter/lessons/{lesson_id}/"): Row(COUNSELORS, {"lesson_id": "lesson"}),
    ("PATCH", "/api/v1/newsletter/lessons/{lesson_id}/"): Row(COUNSELORS, {"lesson_id": "lesson"}),
    ("DELETE", "/api/v1/newsletter/lessons/{lesson_id}/"): Row(COUNSELORS, {"lesson_id": "lesson"}),
    ("GET", "/api/v1/newsletter/lessons/{item_id}/preview/"): Row(COUNSELORS, {"item_id": "lesson"}),
    ("POST", "/api/v1/newsletter/lessons/{item_id}/send-test/"): Row(COUNSELORS, {"item_id": "lesson"}),
    ("GET", "/api/v1/newsletter/broadcasts/"): Row(COUNSELORS),
    ("POST", "/api/v1/newsletter/broadcasts/"): Row(COUNSELORS),
    ("GET", "/api/v1/newsletter/broadcasts/{broadcast_id}/"): Row(COUNSELORS, {"broadcast_id": "broadcast"}),
    ("PATCH", "/api/v1/newsletter/broadcasts/{broadcast_id}/"): Row(
        COUNSELORS, {"broadcast_id": "broadcast"}
    ),
    ("DELETE", "/api/v1/newsletter/broadcasts/{broadcast_id}/"): Row(
        COUNSELORS, {"broadcast_id": "broadcast"}
    ),
    ("GET", "/api/v1/newsletter/broadcasts/{item_id}/preview/"): Row(COUNSELORS, {"item_id": "broadcast"}),
    ("POST", "/api/v1/newsletter/broadcasts/{item_id}/send-test/"): Row(COUNSELORS, {"item_id": "broadcast"}),
    ("GET", "/api/v1/newsletter/stats/"): Row(COUNSELORS),
    ("GET", "/api/v1/newsletter/subscribers/export/"): Row(COUNSELORS),
    # courses
    ("GET", "/api/v1/courses/"): Row(PUBLIC),
    ("POST", "/api/v1/courses/"): Row(COUNSELORS),
    ("GET", "/api/v1/courses/{course_id}/"): Row(PUBLIC, {"course_id": "course_a"}),
    ("PUT", "/api/v1/courses/{course_id}/"): Row(COUNSELOR_A_OBJECT, {"course_id": "course_a"}),
    ("PATCH", "/api/v1/courses/{course_id}/"): Row(
        COUNSELOR_A_OBJECT, {"course_id": "course_a"}, body={"price_jpy": 6000}
    ),
    ("POST", "/api/v1/courses/{course_id}/cancel/"): Row(COUNSELOR_A_OBJECT, {"course_id": "course_a"}),
    ("GET", "/api/v1/courses/{course_id}/roster/"): Row(COUNSELOR_A_OBJECT, {"course_id": "course_a"}),
    ("POST", "/api/v1/courses/{course_id}/enroll/"): Row(
        {**PUBLIC, "counselor_a": 403, "counselor_b": 403, "staff": 403},
        {"course_id": "course_a"},
        body={"name": "ゲスト", "email": "guest@example.com"},
    ),
    ("POST", "/api/v1/enrollments/{enrollment_id}/cancel/"): Row(
        {**CLIENT_A_RECORD, "anonymous": 404}, {"enrollment_id": "enrollment_a"}
    ),
}


class World:
    """Client A with counselor A, client B with counselor B, and the staff owner."""

    def __init__(self):
        self.users = {
            "client_a": ClientFactory(email="client-a@example.com"),
            "client_b": ClientFactory(email="client-b@example.com"),
            "counselor_a": CounselorFactory(email="counselor-a@example.com"),
            "counselor_b": CounselorFactory(email="counselor-b@example.com"),
            "staff": CounselorFactory(email="owner@example.com", is_superuser=True),
        }
        for side in ("a", "b"):
            counselor, client = self.users[f"counselor_{side}"], self.users[f"client_{side}"]
            CounselorProfileFactory(counselor=counselor)
            rule = AvailabilityRuleFactory(
                counselor=counselor,
                weekday=date.today().weekday(),
                start_time=dt_time(9),
                end_time=dt_time(18),
            )
            session_type = SessionTypeFactory(counselor=counselor)
            intake = IntakeFactory(
                client=client, counselor=counselor, status=Intake.Status.ACCEPTED, concern=f"相談内容-{side}"
            )
            booking = BookingFactory(
                client=client,
                session_type=session_type,
                start=(timezone.now() + timedelta(days=10)).replace(minute=0, second=0, microsecond=0),
            )
            time_off = TimeOffFactory(counselor=counselor, start=timezone.now() + timedelta(days=30))
            note = SessionNoteFactory(counselor=counselor, client=client, tags=["scene.work", "step.1"])
            worksheet = WorksheetFactory(counselor=counselor, client=client)
            course = CourseFactory(counselor=counselor, capacity=5)
            enrollment, _created = enrollment_create(course=course, user=client)
            for name, value in {
                "rule": rule,
                "session_type": session_type,
                "intake": intake,
                "booking": booking,
                "time_off": time_off,
                "course": course,
                "enrollment": enrollment,
                "note": note,
                "worksheet": worksheet,
                "client": client,
            }.items():
                setattr(self, f"{name}_{side}", value)
        self.lesson = LessonFactory()
        self.broadcast = BroadcastFactory(status="draft")
        self.clients = {"anonymous": APIClient()}
        for role, user in self.users.items():
            api = APIClient()
            _instance, token = AuthToken.objects.create(user=user)
            api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
            self.clients[role] = api


def schema_operations() -> set[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in ("get", "post", "put", "patch", "delete")
    }


def test_every_operation_in_the_schema_has_a_row_in_the_matrix():
    operations = schema_operations()
    missing = sorted(operations - MATRIX.keys())
    stale = sorted(MATRIX.keys() - operations)
    assert not missing, f"operations without a row: {missing}"
    assert not stale, f"rows for operations that no longer exist: {stale}"


def call(world: World, role: str, method: str, path: str, row: Row):
    url = path.format(**{name: getattr(world, attribute).pk for name, attribute in row.params.items()})
    url += row.query.format(
        **{key: getattr(world, key).pk for key in ("session_type_a",) if key in row.query}
    )
    api = world.clients[role]
    with transaction.atomic():
        send = getattr(api, method.lower())
        response = send(url) if method in ("GET", "DELETE") else send(url, row.body or {}, format="json")
        transaction.set_rollback(True)
    return response


def matches(expected, status: int, method: str) -> bool:
    if expected == OK:
        return status in (200, 201, 202, 204) if method == "GET" else status in (200, 201, 202, 204, 400, 409)
    return status == expected


def test_every_caller_gets_exactly_the_access_the_matrix_grants():
    world = World()
    wrong = []
    calls = 0
    for (method, path), row in sorted(MATRIX.items()):
        for role in ROLES:
            response = call(world, role, method, path, row)
            calls += 1
            if not matches(row.expect[role], response.status_code, method):
                wrong.append(
                    f"{method} {path} as {role}: {response.status_code}, expected {row.expect[role]}"
                )
    print(f"permission matrix: {len(MATRIX)} operations × {len(ROLES)} callers = {calls} calls")
    assert not wrong, "\n".join(wrong)


def list_paths() -> list[str]:
    return sorted(
        path
        for (method, path), row in MATRIX.items()
        if method == "GET" and "{" not in path and not row.query
    )


@pytest.mark.parametrize("role", ["client_a", "counselor_a"])
def test_no_list_shows_a_caller_anything_of_client_b(role):
    world = World()
    client_b = world.users["client_b"]
    world.note_b.plan = "B側だけの計画"
    world.note_b.save()
    secrets = [client_b.email, client_b.display_name, world.intake_b.concern, "B側だけの計画"]
    own_ids = {
        "/api/v1/bookings/": {world.booking_a.pk},
        "/api/v1/intakes/": {world.intake_a.pk},
        "/api/v1/worksheets/": {world.worksheet_a.pk},
        "/api/v1/session-notes/": {world.note_a.pk},
    }
    for path in list_paths():
        response = world.clients[role].get(path)
        if response.status_code != 200:
            continue
        raw = b"".join(response.streaming_content) if response.streaming else response.content
        body = raw.decode("utf-8-sig")
        leaked = [secret for secret in secrets if secret in body]
        assert not leaked, f"{path} as {role} shows {leaked}"
        if path in own_ids:
            ids = {row["id"] for row in response.json()["results"]}
            assert ids <= own_ids[path], f"{path} as {role} lists {ids - own_ids[path]}"


def test_a_client_never_sees_the_counselors_suggestions():
    world = World()
    intake_path = f"/api/v1/intakes/{world.intake_a.pk}/"
    as_client = world.clients["client_a"].get(intake_path).json()
    as_counselor = world.clients["counselor_a"].get(intake_path).json()
    listed = world.clients["client_a"].get("/api/v1/intakes/").json()["results"]

    assert "suggestions" in as_counselor
    assert "suggestions" not in as_client and "client" not in as_client
    assert all("suggestions" not in row for row in listed)
    export = world.clients["client_a"].get("/api/v1/me/export/").content.decode()
    assert "suggestions" not in export


def test_writes_cannot_set_an_owner_a_status_or_a_counselor_the_caller_may_not_set():
    world = World()
    client_a, client_b = world.users["client_a"], world.users["client_b"]
    counselor_a, counselor_b = world.users["counselor_a"], world.users["counselor_b"]

    intake = world.clients["client_a"].post(
        "/api/v1/intakes/",
        {
            "scenes": ["scene.work"],
            "self_check": dict.fromkeys(
                [
                    "reason.worthlessness",
                    "reason.unheard",
                    "reason.self_sacrifice",
                    "reason.proof_of_love",
                    "reason.childhood",
                ],
                3,
            ),
            "concern": "職場のことです。",
            "preferred_format": "online",
            "contact": "メール",
            "consent": True,
            "status": "accepted",
            "counselor": counselor_b.pk,
            "client": client_b.pk,
        },
        format="json",
    )
    assert intake.status_code == 201, intake.json()
    created = Intake.objects.get(pk=intake.json()["id"])
    assert (created.client, created.status, created.counselor) == (client_a, Intake.Status.SUBMITTED, None)

    me = world.clients["client_a"].patch(
        "/api/v1/me/", {"role": "counselor", "is_staff": True, "email": "x@example.com"}, format="json"
    )
    assert me.status_code == 200
    client_a.refresh_from_db()
    assert (client_a.role, client_a.is_staff, client_a.email) == ("client", False, "client-a@example.com")

    course = world.clients["counselor_a"].post(
        "/api/v1/courses/",
        {
            "title": "講座",
            "description": "説明",
            "format": "online",
            "location": "https://meet.example.com/c",
            "capacity": 3,
            "price_jpy": 1000,
            "counselor": counselor_b.pk,
            "sessions": [
                {
                    "starts_at": (timezone.now() + timedelta(days=20)).isoformat(),
                    "ends_at": (timezone.now() + timedelta(days=20, hours=2)).isoformat(),
                }
            ],
        },
        format="json",
    )
    assert course.status_code == 201, course.json()
    from courses.models import Course

    assert Course.objects.get(pk=course.json()["id"]).counselor == counselor_a

    status_change = world.clients["client_a"].patch(
        f"/api/v1/intakes/{world.intake_a.pk}/", {"status": "accepted"}, format="json"
    )
    assert status_change.status_code == 403
    mark = world.clients["client_a"].post(
        f"/api/v1/bookings/{world.booking_a.pk}/mark/", {"status": "completed"}, format="json"
    )
    assert mark.status_code == 403
    world.booking_a.refresh_from_db()
    assert world.booking_a.status == "confirmed"
