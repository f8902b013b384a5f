"""The pattern profile: tag counts by month from the counselor's notes, the intake's suggested steps,
and worksheet progress by step."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from counseling.models import AccessRecord, Intake, Worksheet, WorksheetTemplate
from tests.accounts.factories import ClientFactory
from tests.counseling.factories import IntakeFactory, SessionNoteFactory, WorksheetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_with_intake(counselor):
    client = ClientFactory()
    IntakeFactory(
        client=client,
        counselor=counselor,
        status=Intake.Status.ACCEPTED,
        scores={"reason.self_sacrifice": 5, "reason.unheard": 4, "reason.worthlessness": 2},
    )
    return client


def profile_url(client) -> str:
    return f"/api/v1/clients/{client.pk}/pattern-profile/"


def test_the_profiles_counts_match_the_notes_written(
    counselor, counselor_api, client_with_intake, frozen_now
):
    client = client_with_intake
    writes = [
        ("2025-05-07", ["scene.romance", "reason.self_sacrifice", "pain.betrayed"]),
        ("2025-05-21", ["scene.romance", "reason.self_sacrifice", "step.4"]),
        ("2025-06-01", ["scene.work", "reason.self_sacrifice", "reason.childhood.feelings_denied"]),
    ]
    for day, tags in writes:
        response = counselor_api.post(
            "/api/v1/session-notes/",
            {"client": client.pk, "date": day, "tags": tags, "plan": "継続"},
            format="json",
        )
        assert response.status_code == 201
    SessionNoteFactory(
        client=client, date=date(2025, 5, 7), tags=["scene.family"]
    )  # another counselor's note
    SessionNoteFactory(counselor=counselor, date=date(2025, 5, 7), tags=["scene.family"])  # another client's

    response = counselor_api.get(profile_url(client))

    assert response.status_code == 200
    body = response.json()
    assert body["client"]["id"] == client.pk
    assert body["months"] == [
        {
            "month": "2025-05",
            "counts": {"scene.romance": 2, "reason.self_sacrifice": 2, "pain.betrayed": 1, "step.4": 1},
        },
        {
            "month": "2025-06",
            "counts": {"scene.work": 1, "reason.self_sacrifice": 1, "reason.childhood.feelings_denied": 1},
        },
    ]
    assert body["totals"] == {
        "scene.romance": 2,
        "scene.work": 1,
        "reason.self_sacrifice": 3,
        "reason.childhood.feelings_denied": 1,
        "pain.betrayed": 1,
        "step.4": 1,
    }


def test_the_profile_shows_the_intakes_suggested_steps_and_worksheets_by_step(
    counselor, counselor_api, client_with_intake, frozen_now
):
    client = client_with_intake
    done_today = WorksheetTemplate.objects.get(code="step1.done_today")
    saying_no = WorksheetTemplate.objects.get(code="step4.saying_no")
    WorksheetFactory(counselor=counselor, client=client, template=done_today)
    WorksheetFactory(
        counselor=counselor,
        client=client,
        template=done_today,
        status="submitted",
        submitted_at=timezone.now(),
    )
    WorksheetFactory(
        counselor=counselor,
        client=client,
        template=saying_no,
        status="reviewed",
        submitted_at=timezone.now(),
        reviewed_at=timezone.now(),
    )
    WorksheetFactory(client=client, template=saying_no)  # assigned by another counselor

    body = counselor_api.get(profile_url(client)).json()

    assert [step["code"] for step in body["suggested_steps"]] == ["step.2", "step.3", "step.4"]
    assert body["months"] == [] and body["totals"] == {}
    assert [(s["step"]["code"], s["assigned"], s["submitted"], s["reviewed"]) for s in body["steps"]] == [
        ("step.1", 2, 1, 0),
        ("step.2", 0, 0, 0),
        ("step.3", 0, 0, 0),
        ("step.4", 1, 1, 1),
        ("step.5", 0, 0, 0),
    ]
    assert Worksheet.objects.count() == 4


def test_reading_the_profile_logs_the_notes_whose_tags_it_counted(
    counselor, counselor_api, client_with_intake
):
    notes = [
        SessionNoteFactory(counselor=counselor, client=client_with_intake, tags=["scene.work"])
        for _ in range(2)
    ]

    counselor_api.get(profile_url(client_with_intake))

    assert sorted(AccessRecord.objects.values_list("object_id", "action")) == sorted(
        (note.pk, "profile") for note in notes
    )


def test_the_profile_costs_the_same_queries_for_1_and_40_notes(counselor, counselor_api, client_with_intake):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert counselor_api.get(profile_url(client_with_intake)).status_code == 200
        return len(captured)

    SessionNoteFactory(counselor=counselor, client=client_with_intake, tags=["scene.work"])
    one = queries()
    for n in range(39):
        SessionNoteFactory(
            counselor=counselor,
            client=client_with_intake,
            date=date(2025, 1 + n % 6, 1),
            tags=["scene.work", "step.1"],
        )

    assert queries() == one
