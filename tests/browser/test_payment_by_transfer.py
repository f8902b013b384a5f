"""Paying for a session by bank transfer, in the browser: the client books and sees where to pay, the
counselor confirms the transfer, the client downloads the receipt."""

import subprocess
from datetime import time

import pytest

from counseling.models import Booking
from payments.methods import PaymentMethod
from payments.models import Payment
from tests.browser.conftest import assert_accessible, assert_fits_width
from tests.browser.test_worksheet_review import log_in
from tests.counseling.factories import AvailabilityRuleFactory, IntakeFactory, SessionTypeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def check(page) -> None:
    assert_accessible(page)
    assert_fits_width(page)


def test_a_client_books_pays_by_transfer_the_counselor_confirms_and_the_client_downloads_the_receipt(
    page, second_page, counselor, client_user, settings, tmp_path
):
    for weekday in range(7):
        AvailabilityRuleFactory(counselor=counselor, weekday=weekday, start_time=time(10), end_time=time(18))
    SessionTypeFactory(
        counselor=counselor,
        name="オンラインカウンセリング",
        price_jpy=11000,
        payment_method=PaymentMethod.TRANSFER,
    )
    IntakeFactory(client=client_user)

    log_in(page, client_user)
    page.wait_for_url("**/portal/")
    page.goto("/portal/book/")
    page.get_by_role("link", name="オンラインカウンセリング").click()
    page.get_by_role("link", name="次の7日間 →").click()
    page.locator(".slots a").first.click()
    page.get_by_role("button", name="予約を確定する").click()
    page.get_by_text("お時間を確保しました").wait_for()
    payment = Payment.objects.get()
    assert page.get_by_text(settings.PAYMENTS_BANK_ACCOUNT).is_visible()
    assert page.get_by_text(payment.reference).first.is_visible()
    check(page)
    assert Booking.objects.get().status == "pending_payment"

    # The transfer arrives; the counselor sees it on the bank statement and confirms it.
    log_in(second_page, counselor)
    second_page.wait_for_url("**/counselor/")
    second_page.get_by_role("link", name="お金").click()
    second_page.get_by_text(payment.reference).wait_for()
    check(second_page)
    second_page.get_by_role("button", name="入金を確認した").click()
    second_page.get_by_text("入金を記録し、領収書をお送りしました。").wait_for()
    assert second_page.get_by_text("確認を待っている入金はありません。").is_visible()

    page.reload()
    page.get_by_text("予約確定").first.wait_for()
    check(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="領収書（PDF）をダウンロード").click()
    path = tmp_path / "receipt.pdf"
    download_info.value.save_as(path)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "領収書" in text and settings.PAYMENTS_INVOICE_REGISTRATION_NUMBER in text
    assert Booking.objects.get().status == "confirmed"
