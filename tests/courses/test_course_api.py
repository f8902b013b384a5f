from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses.models import Course, CourseSession
from courses.services.enrollments import enrollment_create
from courses.services.scheduling import course_cancel
from tests.accounts.factories import CounselorFactory
from tests.conftest import authenticated_client
from tests.courses.factories import CourseFactory, CourseSessionFactory, on_the_minute

pytestmark = pytest.mark.django_db

LIST = "/api/v1/courses/"


def detail(course) -> str:
    return f"/api/v1/courses/{course.pk}/"


def session(days: int, hours: int = 2) -> dict:
    starts_at = on_the_minute(days=days)
    return {"starts_at": starts_at.isoformat(), "ends_at": (starts_at + timedelta(hours=hours)).isoformat()}


def course_body(**overrides) -> dict:
    return {
        "title": "心理学講座「自分の価値を内側で認める」",
        "description": "全2回",
        "format": "venue",
        "location": "東京都千代田区丸の内1-1-1",
        "capacity": 12,
        "price_jpy": 8000,
        "status": "published",
        "sessions": [session(10), session(17)],
        **overrides,
    }


def test_anyone_lists_published_courses_with_sessions_and_seats_left(api_client):
    course = CourseFactory(capacity=3, sessions=2)
    enrollment_create(course=course, guest_name="a", guest_email="a@example.com")
    CourseFactory(status=Course.Status.DRAFT)
    past = CourseFactory(sessions=0)
    CourseSessionFactory(course=past, starts_at=on_the_minute(days=-3))

    response = api_client.get(LIST)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    (item,) = body["results"]
    assert item["id"] == course.pk
    assert (item["capacity"], item["seats_left"], item["waitlist_count"]) == (3, 2, 0)
    assert item["enrollment_open"] is True
    assert len(item["sessions"]) == 2
    assert set(item["sessions"][0]) == {"id", "starts_at", "ends_at"}
    assert item["sessions"][0]["starts_at"].endswith("+09:00")


def test_seats_left_never_goes_below_zero_and_counts_the_waitlist(api_client):
    course = CourseFactory(capacity=1)
    for n in range(3):
        enrollment_create(course=course, guest_name="a", guest_email=f"{n}@example.com")

    item = api_client.get(detail(course)).json()

    assert (item["seats_left"], item["waitlist_count"]) == (0, 2)


def test_a_draft_is_hidden_from_the_public_but_visible_to_its_counselor(api_client, counselor):
    draft = CourseFactory(status=Course.Status.DRAFT, counselor=counselor)

    assert api_client.get(detail(draft)).status_code == 404
    assert authenticated_client(CounselorFactory()).get(detail(draft)).status_code == 404
    own = authenticated_client(counselor)
    assert own.get(detail(draft)).status_code == 200
    assert [item["id"] for item in own.get(LIST).json()["results"]] == [draft.pk]


def test_a_cancelled_course_still_answers_its_old_link_with_its_status(api_client):
    course = CourseFactory()
    course_cancel(course=course)

    response = api_client.get(detail(course))

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["enrollment_open"]) == ("cancelled", False)
    assert api_client.get(LIST).json()["count"] == 0


def test_the_meeting_url_of_an_online_course_is_shown_only_to_its_counselor(api_client, counselor):
    course = CourseFactory(
        format=Course.Format.ONLINE, location="https://meet.example.jp/x", counselor=counselor
    )

    assert api_client.get(detail(course)).json()["location"] == ""
    assert (
        authenticated_client(counselor).get(detail(course)).json()["location"] == "https://meet.example.jp/x"
    )


def test_a_counselor_creates_a_course_with_nested_sessions(counselor_api, counselor):
    response = counselor_api.post(LIST, course_body(), format="json")

    assert response.status_code == 201
    body = response.json()
    course = Course.objects.get(pk=body["id"])
    assert course.counselor == counselor
    assert (body["status"], body["seats_left"], len(body["sessions"])) == ("published", 12, 2)
    assert course.sessions.count() == 2


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"sessions": []}, "sessions"),
        ({"capacity": 0}, "capacity"),
        ({"price_jpy": -1}, "price_jpy"),
        ({"format": "hybrid"}, "format"),
        ({"status": "cancelled"}, "status"),
        ({"format": "online", "location": "Zoomで"}, "location"),
        (
            {
                "sessions": [
                    {"starts_at": "2030-01-01T10:00:00+09:00", "ends_at": "2030-01-01T09:00:00+09:00"}
                ]
            },
            "sessions",
        ),
        (
            {
                "sessions": [
                    session(10, 3),
                    {**session(10), "starts_at": on_the_minute(days=10, hours=1).isoformat()},
                ]
            },
            "sessions",
        ),
        ({"title": ""}, "title"),
        ({"sessions": [{"starts_at": "tomorrow"}]}, "sessions"),
    ],
    ids=[
        "no-session",
        "no-seat",
        "negative-price",
        "bad-format",
        "cancel-by-create",
        "online-not-url",
        "ends-before-start",
        "overlapping",
        "no-title",
        "bad-date",
    ],
)
def test_a_bad_course_is_refused_with_400_and_nothing_is_written(counselor_api, overrides, field):
    response = counselor_api.post(LIST, course_body(**overrides), format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not Course.objects.exists()
    assert not CourseSession.objects.exists()


def test_clients_and_guests_cannot_create_courses(client_api, api_client):
    assert client_api.post(LIST, course_body(), format="json").status_code == 403
    assert api_client.post(LIST, course_body(), format="json").status_code in (401, 403)
    assert not Course.objects.exists()


def test_the_counselor_updates_a_course_keeping_named_sessions_and_replacing_the_rest(
    counselor_api, counselor
):
    course = CourseFactory(counselor=counselor, sessions=2)
    kept, dropped = course.sessions.order_by("starts_at")
    moved = session(30)

    response = counselor_api.patch(
        detail(course),
        {"title": "改題", "sessions": [{"id": kept.pk, **moved}, session(40)]},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "改題"
    assert body["sessions"][0]["id"] == kept.pk
    assert not CourseSession.objects.filter(pk=dropped.pk).exists()
    kept.refresh_from_db()
    assert kept.starts_at.isoformat() == moved["starts_at"]


def test_another_counselor_cannot_update_the_course(counselor_api):
    course = CourseFactory(title="元の題")

    response = counselor_api.patch(detail(course), {"title": "乗っ取り"}, format="json")

    assert response.status_code == 404
    assert Course.objects.get(pk=course.pk).title == "元の題"


def test_a_session_of_another_course_cannot_be_named_in_an_update(counselor_api, counselor):
    course = CourseFactory(counselor=counselor)
    foreign = CourseFactory().sessions.get()

    response = counselor_api.patch(
        detail(course), {"sessions": [{"id": foreign.pk, **session(9)}]}, format="json"
    )

    assert response.status_code == 400
    foreign_before = foreign.starts_at
    foreign.refresh_from_db()
    assert foreign.starts_at == foreign_before


def test_a_course_with_enrollments_cannot_go_back_to_draft(counselor_api, counselor):
    course = CourseFactory(counselor=counselor)
    enrollment_create(course=course, guest_name="a", guest_email="a@example.com")

    response = counselor_api.patch(detail(course), {"status": "draft"}, format="json")

    assert response.status_code == 400
    assert Course.objects.get(pk=course.pk).status == Course.Status.PUBLISHED


def _create_courses(count: int, counselor) -> None:
    for n in range(count):
        course = CourseFactory(counselor=counselor, capacity=2, sessions=2)
        for m in range(3):
            enrollment_create(course=course, guest_name="g", guest_email=f"{n}-{m}@example.com")


@pytest.mark.parametrize("who", ["anonymous", "counselor"])
def test_the_course_list_takes_the_same_number_of_queries_for_1_and_50_courses(api_client, counselor, who):
    client = authenticated_client(counselor) if who == "counselor" else api_client

    def queries_for_page() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(LIST, {"page_size": 100})
        assert response.status_code == 200
        return len(queries), response.json()["count"]

    _create_courses(1, counselor)
    one, listed_one = queries_for_page()
    _create_courses(49, counselor)
    fifty, listed_fifty = queries_for_page()

    assert (listed_one, listed_fifty) == (1, 50)
    assert one == fifty
    results = client.get(LIST, {"page_size": 100}).json()["results"]
    assert {(item["seats_left"], item["waitlist_count"], len(item["sessions"])) for item in results} == {
        (0, 1, 2)
    }
