from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from courses.models import Course
from courses.services.enrollments import enrollment_create
from courses.services.scheduling import course_update
from outbox.models import OutboundEmail
from tests.courses.factories import CourseFactory, CourseSessionFactory

pytestmark = pytest.mark.django_db


def enroll(course, n: int = 1):
    return enrollment_create(course=course, guest_name=f"O'Brien {n}", guest_email=f"m{n}@example.com")[0]


def events_of(message) -> list:
    (filename, content, mimetype) = message.attachments[0]
    assert filename.endswith(".ics")
    assert mimetype.startswith("text/calendar")
    return Calendar.from_ical(content).walk("VEVENT")


def test_the_confirmation_holds_every_session_in_an_ics_with_stable_uids(django_capture_on_commit_callbacks):
    course = CourseFactory(sessions=3, title="見返りを求めてしまう心")
    with django_capture_on_commit_callbacks(execute=True):
        enroll(course, 1)
        enroll(course, 2)

    first, second = mail.outbox
    assert "お申込みが確定しました" in first.subject
    assert "O'Brien 1 様" in first.body  # plain text: nothing HTML-escaped
    sessions = list(course.sessions.order_by("starts_at"))
    events = events_of(first)
    assert [event.decoded("dtstart") for event in events] == [s.starts_at for s in sessions]
    assert [event.decoded("dtend") for event in events] == [s.ends_at for s in sessions]
    assert [str(event["summary"]) for event in events] == [
        f"見返りを求めてしまう心（第{n}回）" for n in (1, 2, 3)
    ]
    assert len({str(event["uid"]) for event in events}) == 3
    # Another enrollee's calendar file names the same events the same way.
    assert [str(e["uid"]) for e in events] == [str(e["uid"]) for e in events_of(second)]
    assert str(events[0]["location"]) == course.location


def test_an_online_course_puts_the_meeting_url_in_the_mail_and_the_calendar(
    django_capture_on_commit_callbacks,
):
    course = CourseFactory(format=Course.Format.ONLINE, location="https://meet.example.jp/abc")
    with django_capture_on_commit_callbacks(execute=True):
        enroll(course)

    (message,) = mail.outbox
    assert "参加URL\nhttps://meet.example.jp/abc" in message.body
    assert str(events_of(message)[0]["url"]) == "https://meet.example.jp/abc"


def test_the_waitlisted_notice_gives_the_place_in_the_queue(django_capture_on_commit_callbacks):
    course = CourseFactory(capacity=1)
    enroll(course, 1)
    enroll(course, 2)
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        enroll(course, 3)

    (message,) = mail.outbox
    assert "キャンセル待ち" in message.subject
    assert "キャンセル待ち（2番目）" in message.body
    assert "/courses/enrollments/" in message.body
    assert message.attachments == []


def test_the_session_dates_are_written_in_japan_time(django_capture_on_commit_callbacks):
    course = CourseFactory(sessions=0)
    starts_at = timezone.now().replace(hour=10, minute=30, second=0, microsecond=0) + timedelta(days=10)
    CourseSessionFactory(course=course, starts_at=starts_at)
    with django_capture_on_commit_callbacks(execute=True):
        enroll(course)

    local = timezone.localtime(starts_at)
    assert f"{local.year}年{local.month}月{local.day}日" in mail.outbox[0].body
    assert local.strftime("%H:%M") in mail.outbox[0].body


def test_new_dates_reach_everyone_enrolled_with_an_updated_calendar_once(
    counselor, django_capture_on_commit_callbacks
):
    course = CourseFactory(capacity=1, sessions=2, counselor=counselor)
    kept, dropped = course.sessions.order_by("starts_at")
    seat, waiting = enroll(course, 1), enroll(course, 2)
    moved = {
        "id": kept.pk,
        "starts_at": kept.starts_at + timedelta(hours=3),
        "ends_at": kept.ends_at + timedelta(hours=3),
    }
    mail.outbox = []

    with django_capture_on_commit_callbacks(execute=True):
        course_update(course=course, sessions=[moved])
    with django_capture_on_commit_callbacks(execute=True):
        course_update(course=course, sessions=[moved])  # saved again: nothing changed

    assert sorted(message.to[0] for message in mail.outbox) == [seat.guest_email, waiting.guest_email]
    to_seat = next(message for message in mail.outbox if message.to == [seat.guest_email])
    to_waiting = next(message for message in mail.outbox if message.to == [waiting.guest_email])
    assert "変更のお知らせ" in to_seat.subject
    assert "取りやめた日程" in to_seat.body
    assert to_waiting.attachments == []
    events = {str(event["uid"]): event for event in events_of(to_seat)}
    kept_event = next(event for uid, event in events.items() if uid.startswith(f"course-session-{kept.pk}@"))
    dropped_event = next(
        event for uid, event in events.items() if uid.startswith(f"course-session-{dropped.pk}@")
    )
    assert kept_event.decoded("dtstart") == moved["starts_at"]
    assert str(dropped_event["status"]) == "CANCELLED"


def test_moving_a_date_back_and_forth_tells_people_each_time(counselor):
    course = CourseFactory(counselor=counselor)
    session = course.sessions.get()
    enroll(course)
    original = {"id": session.pk, "starts_at": session.starts_at, "ends_at": session.ends_at}
    later = {
        **original,
        "starts_at": session.starts_at + timedelta(days=1),
        "ends_at": session.ends_at + timedelta(days=1),
    }

    for plan in (later, original, later):
        course_update(course=course, sessions=[plan])

    assert OutboundEmail.objects.filter(kind="courses.course_changed").count() == 3


def test_changing_only_the_description_tells_nobody(counselor, django_capture_on_commit_callbacks):
    course = CourseFactory(counselor=counselor)
    enroll(course)
    mail.outbox = []

    with django_capture_on_commit_callbacks(execute=True):
        course_update(course=course, description="内容を詳しくしました。")

    assert mail.outbox == []
