import pytest

from counseling.models import Worksheet
from tests.accounts.factories import PASSWORD
from tests.browser.conftest import assert_accessible
from tests.counseling.factories import WorksheetFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, user) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("メールアドレス").fill(user.email)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_label("パスワード").press("Enter")


def test_the_client_fills_and_submits_a_worksheet_and_the_counselor_reviews_it(page):
    worksheet = WorksheetFactory()

    log_in(page, worksheet.client)
    page.get_by_role("link", name="今日できたこと").click()
    assert_accessible(page)
    page.get_by_label("できたこと 1").fill("掃除をした")
    page.get_by_label("できたこと 2").fill("ご飯を作った")
    page.get_by_role("button", name="記入を保存する").click()  # one short: the schema wants three
    page.get_by_text("3項目を入力してください。").wait_for()
    assert page.get_by_label("できたこと 2").input_value() == "ご飯を作った"
    assert_accessible(page)
    page.get_by_label("できたこと 3").fill("人に親切にできた")
    page.get_by_role("button", name="記入を保存する").click()
    page.get_by_text("記入を保存しました。").wait_for()
    page.get_by_role("button", name="カウンセラーに提出する").click()
    page.get_by_text("提出しました。").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="ログアウト").click()

    log_in(page, worksheet.counselor)
    page.wait_for_url("**/counselor/")
    assert_accessible(page)
    page.get_by_role("link", name="今日できたこと").click()
    page.get_by_text("人に親切にできた").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="確認済みにしてコメントを送る").click()  # empty comment first
    page.locator("#id_comment_error").wait_for()
    page.get_by_label("クライアントへのコメント").fill("3つとも書けましたね。明日も続けてみましょう。")
    page.get_by_role("button", name="確認済みにしてコメントを送る").click()
    page.get_by_text("コメントを送りました。").wait_for()
    assert_accessible(page)

    worksheet.refresh_from_db()
    assert worksheet.status == Worksheet.Status.REVIEWED
    assert worksheet.review_comment == "3つとも書けましたね。明日も続けてみましょう。"


def test_the_counselors_pages_pass_the_accessibility_check(page):
    worksheet = WorksheetFactory()
    log_in(page, worksheet.counselor)
    page.wait_for_url("**/counselor/")
    for path in (
        "/counselor/clients/",
        f"/counselor/clients/{worksheet.client_id}/",
        "/counselor/worksheets/",
    ):
        page.goto(path)
        assert_accessible(page)
