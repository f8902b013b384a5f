import pytest
from django.urls import reverse

from courses import services
from courses.demo import seed_courses
from courses.models import Course, Enrollment
from tests.courses.factories import CourseFactory

pytestmark = pytest.mark.django_db


def test_enrollments_join_the_personal_data_export(client_api, client_user):
    course = CourseFactory(title="講座A")
    services.enrollment_create(course=course, user=client_user)
    other = CourseFactory(title="講座B")
    services.enrollment_create(course=other, guest_name="私", guest_email=client_user.email.upper())
    services.enrollment_create(course=other, guest_name="他人", guest_email="someone@example.com")

    response = client_api.get("/api/v1/me/export/")

    assert response.status_code == 200
    section = response.json()["course_enrollments"]
    assert [(item["course"], item["enrolled_as"], item["status"]) for item in section] == [
        ("講座A", "client", "confirmed"),
        ("講座B", "guest", "confirmed"),
    ]
    assert len(section[0]["sessions"]) == 1


def test_the_demo_step_adds_an_online_course_with_two_sessions_and_a_tokyo_venue_course_once(counselor):
    lines: list[str] = []
    seed_courses({"counselor": counselor}, lines.append)
    seed_courses({"counselor": counselor}, lines.append)

    courses = Course.objects.order_by("format")
    assert [(c.format, c.status, c.sessions.count()) for c in courses] == [
        ("online", "published", 2),
        ("venue", "published", 1),
    ]
    assert "東京都" in courses.get(format="venue").location
    assert len(lines) == 4


def test_the_demo_step_is_registered_after_accounts():
    from core.demo import demo_steps

    assert seed_courses in demo_steps()


def test_the_admin_lists_courses_and_filters_enrollments(admin_client):
    course = CourseFactory()
    services.enrollment_create(course=course, guest_name="g", guest_email="g@example.com")

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
    first, _ = services.enrollment_create(course=course, guest_name="a", guest_email="a@example.com")
    waiting, _ = services.enrollment_create(course=course, guest_name="b", guest_email="b@example.com")

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
