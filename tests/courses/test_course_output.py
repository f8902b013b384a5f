"""The course answers are built from rows, not by CourseOutputSerializer; they are byte for byte what the
serializer writes, for every kind of course, reader and time zone."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from courses import selectors
from courses.apis import CourseOutputSerializer
from courses.models import Course
from courses.services.enrollments import enrollment_create
from courses.services.scheduling import course_cancel
from tests.accounts.factories import ClientFactory, CounselorFactory
from tests.conftest import authenticated_client
from tests.courses.factories import CourseFactory, CourseSessionFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/courses/"
# Late evening in UTC, so that Tokyo reads the next day; seconds and microseconds too.
NOW = datetime(2026, 3, 1, 20, 30, 15, 123456, tzinfo=UTC)


def _every_kind_of_course(counselor) -> list[Course]:
    """Venue and online, paid with and without instructions and free, deadlines past, future and none,
    full with a waitlist, started, cancelled, a draft with no session, Japanese text, an empty description."""
    now = timezone.now()
    venue = CourseFactory(
        counselor=counselor,
        title="心理学講座「見返りを求めない人間関係」第1期",
        description="自分の価値を内側で認め、健全なギブアンドテイクを身につける全3回の講座です。\n改行も。",
        capacity=2,
        price_jpy=15000,
        payment_instructions="  受講料は初回の会場でお支払いください。  ",
        enrollment_deadline=now + timedelta(days=3, seconds=17, microseconds=250),
        sessions=3,
    )
    for number in range(4):  # two confirmed, two on the waitlist
        enrollment_create(course=venue, guest_name=f"受講者{number}", guest_email=f"g{number}@example.com")
    online = CourseFactory(
        counselor=counselor,
        format=Course.Format.ONLINE,
        location="https://meet.example.com/course-1",
        price_jpy=0,
        payment_instructions="無料なので表示されない",
        description="",
        sessions=0,
    )
    CourseSessionFactory(course=online, starts_at=now + timedelta(days=9, hours=3, seconds=5, microseconds=7))
    CourseSessionFactory(course=online, starts_at=now + timedelta(days=2, minutes=45))
    started = CourseFactory(counselor=counselor, sessions=0)  # enrollment closed at its first session
    CourseSessionFactory(course=started, starts_at=now - timedelta(days=1))
    CourseSessionFactory(course=started, starts_at=now + timedelta(days=6))
    closed = CourseFactory(
        counselor=counselor, payment_instructions="", enrollment_deadline=now - timedelta(hours=1)
    )
    cancelled = CourseFactory(counselor=counselor, sessions=2)
    course_cancel(course=cancelled)
    draft = CourseFactory(counselor=counselor, status=Course.Status.DRAFT, sessions=0, price_jpy=3000)
    others = CourseFactory(format=Course.Format.ONLINE, location="https://meet.example.com/other", sessions=1)
    return [venue, online, started, closed, cancelled, draft, others]


def serializer_page(user) -> bytes:
    """The list as the serializer wrote it, over model instances with their sessions prefetched."""
    courses = list(selectors.course_list(user=user))
    data = CourseOutputSerializer(courses, many=True, context={"user": user}).data
    return JSONRenderer().render({"count": len(courses), "next": None, "previous": None, "results": data})


def serializer_course(course_id: int, user) -> bytes:
    course = selectors.course_get(course_id=course_id, user=user)
    return JSONRenderer().render(CourseOutputSerializer(course, context={"user": user}).data)


@pytest.mark.parametrize("zone", ["Asia/Tokyo", "UTC", "America/New_York"])
@pytest.mark.parametrize("reader", ["anonymous", "owner", "another counselor", "client"])
def test_the_course_list_and_detail_answer_byte_for_byte_what_the_serializer_writes(settings, zone, reader):
    settings.TIME_ZONE = zone
    with time_machine.travel(NOW, tick=False):
        counselor = CounselorFactory()
        courses = _every_kind_of_course(counselor)
        user = {
            "anonymous": None,
            "owner": counselor,
            "another counselor": CounselorFactory(),
            "client": ClientFactory(),
        }[reader]
        api = authenticated_client(user) if user else APIClient()
        who = user or AnonymousUser()

        listed = api.get(LIST, {"page_size": 100})

        assert listed.status_code == 200
        assert listed.content == serializer_page(who)
        assert len(listed.json()["results"]) == (7 if reader == "owner" else 5)
        for course in courses:
            detail = api.get(f"{LIST}{course.pk}/")
            if detail.status_code == 404:  # a draft, or another's course the reader may not see
                continue
            assert detail.content == serializer_course(course.pk, who)


def test_the_course_answers_carry_exactly_the_fields_the_openapi_schema_documents(api_client, counselor):
    _every_kind_of_course(counselor)
    components = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    page = components["PaginatedCourseOutputList"]["properties"]

    listed = api_client.get(LIST).json()

    assert list(listed) == list(page)
    assert page["results"]["items"]["$ref"] == "#/components/schemas/CourseOutput"
    course_fields, session_fields = (
        list(components["CourseOutput"]["properties"]),
        list(components["SessionOutput"]["properties"]),
    )
    for answer in [*listed["results"], api_client.get(f"{LIST}{listed['results'][0]['id']}/").json()]:
        assert list(answer) == course_fields
        assert all(list(session) == session_fields for session in answer["sessions"])
