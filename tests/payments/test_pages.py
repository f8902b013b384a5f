"""The money pages: the client's payment and receipt in the portal, the counselor's money view and CSV."""

import csv
import io

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from counseling.services.bookings import booking_create
from payments.methods import PaymentMethod
from payments.models import Payment
from payments.services.orders import pay_link_token
from payments.services.settlement import payment_mark_received
from tests.accounts.factories import ClientFactory, CounselorFactory
from tests.conftest import authenticated_client
from tests.counseling.conftest import NOW, WEDNESDAY, tokyo
from tests.counseling.factories import IntakeFactory
from tests.payments.conftest import paid_session_type
from tests.payments.factories import PaymentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def transfer_booking(counselor):
    session_type = paid_session_type(counselor, payment_method=PaymentMethod.TRANSFER, price_jpy=11000)
    client = IntakeFactory().client
    with time_machine.travel(NOW, tick=False):
        booking, _created = booking_create(
            client=client, session_type=session_type, start=tokyo(WEDNESDAY, 10)
        )
    return booking


def test_the_clients_booking_page_shows_the_account_the_reference_and_after_payment_the_receipt(
    client, counselor, transfer_booking, settings
):
    payment = Payment.objects.get(booking=transfer_booking)
    client.force_login(transfer_booking.client)

    page = client.get(f"/portal/bookings/{transfer_booking.pk}/").content.decode()
    assert "お支払い待ち" in page
    assert settings.PAYMENTS_BANK_ACCOUNT in page and payment.reference in page
    assert "領収書（PDF）" not in page
    assert client.get(f"/portal/payments/{payment.pk}/receipt/").status_code == 404

    payment_mark_received(payment=payment, actor=counselor)
    page = client.get(f"/portal/bookings/{transfer_booking.pk}/").content.decode()
    receipt = client.get(f"/portal/payments/{payment.pk}/receipt/")

    assert "予約確定" in page and "領収書（PDF）をダウンロード" in page
    assert receipt.status_code == 200 and receipt["Content-Type"] == "application/pdf"
    assert receipt.content.startswith(b"%PDF")


def test_another_client_gets_404_for_a_receipt_that_is_not_theirs(client, counselor, transfer_booking):
    payment = Payment.objects.get(booking=transfer_booking)
    payment_mark_received(payment=payment, actor=counselor)
    client.force_login(ClientFactory())

    assert client.get(f"/portal/payments/{payment.pk}/receipt/").status_code == 404
    assert client.get(f"/portal/bookings/{transfer_booking.pk}/").status_code == 404


def test_the_pay_link_page_shows_how_to_pay_and_says_when_online_payment_is_not_offered(
    client, counselor, settings
):
    payment = PaymentFactory(counselor=counselor, method=PaymentMethod.ONLINE)
    settings.STRIPE_SECRET_KEY = ""

    page = client.get(f"/payments/{pay_link_token(payment)}/").content.decode()

    assert "オンライン決済は現在ご利用いただけません" in page
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    page = client.get(f"/payments/{pay_link_token(payment)}/")
    assert "カードでお支払いへ進む" in page.content.decode()
    # The pay button is the one form that may be sent on to Stripe's hosted page.
    assert "https://checkout.stripe.com" in page["Content-Security-Policy"]


def test_the_counselor_confirms_a_transfer_from_the_money_page(client, counselor, transfer_booking):
    payment = Payment.objects.get(booking=transfer_booking)
    client.force_login(counselor)

    page = client.get("/counselor/money/").content.decode()
    assert payment.reference in page and "¥11,000" in page
    response = client.post(f"/counselor/money/payments/{payment.pk}/received/")
    again = client.post(f"/counselor/money/payments/{payment.pk}/received/")

    assert response.status_code == again.status_code == 302
    payment.refresh_from_db()
    transfer_booking.refresh_from_db()
    assert payment.status == Payment.Status.PAID and transfer_booking.status == "confirmed"
    assert payment.ledger_entries.count() == 1
    assert payment.reference not in client.get("/counselor/money/").content.decode()


def test_another_counselor_meets_404_and_a_client_finds_no_money_page(client, transfer_booking):
    payment = Payment.objects.get(booking=transfer_booking)
    client.force_login(CounselorFactory())

    assert payment.reference not in client.get("/counselor/money/").content.decode()
    assert client.post(f"/counselor/money/payments/{payment.pk}/received/").status_code == 404
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING
    client.force_login(transfer_booking.client)
    assert client.get("/counselor/money/").status_code == 404


def test_the_money_page_takes_the_same_queries_for_three_or_thirty_items(client, counselor):
    client.force_login(counselor)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/counselor/money/").status_code == 200
        return len(captured)

    PaymentFactory.create_batch(3, counselor=counselor)
    few = queries()
    PaymentFactory.create_batch(27, counselor=counselor)
    assert queries() == few


def test_the_monthly_csv_has_one_row_per_money_movement_for_the_accountant(
    client, counselor, transfer_booking
):
    payment = Payment.objects.get(booking=transfer_booking)
    with time_machine.travel(NOW, tick=False):
        payment_mark_received(payment=payment, actor=counselor)
    client.force_login(counselor)

    response = client.get("/counselor/money/export.csv", {"month": "2025-06"})
    other_month = client.get("/counselor/money/export.csv", {"month": "2025-07"})

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == [
        "日付",
        "お客様",
        "内容",
        "金額（円）",
        "うち消費税（円）",
        "種類",
        "お支払い方法",
        "領収書番号",
    ]
    assert rows[1][1:] == [
        payment.payer_name,
        payment.description,
        "11000",
        "1000",
        "入金",
        "銀行振込（事前）",
        payment.receipt.display_number,
    ]
    assert len(rows) == 2
    assert len(list(csv.reader(io.StringIO(b"".join(other_month.streaming_content).decode())))) == 1


@pytest.mark.parametrize("month", ["", "2025-13", "june", "1999-01"])
def test_a_bad_month_for_the_csv_is_a_clear_400(client, counselor, month):
    client.force_login(counselor)

    response = client.get("/counselor/money/export.csv", {"month": month})

    assert response.status_code == 400
    assert "YYYY-MM" in response.content.decode()


def test_the_counselor_sets_a_session_types_payment_method_on_the_schedule_page(client, counselor):
    client.force_login(counselor)
    fields = {
        "type-name": "対面",
        "type-format": "online",
        "type-duration_minutes": 60,
        "type-price_jpy": 12000,
        "type-buffer_minutes": 0,
        "type-active": "on",
    }

    refused = client.post("/counselor/schedule/session-types/", {**fields, "type-payment_method": "venue"})
    created = client.post("/counselor/schedule/session-types/", {**fields, "type-payment_method": "transfer"})

    assert refused.status_code == 400
    assert "対面のセッションでのみ選べます。" in refused.content.decode()
    assert created.status_code == 302
    assert counselor.session_types.get().payment_method == PaymentMethod.TRANSFER


def test_a_prepaid_course_seat_says_it_is_held_and_the_portal_links_to_its_payment(client, counselor):
    from courses.services.enrollments import enrollment_create
    from tests.courses.factories import CourseFactory

    course = CourseFactory(counselor=counselor, price_jpy=6000, payment_method=PaymentMethod.TRANSFER)
    guest_page = client.post(f"/courses/{course.pk}/", {"name": "ゲスト", "email": "guest@example.com"})
    member = IntakeFactory().client
    enrollment_create(course=course, user=member)
    client.force_login(member)
    page = client.get("/portal/courses/").content.decode()

    assert "お席を確保しました" in guest_page.content.decode()
    assert "お支払い待ち" in page and "/payments/" in page and "お支払いのページへ" in page


def test_payments_join_the_clients_personal_data_export(counselor, transfer_booking):
    payment = Payment.objects.get(booking=transfer_booking)
    payment_mark_received(payment=payment, actor=counselor)
    PaymentFactory(counselor=counselor)  # someone else's

    response = authenticated_client(transfer_booking.client).get("/api/v1/me/export/")

    [row] = response.json()["payments"]
    assert (row["amount_jpy"], row["method"], row["status"]) == (11000, "transfer", "paid")
    assert row["receipt_number"] == payment.receipt.display_number and row["refund"] is None


def test_the_booking_page_says_how_a_session_is_paid_and_that_online_payment_is_not_offered_without_a_key(
    client, counselor, settings
):
    paid_session_type(counselor, payment_method=PaymentMethod.ONLINE)
    booker = IntakeFactory().client
    client.force_login(booker)
    settings.STRIPE_SECRET_KEY = ""

    offline = client.get("/portal/book/").content.decode()
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    online = client.get("/portal/book/").content.decode()

    assert "オンライン決済は現在ご利用いただけないため、銀行振込でのお支払いになります。" in offline
    assert "銀行振込（事前）" in offline
    assert "オンライン決済（カード・コンビニ）" in online and "ご利用いただけない" not in online
    assert "お支払いの確認をもってご予約が確定します" in online


def test_the_counselors_booking_page_shows_the_payment_and_the_balance_from_the_ledger(
    client, counselor, transfer_booking
):
    payment = Payment.objects.get(booking=transfer_booking)
    client.force_login(counselor)

    before = client.get(f"/counselor/bookings/{transfer_booking.pk}/").content.decode()
    payment_mark_received(payment=payment, actor=counselor)
    after = client.get(f"/counselor/bookings/{transfer_booking.pk}/").content.decode()

    assert payment.reference in before and "入金を確認した" in before and "¥0" in before
    assert "お支払い済み" in after and "¥11,000" in after and "入金を確認した" not in after
