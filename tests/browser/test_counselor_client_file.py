"""The counselor's schedule, booking for a client, and the second half of her day in the client file.

Time is not frozen here (the live server runs on the real clock): dates are taken from today.
"""

import re
from datetime import time, timedelta

import pytest
from django.utils import timezone

from counseling.localtime import local_date, local_datetime
from counseling.models import Booking, Worksheet
from counseling.services.notes import session_note_create, session_note_sign
from tests.accounts.factories import PASSWORD
from tests.browser.conftest import assert_accessible, assert_fits_width
from tests.counseling.factories import BookingFactory, SessionTypeFactory, client_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WEEKDAYS = "月火水木金土日"


def log_in(page, user) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("メールアドレス").fill(user.email)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_label("パスワード").press("Enter")
    page.wait_for_url(re.compile(r"/(counselor|portal)/$"))


def checked(page) -> None:
    assert_accessible(page)
    assert_fits_width(page)


def slot_name(when) -> str:
    local = when.astimezone(timezone.get_current_timezone())
    return f"{local.month}月{local.day}日（{WEEKDAYS[local.weekday()]}） {local:%H:%M}"


def test_hours_and_time_off_change_the_clients_slots_and_a_weekly_series_books_the_free_three(
    page, second_page, counselor
):
    session_type = SessionTypeFactory(counselor=counselor, name="オンライン面談", duration_minutes=60)
    client = client_of(counselor, display_name="連続 予約子")
    day = local_date(timezone.now()) + timedelta(days=3)
    ten, eleven = local_datetime(day, time(10)), local_datetime(day, time(11))
    # Someone else already holds the second week's 11:00.
    BookingFactory(session_type=session_type, start=eleven + timedelta(days=7))

    log_in(page, counselor)
    page.get_by_role("link", name="スケジュール").first.click()
    page.get_by_role("heading", name="スケジュールの設定").wait_for()
    checked(page)
    page.get_by_label("曜日").select_option(label=f"{WEEKDAYS[day.weekday()]}曜日")
    page.get_by_label("開始時刻").fill("10:00")
    page.get_by_label("終了時刻").fill("12:00")
    page.get_by_label("形式・場所").select_option("online")
    page.get_by_role("button", name="受付時間を追加する").click()
    page.get_by_text("受付時間を追加しました。").wait_for()
    checked(page)

    log_in(second_page, client)
    second_page.goto(f"/portal/book/{session_type.pk}/")
    assert second_page.get_by_role("link", name=slot_name(ten)).is_visible()
    assert second_page.get_by_role("link", name=slot_name(eleven)).is_visible()

    page.locator("#id_off-start").fill(f"{day:%Y-%m-%d}T09:00")
    page.locator("#id_off-end").fill(f"{day:%Y-%m-%d}T10:45")
    page.get_by_role("button", name="休みを追加する").click()
    page.get_by_text("休みを追加しました。").wait_for()
    checked(page)

    second_page.reload()
    assert second_page.get_by_role("link", name=slot_name(ten)).count() == 0
    assert second_page.get_by_role("link", name=slot_name(eleven)).is_visible()

    page.get_by_role("link", name="クライアント").first.click()
    page.get_by_role("link", name="連続 予約子").click()
    checked(page)
    page.get_by_role("link", name="予約を取る").click()
    page.get_by_label("セッション種別").select_option(label=str(session_type))
    page.get_by_role("button", name="空き時間を見る").click()
    checked(page)
    page.get_by_role("link", name=slot_name(eleven)).click()
    page.get_by_label("毎週").check()
    page.get_by_label("回数").fill("4")
    page.get_by_role("button", name="予約できるか確かめる").click()
    page.get_by_role("heading", name="予約する回").wait_for()
    checked(page)
    assert page.get_by_text("予約できない").count() == 1
    assert not Booking.objects.filter(client=client).exists()
    page.get_by_role("button", name="空いている3回だけ予約する").click()
    page.get_by_text("3回の予約を確定し").wait_for()
    checked(page)

    booked = list(Booking.objects.filter(client=client).order_by("start"))
    assert [booking.start for booking in booked] == [eleven + timedelta(days=7 * n) for n in (0, 2, 3)]
    assert len({booking.series_id for booking in booked}) == 1


def test_the_counselor_assigns_from_the_suggestions_reviews_and_sees_profile_and_digest(
    page, second_page, counselor
):
    client = client_of(counselor, display_name="記録 花子")
    note = session_note_create(
        counselor=counselor,
        client=client,
        date=local_date(timezone.now()),
        tags=["scene.work", "reason.worthlessness", "pain.emptiness"],
        presenting_concern="職場で認められない",
        homework="今日できたことを3つ書く",
    )
    session_note_sign(note=note, counselor=counselor)

    log_in(page, counselor)
    page.goto(f"/counselor/notes/{note.pk}/")
    page.get_by_role("link", name="ホームワークのワークシートを割り当てる").click()
    page.get_by_role("heading", name="記録 花子 さんにワークシートを割り当てる").wait_for()
    checked(page)
    suggested = page.get_by_role("group", name=re.compile("自分の価値を「内側」で認める.*おすすめ"))
    suggested.get_by_label("今日できたこと").check()
    page.get_by_label("クライアントへのメッセージ（任意）").fill("寝る前に3つ書いてみましょう。")
    page.get_by_role("button", name="割り当ててメールで知らせる").click()
    page.get_by_text("ワークシートを割り当て、クライアントにメールでお知らせしました。").wait_for()
    page.wait_for_url(f"**/counselor/notes/{note.pk}/")  # back to the note it was opened from
    worksheet = Worksheet.objects.get(client=client)
    assert worksheet.session_note == note

    log_in(second_page, client)
    second_page.goto("/portal/worksheets/")
    second_page.get_by_role("link", name="今日できたこと").click()
    second_page.get_by_label("できたこと 1").fill("掃除をした")
    second_page.get_by_label("できたこと 2").fill("ご飯を作った")
    second_page.get_by_label("できたこと 3").fill("散歩した")
    second_page.get_by_role("button", name="記入を保存する").click()
    second_page.get_by_text("記入を保存しました。").wait_for()
    second_page.get_by_role("button", name="カウンセラーに提出する").click()
    second_page.get_by_text("提出しました。").wait_for()

    page.goto(f"/counselor/worksheets/{worksheet.pk}/")
    page.get_by_label("クライアントへのコメント").fill("3つとも書けましたね。")
    page.get_by_role("button", name="確認済みにしてコメントを送る").click()
    page.get_by_text("コメントを送りました。").wait_for()
    page.goto(f"/counselor/worksheets/{worksheet.pk}/")
    page.get_by_role("link", name="記録 花子 さんの記録へ").click()
    page.get_by_role("heading", name="記録 花子 さんの記録").wait_for()
    checked(page)

    month = f"{local_date(timezone.now()).month}月 1"
    for label in ("職場", "強い「無価値感」や「罪悪感」を抱えている", "常に心が満たされない"):
        chart = page.get_by_role("img", name=f"{label}：", exact=False)
        assert month in chart.get_attribute("aria-label")
    digest = page.locator("section.digest")
    [line] = digest.locator(".digest-lines li").all()
    assert "今日できたこと：掃除をした、ご飯を作った、散歩した" in line.inner_text()
    assert "できた（提出済み）" in digest.inner_text()


def test_every_new_counselor_page_passes_axe_and_fits_the_phone_also_with_errors(page, counselor):
    session_type = SessionTypeFactory(counselor=counselor)
    client = client_of(counselor)
    BookingFactory(session_type=session_type, client=client)
    start = local_datetime(local_date(timezone.now()) + timedelta(days=3), time(10))
    base = f"/counselor/clients/{client.pk}"

    log_in(page, counselor)
    for path in (
        "/counselor/clients/",
        "/counselor/clients/?q=nobody",
        f"{base}/",
        f"{base}/book/",
        f"{base}/book/?session_type={session_type.pk}",
        f"{base}/book/?session_type={session_type.pk}&start={start.isoformat()}",
        f"{base}/book/?session_type={session_type.pk}&start={start.isoformat()}&repeat=weekly&count=4",
        f"{base}/worksheets/new/",
        "/counselor/schedule/",
        f"/counselor/schedule/session-types/{session_type.pk}/",
    ):
        page.goto(path.replace("+", "%2B"))
        checked(page)
    page.goto(f"{base}/worksheets/new/")
    page.get_by_role("button", name="割り当ててメールで知らせる").click()
    page.locator("#template-error").wait_for()
    checked(page)
    page.goto("/counselor/schedule/")
    page.get_by_role("button", name="受付時間を追加する").click()
    page.locator("#id_hours-start_time_error").wait_for()
    checked(page)
