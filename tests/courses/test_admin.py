"""The courses admin: lists and filters, the cancel actions go through the services."""

import pytest
from django.urls import reverse

from courses.models import Course, Enrollment
from courses.services.enrollments import enrollment_create
from tests.courses.factories import CourseFactory

pytestmark = pytest.mark.django_db


def test_the_admin_lists_courses_and_filters_enrollments(admin_client):
    course = CourseFactory()
    enrollment_create(course=course, guest_name="g", guest_email="g@example.com")

    courses_page = admin_client.get(reverse("admin:courses_course_changelist"))
    course_page = admin_client.get(reverse("admin:courses_course_change", args=[course.pk]))
    enrollments = admin_client.get(
        reverse("admin:courses_enrollment_changelist"),
        {"status__exact": "confirmed", "course__id__exact": course.pk},
    )

    assert courses_page.status_code == course_page.status_code == enrollments.status_code == 200
    assert "講座の回" in course_page.content.decode()
    assert "g@example.com" in enrollments.content.decode()


def test_the_admin_cancel_action_promotes_the_waitlist(admin_client):
    course = CourseFactory(capacity=1)
    first, _ = enrollment_create(course=course, guest_name="a", guest_email="a@example.com")
    waiting, _ = enrollment_create(course=course, guest_name="b", guest_email="b@example.com")

    response = admin_client.post(
        reverse("admin:courses_enrollment_changelist"),
        {"action": "cancel_enrollments", "_selected_action": [first.pk]},
    )

    assert response.status_code == 302
    assert Enrollment.objects.get(pk=waiting.pk).status == Enrollment.Status.CONFIRMED


def test_the_admin_cannot_cancel_a_course_by_editing_its_status(admin_client):
    course = CourseFactory()
    session = course.sessions.get()
    data = {
        "counselor": course.counselor_id,
        "title": course.title,
        "description": course.description,
        "format": course.format,
        "location": course.location,
        "capacity": course.capacity,
        "price_jpy": course.price_jpy,
        "status": "cancelled",
        "enrollment_deadline_0": "",
        "enrollment_deadline_1": "",
        "sessions-TOTAL_FORMS": "1",
        "sessions-INITIAL_FORMS": "1",
        "sessions-0-id": session.pk,
        "sessions-0-course": course.pk,
        "sessions-0-starts_at_0": session.starts_at.strftime("%Y-%m-%d"),
        "sessions-0-starts_at_1": session.starts_at.strftime("%H:%M"),
        "sessions-0-ends_at_0": session.ends_at.strftime("%Y-%m-%d"),
        "sessions-0-ends_at_1": session.ends_at.strftime("%H:%M"),
    }

    response = admin_client.post(reverse("admin:courses_course_change", args=[course.pk]), data)

    assert response.status_code == 200  # the form again, with the error
    assert "中止は一覧" in response.content.decode()
    assert Course.objects.get(pk=course.pk).status == Course.Status.PUBLISHED
