import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from courses.services.enrollments import enrollment_cancel, enrollment_create
from tests.accounts.factories import CounselorFactory
from tests.conftest import authenticated_client
from tests.courses.factories import CourseFactory

pytestmark = pytest.mark.django_db


def roster(course) -> str:
    return f"/api/v1/courses/{course.pk}/roster/"


@pytest.fixture
def course_with_people(counselor, client_user):
    course = CourseFactory(counselor=counselor, capacity=2)
    enrollment_create(course=course, user=client_user)
    enrollment_create(course=course, guest_name="山田 花子", guest_email="hanako@example.com")
    enrollment_create(course=course, guest_name='=HYPERLINK("x")', guest_email="evil@example.com")
    gone, _ = enrollment_create(course=course, guest_name="取消", guest_email="gone@example.com")
    enrollment_cancel(enrollment=gone)
    return course


def test_the_roster_lists_who_comes_confirmed_first_then_the_waitlist(
    counselor_api, course_with_people, client_user
):
    response = counselor_api.get(roster(course_with_people))

    assert response.status_code == 200
    body = response.json()
    assert body["course"]["id"] == course_with_people.pk
    rows = [(e["name"], e["email"], e["status"], e["waitlist_position"]) for e in body["enrollments"]]
    assert rows == [
        (client_user.display_name, client_user.email, "confirmed", None),
        ("山田 花子", "hanako@example.com", "confirmed", None),
        ('=HYPERLINK("x")', "evil@example.com", "waitlisted", 1),
    ]
    assert all(e["enrolled_at"].endswith("+09:00") for e in body["enrollments"])


def test_the_csv_roster_opens_in_excel_in_japan(counselor_api, course_with_people):
    response = counselor_api.get(roster(course_with_people), {"format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response["Content-Disposition"] == f'attachment; filename="course-{course_with_people.pk}-roster.csv"'
    )
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM that makes Excel read UTF-8
    text = raw.decode("utf-8-sig")
    assert "\r\n" in text
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["氏名", "メールアドレス", "状態", "キャンセル待ち順", "申込日時"]
    assert rows[2][:4] == ["山田 花子", "hanako@example.com", "確定", ""]
    # A name that looks like a formula stays text in the spreadsheet.
    assert rows[3][:4] == ['\'=HYPERLINK("x")', "evil@example.com", "キャンセル待ち", "1"]
    enrolled = course_with_people.enrollments.order_by("id").first().created_at
    assert rows[1][4] == timezone.localtime(enrolled).strftime("%Y-%m-%d %H:%M")
    assert len(rows) == 4


def test_only_the_courses_counselor_sees_its_roster(course_with_people, client_api, api_client):
    other = authenticated_client(CounselorFactory())

    assert other.get(roster(course_with_people)).status_code == 404
    assert other.get(roster(course_with_people), {"format": "csv"}).status_code == 404
    assert client_api.get(roster(course_with_people)).status_code == 403
    assert api_client.get(roster(course_with_people)).status_code in (401, 403)


def test_the_roster_takes_the_same_number_of_queries_for_1_and_50_enrollees(counselor, counselor_api):
    course = CourseFactory(counselor=counselor, capacity=25)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert counselor_api.get(roster(course), {"format": "csv"}).status_code == 200
        return len(queries)

    enrollment_create(course=course, guest_name="g", guest_email="g0@example.com")
    one = count()
    for n in range(1, 50):
        enrollment_create(course=course, guest_name="g", guest_email=f"g{n}@example.com")
    assert count() == one
