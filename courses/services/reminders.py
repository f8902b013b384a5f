"""Session reminders, queued by a periodic scan "the day before" each session."""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from core.localtime import practice_timezone
from courses import notifications
from courses.models import Course, CourseSession, Enrollment
from outbox.selectors import email_contexts
from outbox.services import emails_send_on_commit


def reminder_horizon(*, now: datetime) -> datetime:
    """Sessions starting before this are due their reminder, sent "the day before" at COURSES_REMINDER_HOUR.

    Before that hour (Asia/Tokyo) only today's remaining sessions are due; from it on, tomorrow's too.
    """
    zone = practice_timezone()
    local_now = now.astimezone(zone)
    days_ahead = 2 if local_now.hour >= settings.COURSES_REMINDER_HOUR else 1
    return datetime.combine(local_now.date() + timedelta(days=days_ahead), time.min, tzinfo=zone)


def course_reminders_send(*, now: datetime | None = None) -> int:
    """Queues the reminder for every confirmed enrollee of each session that is due one.

    Run by beat every few minutes; the outbox key (enrollment, session) makes every run after the
    first a no-op for the same pair, so a missed or doubled run neither loses nor repeats a reminder.
    Returns how many reminders were newly queued.
    """
    now = now or timezone.now()
    sessions = list(
        CourseSession.objects.filter(
            course__status=Course.Status.PUBLISHED, starts_at__gt=now, starts_at__lt=reminder_horizon(now=now)
        )
        .select_related("course")
        .prefetch_related(
            Prefetch("course__sessions", queryset=CourseSession.objects.order_by("starts_at", "id")),
            Prefetch(
                "course__enrollments",
                queryset=Enrollment.objects.filter(status=Enrollment.Status.CONFIRMED).select_related("user"),
                to_attr="confirmed_enrollments",
            ),
        )
        .order_by("starts_at", "id")
    )
    # Pairs already reminded are skipped up front, so scans after the first cost one query, not one
    # failed insert per enrollee.
    already = {
        (context["session"], context["enrollment"])
        for context in email_contexts(
            kind=notifications.REMINDER, session__in=[session.pk for session in sessions]
        )
    }
    created_ids: list[int] = []
    with transaction.atomic():
        for session in sessions:
            course = session.course
            course_sessions = list(course.sessions.all())
            number = next(i for i, s in enumerate(course_sessions, start=1) if s.pk == session.pk)
            for enrollment in course.confirmed_enrollments:
                if (session.pk, enrollment.pk) in already:
                    continue
                email_id, created = notifications.session_reminder_enqueue(
                    enrollment=enrollment,
                    course=course,
                    session=session,
                    number=number,
                    total=len(course_sessions),
                )
                if created:
                    created_ids.append(email_id)
        emails_send_on_commit(email_ids=created_ids)
    return len(created_ids)
