from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.exceptions import ApplicationError
from courses import services
from courses.models import Course, Enrollment
from outbox.models import OutboundEmail
from tests.accounts.factories import ClientFactory
from tests.conftest import authenticated_client
from tests.courses.factories import CourseFactory

pytestmark = pytest.mark.django_db


def enroll_url(course) -> str:
    return f"/api/v1/courses/{course.pk}/enroll/"


def test_a_client_is_confirmed_while_seats_remain_and_waitlisted_after(client_user):
    course = CourseFactory(capacity=1)
    other = ClientFactory()

    first, created_first = services.enrollment_create(course_id=course.pk, user=client_user)
    second, created_second = services.enrollment_create(course_id=course.pk, user=other)

    assert (first.status, created_first) == (Enrollment.Status.CONFIRMED, True)
    assert (second.status, created_second) == (Enrollment.Status.WAITLISTED, True)
    assert first.confirmed_at is not None and second.confirmed_at is None


def test_enrolling_through_the_api_answers_201_with_the_status(client_api, client_user):
    course = CourseFactory(capacity=1)

    response = client_api.post(enroll_url(course))

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "confirmed"
    assert body["course"] == course.pk
    assert body["waitlist_position"] is None
    assert Enrollment.objects.get(pk=body["id"]).user == client_user

    guest = authenticated_client(ClientFactory()).post(enroll_url(course))
    assert guest.status_code == 201
    assert (guest.json()["status"], guest.json()["waitlist_position"]) == ("waitlisted", 1)


def test_a_guest_enrolls_with_name_and_email_without_an_account(api_client):
    course = CourseFactory()

    response = api_client.post(
        enroll_url(course), {"name": "鈴木 一郎", "email": "Ichiro@Example.com"}, format="json"
    )

    assert response.status_code == 201
    enrollment = Enrollment.objects.get(pk=response.json()["id"])
    assert (enrollment.user, enrollment.guest_name, enrollment.guest_email) == (
        None,
        "鈴木 一郎",
        "ichiro@example.com",
    )
    # The cancel token travels only by email, never in the response.
    assert "token" not in response.json()


def test_a_guest_without_name_or_email_gets_400_and_nothing_is_written(api_client):
    course = CourseFactory()

    missing = api_client.post(enroll_url(course), {"email": "a@example.com"}, format="json")
    invalid = api_client.post(enroll_url(course), {"name": "a", "email": "not-an-email"}, format="json")

    assert missing.status_code == 400
    assert "name" in missing.json()
    assert invalid.status_code == 400
    assert "email" in invalid.json()
    assert not Enrollment.objects.exists()


def test_the_same_client_enrolling_twice_gets_the_existing_enrollment_back(client_api):
    course = CourseFactory()

    first = client_api.post(enroll_url(course))
    second = client_api.post(enroll_url(course))

    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["id"] == first.json()["id"]
    assert Enrollment.objects.filter(course=course).count() == 1
    assert OutboundEmail.objects.filter(kind="courses.enrollment_confirmed").count() == 1


def test_the_same_guest_address_in_other_case_gets_the_existing_enrollment_back(api_client):
    course = CourseFactory()

    first = api_client.post(
        enroll_url(course), {"name": "花子", "email": "hanako@example.com"}, format="json"
    )
    second = api_client.post(
        enroll_url(course), {"name": "花子", "email": " HANAKO@example.COM "}, format="json"
    )

    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["id"] == first.json()["id"]
    assert Enrollment.objects.filter(course=course).count() == 1


def test_a_client_who_cancelled_may_enroll_again_at_the_back_of_the_queue(client_user):
    course = CourseFactory(capacity=1)
    first, _ = services.enrollment_create(course_id=course.pk, user=client_user)
    services.enrollment_cancel(enrollment_id=first.pk)
    services.enrollment_create(course_id=course.pk, user=ClientFactory())

    again, created = services.enrollment_create(course_id=course.pk, user=client_user)

    assert created
    assert again.pk != first.pk
    assert again.status == Enrollment.Status.WAITLISTED


def test_the_database_refuses_a_second_active_enrollment_for_the_same_person(client_user):
    course = CourseFactory()
    Enrollment.objects.create(course=course, user=client_user, status=Enrollment.Status.CONFIRMED)
    Enrollment.objects.create(course=course, guest_email="g@example.com", status=Enrollment.Status.WAITLISTED)

    with pytest.raises(IntegrityError), transaction.atomic():
        Enrollment.objects.create(course=course, user=client_user, status=Enrollment.Status.WAITLISTED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrollment.objects.create(
            course=course, guest_email="G@Example.com", status=Enrollment.Status.CONFIRMED
        )


def test_enrolling_after_the_deadline_is_refused_with_a_message(client_api):
    course = CourseFactory(enrollment_deadline=timezone.now() - timedelta(minutes=1))

    response = client_api.post(enroll_url(course))

    assert response.status_code == 400
    assert response.json()["detail"] == "申込の受付は締め切りました。"
    assert not Enrollment.objects.exists()


def test_without_a_deadline_enrollment_closes_when_the_first_session_starts(client_user):
    course = CourseFactory(sessions=0)
    course.sessions.create(
        starts_at=timezone.now() - timedelta(minutes=5), ends_at=timezone.now() + timedelta(hours=1)
    )

    with pytest.raises(ApplicationError, match="締め切りました"):
        services.enrollment_create(course_id=course.pk, user=client_user)


def test_enrolling_in_a_cancelled_course_is_refused_with_a_message(client_api):
    course = CourseFactory()
    services.course_cancel(course_id=course.pk)

    response = client_api.post(enroll_url(course))

    assert response.status_code == 400
    assert response.json()["detail"] == "この講座は中止になりました。"
    assert not Enrollment.objects.exists()


def test_a_draft_course_cannot_be_found_to_enroll(client_api):
    course = CourseFactory(status=Course.Status.DRAFT)

    response = client_api.post(enroll_url(course))

    assert response.status_code == 404
    assert not Enrollment.objects.exists()


def test_a_counselor_cannot_enroll(counselor_api):
    course = CourseFactory()

    response = counselor_api.post(enroll_url(course))

    assert response.status_code == 403
    assert not Enrollment.objects.exists()


def test_guests_are_throttled_but_signed_in_clients_are_not(api_client, client_api, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "anon_write": "2/hour"}
    course = CourseFactory(capacity=50)

    codes = [
        api_client.post(
            enroll_url(course), {"name": "g", "email": f"g{i}@example.com"}, format="json"
        ).status_code
        for i in range(3)
    ]
    client_codes = [client_api.post(enroll_url(course)).status_code for _ in range(3)]

    assert codes == [201, 201, 429]
    assert client_codes == [201, 200, 200]
    assert Enrollment.objects.filter(course=course).count() == 3
