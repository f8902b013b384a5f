"""The counselor's agenda, week calendar and booking page (Monday 2025-06-02 09:00 Tokyo is "now")."""

import re
from datetime import time, timedelta

import pytest
from django.core import mail
from icalendar import Calendar

from counseling.models import AccessRecord, Booking
from tests.counseling.calendars import assert_unambiguous_event
from tests.counseling.conftest import NOW, WEDNESDAY, tokyo
from tests.counseling.factories import (
    AvailabilityRuleFactory,
    BookingFactory,
    SessionNoteFactory,
    WorksheetFactory,
)

pytestmark = pytest.mark.django_db

MONDAY = NOW.date()


@pytest.fixture
def desk(client, counselor):
    client.force_login(counselor)
    return client


def page(response, status=200) -> str:
    assert response.status_code == status, response.content.decode()[:2000]
    return response.content.decode()


# --- Agenda --------------------------------------------------------------------------------------


def test_the_agenda_lists_held_sessions_whose_note_is_not_signed(desk, session_type, frozen_now):
    unsigned = BookingFactory(
        session_type=session_type,
        start=NOW - timedelta(days=2),
        status="completed",
        client__display_name="下書 一",
    )
    SessionNoteFactory(counselor=unsigned.counselor, client=unsigned.client, booking=unsigned)
    unmarked = BookingFactory(
        session_type=session_type, start=NOW - timedelta(days=1), client__display_name="未記録 二"
    )
    signed = BookingFactory(
        session_type=session_type,
        start=NOW - timedelta(days=3),
        status="completed",
        client__display_name="署名 三",
    )
    SessionNoteFactory(
        counselor=signed.counselor, client=signed.client, booking=signed, status="signed", signed_at=NOW
    )
    BookingFactory(
        session_type=session_type,
        start=NOW - timedelta(days=4),
        status="no_show",
        client__display_name="欠席 四",
    )

    body = page(desk.get("/counselor/"))

    section = body.split("署名済みのノートがないセッション")[1].split("</section>")[0]
    assert f"/counselor/bookings/{unsigned.pk}/note/" in section and "下書 一" in section
    assert f"/counselor/bookings/{unmarked.pk}/note/" in section and "実施の記録待ち" in section
    assert "署名 三" not in section and "欠席 四" not in section


def test_the_agenda_shows_the_review_queue_and_the_newsletters_next_slot(desk, counselor, frozen_now):
    worksheet = WorksheetFactory(counselor=counselor, status="submitted", submitted_at=NOW)

    body = page(desk.get("/counselor/"))

    assert f"/counselor/worksheets/{worksheet.pk}/" in body
    assert "次の配信：6月4日（水） 07:00" in body
    assert AccessRecord.objects.filter(
        object_type="worksheet", object_id=worksheet.pk, action="list"
    ).exists()


# --- Calendar ------------------------------------------------------------------------------------


def test_the_calendar_is_a_week_grid_of_the_hours_with_availability(
    desk, counselor, session_type, frozen_now
):
    AvailabilityRuleFactory(counselor=counselor, weekday=4, start_time=time(13), end_time=time(15, 30))
    booking = BookingFactory(
        session_type=session_type, start=tokyo(WEDNESDAY, 10), client__display_name="Hanako Yamada"
    )
    BookingFactory(session_type=session_type, start=tokyo(WEDNESDAY + timedelta(days=7), 10))

    body = page(desk.get("/counselor/calendar/"))

    grid = body.split('<table class="week-grid">')[1].split("</table>")[0]
    hours = [int(h) for h in re.findall(r'<th scope="row">(\d+)</th>', grid)]
    assert hours == list(range(10, 16))  # Wednesday 10–12 and Friday 13–15:30
    assert grid.count('<th scope="col">') == 8
    assert f'href="/counselor/bookings/{booking.pk}/"' in grid and "10:00 H.Y." in grid
    assert "?date=2025-05-26" in body and "?date=2025-06-09" in body


def test_jumping_to_a_date_shows_its_week(desk, session_type, frozen_now):
    later = BookingFactory(session_type=session_type, start=tokyo(WEDNESDAY + timedelta(days=21), 10))

    body = page(desk.get("/counselor/calendar/", {"date": "2025-06-27"}))

    assert f"/counselor/bookings/{later.pk}/" in body
    assert "2025年6月23日〜6月29日" in body


def test_a_bad_date_is_a_400_with_this_week(desk, session_type, frozen_now):
    body = page(desk.get("/counselor/calendar/", {"date": "2025-13-40"}), status=400)

    assert "2025年6月2日〜6月8日" in body


def test_a_week_without_hours_or_sessions_says_so(client, frozen_now):
    from tests.accounts.factories import CounselorFactory

    client.force_login(CounselorFactory())

    assert "受付時間もセッションもない週です。" in page(client.get("/counselor/calendar/"))


# --- Booking page --------------------------------------------------------------------------------


def test_the_booking_page_shows_client_type_time_status_link_and_the_window(desk, session_type, frozen_now):
    outside = BookingFactory(
        session_type=session_type, start=tokyo(WEDNESDAY, 10), meeting_url="https://meet.example.com/r"
    )
    inside = BookingFactory(session_type=session_type, start=NOW + timedelta(hours=30))

    body = page(desk.get(f"/counselor/bookings/{outside.pk}/"))
    assert outside.client.email in body and session_type.name in body
    assert "2025年6月4日（水） 10:00〜11:00" in body and "予約確定" in body
    assert 'href="https://meet.example.com/r"' in body
    assert "開始48時間前（6月2日（月） 10:00）まで" in body
    assert "実施済みにする" not in body  # not started yet

    body = page(desk.get(f"/counselor/bookings/{inside.pk}/"))
    assert "開始48時間前を過ぎています" in body


def test_marking_a_held_session_and_a_no_show(desk, session_type, frozen_now):
    booking = BookingFactory(session_type=session_type, start=NOW - timedelta(hours=2))

    assert "実施済みにする" in page(desk.get(f"/counselor/bookings/{booking.pk}/"))
    response = desk.post(f"/counselor/bookings/{booking.pk}/mark/", {"status": "completed"})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == "completed"

    desk.post(f"/counselor/bookings/{booking.pk}/mark/", {"status": "no_show"})
    booking.refresh_from_db()
    assert booking.status == "no_show"


def test_marking_before_the_start_is_a_409_and_a_bad_status_a_400(desk, session_type, frozen_now):
    booking = BookingFactory(session_type=session_type, start=NOW + timedelta(hours=2))

    assert "開始前のセッションは記録できません" in page(
        desk.post(f"/counselor/bookings/{booking.pk}/mark/", {"status": "completed"}), status=409
    )
    page(desk.post(f"/counselor/bookings/{booking.pk}/mark/", {"status": "cancelled"}), status=400)
    booking.refresh_from_db()
    assert booking.status == "confirmed"


def test_the_counselor_cancels_inside_the_window_with_a_reason_and_the_client_gets_a_cancel_ics(
    desk, session_type, frozen_now, django_capture_on_commit_callbacks
):
    booking = BookingFactory(session_type=session_type, start=NOW + timedelta(hours=20))

    with django_capture_on_commit_callbacks(execute=True):
        response = desk.post(f"/counselor/bookings/{booking.pk}/cancel/", {"reason": "体調不良のため"})

    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == "cancelled"  # never the client's late cancellation
    assert booking.cancellation_reason == "体調不良のため"
    [notice] = [message for message in mail.outbox if message.to == [booking.client.email]]
    assert "こちらの都合により" in notice.body and "体調不良のため" in notice.body
    [(_name, content, _type)] = notice.attachments
    assert str(Calendar.from_ical(content)["METHOD"]) == "CANCEL"
    assert_unambiguous_event(content, start=booking.start)


def test_a_cancel_without_a_reason_is_a_400_and_changes_nothing(desk, session_type, frozen_now):
    booking = BookingFactory(session_type=session_type)

    assert "理由を入力してください" in page(
        desk.post(f"/counselor/bookings/{booking.pk}/cancel/", {"reason": " "}), 400
    )
    booking.refresh_from_db()
    assert booking.status == "confirmed"


def test_cancelling_twice_is_a_409(desk, session_type, frozen_now):
    booking = BookingFactory(session_type=session_type, status="cancelled")

    page(desk.post(f"/counselor/bookings/{booking.pk}/cancel/", {"reason": "重複"}), status=409)


def test_the_counselor_reschedules_for_the_client_inside_the_window(
    desk, session_type, frozen_now, django_capture_on_commit_callbacks
):
    # Inside the client's window, where the client could not move it themselves.
    booking = BookingFactory(session_type=session_type, start=tokyo(WEDNESDAY, 10))
    frozen_now.move_to(tokyo(MONDAY + timedelta(days=1), 9))
    next_week = tokyo(WEDNESDAY + timedelta(days=7), 11)

    body = page(desk.get(f"/counselor/bookings/{booking.pk}/reschedule/", {"from": "2025-06-10"}))
    assert f'value="{next_week.isoformat()}"' in body

    with django_capture_on_commit_callbacks(execute=True):
        response = desk.post(
            f"/counselor/bookings/{booking.pk}/reschedule/?from=2025-06-10", {"start": next_week.isoformat()}
        )

    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.start == next_week and booking.status == "confirmed"
    assert any("日時を次のとおり変更しました" in message.body for message in mail.outbox)


def test_rescheduling_onto_a_time_that_is_no_slot_is_refused(desk, session_type, frozen_now):
    booking = BookingFactory(session_type=session_type, start=tokyo(WEDNESDAY, 10))

    page(
        desk.post(
            f"/counselor/bookings/{booking.pk}/reschedule/", {"start": tokyo(WEDNESDAY, 15).isoformat()}
        ),
        400,
    )
    page(desk.post(f"/counselor/bookings/{booking.pk}/reschedule/", {"start": "not a time"}), 400)
    booking.refresh_from_db()
    assert booking.start == tokyo(WEDNESDAY, 10)


def test_a_cancelled_booking_offers_no_reschedule(desk, session_type, frozen_now):
    booking = BookingFactory(session_type=session_type, status="cancelled")

    assert "この予約は日時を変更できません" in page(
        desk.get(f"/counselor/bookings/{booking.pk}/reschedule/"), 409
    )


def test_the_booking_page_shows_the_previous_note_and_its_homework_and_logs_the_read(
    desk, counselor, session_type, frozen_now
):
    booking = BookingFactory(session_type=session_type, start=tokyo(WEDNESDAY, 10))
    previous = SessionNoteFactory(
        counselor=counselor, client=booking.client, date=MONDAY - timedelta(days=7), homework="断る練習を1回"
    )
    SessionNoteFactory(counselor=counselor, client=booking.client, date=MONDAY - timedelta(days=14))

    body = page(desk.get(f"/counselor/bookings/{booking.pk}/"))

    assert "前回のホームワーク" in body and "断る練習を1回" in body
    assert f"/counselor/notes/{previous.pk}/" in body
    assert "ノートを書く" in body and f"/counselor/bookings/{booking.pk}/note/" in body
    rows = AccessRecord.objects.filter(actor=counselor, object_type="session_note")
    assert list(rows.values_list("object_id", "action")) == [(previous.pk, "read")]


def test_the_booking_page_offers_to_open_an_existing_note(desk, counselor, session_type, frozen_now):
    booking = BookingFactory(
        session_type=session_type, start=NOW - timedelta(days=1), status=Booking.Status.COMPLETED
    )
    SessionNoteFactory(
        counselor=counselor, client=booking.client, booking=booking, date=MONDAY - timedelta(days=1)
    )

    body = page(desk.get(f"/counselor/bookings/{booking.pk}/"))

    assert "ノートの下書きを開く" in body and "ノートを書く" not in body


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "99999-01-01"])
def test_a_date_out_of_the_practices_years_is_a_400_not_an_error(desk, frozen_now, day):
    page(desk.get("/counselor/calendar/", {"date": day}), status=400)
