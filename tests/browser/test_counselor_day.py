"""The counselor's day in the browser: the agenda, a booking, and its note from draft to addendum."""

from datetime import time, timedelta

import pytest
import time_machine
from django.utils import timezone

from counseling.localtime import local_date, local_datetime
from counseling.models import AccessRecord, SessionNote
from tests.browser.conftest import assert_accessible, assert_fits_width, foreign_requests
from tests.browser.test_worksheet_review import log_in
from tests.counseling.factories import (
    AvailabilityRuleFactory,
    BookingFactory,
    SessionNoteFactory,
    SessionTypeFactory,
    client_of,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TAGS = ("職場", "強い「無価値感」や「罪悪感」を抱えている", "自分の価値を「内側」で認める")


def check(page) -> None:
    assert_accessible(page)
    assert_fits_width(page)


def tomorrows_booking():
    tomorrow = local_date(timezone.now()) + timedelta(days=1)
    session_type = SessionTypeFactory(name="オンラインカウンセリング60分")
    AvailabilityRuleFactory(counselor=session_type.counselor, weekday=tomorrow.weekday())
    client = client_of(session_type.counselor, display_name="山田 花子")
    return BookingFactory(session_type=session_type, client=client, start=local_datetime(tomorrow, time(10)))


def last_weeks_session_with_a_draft(booking):
    held = BookingFactory(
        session_type=booking.session_type,
        client=booking.client,
        start=booking.start - timedelta(days=7),
        status="completed",
    )
    note = SessionNoteFactory(
        counselor=booking.counselor, client=booking.client, booking=held, date=local_date(held.start)
    )
    return held, note


def test_the_counselor_writes_saves_signs_and_adds_to_the_note_of_tomorrows_session(page, live_server):
    booking = tomorrows_booking()

    log_in(page, booking.counselor)
    page.wait_for_url("**/counselor/")
    agenda = page.get_by_role("region", name="今日から8日間のセッション", exact=False)
    tomorrow = agenda.get_by_role("link", name="10:00〜11:00 山田 花子")
    tomorrow.wait_for()
    check(page)
    tomorrow.click()
    page.get_by_role("heading", name="山田 花子 さんのセッション").wait_for()
    check(page)

    # The session is held: a day later the counselor marks it and writes its note.
    with time_machine.travel(booking.end + timedelta(minutes=30), tick=True):
        page.reload()
        page.get_by_role("button", name="実施済みにする").click()
        page.get_by_text("「実施済み」として記録しました。").wait_for()
        page.get_by_role("link", name="ノートを書く").click()
        check(page)
        page.get_by_label("主訴", exact=True).fill("頼まれると断れず、疲れ切っている")
        page.get_by_label("ホームワーク", exact=True).fill("今日できたことを3つ書く")
        for label in TAGS:
            page.get_by_label(label, exact=True).check()
        page.get_by_role("button", name="下書きを保存する").click()
        page.get_by_text("下書きを保存しました。").wait_for()

        page.reload()
        assert page.get_by_label("主訴", exact=True).input_value() == "頼まれると断れず、疲れ切っている"
        for label in TAGS:
            assert page.get_by_label(label, exact=True).is_checked()
        check(page)

        page.get_by_role("link", name="署名へ進む").click()
        page.get_by_text("署名すると").wait_for()
        check(page)
        page.get_by_role("button", name="この内容で署名する").click()
        page.get_by_text("署名しました。").wait_for()
        assert page.get_by_label("主訴", exact=True).count() == 0
        check(page)

        # Editing is refused whatever the page offers: the server answers 409.
        token = page.locator("input[name=csrfmiddlewaretoken]").first.get_attribute("value")
        refused = page.request.post(
            page.url, form={"csrfmiddlewaretoken": token, "presenting_concern": "改ざん"}
        )
        assert refused.status == 409

        page.get_by_role("textbox", name="追記").fill("翌日、メールで様子を確認した")
        page.get_by_role("button", name="追記する").click()
        page.get_by_text("追記しました。").wait_for()
        page.get_by_text("翌日、メールで様子を確認した").wait_for()
        check(page)

    note = SessionNote.objects.get(booking=booking)
    assert note.status == "signed"
    assert note.presenting_concern == "頼まれると断れず、疲れ切っている"
    assert sorted(note.tags.values_list("kind", flat=True)) == ["reason", "scene", "step"]
    assert [addendum.text for addendum in note.addenda.all()] == ["翌日、メールで様子を確認した"]
    assert AccessRecord.objects.filter(object_id=note.pk, action="read").exists()


def test_the_counselors_calendar_booking_and_note_pages_pass_the_checks_at_390_px(page, live_server):
    booking = tomorrows_booking()
    held, note = last_weeks_session_with_a_draft(booking)
    signed = SessionNoteFactory(
        counselor=booking.counselor,
        client=booking.client,
        date=local_date(held.start) - timedelta(days=7),
        status="signed",
        signed_at=timezone.now(),
    )

    log_in(page, booking.counselor)
    page.wait_for_url("**/counselor/")
    for path in (
        "/counselor/calendar/",
        f"/counselor/bookings/{booking.pk}/",
        f"/counselor/bookings/{booking.pk}/reschedule/",
        f"/counselor/bookings/{held.pk}/note/",
        f"/counselor/notes/{note.pk}/sign/",
        f"/counselor/notes/{signed.pk}/",
        f"/counselor/clients/{booking.client_id}/notes/new/",
    ):
        page.goto(path)
        check(page)
    page.goto("/counselor/calendar/")
    page.get_by_label("日付へ移動").fill(local_date(booking.start + timedelta(days=7)).isoformat())
    page.get_by_role("button", name="移動").click()
    page.get_by_role("link", name="← 前の週").click()
    page.locator(".week-grid").get_by_role("link", name="10:00 山.花.").click()
    page.get_by_role("heading", name="山田 花子 さんのセッション").wait_for()


def test_the_request_check_catches_any_host_but_the_apps():
    own = "http://localhost:8123"

    assert (
        foreign_requests(
            [f"{own}/counselor/", f"{own}/static/css/site.css", "data:image/png;base64,AA", "blob:x"], own
        )
        == []
    )
    assert foreign_requests([f"{own}/", "https://cdn.example.com/x.js", "http://localhost:9/"], own) == [
        "https://cdn.example.com/x.js",
        "http://localhost:9/",
    ]


def test_a_draft_is_saved_by_itself_after_30_seconds(page, live_server):
    booking = tomorrows_booking()
    held, note = last_weeks_session_with_a_draft(booking)
    log_in(page, booking.counselor)
    page.wait_for_url("**/counselor/")
    page.clock.install()
    page.goto(f"/counselor/bookings/{held.pk}/note/")

    page.get_by_label("今後の方針", exact=True).fill("次回は断る練習の振り返りから")
    page.clock.run_for(29_000)
    note.refresh_from_db()
    assert note.plan != "次回は断る練習の振り返りから"
    page.clock.run_for(2_000)
    page.get_by_text("下書きを自動保存しました").wait_for()

    note.refresh_from_db()
    assert note.plan == "次回は断る練習の振り返りから"
