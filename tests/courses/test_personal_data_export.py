"""Course enrollments in `me/export`."""

import pytest

from courses.services.enrollments import enrollment_create
from tests.courses.factories import CourseFactory

pytestmark = pytest.mark.django_db


def test_enrollments_join_the_personal_data_export(client_api, client_user):
    course = CourseFactory(title="講座A")
    enrollment_create(course=course, user=client_user)
    other = CourseFactory(title="講座B")
    enrollment_create(course=other, guest_name="私", guest_email=client_user.email.upper())
    enrollment_create(course=other, guest_name="他人", guest_email="someone@example.com")

    response = client_api.get("/api/v1/me/export/")

    assert response.status_code == 200
    section = response.json()["course_enrollments"]
    assert [(item["course"], item["enrolled_as"], item["status"]) for item in section] == [
        ("講座A", "client", "confirmed"),
        ("講座B", "guest", "confirmed"),
    ]
    assert len(section[0]["sessions"]) == 1
