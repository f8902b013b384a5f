"""The schedule page: session types, weekly hours, time off, the meeting link, and the slot preview."""

import pytest

from counseling.models import AvailabilityRule, Booking, CounselorProfile, SessionType, TimeOff
from tests.counseling.conftest import WEDNESDAY, tokyo
from tests.counseling.factories import AvailabilityRuleFactory, BookingFactory, SessionTypeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(client, counselor):
    client.force_login(counselor)
    return client


def test_the_counselor_adds_a_session_type_and_a_bad_one_changes_nothing(desk, counselor):
    good = desk.post(
        "/counselor/schedule/session-types/",
        {
            "type-name": "対面カウンセリング",
            "type-format": "tokyo",
            "type-location": "東京都渋谷区1-2-3",
            "type-duration_minutes": "60",
            "type-price_jpy": "12000",
            "type-buffer_minutes": "15",
            "type-active": "on",
        },
    )
    no_place = desk.post(
        "/counselor/schedule/session-types/",
        {
            "type-name": "場所なし",
            "type-format": "nagoya",
            "type-duration_minutes": "60",
            "type-price_jpy": "12000",
            "type-buffer_minutes": "0",
        },
    )

    assert good.status_code == 302
    assert SessionType.objects.get(counselor=counselor).buffer_minutes == 15
    assert (
        no_place.status_code == 400
        and "対面のセッションには場所を入力してください。" in no_place.content.decode()
    )
    assert SessionType.objects.filter(counselor=counselor).count() == 1


def test_the_counselor_deactivates_a_booked_type_and_it_is_never_deleted(desk, counselor):
    booked = SessionTypeFactory(counselor=counselor)
    BookingFactory(session_type=booked)
    unused = SessionTypeFactory(counselor=counselor)

    edit = desk.get(f"/counselor/schedule/session-types/{booked.pk}/").content.decode()
    desk.post(
        f"/counselor/schedule/session-types/{booked.pk}/",
        {
            "name": booked.name,
            "format": "online",
            "duration_minutes": "50",
            "price_jpy": "9000",
            "buffer_minutes": "10",
        },
    )
    refused = desk.post(f"/counselor/schedule/session-types/{booked.pk}/delete/")
    deleted = desk.post(f"/counselor/schedule/session-types/{unused.pk}/delete/")

    booked.refresh_from_db()
    assert "予約があるため削除できません" in edit
    assert (booked.active, booked.duration_minutes) == (False, 50)
    assert refused.status_code == 302 and SessionType.objects.filter(pk=booked.pk).exists()
    assert deleted.status_code == 302 and not SessionType.objects.filter(pk=unused.pk).exists()


def test_another_counselors_session_type_is_404(desk):
    other = SessionTypeFactory()

    assert desk.get(f"/counselor/schedule/session-types/{other.pk}/").status_code == 404
    assert desk.post(f"/counselor/schedule/session-types/{other.pk}/delete/").status_code == 404
    assert SessionType.objects.filter(pk=other.pk).exists()


def test_several_ranges_a_day_each_with_its_format(desk, counselor):
    for start, end, format in (("10:00", "12:00", "online"), ("14:00", "18:00", "tokyo")):
        desk.post(
            "/counselor/schedule/hours/",
            {"hours-weekday": "2", "hours-start_time": start, "hours-end_time": end, "hours-format": format},
        )
    backwards = desk.post(
        "/counselor/schedule/hours/",
        {
            "hours-weekday": "2",
            "hours-start_time": "15:00",
            "hours-end_time": "13:00",
            "hours-format": "online",
        },
    )

    body = desk.get("/counselor/schedule/").content.decode()
    wednesday = body.split("水曜日</dt>")[1].split("</dd>")[0]
    assert "10:00〜12:00 オンライン" in wednesday and "14:00〜18:00 東京（対面）" in wednesday
    assert backwards.status_code == 400
    assert AvailabilityRule.objects.filter(counselor=counselor).count() == 2


def test_deleting_hours_of_another_counselor_is_404(desk):
    rule = AvailabilityRuleFactory()

    assert desk.post(f"/counselor/schedule/hours/{rule.pk}/delete/").status_code == 404
    assert AvailabilityRule.objects.filter(pk=rule.pk).exists()


def test_time_off_lists_the_bookings_it_overlaps_and_leaves_them_booked(
    desk, counselor, session_type, frozen_now
):
    booking = BookingFactory(
        session_type=session_type, start=tokyo(WEDNESDAY, 10), client__display_name="重なる 花子"
    )

    response = desk.post(
        "/counselor/schedule/time-off/",
        {"off-start": "2025-06-04T09:00", "off-end": "2025-06-04T13:00", "off-note": "通院"},
        follow=True,
    )

    body = response.content.decode()
    assert TimeOff.objects.get(counselor=counselor).start == tokyo(WEDNESDAY, 9)
    assert "この休みの間に1件の予約があります" in body
    time_off = body.split('id="time-off"')[1].split('id="meeting-link"')[0]
    assert "重なる 花子" in time_off and "キャンセルされていません" in time_off
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_a_time_off_ending_before_it_starts_is_a_400(desk, counselor):
    response = desk.post(
        "/counselor/schedule/time-off/", {"off-start": "2025-06-04T13:00", "off-end": "2025-06-04T09:00"}
    )

    assert response.status_code == 400 and not TimeOff.objects.exists()


def test_the_meeting_link_setting_is_saved_and_a_bad_template_is_shown_beside_its_field(desk, counselor):
    desk.post(
        "/counselor/schedule/meeting-link/",
        {"meeting_url_template": "https://meet.jit.si/{room}", "meeting_url": ""},
    )
    bad = desk.post(
        "/counselor/schedule/meeting-link/",
        {"meeting_url_template": "https://meet.jit.si/", "meeting_url": ""},
    )

    assert (
        CounselorProfile.objects.get(counselor=counselor).meeting_url_template == "https://meet.jit.si/{room}"
    )
    assert bad.status_code == 400 and 'id="id_meeting_url_template_error"' in bad.content.decode()


def test_the_preview_shows_the_free_slots_as_a_client_sees_them(desk, counselor, session_type, frozen_now):
    BookingFactory(session_type=session_type, start=tokyo(WEDNESDAY, 11))

    def wednesday() -> str:
        preview = desk.get("/counselor/schedule/").content.decode().split('id="preview"')[1]
        return preview.split("6月4日（水）")[1].split("</div>")[0]

    before = wednesday()
    TimeOff.objects.create(counselor=counselor, start=tokyo(WEDNESDAY, 9), end=tokyo(WEDNESDAY, 10, 30))
    after = wednesday()

    assert "<li>10:00</li>" in before and "<li>10:30</li>" not in before and "<li>11:00</li>" not in before
    assert "<li>10:00</li>" not in after


def test_the_calendar_feed_address_is_made_and_remade_from_the_schedule_page(desk, counselor):
    before = desk.get("/counselor/schedule/").content.decode()
    desk.post("/counselor/schedule/calendar-feed/")
    first = CounselorProfile.objects.get(counselor=counselor).calendar_feed_token
    shown = desk.get("/counselor/schedule/").content.decode()
    desk.post("/counselor/schedule/calendar-feed/")
    second = CounselorProfile.objects.get(counselor=counselor).calendar_feed_token

    assert "配信のURLを作る" in before and "calendar.ics?token=" not in before
    assert f"calendar.ics?token={first}" in shown
    assert second != first
    assert desk.get(f"/counselor/calendar.ics?token={first}").status_code == 404
    assert desk.get(f"/counselor/calendar.ics?token={second}").status_code == 200


def test_a_time_off_that_ended_long_ago_is_saved_without_a_500(desk, counselor):
    response = desk.post(
        "/counselor/schedule/time-off/", {"off-start": "2025-03-03T09:00", "off-end": "2025-03-03T13:00"}
    )

    assert response.status_code == 302 and TimeOff.objects.filter(counselor=counselor).count() == 1
