"""Online bookings carry a room of their own from the counselor's template, or the fixed URL."""

import pytest

from core.exceptions import ApplicationError
from counseling.models import CounselorProfile
from counseling.services.availability import counselor_profile_update
from counseling.services.bookings import booking_create, booking_reschedule
from tests.accounts.factories import ClientFactory
from tests.counseling.conftest import MEETING_URL, WEDNESDAY, tokyo
from tests.counseling.factories import IntakeFactory

pytestmark = pytest.mark.django_db


def a_client():
    client = ClientFactory()
    IntakeFactory(client=client)
    return client


def test_each_online_booking_gets_its_own_unguessable_room_from_the_template(
    counselor, session_type, frozen_now
):
    counselor_profile_update(counselor=counselor, meeting_url_template="https://meet.jit.si/{room}")

    first, _ = booking_create(client=a_client(), session_type=session_type, start=tokyo(WEDNESDAY, 10))
    second, _ = booking_create(client=a_client(), session_type=session_type, start=tokyo(WEDNESDAY, 11))

    assert first.meeting_url.startswith("https://meet.jit.si/")
    assert second.meeting_url.startswith("https://meet.jit.si/")
    assert first.meeting_url != second.meeting_url
    assert len(first.meeting_url.rsplit("/", 1)[1]) >= 24


def test_a_rescheduled_booking_keeps_its_room(counselor, session_type, frozen_now):
    counselor_profile_update(counselor=counselor, meeting_url_template="https://meet.jit.si/{room}")
    client = a_client()
    booking, _ = booking_create(client=client, session_type=session_type, start=tokyo(WEDNESDAY, 10))
    room = booking.meeting_url

    moved = booking_reschedule(booking=booking, actor=client, start=tokyo(WEDNESDAY, 11))

    assert moved.meeting_url == room


def test_without_a_template_every_online_booking_carries_the_fixed_url(counselor, session_type, frozen_now):
    booking, _ = booking_create(client=a_client(), session_type=session_type, start=tokyo(WEDNESDAY, 10))

    assert booking.meeting_url == MEETING_URL


@pytest.mark.parametrize(
    "template",
    ["https://meet.jit.si/fixed", "https://meet.jit.si/{room}/{room}", "http://x/{room}", "{room}"],
)
def test_a_template_without_exactly_one_room_or_not_https_is_refused(counselor, template):
    with pytest.raises(ApplicationError) as refused:
        counselor_profile_update(counselor=counselor, meeting_url_template=template)

    assert "meeting_url_template" in refused.value.extra
    assert not CounselorProfile.objects.filter(counselor=counselor).exclude(meeting_url_template="").exists()


def test_the_api_sets_and_refuses_the_template(counselor_api):
    saved = counselor_api.patch(
        "/api/v1/counselor-profile/", {"meeting_url_template": "https://meet.jit.si/{room}"}, format="json"
    )
    bad = counselor_api.patch("/api/v1/counselor-profile/", {"meeting_url_template": "nope"}, format="json")

    assert saved.status_code == 200 and saved.json()["meeting_url_template"] == "https://meet.jit.si/{room}"
    assert bad.status_code == 400 and "meeting_url_template" in bad.json()


@pytest.mark.parametrize("template", ["https://meet.jit.si/fixed", "javascript:alert(1)//{room}"])
def test_the_admin_refuses_a_template_the_api_refuses(counselor_admin, counselor, template):
    response = counselor_admin.post(
        "/admin/counseling/counselorprofile/add/",
        {"counselor": counselor.pk, "meeting_url": "", "meeting_url_template": template},
    )

    assert response.status_code == 200 and "errornote" in response.content.decode()
    assert not CounselorProfile.objects.filter(counselor=counselor).exists()


def test_a_booking_whose_template_was_saved_without_a_room_is_still_rescheduled(
    counselor, session_type, frozen_now
):
    client = a_client()
    booking, _ = booking_create(client=client, session_type=session_type, start=tokyo(WEDNESDAY, 10))
    CounselorProfile.objects.filter(counselor=counselor).update(
        meeting_url_template="https://meet.jit.si/fixed"
    )

    moved = booking_reschedule(booking=booking, actor=client, start=tokyo(WEDNESDAY, 11))

    assert moved.start == tokyo(WEDNESDAY, 11)


def test_the_admin_reads_a_fixed_meeting_url_typed_without_a_scheme_as_https(counselor_admin, counselor):
    response = counselor_admin.post(
        "/admin/counseling/counselorprofile/add/",
        {"counselor": counselor.pk, "meeting_url": "meet.jit.si/kaunseringu", "meeting_url_template": ""},
    )

    assert response.status_code == 302
    assert CounselorProfile.objects.get(counselor=counselor).meeting_url == "https://meet.jit.si/kaunseringu"
