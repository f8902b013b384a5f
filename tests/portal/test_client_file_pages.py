"""The counselor's client list and client file: intake, bookings, digest, profile, notes, worksheets."""

from datetime import timedelta

import pytest
from django.utils import timezone

from counseling.models import AccessRecord, Intake, Worksheet, WorksheetTemplate
from counseling.services.worksheets import worksheet_assign
from tests.counseling.conftest import NOW, WEDNESDAY, tokyo
from tests.counseling.factories import (
    BookingFactory,
    IntakeFactory,
    SessionNoteFactory,
    WorksheetEntryFactory,
    WorksheetFactory,
    client_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(client, counselor):
    client.force_login(counselor)
    return client


def test_the_client_list_searches_by_name_or_email_and_shows_the_next_session(
    desk, counselor, session_type, frozen_now
):
    hanako = client_of(counselor, display_name="山田 花子", email="hanako@example.com")
    client_of(counselor, display_name="佐藤 次郎", email="jiro@example.com")
    BookingFactory(session_type=session_type, client=hanako, start=tokyo(WEDNESDAY, 10))

    everyone = desk.get("/counselor/clients/").content.decode()
    by_name = desk.get("/counselor/clients/", {"q": "花子"}).content.decode()
    by_email = desk.get("/counselor/clients/", {"q": "JIRO@"}).content.decode()

    assert "山田 花子" in everyone and "佐藤 次郎" in everyone
    assert "次回：6月4日（水） 10:00" in everyone
    assert "山田 花子" in by_name and "佐藤 次郎" not in by_name
    assert "佐藤 次郎" in by_email and "山田 花子" not in by_email


def test_an_accepted_intake_stays_reachable_from_the_client_file(desk, counselor):
    client = client_of(counselor)
    intake = Intake.objects.get(client=client)

    body = desk.get(f"/counselor/clients/{client.pk}/").content.decode()

    assert f"/counselor/intakes/{intake.pk}/" in body and "受け入れ" in body
    assert 'value="accepted"' not in body  # already decided: no buttons
    row = AccessRecord.objects.get(actor=counselor, object_type="intake")
    assert (row.object_id, row.action) == (intake.pk, "list")


def test_a_waiting_intake_is_accepted_from_the_client_file(desk, counselor, session_type):
    client = client_of(counselor)
    waiting = IntakeFactory(client=client)

    body = desk.get(f"/counselor/clients/{client.pk}/").content.decode()
    response = desk.post(f"/counselor/intakes/{waiting.pk}/", {"status": "accepted"})

    assert 'value="accepted"' in body and 'value="declined"' in body
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == Intake.Status.ACCEPTED


def test_the_file_lists_bookings_past_and_future(desk, counselor, session_type, frozen_now):
    client = client_of(counselor)
    BookingFactory(session_type=session_type, client=client, start=tokyo(WEDNESDAY, 10))
    BookingFactory(
        session_type=session_type, client=client, start=NOW - timedelta(days=7), status="completed"
    )

    body = desk.get(f"/counselor/clients/{client.pk}/").content.decode()

    upcoming, past = body.split("これまで</h3>")[0].split("これから</h3>")[1], body.split("これまで</h3>")[1]
    assert "2025年6月4日（水） 10:00" in upcoming
    assert "2025年5月26日（月） 09:00" in past and "実施済み" in past


def test_the_profile_draws_each_kind_of_tag_per_month_and_logs_the_notes_counted(desk, counselor):
    note = SessionNoteFactory(
        counselor=counselor, tags=["scene.work", "reason.worthlessness", "pain.emptiness"]
    )
    SessionNoteFactory(counselor=counselor, client=note.client, tags=["scene.work"])

    body = desk.get(f"/counselor/clients/{note.client_id}/").content.decode()

    month = f"{timezone.localdate().month}月"
    profile = body.split('id="profile"')[1].split('id="notes"')[0]
    assert 'aria-label="職場：' in profile and f"{month} 2" in profile
    assert "強い「無価値感」や「罪悪感」を抱えている" in profile and "常に心が満たされない" in profile
    assert profile.count("<rect") >= 3
    counted = AccessRecord.objects.filter(actor=counselor, object_type="session_note", action="profile")
    assert counted.count() == 2


def test_the_profile_shows_the_steps_the_self_check_suggests_and_their_worksheets(desk, counselor):
    client = client_of(counselor)
    IntakeFactory(client=client, scores={"reason.worthlessness": 5})
    WorksheetFactory(counselor=counselor, client=client, status="submitted", submitted_at=timezone.now())

    body = desk.get(f"/counselor/clients/{client.pk}/").content.decode()

    steps = body.split("ステップごとのワークシート")[1].split("</ul>")[0]
    first_step = steps.split("</li>")[0]
    assert "自分の価値を「内側」で認める" in first_step and "セルフチェックからのおすすめ" in first_step
    assert "割り当て 1 ・ 提出 1 ・ 確認 0" in first_step


def test_the_digest_lists_entries_since_the_last_held_session_and_the_homework_state(
    desk, counselor, session_type, frozen_now
):
    client = client_of(counselor)
    BookingFactory(
        session_type=session_type, client=client, start=NOW - timedelta(days=7), status="completed"
    )
    note = SessionNoteFactory(counselor=counselor, client=client, homework="断る練習を1回")
    homework = worksheet_assign(
        counselor=counselor,
        client=client,
        template=WorksheetTemplate.objects.get(code="step1.done_today"),
        due_date=WEDNESDAY,
        message="",
        session_note=note,
        notify=False,
    )
    old = WorksheetEntryFactory(worksheet=homework, answers={"items": ["古い記入", "b", "c"]})
    old.created_at = NOW - timedelta(days=8)
    old.save()
    WorksheetEntryFactory(worksheet=homework, answers={"items": ["掃除をした", "ご飯を作った", "散歩した"]})

    body = desk.get(f"/counselor/clients/{client.pk}/").content.decode()

    digest = body.split('id="digest"')[1].split('id="intake"')[0]
    assert "前回の実施：2025年5月26日（月） 09:00" in digest
    assert "今日できたこと</a>：掃除をした、ご飯を作った、散歩した" in digest
    assert "古い記入" not in digest
    assert "断る練習を1回" in digest and "取り組み中" in digest
    reads = AccessRecord.objects.filter(actor=counselor, object_type="worksheet", action="read")
    assert list(reads.values_list("object_id", flat=True)) == [homework.pk]


def test_the_homework_counts_as_done_once_its_worksheet_is_handed_in(desk, counselor):
    note = SessionNoteFactory(counselor=counselor)
    WorksheetFactory(
        counselor=counselor,
        client=note.client,
        session_note=note,
        status="submitted",
        submitted_at=timezone.now(),
    )

    body = desk.get(f"/counselor/clients/{note.client_id}/").content.decode()

    assert "できた（提出済み）" in body


def test_worksheets_are_grouped_by_status_waiting_review_first(desk, counselor):
    client = client_of(counselor)
    WorksheetFactory(counselor=counselor, client=client)
    WorksheetFactory(counselor=counselor, client=client, status="submitted", submitted_at=timezone.now())

    body = desk.get(f"/counselor/clients/{client.pk}/").content.decode()

    section = body.split('id="worksheets"')[1]
    assert section.index("提出済み") < section.index("取り組み中") < section.index("確認済み")
    listed = AccessRecord.objects.filter(actor=counselor, object_type="worksheet", action="list")
    assert listed.count() == Worksheet.objects.filter(client=client).count()


def test_the_notes_timeline_shows_tags_as_chips_and_filters_by_one(desk, counselor):
    note = SessionNoteFactory(counselor=counselor, tags=["step.4"], presenting_concern="断れない")
    SessionNoteFactory(
        counselor=counselor, client=note.client, tags=["scene.family"], presenting_concern="家での口論"
    )

    filtered = desk.get(f"/counselor/clients/{note.client_id}/", {"tag": "step.4"}).content.decode()
    timeline = filtered.split('id="notes"')[1]

    assert 'href="?tag=step.4#notes"' in timeline and "断れない" in timeline and "家での口論" not in timeline


def test_an_unknown_tag_is_a_400_not_a_500(desk, counselor):
    client = client_of(counselor)

    assert desk.get(f"/counselor/clients/{client.pk}/", {"tag": "nope"}).status_code == 400


def test_an_intake_another_counselor_took_on_is_shown_without_buttons(desk, counselor):
    from tests.accounts.factories import CounselorFactory

    client = client_of(counselor)
    IntakeFactory(client=client, counselor=CounselorFactory(), status=Intake.Status.REVIEWED)

    body = desk.get(f"/counselor/clients/{client.pk}/").content.decode()

    assert body.count("のインテーク</a>") == 2 and 'value="accepted"' not in body
