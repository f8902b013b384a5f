import pytest
from django.core import mail

from courses.services.enrollments import enrollment_cancel, enrollment_create
from tests.accounts.factories import ClientFactory
from tests.conftest import authenticated_client
from tests.courses.factories import CourseFactory

pytestmark = pytest.mark.django_db

CASH = "初回の講座の当日、会場の受付で現金でお支払いください。"


def test_the_course_page_says_how_and_when_to_pay(client):
    course = CourseFactory(price_jpy=8000, payment_instructions=CASH)

    body = client.get(f"/courses/{course.pk}/").content.decode()

    assert "お支払い" in body and CASH in body


def test_the_confirmation_and_the_done_page_say_how_to_pay(client, django_capture_on_commit_callbacks):
    course = CourseFactory(price_jpy=8000, payment_instructions=CASH)

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(f"/courses/{course.pk}/", {"name": "来場 花子", "email": "guest@example.com"})

    assert CASH in done.content.decode()
    (message,) = mail.outbox
    assert f"お支払い: {CASH}" in message.body


def test_a_promoted_enrollee_is_told_how_to_pay(django_capture_on_commit_callbacks):
    course = CourseFactory(capacity=1, price_jpy=8000, payment_instructions=CASH)
    first, _ = enrollment_create(course=course, guest_name="一", guest_email="one@example.com")
    enrollment_create(course=course, guest_name="二", guest_email="two@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        enrollment_cancel(enrollment=first)

    promoted = next(message for message in mail.outbox if message.to == ["two@example.com"])
    assert CASH in promoted.body


def test_a_paid_course_without_instructions_still_says_when_payment_is_explained(client):
    course = CourseFactory(price_jpy=5000, payment_instructions="")

    body = client.get(f"/courses/{course.pk}/").content.decode()

    assert "お支払いの方法と期日は、お申込みの確定後に相談室からご案内します。" in body


def test_a_free_course_says_nothing_about_paying(client, django_capture_on_commit_callbacks):
    course = CourseFactory(price_jpy=0, payment_instructions=CASH)

    with django_capture_on_commit_callbacks(execute=True):
        enrollment_create(course=course, guest_name="一", guest_email="one@example.com")

    assert "お支払い" not in client.get(f"/courses/{course.pk}/").content.decode()
    assert "お支払い" not in mail.outbox[0].body


def test_the_counselor_sets_the_payment_text_through_the_api(counselor_api):
    response = counselor_api.post(
        "/api/v1/courses/",
        {
            "title": "講座",
            "format": "venue",
            "location": "東京",
            "capacity": 5,
            "price_jpy": 3000,
            "payment_instructions": CASH,
            "status": "published",
            "sessions": [{"starts_at": "2030-01-10T10:00:00+09:00", "ends_at": "2030-01-10T12:00:00+09:00"}],
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["payment_instructions"] == CASH
    portal = authenticated_client(ClientFactory())
    assert portal.get(f"/api/v1/courses/{response.json()['id']}/").json()["payment_instructions"] == CASH


def test_the_course_list_and_detail_give_the_default_payment_text_in_the_readers_language(api_client):
    paid = CourseFactory(price_jpy=5000, payment_instructions="")
    CourseFactory(price_jpy=6000, payment_instructions="   ")
    CourseFactory(price_jpy=0, payment_instructions="")
    english = "We will tell you how and by when to pay once your place is confirmed."
    japanese = "お支払いの方法と期日は、お申込みの確定後に相談室からご案内します。"

    for language, text in [("en", english), ("ja", japanese)]:
        listed = api_client.get("/api/v1/courses/", HTTP_ACCEPT_LANGUAGE=language).json()["results"]
        detail = api_client.get(f"/api/v1/courses/{paid.pk}/", HTTP_ACCEPT_LANGUAGE=language).json()

        assert sorted(course["payment_instructions"] for course in listed) == ["", text, text]
        assert detail["payment_instructions"] == text
