"""The course list's page is one SQL statement (courses.selectors.course_list_page): the same courses,
order, seat counts and sessions as the ORM's course_list, and the same pages, links and errors as
DRF's paginator over it, in one query a page."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory

from core.pagination import PageNumberPagination
from courses import selectors
from courses.apis import course_output_rows
from courses.models import Course
from courses.services.enrollments import enrollment_create
from tests.accounts.factories import ClientFactory, CounselorFactory
from tests.conftest import authenticated_client
from tests.courses.factories import CourseFactory, CourseSessionFactory
from tests.courses.test_course_output import NOW, _every_kind_of_course

pytestmark = pytest.mark.django_db

LIST = "/api/v1/courses/"


def orm_rows(user) -> list[dict]:
    """What course_list answers, as the page's rows are shaped."""
    return [
        {
            **{field: getattr(course, field) for field in selectors.COURSE_ROW_FIELDS},
            "sessions": [
                {"id": session.pk, "starts_at": session.starts_at, "ends_at": session.ends_at}
                for session in course.sessions.all()
            ],
        }
        for course in selectors.course_list(user=user)
    ]


@pytest.fixture(params=["postgresql", "another database"])
def database(request, monkeypatch):
    """The one statement on PostgreSQL, and the ORM's queries the embedded SQLite runs instead."""
    if request.param != "postgresql":
        monkeypatch.setattr(connection, "vendor", "sqlite")
    return request.param


@pytest.mark.parametrize("reader", ["anonymous", "owner", "another counselor", "client"])
def test_every_window_of_the_page_query_is_that_window_of_course_list(reader, database):
    with time_machine.travel(NOW, tick=False):
        counselor = CounselorFactory()
        _every_kind_of_course(counselor)
        # Two courses starting at the same moment: the id breaks the tie, as in course_list.
        same_start = timezone.now() + timedelta(days=4)
        for _ in range(2):
            CourseSessionFactory(course=CourseFactory(counselor=counselor, sessions=0), starts_at=same_start)
        user = {
            "anonymous": AnonymousUser(),
            "owner": counselor,
            "another counselor": CounselorFactory(),
            "client": ClientFactory(),
        }[reader]
        expected = orm_rows(user)
        assert len(expected) == (9 if reader == "owner" else 7)

        for offset, limit in [(0, 100), (0, 3), (3, 3), (6, 3), (2, 1)]:
            count, rows = selectors.course_list_page(user=user, offset=offset, limit=limit)
            assert (count, rows) == (len(expected), expected[offset : offset + limit])
        assert selectors.course_list_page(user=user, offset=len(expected), limit=3) == (0, [])


def test_a_course_whose_last_session_has_ended_leaves_the_page_as_it_leaves_course_list():
    ended = CourseFactory(sessions=0)
    session = CourseSessionFactory(course=ended, starts_at=timezone.now() + timedelta(days=1))
    with time_machine.travel(session.ends_at - timedelta(seconds=1), tick=False):
        assert selectors.course_list_page(user=None, offset=0, limit=20)[0] == 1
    with time_machine.travel(session.ends_at, tick=False):
        assert selectors.course_list_page(user=None, offset=0, limit=20) == (0, [])
        assert not selectors.course_list(user=None).exists()


def test_held_and_confirmed_seats_and_the_waitlist_are_counted_apart(database):
    course = CourseFactory(capacity=2)
    for number in range(5):
        enrollment_create(course=course, guest_name="受講者", guest_email=f"g{number}@example.com")
    course.enrollments.filter(status="confirmed").order_by("id").first().delete()

    (row,) = selectors.course_list_page(user=None, offset=0, limit=20)[1]

    assert (row["confirmed_count"], row["waitlist_count"]) == (1, 3)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"page": 2},
        {"page": 3},
        {"page": "last"},
        {"page_size": 7, "page": "last"},
        {"page_size": 7, "page": 2, "other": "x"},
        {"page_size": 25, "page": 2},
        {"page_size": 24, "page": 2},
        {"page_size": 1000},
        {"page_size": 0, "page": 2},
        {"page": 0},
        {"page": -1},
        {"page": "2.0"},
        {"page": "abc"},
        {"page": 10**30},
    ],
)
def test_pages_links_and_errors_are_what_drf_writes_over_the_course_list(params):
    for _ in range(25):
        CourseFactory(sessions=2)

    response = APIClient().get(LIST, params)

    # The reference: DRF's own paginator over the ORM's list, the same rows written the same way.
    request = Request(APIRequestFactory().get(LIST, params))
    paginator = PageNumberPagination()
    try:
        page = paginator.paginate_queryset(orm_rows(AnonymousUser()), request)
    except NotFound:
        assert (response.status_code, response.json()) == (404, {"detail": "不正なページです。"})
        return
    assert response.status_code == 200
    assert response.json() == paginator.get_paginated_response(course_output_rows(page, user=None)).data


def test_a_page_of_the_course_list_is_one_query_for_anyone_not_signed_in():
    for _ in range(25):
        CourseFactory(sessions=3)

    for params in [{}, {"page": 2}, {"page_size": 100}]:
        with CaptureQueriesContext(connection) as queries:
            response = APIClient().get(LIST, params)
        assert response.status_code == 200
        assert len(queries) == 1


def test_the_last_page_asked_for_by_name_takes_a_second_query_only_past_the_first_page():
    for _ in range(3):
        CourseFactory()

    def queries_for(params) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert APIClient().get(LIST, params).status_code == 200
        return len(queries)

    assert queries_for({"page": "last"}) == 1
    assert queries_for({"page": "last", "page_size": 2}) == 2


def test_a_counselor_pages_through_their_drafts_as_well():
    counselor = CounselorFactory()
    for _ in range(3):
        CourseFactory(counselor=counselor, status=Course.Status.DRAFT, sessions=0)
    CourseFactory()

    first = authenticated_client(counselor).get(LIST, {"page_size": 2}).json()
    second = authenticated_client(counselor).get(LIST, {"page_size": 2, "page": 2}).json()

    assert first["count"] == second["count"] == 4
    # Drafts have no session: they come after every course that has one, by id.
    listed = first["results"] + second["results"]
    assert [item["status"] for item in listed] == ["published", "draft", "draft", "draft"]
    assert [item["id"] for item in listed[1:]] == sorted(item["id"] for item in listed[1:])
