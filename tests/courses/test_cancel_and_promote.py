from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from core.exceptions import ApplicationError
from courses.models import Course, Enrollment
from courses.services.enrollments import enrollment_cancel, enrollment_create
from courses.services.scheduling import course_cancel, course_update
from outbox.models import OutboundEmail
from tests.accounts.factories import ClientFactory, CounselorFactory
from tests.conftest import authenticated_client
from tests.courses.factories import CourseFactory

pytestmark = pytest.mark.django_db


def fill(course, count: int) -> list[Enrollment]:
    return [
        enrollment_create(course=course, guest_name=f"参加者{n}", guest_email=f"p{n}@example.com")[0]
        for n in range(count)
    ]


def statuses(enrollments) -> list[str]:
    return [Enrollment.objects.get(pk=e.pk).status for e in enrollments]


def test_cancelling_a_confirmed_enrollment_promotes_exactly_the_first_waitlisted(
    django_capture_on_commit_callbacks,
):
    course = CourseFactory(capacity=2)
    first, second, w1, w2, w3 = fill(course, 5)
    mail.outbox = []

    with django_capture_on_commit_callbacks(execute=True):
        enrollment_cancel(enrollment=second)

    assert statuses([first, second, w1, w2, w3]) == [
        "confirmed",
        "cancelled",
        "confirmed",
        "waitlisted",
        "waitlisted",
    ]
    promoted = Enrollment.objects.get(pk=w1.pk)
    assert promoted.promoted_at is not None and promoted.confirmed_at is not None
    assert sorted(message.to[0] for message in mail.outbox) == sorted([w1.guest_email, second.guest_email])
    promotion = next(message for message in mail.outbox if message.to == [w1.guest_email])
    assert "お席をご用意" in promotion.subject
    assert promotion.attachments[0][0] == f"course-{course.pk}.ics"


def test_cancelling_twice_changes_nothing_more(django_capture_on_commit_callbacks):
    course = CourseFactory(capacity=1)
    confirmed, w1, w2 = fill(course, 3)
    enrollment_cancel(enrollment=confirmed)
    emails_before = OutboundEmail.objects.count()
    cancelled_at = Enrollment.objects.get(pk=confirmed.pk).cancelled_at
    mail.outbox = []

    with django_capture_on_commit_callbacks(execute=True):
        again = enrollment_cancel(enrollment=confirmed)

    assert again.cancelled_at == cancelled_at
    assert statuses([confirmed, w1, w2]) == ["cancelled", "confirmed", "waitlisted"]
    assert OutboundEmail.objects.count() == emails_before
    assert mail.outbox == []


def test_cancelling_a_waitlisted_enrollment_promotes_nobody():
    course = CourseFactory(capacity=1)
    confirmed, w1, w2 = fill(course, 3)

    enrollment_cancel(enrollment=w1)

    assert statuses([confirmed, w1, w2]) == ["confirmed", "cancelled", "waitlisted"]
    assert not OutboundEmail.objects.filter(kind="courses.enrollment_promoted").exists()


def test_the_waitlist_is_promoted_in_order_of_arrival_one_seat_at_a_time():
    course = CourseFactory(capacity=2)
    a, b, w1, w2, w3 = fill(course, 5)

    enrollment_cancel(enrollment=b)
    enrollment_cancel(enrollment=a)

    assert statuses([w1, w2, w3]) == ["confirmed", "confirmed", "waitlisted"]


def test_a_larger_capacity_gives_the_new_seats_to_the_waitlist_at_once(counselor):
    course = CourseFactory(capacity=1, counselor=counselor)
    _confirmed, w1, w2, w3 = fill(course, 4)

    course_update(course=course, capacity=3)

    assert statuses([w1, w2, w3]) == ["confirmed", "confirmed", "waitlisted"]


def test_the_capacity_cannot_go_below_the_confirmed_seats():
    course = CourseFactory(capacity=3)
    fill(course, 3)

    with pytest.raises(ApplicationError, match="定員"):
        course_update(course=course, capacity=2)
    assert Course.objects.get(pk=course.pk).capacity == 3


def test_the_enrollee_cancels_through_the_api(client_user, client_api):
    course = CourseFactory(capacity=1)
    mine, _ = enrollment_create(course=course, user=client_user)
    (waiting,) = fill(course, 1)

    response = client_api.post(f"/api/v1/enrollments/{mine.pk}/cancel/")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert statuses([mine, waiting]) == ["cancelled", "confirmed"]


def test_the_courses_counselor_cancels_an_enrollment_and_another_counselor_gets_404(counselor):
    course = CourseFactory(counselor=counselor)
    (enrollment,) = fill(course, 1)

    other = authenticated_client(CounselorFactory()).post(f"/api/v1/enrollments/{enrollment.pk}/cancel/")
    own = authenticated_client(counselor).post(f"/api/v1/enrollments/{enrollment.pk}/cancel/")

    assert other.status_code == 404
    assert own.status_code == 200
    assert own.json()["status"] == "cancelled"


def test_another_client_or_an_anonymous_caller_cannot_cancel_someone_elses_enrollment(
    client_user, api_client
):
    course = CourseFactory()
    enrollment, _ = enrollment_create(course=course, user=client_user)
    url = f"/api/v1/enrollments/{enrollment.pk}/cancel/"

    response = authenticated_client(ClientFactory()).post(url)

    assert response.status_code == 404
    assert api_client.post(url).status_code == 404
    assert statuses([enrollment]) == ["confirmed"]


def test_an_enrollment_of_a_finished_course_cannot_be_cancelled(client_user):
    course = CourseFactory()
    enrollment, _ = enrollment_create(course=course, user=client_user)

    with time_machine.travel(timezone.now() + timedelta(days=30)), pytest.raises(ApplicationError):
        enrollment_cancel(enrollment=enrollment)
    assert statuses([enrollment]) == ["confirmed"]


def test_cancelling_a_course_cancels_every_enrollment_and_emails_everyone(
    counselor, django_capture_on_commit_callbacks
):
    course = CourseFactory(capacity=2, counselor=counselor)
    enrollments = fill(course, 4)
    mail.outbox = []

    with django_capture_on_commit_callbacks(execute=True):
        response = authenticated_client(counselor).post(f"/api/v1/courses/{course.pk}/cancel/")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert statuses(enrollments) == ["cancelled"] * 4
    assert sorted(message.to[0] for message in mail.outbox) == sorted(e.guest_email for e in enrollments)
    assert all("開催中止" in message.subject for message in mail.outbox)


def test_cancelling_a_course_twice_sends_nothing_more(counselor, django_capture_on_commit_callbacks):
    course = CourseFactory(counselor=counselor)
    fill(course, 2)
    course_cancel(course=course)
    count = OutboundEmail.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        course_cancel(course=course)

    assert OutboundEmail.objects.count() == count


def test_only_the_courses_own_counselor_can_cancel_it(counselor, client_api):
    course = CourseFactory()

    assert authenticated_client(counselor).post(f"/api/v1/courses/{course.pk}/cancel/").status_code == 404
    assert client_api.post(f"/api/v1/courses/{course.pk}/cancel/").status_code == 403
    assert Course.objects.get(pk=course.pk).status == Course.Status.PUBLISHED
