from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from courses.models import Course
from courses.notifications import session_reminder_enqueue
from courses.services.enrollments import enrollment_cancel, enrollment_create
from courses.services.reminders import course_reminders_send
from courses.services.scheduling import course_cancel
from courses.tasks import course_reminders_send_task
from outbox.models import OutboundEmail
from outbox.services import email_send
from tests.courses.factories import CourseFactory, CourseSessionFactory

pytestmark = pytest.mark.django_db

REMINDER = "courses.session_reminder"
JST = ZoneInfo("Asia/Tokyo")


def jst(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2030, 5, day, hour, minute, tzinfo=JST)


@pytest.fixture(autouse=True)
def monday_noon():
    """Monday 13 May 2030, 12:00 in Tokyo; tests move on with ``traveller.move_to``."""
    with time_machine.travel(jst(13, 12), tick=False) as traveller:
        yield traveller


def course_with_session(starts_at: datetime, **fields) -> Course:
    course = CourseFactory(sessions=0, **fields)
    CourseSessionFactory(course=course, starts_at=starts_at)
    return course


def enroll(course, n: int):
    return enrollment_create(course=course, guest_name=f"参加者{n}", guest_email=f"r{n}@example.com")[0]


def reminders():
    return OutboundEmail.objects.filter(kind=REMINDER)


def test_the_reminder_task_twice_sends_one_reminder_per_enrollee_and_session(
    monday_noon, django_capture_on_commit_callbacks
):
    course = course_with_session(jst(14, 10), capacity=2)
    first, second = enroll(course, 1), enroll(course, 2)
    waitlisted = enroll(course, 3)  # no seat, no reminder
    mail.outbox = []

    monday_noon.move_to(jst(13, 19))
    with django_capture_on_commit_callbacks(execute=True):
        queued_first = course_reminders_send_task.delay().get()
    with django_capture_on_commit_callbacks(execute=True):
        queued_again = course_reminders_send_task.delay().get()

    assert (queued_first, queued_again) == (2, 0)
    assert sorted(reminders().values_list("recipient", flat=True)) == [first.guest_email, second.guest_email]
    assert set(reminders().values_list("status", flat=True)) == {OutboundEmail.Status.SENT}
    assert sorted(message.to[0] for message in mail.outbox) == [first.guest_email, second.guest_email]
    assert all("明日は" in message.subject for message in mail.outbox)
    assert all("2030年5月14日（火） 10:00" in message.body for message in mail.outbox)
    assert waitlisted.status == "waitlisted"


def test_the_reminder_goes_the_day_before_from_the_reminder_hour_in_tokyo(monday_noon):
    enroll(course_with_session(jst(14, 9, 30)), 1)

    monday_noon.move_to(jst(13, 18, 59))
    assert course_reminders_send() == 0
    monday_noon.move_to(jst(13, 19, 0))
    assert course_reminders_send() == 1


def test_a_session_later_in_the_week_is_not_reminded_yet(monday_noon):
    enroll(course_with_session(jst(15, 10)), 1)  # Wednesday

    monday_noon.move_to(jst(13, 23, 59))
    assert course_reminders_send() == 0
    monday_noon.move_to(jst(14, 19))
    assert course_reminders_send() == 1


def test_each_session_of_a_course_gets_its_own_reminder(monday_noon):
    course = CourseFactory(sessions=0)
    CourseSessionFactory(course=course, starts_at=jst(14, 10))
    CourseSessionFactory(course=course, starts_at=jst(21, 10))
    enroll(course, 1)

    monday_noon.move_to(jst(13, 19))
    course_reminders_send()
    monday_noon.move_to(jst(20, 19))
    course_reminders_send()
    course_reminders_send()

    subjects = sorted(reminders().values_list("subject", flat=True))
    assert len(subjects) == 2
    assert ["第1回" in subjects[0], "第2回" in subjects[1]] == [True, True]


def test_one_enrollee_and_session_never_make_two_reminder_rows_even_from_overlapping_scans():
    course = course_with_session(jst(14, 10))
    enrollment = enroll(course, 1)
    session = course.sessions.get()

    results = [
        session_reminder_enqueue(enrollment=enrollment, course=course, session=session, number=1, total=1)
        for _ in range(2)
    ]

    assert [created for _, created in results] == [True, False]
    assert reminders().count() == 1


def test_cancelled_enrollments_and_cancelled_courses_get_no_reminder(monday_noon):
    course = course_with_session(jst(14, 10), capacity=5)
    kept, gone = enroll(course, 1), enroll(course, 2)
    enrollment_cancel(enrollment=gone)
    dropped_course = course_with_session(jst(14, 10))
    enroll(dropped_course, 3)
    course_cancel(course=dropped_course)

    monday_noon.move_to(jst(13, 19))
    course_reminders_send()

    assert list(reminders().values_list("recipient", flat=True)) == [kept.guest_email]


def test_a_reminder_queued_before_the_cancel_is_skipped_at_send_time(monday_noon):
    enrollment = enroll(course_with_session(jst(14, 10)), 1)
    monday_noon.move_to(jst(13, 19))
    course_reminders_send()  # queued; this test runs no on-commit sends
    assert reminders().get().status == OutboundEmail.Status.PENDING
    enrollment_cancel(enrollment=enrollment)
    mail.outbox = []

    email_send(email_id=reminders().get().pk)

    assert reminders().get().status == OutboundEmail.Status.SKIPPED
    assert mail.outbox == []


def test_a_reminder_still_pending_when_the_session_starts_is_skipped(monday_noon):
    enroll(course_with_session(jst(14, 10)), 1)
    monday_noon.move_to(jst(13, 19))
    course_reminders_send()

    monday_noon.move_to(jst(14, 10, 1))
    email_send(email_id=reminders().get().pk)

    assert reminders().get().status == OutboundEmail.Status.SKIPPED


def test_a_confirmation_queued_before_the_cancel_is_skipped_but_the_cancel_notice_goes():
    enrollment = enroll(CourseFactory(), 1)
    enrollment_cancel(enrollment=enrollment)

    for email in OutboundEmail.objects.order_by("id"):
        email_send(email_id=email.pk)

    outcome = dict(OutboundEmail.objects.values_list("kind", "status"))
    assert outcome == {
        "courses.enrollment_confirmed": OutboundEmail.Status.SKIPPED,
        "courses.enrollment_cancelled": OutboundEmail.Status.SENT,
    }


def test_sessions_already_started_or_of_draft_courses_get_no_reminder(monday_noon):
    started = course_with_session(jst(13, 11, 55), enrollment_deadline=jst(14, 0))
    enroll(started, 1)
    draft = course_with_session(jst(13, 22))
    enroll(draft, 2)
    Course.objects.filter(pk=draft.pk).update(status=Course.Status.DRAFT)

    monday_noon.move_to(jst(13, 20))
    assert course_reminders_send() == 0


def test_the_reminder_scan_is_on_the_beat_schedule_without_countdowns(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["courses-send-reminders"]

    assert entry["task"] == course_reminders_send_task.name
    assert "countdown" not in entry.get("options", {})
