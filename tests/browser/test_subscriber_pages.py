import re

import pytest
from django.core import mail

from newsletter.models import Subscriber, WorkbookDownload
from tests.browser.conftest import assert_accessible
from tests.newsletter.conftest import workbook  # noqa: F401  (the uploaded workbook)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def emailed_path(page_name: str) -> str:
    """The path of the newest /newsletter/<page_name>/<token>/ link in the outbox."""
    for message in reversed(mail.outbox):
        match = re.search(rf"https?://[^/\s]+(/newsletter/{page_name}/[^/\s\"<]+/)", message.body)
        if match:
            return match.group(1)
    raise AssertionError(f"no {page_name} link in {len(mail.outbox)} emails")


@pytest.mark.usefixtures("workbook")
def test_a_subscriber_signs_up_confirms_downloads_the_workbook_and_unsubscribes(page, live_server, settings):
    settings.SITE_URL = live_server.url  # the confirmation page links the workbook absolutely
    page.goto("/newsletter/")
    assert_accessible(page)
    consent = page.get_by_role("checkbox")
    assert "週3回" in consent.evaluate("box => box.labels[0].textContent")
    page.get_by_label("メールアドレス").fill("reader@example.com")
    page.get_by_label("お名前（任意）").fill("読者 一郎")
    consent.press("Space")  # the keyboard alone gets through the form
    page.get_by_role("button", name="登録する").press("Enter")
    page.get_by_role("heading", name="お申し込みを受け付けました").wait_for()
    assert_accessible(page)

    page.goto(emailed_path("confirm"))
    assert_accessible(page)
    page.get_by_role("button", name="登録を完了する").click()
    page.get_by_role("heading", name="ご登録が完了しました").wait_for()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="ワークブックをダウンロード").click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert WorkbookDownload.objects.count() == 1

    page.goto(emailed_path("unsubscribe"))
    assert_accessible(page)
    page.get_by_role("button", name="配信を停止する").click()
    page.get_by_role("heading", name="配信を停止しました").wait_for()
    assert_accessible(page)
    assert Subscriber.objects.get(email="reader@example.com").status == Subscriber.Status.UNSUBSCRIBED
    page.get_by_role("link", name="メール講座に登録する").click()
    page.get_by_role("heading", name="無料メール講座（ワークブック付き）").wait_for()


def test_signup_errors_appear_beside_the_fields_and_the_address_typed_stays(page):
    page.goto("/newsletter/")
    page.get_by_label("メールアドレス").fill("reader@")
    page.get_by_role("button", name="登録する").click()

    page.locator("#id_email_error").wait_for()
    assert page.get_by_label("メールアドレス").input_value() == "reader@"
    assert page.locator("#id_consent_error").is_visible()
    assert page.get_by_label("メールアドレス").get_attribute("aria-invalid") == "true"
    assert_accessible(page)
    assert not Subscriber.objects.exists()


def test_a_lessons_exercise_link_opens_that_exercises_section_readable_on_a_phone(page):
    page.goto("/newsletter/exercises/#work-4-2")

    section = page.locator("#work-4-2")
    section.get_by_role("heading", name="ワーク4-2　断る練習").wait_for()
    assert section.is_visible()
    # Nothing wider than the 390 px screen: no sideways scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)
    page.get_by_role("link", name="新しいリンクを受け取れます").click()
    page.get_by_role("heading", name="ワークブックのリンクの再送").wait_for()
