"""Who may open which page: anonymous visitors log in first, roles stay apart, others' objects are 404."""

import re

import pytest

from tests.accounts.factories import ClientFactory, CounselorFactory
from tests.counseling.factories import BookingFactory, IntakeFactory
from tests.courses.factories import CourseFactory

pytestmark = pytest.mark.django_db

CLIENT_PAGES = [
    "/portal/",
    "/portal/intake/",
    "/portal/book/",
    "/portal/bookings/",
    "/portal/courses/",
    "/portal/my-data/",
    "/portal/my-data/download/",
]
COUNSELOR_PAGES = ["/counselor/"]


@pytest.mark.parametrize("path", CLIENT_PAGES + COUNSELOR_PAGES)
def test_an_anonymous_visitor_is_sent_to_the_login_page_and_back(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"


@pytest.mark.parametrize("path", COUNSELOR_PAGES)
def test_a_client_finds_no_counselor_pages(client, path):
    client.force_login(ClientFactory())

    response = client.get(path)

    assert response.status_code == 404


@pytest.mark.parametrize("path", CLIENT_PAGES)
def test_a_counselor_gets_403_from_the_client_portal(client, path):
    client.force_login(CounselorFactory())

    assert client.get(path).status_code == 403


def test_the_counselor_intake_page_is_404_for_a_client_even_for_their_own_intake(client):
    intake = IntakeFactory()
    client.force_login(intake.client)

    assert client.get(f"/counselor/intakes/{intake.pk}/").status_code == 404


@pytest.mark.parametrize("suffix", ["", "cancel/", "reschedule/"])
def test_another_clients_booking_page_is_404(client, suffix):
    booking = BookingFactory()
    client.force_login(ClientFactory())

    assert client.get(f"/portal/bookings/{booking.pk}/{suffix}").status_code == 404


@pytest.mark.parametrize("suffix", ["cancel/", "reschedule/"])
def test_posting_to_another_clients_booking_is_404_and_changes_nothing(client, suffix):
    booking = BookingFactory()
    start = booking.start
    client.force_login(ClientFactory())

    response = client.post(f"/portal/bookings/{booking.pk}/{suffix}", {"start": start.isoformat()})

    assert response.status_code == 404
    booking.refresh_from_db()
    assert (booking.status, booking.start) == ("confirmed", start)


def test_a_missing_booking_and_another_clients_booking_look_the_same(client):
    booking = BookingFactory()
    client.force_login(ClientFactory())

    others = client.get(f"/portal/bookings/{booking.pk}/")
    missing = client.get(f"/portal/bookings/{booking.pk + 1000}/")

    assert others.status_code == missing.status_code == 404
    assert _main(others) == _main(missing)


def _main(response) -> str:
    # The header differs by the page's own address (the language switch returns there).
    return re.search(r"<main.*</main>", response.content.decode(), re.S).group(0)


def test_another_clients_course_enrollment_cannot_be_cancelled_from_the_portal(client):
    from courses.services.enrollments import enrollment_create

    owner = ClientFactory()
    enrollment, _ = enrollment_create(course=CourseFactory(), user=owner)
    client.force_login(ClientFactory())

    response = client.post(f"/portal/enrollments/{enrollment.pk}/cancel/")

    assert response.status_code == 404
    enrollment.refresh_from_db()
    assert enrollment.status == "confirmed"


def test_another_counselors_client_intake_is_404_once_taken_on(client):
    mine = CounselorFactory()
    intake = IntakeFactory(counselor=CounselorFactory(), status="accepted")
    client.force_login(mine)

    assert client.get(f"/counselor/intakes/{intake.pk}/").status_code == 404


# --- The counselor's client file and schedule pages ---------------------------------------------

CLIENT_FILE_PAGES = [
    "/counselor/clients/{client}/",
    "/counselor/clients/{client}/book/",
    "/counselor/clients/{client}/worksheets/new/",
]
SCHEDULE_PAGES = ["/counselor/clients/", "/counselor/schedule/"]
SCHEDULE_POSTS = [
    "/counselor/schedule/session-types/",
    "/counselor/schedule/session-types/{session_type}/",
    "/counselor/schedule/session-types/{session_type}/delete/",
    "/counselor/schedule/hours/",
    "/counselor/schedule/hours/{rule}/delete/",
    "/counselor/schedule/time-off/",
    "/counselor/schedule/time-off/{time_off}/delete/",
    "/counselor/schedule/meeting-link/",
    "/counselor/schedule/calendar-feed/",
]


@pytest.fixture
def world(db):
    from tests.counseling.factories import (
        AvailabilityRuleFactory,
        SessionTypeFactory,
        TimeOffFactory,
        client_of,
    )

    counselor = CounselorFactory()
    return {
        "counselor": counselor,
        "client": client_of(counselor).pk,
        "session_type": SessionTypeFactory(counselor=counselor).pk,
        "rule": AvailabilityRuleFactory(counselor=counselor).pk,
        "time_off": TimeOffFactory(counselor=counselor).pk,
    }


def _path(template: str, world: dict) -> str:
    return template.format(**world)


@pytest.mark.parametrize("template", CLIENT_FILE_PAGES + SCHEDULE_PAGES)
def test_anonymous_visitors_are_sent_to_log_in_from_the_counselors_new_pages(client, world, template):
    path = _path(template, world)

    response = client.get(path)

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("template", CLIENT_FILE_PAGES + SCHEDULE_PAGES + SCHEDULE_POSTS)
def test_a_client_gets_404_from_the_counselors_new_pages_even_about_themselves(client, world, template):
    from accounts.models import User

    client.force_login(User.objects.get(pk=world["client"]))
    path = _path(template, world)

    assert client.get(path).status_code in (404, 405)
    assert client.post(path).status_code == 404


@pytest.mark.parametrize("template", CLIENT_FILE_PAGES)
def test_another_counselors_client_file_pages_are_404_like_a_missing_client(client, world, template):
    client.force_login(CounselorFactory())

    theirs = client.get(_path(template, world))
    missing = client.get(_path(template, {**world, "client": world["client"] + 1000}))

    assert theirs.status_code == missing.status_code == 404
    assert client.post(_path(template, world)).status_code in (404, 405)  # the file itself takes no POST


@pytest.mark.parametrize("template", [path for path in SCHEDULE_POSTS if "{" in path])
def test_another_counselors_schedule_objects_are_404_and_stay(client, world, template):
    from counseling.models import AvailabilityRule, SessionType, TimeOff

    client.force_login(CounselorFactory())

    assert client.post(_path(template, world), {"name": "x"}).status_code == 404
    assert SessionType.objects.filter(pk=world["session_type"], counselor=world["counselor"]).exists()
    assert AvailabilityRule.objects.filter(pk=world["rule"]).exists()
    assert TimeOff.objects.filter(pk=world["time_off"]).exists()


def test_another_counselor_does_not_see_the_client_in_their_list(client, world):
    from accounts.models import User

    client.force_login(CounselorFactory())
    name = User.objects.get(pk=world["client"]).email

    assert name not in client.get("/counselor/clients/").content.decode()
