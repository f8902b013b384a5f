"""The access log: one row per note, intake or worksheet read or written, and no way to change a row."""

import pytest
from django.db import DatabaseError, connection, transaction

from accounts.services import counselor_group_ensure
from counseling.models import AccessRecord, AccessRecordImmutableError, Intake
from tests.conftest import authenticated_client
from tests.counseling.factories import (
    IntakeFactory,
    SessionNoteFactory,
    WorksheetFactory,
    client_of,
)
from tests.counseling.queries import list_queries

pytestmark = pytest.mark.django_db

IP = "203.0.113.9"


def rows() -> list[tuple]:
    return list(
        AccessRecord.objects.order_by("id").values_list(
            "actor_id", "client_id", "object_type", "object_id", "action"
        )
    )


def test_reading_a_note_writes_exactly_one_row_with_who_what_when_and_where(
    counselor, counselor_api, frozen_now
):
    note = SessionNoteFactory(counselor=counselor)

    response = counselor_api.get(f"/api/v1/session-notes/{note.pk}/", REMOTE_ADDR=IP)

    assert response.status_code == 200
    [record] = AccessRecord.objects.all()
    assert (record.actor, record.client_id, record.object_type, record.object_id, record.action) == (
        counselor,
        note.client_id,
        "session_note",
        note.pk,
        "read",
    )
    assert record.ip_address == IP
    assert record.at.isoformat() == "2025-06-02T00:00:00+00:00"


def test_a_list_writes_one_row_per_note_shown_and_none_for_notes_on_other_pages(
    counselor, counselor_api, frozen_now
):
    notes = [SessionNoteFactory(counselor=counselor) for _ in range(3)]

    response = counselor_api.get("/api/v1/session-notes/", {"page_size": 2})

    shown = [note["id"] for note in response.json()["results"]]
    assert len(shown) == 2
    assert sorted(rows()) == sorted(
        (counselor.pk, n.client_id, "session_note", n.pk, "list") for n in notes if n.pk in shown
    )


def test_intake_reads_are_logged_once_each_for_the_client_and_the_counselor(
    counselor, client_user, frozen_now
):
    intake = IntakeFactory(client=client_user, counselor=counselor, status=Intake.Status.REVIEWED)
    client_api, counselor_api = authenticated_client(client_user), authenticated_client(counselor)

    client_api.get(f"/api/v1/intakes/{intake.pk}/")
    client_api.get("/api/v1/intakes/")
    counselor_api.get(f"/api/v1/intakes/{intake.pk}/")

    assert rows() == [
        (client_user.pk, client_user.pk, "intake", intake.pk, "read"),
        (client_user.pk, client_user.pk, "intake", intake.pk, "list"),
        (counselor.pk, client_user.pk, "intake", intake.pk, "read"),
    ]


def test_intake_writes_are_logged(client_api, client_user, counselor, django_capture_on_commit_callbacks):
    created = client_api.post(
        "/api/v1/intakes/",
        {
            "scenes": ["scene.work"],
            "self_check": {
                "reason.worthlessness": 2,
                "reason.unheard": 2,
                "reason.self_sacrifice": 2,
                "reason.proof_of_love": 2,
                "reason.childhood": 2,
            },
            "concern": "相談",
            "preferred_format": "online",
            "contact": "メール",
            "consent": True,
        },
        format="json",
    )
    intake_id = created.json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        authenticated_client(counselor).patch(
            f"/api/v1/intakes/{intake_id}/", {"status": "reviewed"}, format="json"
        )

    assert rows() == [
        (client_user.pk, client_user.pk, "intake", intake_id, "create"),
        (counselor.pk, client_user.pk, "intake", intake_id, "status"),
    ]


def test_worksheet_reads_and_writes_are_logged_once_each(counselor, frozen_now):
    client = client_of(counselor)
    worksheet = WorksheetFactory(counselor=counselor, client=client)
    client_api = authenticated_client(client)

    client_api.get(f"/api/v1/worksheets/{worksheet.pk}/")
    client_api.get("/api/v1/worksheets/")
    client_api.post(
        f"/api/v1/worksheets/{worksheet.pk}/entries/",
        {"date": "2025-06-02", "answers": {"items": ["a", "b", "c"]}},
        format="json",
    )
    client_api.post(f"/api/v1/worksheets/{worksheet.pk}/submit/")
    authenticated_client(counselor).get("/api/v1/worksheets/", {"status": "submitted"})

    assert [row[2:] for row in rows()] == [
        ("worksheet", worksheet.pk, action) for action in ("read", "list", "entry", "submit", "list")
    ]
    assert [row[0] for row in rows()] == [client.pk] * 4 + [counselor.pk]


def test_note_writes_are_logged_once_each_and_a_deleted_drafts_rows_stay(
    counselor, counselor_api, frozen_now
):
    client = client_of(counselor)
    note_id = counselor_api.post(
        "/api/v1/session-notes/", {"client": client.pk, "date": "2025-06-01", "plan": "x"}, format="json"
    ).json()["id"]
    counselor_api.patch(f"/api/v1/session-notes/{note_id}/", {"plan": "y"}, format="json")
    counselor_api.delete(f"/api/v1/session-notes/{note_id}/")

    assert [row[2:] for row in rows()] == [
        ("session_note", note_id, "create"),
        ("session_note", note_id, "update"),
        ("session_note", note_id, "delete"),
    ]


def test_the_counselor_lists_a_clients_access_log_newest_first(counselor, counselor_api, frozen_now):
    note = SessionNoteFactory(counselor=counselor)
    counselor_api.get(f"/api/v1/session-notes/{note.pk}/", REMOTE_ADDR=IP)
    frozen_now.shift(60)
    counselor_api.get("/api/v1/session-notes/")
    SessionNoteFactory(counselor=counselor)  # another client's note, read below, stays out
    counselor_api.get("/api/v1/session-notes/")

    response = counselor_api.get(f"/api/v1/clients/{note.client_id}/access-log/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [item["action"] for item in body["results"]] == ["list", "list", "read"]
    last = body["results"][-1]
    assert last["actor"]["id"] == counselor.pk
    assert (last["object_type"], last["object_id"], last["ip_address"]) == ("session_note", note.pk, IP)
    assert last["at"] == "2025-06-02T09:00:00+09:00"


def test_the_access_log_list_costs_the_same_queries_for_1_and_50_rows(counselor, counselor_api, frozen_now):
    note = SessionNoteFactory(counselor=counselor)
    counselor_api.get(f"/api/v1/session-notes/{note.pk}/")
    url = f"/api/v1/clients/{note.client_id}/access-log/"
    one, count = list_queries(counselor_api, url)
    assert count == 1

    for _ in range(49):
        counselor_api.get(f"/api/v1/session-notes/{note.pk}/")
    fifty, count = list_queries(counselor_api, url)

    assert count == 50
    assert fifty == one


def test_no_access_row_can_be_changed_or_deleted_through_the_models(counselor, counselor_api):
    note = SessionNoteFactory(counselor=counselor)
    counselor_api.get(f"/api/v1/session-notes/{note.pk}/")
    record = AccessRecord.objects.get()

    record.action = "list"
    with pytest.raises(AccessRecordImmutableError):
        record.save()
    with pytest.raises(AccessRecordImmutableError):
        record.delete()
    with pytest.raises(AccessRecordImmutableError):
        AccessRecord.objects.filter(pk=record.pk).update(action="list")
    with pytest.raises(AccessRecordImmutableError):
        AccessRecord.objects.all().delete()

    assert rows() == [(counselor.pk, note.client_id, "session_note", note.pk, "read")]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_the_database_refuses_to_change_or_delete_an_access_row(counselor, counselor_api):
    note = SessionNoteFactory(counselor=counselor)
    counselor_api.get(f"/api/v1/session-notes/{note.pk}/")

    for statement in (
        "UPDATE counseling_accessrecord SET action = 'list'",
        "DELETE FROM counseling_accessrecord",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)

    assert rows() == [(counselor.pk, note.client_id, "session_note", note.pk, "read")]


def test_the_access_log_api_offers_no_way_to_write(counselor, counselor_api):
    note = SessionNoteFactory(counselor=counselor)
    counselor_api.get(f"/api/v1/session-notes/{note.pk}/")
    url = f"/api/v1/clients/{note.client_id}/access-log/"

    for method in ("post", "put", "patch", "delete"):
        assert getattr(counselor_api, method)(url, {"action": "list"}, format="json").status_code == 405

    assert rows() == [(counselor.pk, note.client_id, "session_note", note.pk, "read")]


def test_the_admin_shows_the_access_log_read_only(client, counselor, counselor_api):
    counselor.is_staff = True
    counselor.save()
    counselor.groups.add(counselor_group_ensure())
    note = SessionNoteFactory(counselor=counselor)
    counselor_api.get(f"/api/v1/session-notes/{note.pk}/")
    record = AccessRecord.objects.get()
    client.force_login(counselor)

    listing = client.get("/admin/counseling/accessrecord/")
    detail = client.get(f"/admin/counseling/accessrecord/{record.pk}/change/")
    changed = client.post(f"/admin/counseling/accessrecord/{record.pk}/change/", {"action": "list"})
    deleted = client.post(f"/admin/counseling/accessrecord/{record.pk}/delete/", {"post": "yes"})
    added = client.get("/admin/counseling/accessrecord/add/")
    bulk = client.post(
        "/admin/counseling/accessrecord/", {"action": "delete_selected", "_selected_action": [record.pk]}
    )

    assert listing.status_code == 200
    assert "delete_selected" not in listing.content.decode()
    assert detail.status_code == 200
    assert 'name="action"' not in detail.content.decode()  # no form field to edit
    assert changed.status_code == 403
    assert deleted.status_code == 403
    assert added.status_code == 403
    assert bulk.status_code in (200, 302)
    assert rows() == [(counselor.pk, note.client_id, "session_note", note.pk, "read")]
