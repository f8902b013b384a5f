"""領収書: numbers with no gap and no repeat under concurrent payments; a PDF a Japanese reader can read."""

import subprocess
import threading

import pytest
from django.db import connection

from courses.services.enrollments import enrollment_create
from payments.methods import PaymentMethod
from payments.models import Payment, Receipt
from payments.services.receipts import consumption_tax_included, receipt_render
from payments.services.settlement import payment_mark_received, payment_settle
from tests.courses.factories import CourseFactory


def _pending_payments(counselor, count: int) -> list[Payment]:
    course = CourseFactory(
        counselor=counselor, capacity=count, price_jpy=5500, payment_method=PaymentMethod.TRANSFER
    )
    for n in range(count):
        enrollment_create(course=course, guest_name=f"受講者{n}", guest_email=f"p{n}@example.com")
    return list(Payment.objects.filter(enrollment__course=course).order_by("id"))


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_fifty_payments_recorded_at_once_get_receipt_numbers_one_to_fifty(counselor):
    payments = _pending_payments(counselor, 50)
    barrier = threading.Barrier(len(payments))
    errors: list = []

    def pay(payment):
        try:
            barrier.wait()
            payment_settle(payment=payment, external_id=f"test:{payment.pk}")
        except Exception as error:  # recorded, so a crash shows up as a failed assertion
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=pay, args=(payment,)) for payment in payments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    numbers = sorted(Receipt.objects.values_list("number", flat=True))
    assert numbers == list(range(1, 51))
    assert Payment.objects.filter(status=Payment.Status.PAID).count() == 50


@pytest.mark.django_db
def test_a_failed_issue_leaves_no_gap_because_the_counter_rolls_back_with_it(counselor, monkeypatch):
    first, second = _pending_payments(counselor, 2)
    payment_mark_received(payment=first, actor=counselor)

    def broken(**kwargs):
        raise RuntimeError("mail server down while rendering")

    monkeypatch.setattr("payments.services.settlement.payment_mail_received", broken)
    with pytest.raises(RuntimeError):
        payment_mark_received(payment=second, actor=counselor)
    monkeypatch.undo()
    payment_mark_received(payment=second, actor=counselor)

    assert sorted(Receipt.objects.values_list("number", flat=True)) == [1, 2]


def _pdf_text(tmp_path, pdf: bytes, name: str) -> str:
    path = tmp_path / name
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.django_db
def test_the_receipt_pdf_renders_japanese_with_the_registration_number_and_the_tax(
    counselor, settings, tmp_path
):
    settings.PAYMENTS_INVOICE_REGISTRATION_NUMBER = "T9876543210987"
    [payment] = _pending_payments(counselor, 1)
    payment_mark_received(payment=payment, actor=counselor)
    receipt = Receipt.objects.get()

    reissue = receipt_render(receipt=receipt)  # the mail had the original
    text = _pdf_text(tmp_path, reissue, "receipt.pdf").replace(" ", "")

    assert "領収書" in text and "再発行" in text
    assert "T9876543210987" in text
    assert "受講者0様" in text
    assert "¥5,500" in text and "10%対象" in text and "うち消費税¥500" in text
    assert settings.PRACTICE_NAME in text
    assert f"No.{receipt.display_number}" in text
    fonts = subprocess.run(
        ["pdffonts", str(tmp_path / "receipt.pdf")], capture_output=True, text=True, check=True
    ).stdout
    font_lines = [line for line in fonts.splitlines()[2:] if "IPAexGothic" in line]
    assert font_lines and all(line.split()[-5] == "yes" for line in font_lines)  # embedded


@pytest.mark.django_db
def test_the_mailed_original_does_not_say_reissue(counselor, tmp_path, django_capture_on_commit_callbacks):
    from django.core import mail

    [payment] = _pending_payments(counselor, 1)
    with django_capture_on_commit_callbacks(execute=True):
        payment_mark_received(payment=payment, actor=counselor)

    [message] = [m for m in mail.outbox if "お支払いを確認しました" in m.subject]
    _filename, pdf, mimetype = message.attachments[0]
    assert mimetype == "application/pdf"
    text = _pdf_text(tmp_path, pdf, "original.pdf")
    assert "領収書" in text and "再発行" not in text


@pytest.mark.parametrize(("amount", "tax"), [(11000, 1000), (5500, 500), (10000, 909), (1, 0)])
def test_the_consumption_tax_inside_a_price_is_rounded_down(amount, tax):
    assert consumption_tax_included(amount) == tax


@pytest.mark.django_db
def test_a_registration_number_that_is_not_t_and_13_digits_fails_the_system_check(settings):
    from payments.checks import invoice_registration_number_check

    settings.PAYMENTS_INVOICE_REGISTRATION_NUMBER = "1234567890123"
    assert [error.id for error in invoice_registration_number_check(None)] == ["payments.E001"]
    settings.PAYMENTS_INVOICE_REGISTRATION_NUMBER = "T1234567890123"
    assert invoice_registration_number_check(None) == []
