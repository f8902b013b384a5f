"""The counseling part of `me/export`: a client gets their intakes, bookings, worksheets and the access
log of their records, never notes or the counselor's suggestions."""

from datetime import timedelta

import pytest
from django.utils import timezone

from counseling.models import AccessRecord, Worksheet
from tests.conftest import authenticated_client
from tests.counseling.conftest import WEDNESDAY, tokyo
from tests.counseling.factories import (
    BookingFactory,
    IntakeFactory,
    SessionNoteFactory,
    WorksheetEntryFactory,
    WorksheetFactory,
    client_of,
)

pytestmark = pytest.mark.django_db


def _submitted(counselor, *, days_ago: int) -> Worksheet:
    worksheet = WorksheetFactory(counselor=counselor)
    WorksheetEntryFactory(worksheet=worksheet, answers={"items": [f"できたこと{worksheet.pk}", "b", "c"]})
    Worksheet.objects.filter(pk=worksheet.pk).update(
        status="submitted", submitted_at=timezone.now() - timedelta(days=days_ago)
    )
    return worksheet


def test_my_data_export_holds_my_intakes_and_bookings_without_the_counselors_suggestions(
    client_api, client_user, session_type
):
    IntakeFactory(client=client_user, scores={"reason.unheard": 5})
    BookingFactory(client=client_user, session_type=session_type, start=tokyo(WEDNESDAY, 10))
    IntakeFactory()  # someone else's

    body = client_api.get("/api/v1/me/export/").json()

    [intake] = body["counseling_intakes"]
    assert intake["self_check"]["reason.unheard"] == 5
    assert intake["consent_version"]
    assert "suggestions" not in intake and "step" not in str(intake)
    [booking] = body["counseling_bookings"]
    assert booking["start"] == "2025-06-04T01:00:00+00:00"
    assert booking["status"] == "confirmed"


def test_my_export_holds_my_worksheets_and_the_access_log_of_my_records_but_no_notes(counselor, frozen_now):
    client = client_of(counselor)
    worksheet = _submitted(counselor, days_ago=1)
    Worksheet.objects.filter(pk=worksheet.pk).update(client=client)
    note = SessionNoteFactory(counselor=counselor, client=client, plan="クライアントには見せない方針")
    authenticated_client(counselor).get(f"/api/v1/session-notes/{note.pk}/", REMOTE_ADDR="192.0.2.5")
    WorksheetFactory()  # someone else's

    body = authenticated_client(client).get("/api/v1/me/export/").json()

    [exported] = body["counseling_worksheets"]
    assert exported["template"] == "step1.done_today"
    assert exported["status"] == "submitted"
    assert exported["entries"][0]["answers"]["items"][0] == f"できたこと{worksheet.pk}"
    [record] = body["counseling_access_log"]
    assert (record["object_type"], record["object_id"], record["action"], record["ip_address"]) == (
        "session_note",
        note.pk,
        "read",
        "192.0.2.5",
    )
    assert "クライアントには見せない方針" not in str(body)
    # The export read the client's intake and worksheet: those reads are logged too.
    assert sorted(AccessRecord.objects.filter(action="export").values_list("object_type", flat=True)) == [
        "intake",
        "worksheet",
    ]
