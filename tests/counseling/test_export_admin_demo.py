import pytest
from django.core import mail

from accounts.services import counselor_group_ensure
from core.demo import demo_steps
from counseling.models import AvailabilityRule, Intake, SessionType
from counseling.selectors.availability import slot_list
from counseling.services.bookings import booking_create
from outbox.models import OutboundEmail
from tests.counseling.conftest import NOW, WEDNESDAY, tokyo
from tests.counseling.factories import BookingFactory, IntakeFactory

pytestmark = pytest.mark.django_db


def test_my_data_export_holds_my_intakes_and_bookings_without_the_counselors_suggestions(
    client_api, client_user, session_type
):
    IntakeFactory(client=client_user, scores={"reason.unheard": 5})
    BookingFactory(client=client_user, session_type=session_type, start=tokyo(WEDNESDAY, 10))
    IntakeFactory()  # someone else's

    body = client_api.get("/api/v1/me/export/").json()

    [intake] = body["counseling_intakes"]
    assert intake["self_check"]["reason.unheard"] == 5
    assert intake["consent_version"]
    assert "suggestions" not in intake and "step" not in str(intake)
    [booking] = body["counseling_bookings"]
    assert booking["start"] == "2025-06-04T01:00:00+00:00"
    assert booking["status"] == "confirmed"


@pytest.fixture
def counselor_admin(client, counselor):
    counselor.groups.add(counselor_group_ensure())
    client.force_login(counselor)
    return client


def test_the_counselor_admin_lists_session_types_hours_time_off_and_upcoming_bookings(
    counselor_admin, session_type, frozen_now
):
    BookingFactory(session_type=session_type, start=tokyo(WEDNESDAY, 10))

    for model in ("sessiontype", "availabilityrule", "timeoff", "counselorprofile", "pattern"):
        assert counselor_admin.get(f"/admin/counseling/{model}/").status_code == 200
    bookings = counselor_admin.get("/admin/counseling/booking/", {"when": "upcoming"})
    assert bookings.status_code == 200
    assert "2025年6月4日（水）" in bookings.content.decode()
    assert "10:00〜11:00" in bookings.content.decode()


def test_the_counselor_admin_shows_only_their_own_bookings(counselor_admin, session_type):
    BookingFactory(start=tokyo(WEDNESDAY, 15))  # another counselor's

    page = counselor_admin.get("/admin/counseling/booking/").content.decode()

    assert "15:00〜16:00" not in page


def test_the_intake_screen_shows_the_self_check_and_the_suggestions(counselor_admin):
    intake = IntakeFactory(scores={"reason.self_sacrifice": 5})

    listing = counselor_admin.get("/admin/counseling/intake/", {"status__exact": "submitted"})
    detail = counselor_admin.get(f"/admin/counseling/intake/{intake.pk}/change/")

    assert listing.status_code == 200
    assert "step.4" in listing.content.decode()
    page = detail.content.decode()
    assert detail.status_code == 200
    assert "「自分がしたいこと」を大切にする" in page
    assert "「自己犠牲」の代償を求めている" in page


def test_admin_actions_go_through_the_services(
    counselor_admin, counselor, django_capture_on_commit_callbacks
):
    intake = IntakeFactory()

    with django_capture_on_commit_callbacks(execute=True):
        counselor_admin.post(
            "/admin/counseling/intake/",
            {"action": "mark_accepted", "_selected_action": [intake.pk]},
        )

    intake.refresh_from_db()
    assert (intake.status, intake.counselor) == (Intake.Status.ACCEPTED, counselor)
    assert [message.to for message in mail.outbox] == [[intake.client.email]]


def test_the_demo_step_offers_free_slots_at_once_and_running_it_twice_changes_nothing(time_machine):
    time_machine.move_to(NOW, tick=False)
    shared: dict = {}
    for _ in range(2):
        for step in demo_steps():
            step(shared, lambda line: None)

    counselor, client = shared["counselor"], shared["client"]
    assert sorted(SessionType.objects.filter(counselor=counselor).values_list("format", flat=True)) == [
        "nagoya",
        "online",
        "tokyo",
    ]
    assert AvailabilityRule.objects.filter(counselor=counselor).count() == 7
    assert Intake.objects.filter(client=client).count() == 1
    for session_type in SessionType.objects.filter(counselor=counselor):
        assert slot_list(session_type=session_type, date_from=NOW.date(), date_to=NOW.date().replace(day=14))
    # The demo client may book straight away, and the demo wrote no mail.
    assert not OutboundEmail.objects.filter(kind__startswith="counseling.").exists()
    online = SessionType.objects.get(counselor=counselor, format="online")
    free = slot_list(session_type=online, date_from=WEDNESDAY, date_to=WEDNESDAY)
    booking, created = booking_create(client=client, session_type=online, start=free[0].start)
    assert created and booking.meeting_url


def test_the_admin_refuses_a_face_to_face_session_type_without_a_place(counselor_admin, counselor):
    response = counselor_admin.post(
        "/admin/counseling/sessiontype/add/",
        {
            "name": "対面",
            "format": "tokyo",
            "location": "",
            "duration_minutes": 60,
            "price_jpy": 10000,
            "buffer_minutes": 0,
            "active": "on",
        },
    )

    assert response.status_code == 200
    assert "対面のセッションには場所を入力してください。" in response.content.decode()
    assert not SessionType.objects.exists()

    counselor_admin.post(
        "/admin/counseling/sessiontype/add/",
        {
            "name": "対面",
            "format": "tokyo",
            "location": "東京",
            "duration_minutes": 60,
            "price_jpy": 10000,
            "buffer_minutes": 0,
            "active": "on",
        },
    )
    assert SessionType.objects.get().counselor == counselor
