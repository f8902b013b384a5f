"""The counselor admin: session types, hours, bookings, intakes, notes and the worksheet review queue;
every screen goes through the services and logs what it shows."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from counseling.models import AccessRecord, Intake, SessionType, Worksheet
from tests.accounts.factories import CounselorFactory
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


def test_the_counselor_admin_lists_session_types_hours_time_off_and_upcoming_bookings(
    counselor_admin, session_type, frozen_now
):
    BookingFactory(session_type=session_type, start=tokyo(WEDNESDAY, 10))

    for model in ("sessiontype", "availabilityrule", "timeoff", "counselorprofile", "pattern"):
        assert counselor_admin.get(f"/admin/counseling/{model}/").status_code == 200
    bookings = counselor_admin.get("/admin/counseling/booking/", {"when": "upcoming"})
    assert bookings.status_code == 200
    assert "2025年6月4日（水）" in bookings.content.decode()
    assert "10:00〜11:00" in bookings.content.decode()


def test_the_counselor_admin_shows_only_their_own_bookings(counselor_admin, session_type):
    BookingFactory(start=tokyo(WEDNESDAY, 15))  # another counselor's

    page = counselor_admin.get("/admin/counseling/booking/").content.decode()

    assert "15:00〜16:00" not in page


def test_the_intake_screen_shows_the_self_check_and_the_suggestions(counselor_admin):
    intake = IntakeFactory(scores={"reason.self_sacrifice": 5})

    listing = counselor_admin.get("/admin/counseling/intake/", {"status__exact": "submitted"})
    detail = counselor_admin.get(f"/admin/counseling/intake/{intake.pk}/change/")

    assert listing.status_code == 200
    assert "step.4" in listing.content.decode()
    page = detail.content.decode()
    assert detail.status_code == 200
    assert "「自分がしたいこと」を大切にする" in page
    assert "「自己犠牲」の代償を求めている" in page


def test_admin_actions_go_through_the_services(
    counselor_admin, counselor, django_capture_on_commit_callbacks
):
    intake = IntakeFactory()

    with django_capture_on_commit_callbacks(execute=True):
        counselor_admin.post(
            "/admin/counseling/intake/",
            {"action": "mark_accepted", "_selected_action": [intake.pk]},
        )

    intake.refresh_from_db()
    assert (intake.status, intake.counselor) == (Intake.Status.ACCEPTED, counselor)
    assert [message.to for message in mail.outbox] == [[intake.client.email]]


def test_the_admin_refuses_a_face_to_face_session_type_without_a_place(counselor_admin, counselor):
    response = counselor_admin.post(
        "/admin/counseling/sessiontype/add/",
        {
            "name": "対面",
            "format": "tokyo",
            "location": "",
            "duration_minutes": 60,
            "price_jpy": 10000,
            "buffer_minutes": 0,
            "active": "on",
            "payment_method": "arranged",
        },
    )

    assert response.status_code == 200
    assert "対面のセッションには場所を入力してください。" in response.content.decode()
    assert not SessionType.objects.exists()

    counselor_admin.post(
        "/admin/counseling/sessiontype/add/",
        {
            "name": "対面",
            "format": "tokyo",
            "location": "東京",
            "duration_minutes": 60,
            "price_jpy": 10000,
            "buffer_minutes": 0,
            "active": "on",
            "payment_method": "arranged",
        },
    )
    assert SessionType.objects.get().counselor == counselor


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
