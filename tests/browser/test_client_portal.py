import re
from datetime import time

import pytest
from django.core import mail

from counseling.models import Booking, Intake
from tests.browser.conftest import assert_accessible
from tests.counseling.factories import AvailabilityRuleFactory, SessionTypeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def online_sessions(counselor):
    """Online sessions every day 10:00–18:00, so that free slots exist whenever the test runs."""
    for weekday in range(7):
        AvailabilityRuleFactory(counselor=counselor, weekday=weekday, start_time=time(10), end_time=time(18))
    return SessionTypeFactory(counselor=counselor, name="オンラインカウンセリング", duration_minutes=50)


def register_and_log_in(page, email: str, password: str) -> None:
    page.goto("/accounts/register/")
    page.get_by_label("お名前").fill("山本 さくら")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード（10文字以上）").fill(password)
    page.get_by_role("button", name="登録する").click()
    page.get_by_role("heading", name="確認メールをお送りしました").wait_for()
    link = re.search(r"http://\S+(/accounts/verify-email/\?token=\S+)", mail.outbox[-1].body).group(1)
    page.goto(link)
    page.get_by_role("link", name="ログインへ").click()
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(password)
    page.get_by_role("button", name="ログイン").click()


def fill_intake(page) -> None:
    page.get_by_label("恋愛・パートナーシップ").check()
    page.get_by_label("職場").check()
    for group in page.get_by_role("group").all():
        answer = group.get_by_role("radio", name=re.compile(r"^4 "))
        if answer.count():
            answer.check()
    page.get_by_role("textbox", name=re.compile("^ご相談内容")).fill(
        "尽くしても報われない気がして苦しいです。"
    )
    page.get_by_label("オンライン").check()
    page.get_by_label("ご連絡の方法").fill("メールでお願いします")
    page.get_by_label("プライバシーポリシーに同意").check()


def test_a_client_registers_fills_the_intake_books_a_slot_and_cancels_it(page, online_sessions):
    register_and_log_in(page, "sakura@example.com", "a-long-enough-secret")
    page.wait_for_url("**/portal/")
    assert_accessible(page)

    page.get_by_role("link", name="インテークを記入する").click()
    assert_accessible(page)
    page.get_by_role("button", name="提出する").click()  # empty: every question says what it needs
    page.locator("#id_scenes_error").wait_for()
    assert_accessible(page)
    fill_intake(page)
    page.get_by_role("button", name="提出する").click()
    page.get_by_role("heading", name="インテークを受け付けました").wait_for()
    assert_accessible(page)
    assert Intake.objects.get().client.email == "sakura@example.com"

    page.get_by_role("link", name="セッションを予約する").click()
    assert_accessible(page)
    page.get_by_role("link", name="オンラインカウンセリング").click()
    page.get_by_role("heading", name="日時を選ぶ").wait_for()
    assert_accessible(page)
    page.get_by_role("link", name="次の7日間 →").click()  # beyond the cancellation window
    page.locator(".slots a").first.click()
    page.get_by_role("heading", name="ご予約内容の確認").wait_for()
    assert page.get_by_text("開始48時間前まで").is_visible()
    assert_accessible(page)
    page.get_by_role("button", name="予約を確定する").click()
    page.get_by_text("ご予約が確定しました").wait_for()
    assert_accessible(page)
    booking = Booking.objects.get()
    assert booking.status == "confirmed"

    page.get_by_role("link", name="キャンセルする").click()
    page.get_by_text("今ならキャンセル料なしでキャンセルできます").wait_for()
    assert_accessible(page)
    page.get_by_label("キャンセルの理由（任意）").fill("予定が入りました")
    page.get_by_role("button", name="キャンセルを確定する").click()
    page.get_by_text("ご予約をキャンセルしました。").wait_for()
    booking.refresh_from_db()
    assert (booking.status, booking.cancellation_reason) == ("cancelled", "予定が入りました")


def test_the_portal_pages_pass_the_accessibility_check(page, online_sessions, client_user):
    page.goto("/accounts/login/")
    page.get_by_label("メールアドレス").fill(client_user.email)
    page.get_by_label("パスワード").fill("correct-horse-battery")
    page.get_by_label("パスワード").press("Enter")
    page.wait_for_url("**/portal/")
    for path in ("/portal/bookings/", "/portal/courses/", "/portal/my-data/", "/portal/book/"):
        page.goto(path)
        assert_accessible(page)
