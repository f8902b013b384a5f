import re
from datetime import timedelta

import pytest
from django.core import mail

from counseling.models import Booking, Intake
from tests.accounts.factories import ClientFactory
from tests.counseling.conftest import NOW, WEDNESDAY, tokyo
from tests.counseling.factories import BookingFactory, IntakeFactory

pytestmark = pytest.mark.django_db

TEN = tokyo(WEDNESDAY, 10)


def slots_url(session_type) -> str:
    return f"/portal/book/{session_type.pk}/"


def confirm(portal, session_type, start=TEN):
    return portal.get(slots_url(session_type), {"start": start.isoformat()})


def book(portal, session_type, start=TEN, key="key-1"):
    return portal.post(slots_url(session_type), {"start": start.isoformat(), "idempotency_key": key})


def test_the_slot_page_lists_the_free_times_by_day(portal, session_type, frozen_now):
    BookingFactory(session_type=session_type, start=tokyo(WEDNESDAY, 11))

    body = portal.get(slots_url(session_type)).content.decode()

    wednesday = body[body.index("6月4日（水）") :]
    times = re.findall(r">(\d\d:\d\d)</a>", wednesday.split("</section>")[0])
    assert times == ["10:00"]  # 10:30 and 11:00 overlap the 11:00 booking
    assert "6月3日（火）" in body and "空きはありません" in body


def test_the_confirmation_step_shows_the_slot_and_the_cancellation_policy(portal, session_type, frozen_now):
    response = confirm(portal, session_type)

    body = response.content.decode()
    assert response.status_code == 200
    assert "2025年6月4日（水） 10:00〜11:00" in body
    assert "開始48時間前まで" in body
    assert "直前キャンセル" in body
    assert 'name="idempotency_key"' in body


def test_booking_from_the_confirmation_step_books_the_slot_and_mails_the_client(
    portal, client_user, session_type, frozen_now, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = book(portal, session_type)

    booking = Booking.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/portal/bookings/{booking.pk}/"
    assert (booking.client, booking.start, booking.status) == (client_user, TEN, "confirmed")
    assert client_user.email in [message.to[0] for message in mail.outbox]
    detail = portal.get(response["Location"]).content.decode()
    assert "ご予約が確定しました" in detail


def test_sending_the_confirmation_twice_books_once(portal, session_type, frozen_now):
    first = book(portal, session_type, key="same-key")
    second = book(portal, session_type, key="same-key")

    assert first["Location"] == second["Location"]
    assert Booking.objects.count() == 1


def test_a_slot_taken_meanwhile_gives_409_with_the_slots_again_and_books_nothing(
    portal, session_type, frozen_now
):
    BookingFactory(session_type=session_type, start=TEN)

    response = book(portal, session_type)

    assert response.status_code == 409
    assert "別の時間をお選びください" in response.content.decode()
    assert Booking.objects.count() == 1


@pytest.mark.parametrize(
    "query", [{"from": "2025-13-40"}, {"start": "yesterday"}, {"start": "2025-06-04T10:00:00+99:00"}]
)
def test_odd_dates_and_times_are_a_400_not_an_error_page(portal, session_type, frozen_now, query):
    response = portal.get(slots_url(session_type), query)

    assert response.status_code == 400
    assert "正しくありません" in response.content.decode()


def test_a_time_that_is_not_a_slot_cannot_be_confirmed(portal, session_type, frozen_now):
    response = confirm(portal, session_type, start=tokyo(WEDNESDAY, 10, 15))

    assert response.status_code == 409
    assert "この時間は予約できません" in response.content.decode()


def test_a_client_without_an_intake_is_told_to_hand_one_in(client, session_type, frozen_now):
    client.force_login(ClientFactory())

    response = client.post(slots_url(session_type), {"start": TEN.isoformat(), "idempotency_key": "k"})

    assert response.status_code == 403
    assert "インテーク（事前のご相談票）をご提出ください" in response.content.decode()
    assert not Booking.objects.exists()


def test_a_client_without_an_intake_is_told_before_any_slot_is_shown(client, session_type, frozen_now):
    client.force_login(ClientFactory())

    book_page = client.get("/portal/book/").content.decode()
    slots = client.get(slots_url(session_type))

    assert "インテーク（事前のご相談票）をご提出ください" in book_page
    assert f'href="{slots_url(session_type)}"' not in book_page
    assert 'href="/portal/intake/"' in book_page
    assert slots.status_code == 403
    assert "インテーク（事前のご相談票）をご提出ください" in slots.content.decode()
    assert "10:00" not in slots.content.decode()


def test_a_client_whose_intake_was_declined_is_told_before_picking_a_slot(client, session_type, frozen_now):
    user = ClientFactory()
    IntakeFactory(client=user, status=Intake.Status.DECLINED)
    client.force_login(user)

    book_page = client.get("/portal/book/").content.decode()
    slots = client.get(slots_url(session_type), {"start": TEN.isoformat()})

    assert "現在ご予約をお受けできません" in book_page
    assert f'href="{slots_url(session_type)}"' not in book_page
    assert slots.status_code == 403 and "現在ご予約をお受けできません" in slots.content.decode()


def test_a_client_whose_intake_is_not_yet_accepted_is_told_so_and_may_book(portal, session_type, frozen_now):
    book_page = portal.get("/portal/book/").content.decode()
    slots = portal.get(slots_url(session_type)).content.decode()

    assert "インテークはカウンセラーが拝見しているところです" in book_page
    assert "インテークはカウンセラーが拝見しているところです" in slots
    assert f'href="{slots_url(session_type)}"' in book_page


def test_an_accepted_intake_books_without_a_notice(client, session_type, frozen_now):
    user = ClientFactory()
    IntakeFactory(client=user, status=Intake.Status.ACCEPTED)
    client.force_login(user)

    book_page = client.get("/portal/book/").content.decode()

    assert "インテーク" not in book_page.split("<h1>")[1].split("</main>")[0].split('class="cards"')[0]
    assert f'href="{slots_url(session_type)}"' in book_page


def test_slots_inside_the_cancellation_window_are_marked_before_booking(portal, session_type, frozen_now):
    # Monday 11:00: Wednesday 10:00 and 10:30 start within 48 hours, 11:00 in exactly 48.
    frozen_now.move_to(tokyo(WEDNESDAY, 10) - timedelta(hours=47))

    body = portal.get(slots_url(session_type)).content.decode()
    late = re.findall(r'<a class="late"[^>]*>(\d\d:\d\d)<span class="late-mark"', body)
    plain = re.findall(r'<a href="[^"]*"[^>]*>(\d\d:\d\d)</a>', body)
    assert late == ["10:00", "10:30"]
    assert plain == ["11:00"]
    assert "開始まで48時間を切っています" in body
    assert "直前キャンセル" in body

    confirm_late = confirm(portal, session_type, start=tokyo(WEDNESDAY, 10)).content.decode()
    confirm_plain = confirm(portal, session_type, start=tokyo(WEDNESDAY, 11)).content.decode()
    assert "この時間は開始まで48時間を切っています" in confirm_late
    assert "この時間は開始まで48時間を切っています" not in confirm_plain


def test_no_slot_is_marked_when_every_slot_is_outside_the_window(portal, session_type, frozen_now):
    body = portal.get(slots_url(session_type)).content.decode()

    assert 'class="late"' not in body
    assert "時間を切っています" not in body


def test_cancelling_well_ahead_frees_the_slot(portal, client_user, session_type, frozen_now):
    booking = BookingFactory(session_type=session_type, client=client_user, start=TEN)

    asked = portal.get(f"/portal/bookings/{booking.pk}/cancel/")
    done = portal.post(f"/portal/bookings/{booking.pk}/cancel/", {"reason": "体調不良のため"})

    assert "今ならキャンセル料なしで" in asked.content.decode()
    assert done.status_code == 302
    booking.refresh_from_db()
    assert (booking.status, booking.cancellation_reason) == ("cancelled", "体調不良のため")
    assert "ご予約をキャンセルしました。" in portal.get(done["Location"]).content.decode()


def test_cancelling_inside_the_window_warns_first_and_records_a_late_cancellation(
    portal, client_user, session_type, frozen_now
):
    booking = BookingFactory(session_type=session_type, client=client_user, start=NOW + timedelta(hours=30))

    asked = portal.get(f"/portal/bookings/{booking.pk}/cancel/")
    portal.post(f"/portal/bookings/{booking.pk}/cancel/")

    assert "「直前キャンセル」として記録されます" in asked.content.decode()
    booking.refresh_from_db()
    assert booking.status == "late_cancelled"


def test_a_cancelled_booking_cannot_be_cancelled_again(portal, client_user, session_type, frozen_now):
    booking = BookingFactory(session_type=session_type, client=client_user, start=TEN, status="cancelled")

    response = portal.post(f"/portal/bookings/{booking.pk}/cancel/")

    assert response.status_code == 400
    assert "変更できません" in response.content.decode()


def test_rescheduling_moves_the_booking_to_the_chosen_slot(portal, client_user, session_type, frozen_now):
    booking = BookingFactory(session_type=session_type, client=client_user, start=TEN)
    url = f"/portal/bookings/{booking.pk}/reschedule/"

    listed = portal.get(url).content.decode()
    asked = portal.get(url, {"start": tokyo(WEDNESDAY, 11).isoformat()})
    moved = portal.post(url, {"start": tokyo(WEDNESDAY, 11).isoformat()})

    assert ">10:00</a>" in listed  # its own time does not block the booking being moved
    assert "変更後の日時の確認" in asked.content.decode()
    assert moved.status_code == 302
    booking.refresh_from_db()
    assert booking.start == tokyo(WEDNESDAY, 11)


def test_rescheduling_inside_the_window_is_refused(portal, client_user, session_type, frozen_now):
    booking = BookingFactory(session_type=session_type, client=client_user, start=NOW + timedelta(hours=30))

    response = portal.post(f"/portal/bookings/{booking.pk}/reschedule/", {"start": TEN.isoformat()})

    assert response.status_code == 409
    booking.refresh_from_db()
    assert booking.start == NOW + timedelta(hours=30)


def test_the_bookings_page_separates_upcoming_from_past_and_cancelled(
    portal, client_user, session_type, frozen_now
):
    BookingFactory(session_type=session_type, client=client_user, start=TEN)
    BookingFactory(session_type=session_type, client=client_user, start=NOW - timedelta(days=7))

    body = portal.get("/portal/bookings/").content.decode()

    upcoming, past = body.split("過去・キャンセル済みのご予約")
    assert "2025年6月4日（水） 10:00" in upcoming
    assert "2025年5月26日（月） 09:00" in past


def test_the_calendar_link_on_the_booking_page_downloads_with_the_session_login(
    portal, client_user, session_type, frozen_now
):
    booking = BookingFactory(session_type=session_type, client=client_user, start=TEN)

    page = portal.get(f"/portal/bookings/{booking.pk}/").content.decode()
    calendar = portal.get(f"/api/v1/bookings/{booking.pk}/ics/")

    assert f'href="/api/v1/bookings/{booking.pk}/ics/"' in page
    assert calendar.status_code == 200
    assert b"BEGIN:VEVENT" in calendar.content


@pytest.mark.parametrize(
    "start", ["0001-01-01T00:00:00+09:00", "9999-12-31T23:59:59-09:00", "2025-02-30T10:00"]
)
def test_times_at_the_ends_of_the_calendar_are_refused_without_an_error_page(
    portal, session_type, frozen_now, start
):
    shown = portal.get(slots_url(session_type), {"start": start})
    posted = portal.post(slots_url(session_type), {"start": start, "idempotency_key": "k"})

    assert shown.status_code in (400, 409)
    assert posted.status_code in (400, 409)
    assert not Booking.objects.exists()


@pytest.mark.parametrize(
    ("day", "first_day_shown"),
    [("2000-01-01", "6月2日（月）"), ("2100-12-31", "8月1日（金）")],  # today, the window's last day
)
def test_a_week_outside_the_booking_window_shows_the_nearest_bookable_one(
    portal, session_type, frozen_now, day, first_day_shown
):
    response = portal.get(slots_url(session_type), {"from": day})

    assert response.status_code == 200
    days = re.findall(r'<h2 id="day-\d+">([^<]+)</h2>', response.content.decode())
    assert days[0] == first_day_shown


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_week_in_a_far_year_is_a_400_naming_the_accepted_years_above_this_week(
    portal, session_type, frozen_now, day
):
    response = portal.get(slots_url(session_type), {"from": day})

    body = response.content.decode()
    assert response.status_code == 400 and "2000年から2100年までの日付を指定してください。" in body
    assert re.findall(r'<h2 id="day-\d+">([^<]+)</h2>', body)[0] == "6月2日（月）"
