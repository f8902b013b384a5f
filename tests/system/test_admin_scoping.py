"""The admin is scoped like the API: the attacks that once went through, performed again."""

import pytest
from django.utils import timezone

from accounts.services import counselor_create
from counseling.models import AccessRecord
from counseling.services.access import access_record
from courses.models import Course, Enrollment
from courses.services.enrollments import enrollment_create
from tests.accounts.factories import PASSWORD, ClientFactory
from tests.counseling.factories import BookingFactory, SessionNoteFactory, SessionTypeFactory
from tests.courses.factories import CourseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def counselors():
    return (
        counselor_create(email="a@example.com", password=PASSWORD, display_name="A"),
        counselor_create(email="b@example.com", password=PASSWORD, display_name="B"),
    )


def test_a_counselor_neither_sees_nor_cancels_another_counselors_enrollments(client, counselors):
    counselor_a, counselor_b = counselors
    course_b = CourseFactory(counselor=counselor_b, title="Bの講座")
    enrollment, _created = enrollment_create(
        course=course_b, guest_name="山田 花子", guest_email="hanako@example.com"
    )
    client.force_login(counselor_a)

    listing = client.get("/admin/courses/enrollment/?q=hanako")
    cancel = client.post(
        "/admin/courses/enrollment/",
        {"action": "cancel_enrollments", "_selected_action": [enrollment.pk], "index": 0},
    )

    assert listing.status_code == 200
    assert "hanako@example.com" not in listing.content.decode()
    assert "Bの講座" not in listing.content.decode()  # not even in the course filter
    assert cancel.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.CONFIRMED
    assert client.get(f"/admin/courses/enrollment/{enrollment.pk}/change/").status_code == 302


def test_a_counselor_cannot_put_a_course_in_another_counselors_name(client, counselors):
    counselor_a, counselor_b = counselors
    client.force_login(counselor_a)
    starts = timezone.localtime() + timezone.timedelta(days=10)
    response = client.post(
        "/admin/courses/course/add/",
        {
            "counselor": counselor_b.pk,
            "title": "新しい講座",
            "description": "説明",
            "format": "venue",
            "location": "東京",
            "capacity": 10,
            "price_jpy": 3000,
            "payment_method": "arranged",
            "status": "draft",
            "sessions-TOTAL_FORMS": 1,
            "sessions-INITIAL_FORMS": 0,
            "sessions-0-starts_at_0": starts.strftime("%Y-%m-%d"),
            "sessions-0-starts_at_1": "10:00:00",
            "sessions-0-ends_at_0": starts.strftime("%Y-%m-%d"),
            "sessions-0-ends_at_1": "12:00:00",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert Course.objects.get(title="新しい講座").counselor == counselor_a


def test_the_access_log_does_not_show_another_counselors_reads_of_a_shared_client(client, counselors):
    counselor_a, counselor_b = counselors
    shared = ClientFactory(email="shared@example.com")
    BookingFactory(session_type=SessionTypeFactory(counselor=counselor_a), client=shared)
    BookingFactory(session_type=SessionTypeFactory(counselor=counselor_b), client=shared)
    note_b = SessionNoteFactory(counselor=counselor_b, client=shared)
    note_a = SessionNoteFactory(counselor=counselor_a, client=shared)
    read_b = access_record(user=counselor_b, obj_or_objs=note_b, action=AccessRecord.Action.READ, ip=None)[0]
    read_a = access_record(user=counselor_a, obj_or_objs=note_a, action=AccessRecord.Action.READ, ip=None)[0]
    client.force_login(counselor_a)

    listing = client.get("/admin/counseling/accessrecord/?q=shared%40example.com").content.decode()

    assert f"/admin/counseling/accessrecord/{read_a.pk}/change/" in listing
    assert f"/admin/counseling/accessrecord/{read_b.pk}/change/" not in listing
    assert client.get(f"/admin/counseling/accessrecord/{read_b.pk}/change/").status_code == 302
