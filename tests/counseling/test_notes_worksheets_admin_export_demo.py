"""Notes and worksheets in the admin (note list by client and tag, the review queue), in `me/export`,
and in the demo data."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.services import counselor_group_ensure
from core.demo import demo_steps
from counseling.models import AccessRecord, SessionNote, Worksheet
from outbox.models import OutboundEmail
from tests.accounts.factories import CounselorFactory
from tests.conftest import authenticated_client
from tests.counseling.conftest import NOW
from tests.counseling.factories import SessionNoteFactory, WorksheetEntryFactory, WorksheetFactory, client_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def counselor_admin(client, counselor):
    counselor.groups.add(counselor_group_ensure())
    client.force_login(counselor)
    return client


def _submitted(counselor, *, days_ago: int) -> Worksheet:
    worksheet = WorksheetFactory(counselor=counselor)
    WorksheetEntryFactory(worksheet=worksheet, answers={"items": [f"できたこと{worksheet.pk}", "b", "c"]})
    Worksheet.objects.filter(pk=worksheet.pk).update(
        status="submitted", submitted_at=timezone.now() - timedelta(days=days_ago)
    )
    return worksheet


def test_the_note_list_filters_by_client_and_tag_and_shows_only_the_authors_notes(counselor_admin, counselor):
    hanako = client_of(counselor, display_name="花子")
    taro = client_of(counselor, display_name="太郎")
    SessionNoteFactory(counselor=counselor, client=hanako, tags=["reason.childhood.feelings_denied"])
    SessionNoteFactory(counselor=counselor, client=taro, tags=["scene.work"])
    SessionNoteFactory(client=hanako, tags=["scene.family"])  # another counselor's note on the same client

    def results(params=None) -> str:
        page = counselor_admin.get("/admin/counseling/sessionnote/", params or {})
        assert page.status_code == 200
        # The rows come before the filter sidebar, which lists every client and tag.
        return page.content.decode().split('id="changelist-filter"')[0]

    everything = results()
    by_client = results({"client__id__exact": taro.pk})
    by_tag = results({"tag": "reason.childhood"})

    assert "reason.childhood.feelings_denied" in everything and "scene.work" in everything
    assert "scene.family" not in everything
    assert "太郎" in by_client and "花子" not in by_client
    assert "花子" in by_tag and "太郎" not in by_tag


def test_a_superuser_who_did_not_write_a_note_does_not_see_it(client):
    note = SessionNoteFactory(plan="他の人には見せない方針")
    admin_user = CounselorFactory(is_superuser=True)
    client.force_login(admin_user)

    listing = client.get("/admin/counseling/sessionnote/")
    detail = client.get(f"/admin/counseling/sessionnote/{note.pk}/change/")

    assert listing.status_code == 200
    assert "他の人には見せない方針" not in detail.content.decode()
    assert detail.status_code in (302, 404)


def test_the_note_screen_shows_the_decrypted_text_and_logs_the_read(counselor_admin, counselor):
    note = SessionNoteFactory(counselor=counselor, plan="ステップ2の練習を始める")

    page = counselor_admin.get(f"/admin/counseling/sessionnote/{note.pk}/change/")

    assert page.status_code == 200
    assert "ステップ2の練習を始める" in page.content.decode()
    assert list(AccessRecord.objects.values_list("object_id", "action")) == [(note.pk, "read")]


def test_the_review_queue_lists_submitted_worksheets_oldest_first_and_a_comment_reviews_one(
    counselor_admin, counselor, django_capture_on_commit_callbacks
):
    recent, oldest = _submitted(counselor, days_ago=1), _submitted(counselor, days_ago=6)
    WorksheetFactory(counselor=counselor)  # not submitted
    other = _submitted(CounselorFactory(), days_ago=9)

    queue = counselor_admin.get("/admin/counseling/submittedworksheet/").content.decode()
    detail = counselor_admin.get(f"/admin/counseling/submittedworksheet/{oldest.pk}/change/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        reviewed = counselor_admin.post(
            f"/admin/counseling/submittedworksheet/{oldest.pk}/change/",
            {"review_comment": "よく続けられました。"},
        )
    blank = counselor_admin.post(
        f"/admin/counseling/submittedworksheet/{recent.pk}/change/", {"review_comment": ""}
    )

    rows = [f"/admin/counseling/submittedworksheet/{w.pk}/change/" for w in (oldest, recent)]
    assert queue.index(rows[0]) < queue.index(rows[1])
    assert f"/submittedworksheet/{other.pk}/" not in queue
    assert "6日" in queue
    assert f"できたこと{oldest.pk}" in detail
    assert reviewed.status_code == 302
    oldest.refresh_from_db()
    assert (oldest.status, oldest.review_comment) == ("reviewed", "よく続けられました。")
    assert [message.to for message in mail.outbox] == [[oldest.client.email]]
    assert blank.status_code == 200  # the form asks for a comment again
    recent.refresh_from_db()
    assert recent.status == "submitted"
    after = counselor_admin.get("/admin/counseling/submittedworksheet/").content.decode()
    assert rows[0] not in after and rows[1] in after


def test_the_worksheet_screen_lists_every_status(counselor_admin, counselor):
    WorksheetFactory(counselor=counselor)
    _submitted(counselor, days_ago=1)

    page = counselor_admin.get("/admin/counseling/worksheet/", {"status__exact": "submitted"})

    assert page.status_code == 200
    assert page.content.decode().count("/admin/counseling/worksheet/") >= 1
    assert list(AccessRecord.objects.values_list("action", flat=True)) == ["list"]


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


def test_the_demo_adds_a_signed_tagged_note_and_a_submitted_worksheet_once_and_mails_nobody(time_machine):
    time_machine.move_to(NOW, tick=False)
    shared: dict = {}
    for _ in range(2):
        for step in demo_steps():
            step(shared, lambda line: None)

    counselor, client = shared["counselor"], shared["client"]
    [note] = SessionNote.objects.filter(counselor=counselor, client=client)
    assert note.status == "signed"
    assert note.tags.count() >= 3
    [worksheet] = Worksheet.objects.filter(counselor=counselor, client=client)
    assert worksheet.status == "submitted"
    assert worksheet.entries.count() == 2
    assert (
        authenticated_client(counselor).get("/api/v1/worksheets/", {"status": "submitted"}).json()["count"]
        == 1
    )
    assert not OutboundEmail.objects.filter(kind__startswith="counseling.").exists()
