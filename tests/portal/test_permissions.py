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
def test_a_client_cannot_open_the_counselors_pages(client, path):
    client.force_login(ClientFactory())

    response = client.get(path)

    assert response.status_code == 403
    assert "権限がありません" in response.content.decode()


@pytest.mark.parametrize("path", CLIENT_PAGES)
def test_a_counselor_gets_403_from_the_client_portal(client, path):
    client.force_login(CounselorFactory())

    assert client.get(path).status_code == 403


def test_the_counselor_intake_page_is_403_for_a_client_even_for_their_own_intake(client):
    intake = IntakeFactory()
    client.force_login(intake.client)

    assert client.get(f"/counselor/intakes/{intake.pk}/").status_code == 403


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
