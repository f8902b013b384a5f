"""Who reaches notes, worksheets, intakes, profiles and access logs: anonymous, client A, client B,
counselor A, counselor B against client A's records (kept by counselor A). Only the owner, or the
client's counselor, succeeds; the rest get 401, 403 or 404, and nothing changes."""

from dataclasses import dataclass

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from counseling.models import AccessRecord, Intake, SessionNote, Worksheet
from tests.accounts.factories import ClientFactory, CounselorFactory
from tests.conftest import authenticated_client
from tests.counseling.factories import (
    IntakeFactory,
    SessionNoteFactory,
    WorksheetEntryFactory,
    WorksheetFactory,
)

pytestmark = pytest.mark.django_db

ACTORS = ("anonymous", "client_a", "client_b", "counselor_a", "counselor_b")


@dataclass
class World:
    users: dict
    note: SessionNote
    signed_note: SessionNote
    worksheet: Worksheet
    submitted: Worksheet
    intake: Intake

    def state(self) -> tuple:
        """Everything the calls below could change."""
        return (
            list(SessionNote.objects.order_by("pk").values_list("pk", "status", "plan")),
            list(Worksheet.objects.order_by("pk").values_list("pk", "status", "review_comment")),
            Worksheet.objects.get(pk=self.worksheet.pk).entries.count(),
            self.signed_note.addenda.count(),
            list(Intake.objects.order_by("pk").values_list("pk", "status")),
        )


@pytest.fixture
def world(frozen_now) -> World:
    counselor_a, counselor_b = CounselorFactory(), CounselorFactory()
    client_a, client_b = ClientFactory(), ClientFactory()
    intake = IntakeFactory(client=client_a, counselor=counselor_a, status=Intake.Status.REVIEWED)
    IntakeFactory(client=client_b, counselor=counselor_b, status=Intake.Status.ACCEPTED)
    note = SessionNoteFactory(counselor=counselor_a, client=client_a, tags=["scene.work"])
    signed_note = SessionNoteFactory(
        counselor=counselor_a, client=client_a, status="signed", signed_at=timezone.now()
    )
    worksheet = WorksheetFactory(counselor=counselor_a, client=client_a)
    WorksheetEntryFactory(worksheet=worksheet)
    submitted = WorksheetFactory(counselor=counselor_a, client=client_a)
    WorksheetEntryFactory(worksheet=submitted)
    Worksheet.objects.filter(pk=submitted.pk).update(status="submitted", submitted_at=timezone.now())
    users = {
        "client_a": client_a,
        "client_b": client_b,
        "counselor_a": counselor_a,
        "counselor_b": counselor_b,
    }
    return World(users, note, signed_note, worksheet, submitted, intake)


def api_for(world: World, actor: str) -> APIClient:
    return APIClient() if actor == "anonymous" else authenticated_client(world.users[actor])


NO_TOKEN, NOT_YOUR_ROLE, NOT_YOURS = 401, 403, 404

# (name, method, url, body, owner's status, the others' statuses)
CASES = [
    (
        "note detail",
        "get",
        "/api/v1/session-notes/{note}/",
        None,
        ("counselor_a", 200),
        {"counselor_b": NOT_YOURS},
    ),
    (
        "note edit",
        "patch",
        "/api/v1/session-notes/{note}/",
        {"plan": "変更"},
        ("counselor_a", 200),
        {"counselor_b": NOT_YOURS},
    ),
    (
        "note delete",
        "delete",
        "/api/v1/session-notes/{note}/",
        None,
        ("counselor_a", 204),
        {"counselor_b": NOT_YOURS},
    ),
    (
        "note sign",
        "post",
        "/api/v1/session-notes/{note}/sign/",
        None,
        ("counselor_a", 200),
        {"counselor_b": NOT_YOURS},
    ),
    (
        "note addendum",
        "post",
        "/api/v1/session-notes/{signed_note}/addenda/",
        {"text": "追記"},
        ("counselor_a", 201),
        {"counselor_b": NOT_YOURS},
    ),
    (
        "worksheet detail",
        "get",
        "/api/v1/worksheets/{worksheet}/",
        None,
        ("client_a", 200),
        {"counselor_a": 200},
    ),
    (
        "worksheet entry",
        "post",
        "/api/v1/worksheets/{worksheet}/entries/",
        {"date": "2025-06-01", "answers": {"items": ["a", "b", "c"]}},
        ("client_a", 201),
        {"client_b": NOT_YOURS, "counselor_a": NOT_YOUR_ROLE, "counselor_b": NOT_YOUR_ROLE},
    ),
    (
        "worksheet submit",
        "post",
        "/api/v1/worksheets/{worksheet}/submit/",
        None,
        ("client_a", 200),
        {"client_b": NOT_YOURS, "counselor_a": NOT_YOUR_ROLE, "counselor_b": NOT_YOUR_ROLE},
    ),
    (
        "worksheet review",
        "post",
        "/api/v1/worksheets/{submitted}/review/",
        {"comment": "よく書けました"},
        ("counselor_a", 200),
        {"counselor_b": NOT_YOURS, "client_a": NOT_YOUR_ROLE, "client_b": NOT_YOUR_ROLE},
    ),
    ("intake detail", "get", "/api/v1/intakes/{intake}/", None, ("client_a", 200), {"counselor_a": 200}),
    (
        "pattern profile",
        "get",
        "/api/v1/clients/{client_a}/pattern-profile/",
        None,
        ("counselor_a", 200),
        {"counselor_b": NOT_YOURS},
    ),
    (
        "access log",
        "get",
        "/api/v1/clients/{client_a}/access-log/",
        None,
        ("counselor_a", 200),
        {"counselor_b": NOT_YOURS},
    ),
]


def _expected(case, actor: str) -> int:
    _name, _method, url, _body, (owner, owner_status), others = case
    if actor == owner:
        return owner_status
    if actor in others:
        return others[actor]
    if actor == "anonymous":
        return NO_TOKEN
    counselor_only = "session-notes" in url or "/clients/" in url
    if counselor_only and actor.startswith("client"):
        return NOT_YOUR_ROLE
    return NOT_YOURS


def _url(world: World, template: str) -> str:
    return template.format(
        note=world.note.pk,
        signed_note=world.signed_note.pk,
        worksheet=world.worksheet.pk,
        submitted=world.submitted.pk,
        intake=world.intake.pk,
        client_a=world.users["client_a"].pk,
    )


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_only_the_owner_or_the_clients_counselor_reaches_a_record(world, case, actor):
    _name, method, url, body, _owner, _others = case
    expected = _expected(case, actor)
    before = world.state()
    records_before = AccessRecord.objects.count()

    response = getattr(api_for(world, actor), method)(_url(world, url), body, format="json")

    assert response.status_code == expected, response.content
    if expected >= 400:
        assert world.state() == before
        assert AccessRecord.objects.count() == records_before  # a refused call reads nothing


@pytest.mark.parametrize("actor", ACTORS)
def test_lists_hold_only_what_the_caller_may_see(world, actor):
    api = api_for(world, actor)

    notes = api.get("/api/v1/session-notes/")
    worksheets = api.get("/api/v1/worksheets/")
    templates = api.get("/api/v1/worksheet-templates/")

    if actor == "anonymous":
        assert (notes.status_code, worksheets.status_code, templates.status_code) == (401, 401, 401)
        return
    if actor.startswith("client"):
        assert (notes.status_code, templates.status_code) == (403, 403)
    else:
        assert templates.status_code == 200
        expected_notes = {world.note.pk, world.signed_note.pk} if actor == "counselor_a" else set()
        assert {note["id"] for note in notes.json()["results"]} == expected_notes
    expected_worksheets = {world.worksheet.pk, world.submitted.pk} if actor.endswith("_a") else set()
    assert {ws["id"] for ws in worksheets.json()["results"]} == expected_worksheets


def test_a_client_cannot_write_notes_nor_a_counselor_assign_to_someone_elses_client(world):
    client_api = authenticated_client(world.users["client_a"])
    counselor_b_api = authenticated_client(world.users["counselor_b"])
    body = {"client": world.users["client_a"].pk, "date": "2025-06-01", "plan": "x"}

    assert client_api.post("/api/v1/session-notes/", body, format="json").status_code == 403
    assert counselor_b_api.post("/api/v1/session-notes/", body, format="json").status_code == 400
    assigned = counselor_b_api.post(
        "/api/v1/worksheets/",
        {"template": "step1.done_today", "client": world.users["client_a"].pk, "due_date": "2025-06-09"},
        format="json",
    )
    assert assigned.status_code == 400
    assert "client" in assigned.json()
    assert (
        client_api.post(
            "/api/v1/worksheets/",
            {"template": "step1.done_today", "client": world.users["client_a"].pk, "due_date": "2025-06-09"},
            format="json",
        ).status_code
        == 403
    )
