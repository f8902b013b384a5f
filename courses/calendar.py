"""The .ics attached to confirmations: one event per session of the course."""

from datetime import UTC
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from courses.models import Course, CourseSession


def session_uid(session: CourseSession) -> str:
    # Stable per session: a calendar that imports a later .ics updates the event instead of doubling it.
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"course-session-{session.pk}@{host}"


def _sequence(session: CourseSession) -> int:
    # Calendar apps apply a re-sent event only when its SEQUENCE grows; the last change time does.
    return int(session.updated_at.timestamp())


def course_ics(
    *, course: Course, sessions: list[CourseSession], cancelled_sessions: list[CourseSession] = ()
) -> bytes:
    """Every session as an event; sessions dropped from the course come as cancelled events."""
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.PRACTICE_NAME}//courses//JA")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    total = len(sessions)
    for number, session in enumerate(sessions, start=1):
        event = Event()
        event.add("uid", session_uid(session))
        # The session's own change time, so the same session always yields the same event.
        event.add("dtstamp", session.updated_at.astimezone(UTC))
        event.add("sequence", _sequence(session))
        # UTC needs no VTIMEZONE block, which some calendar apps handle poorly.
        event.add("dtstart", session.starts_at.astimezone(UTC))
        event.add("dtend", session.ends_at.astimezone(UTC))
        summary = (
            course.title
            if total == 1
            else _("%(title)s（第%(number)d回）") % {"title": course.title, "number": number}
        )
        event.add("summary", summary)
        if course.format == Course.Format.ONLINE:
            event.add("location", _("オンライン"))
            event.add("url", course.location)
            event.add("description", _("参加URL: %(url)s") % {"url": course.location})
        else:
            event.add("location", course.location)
        calendar.add_component(event)
    now = timezone.now()
    for session in cancelled_sessions:
        event = Event()
        event.add("uid", session_uid(session))
        event.add("dtstamp", now.astimezone(UTC))
        event.add("sequence", int(now.timestamp()))
        event.add("dtstart", session.starts_at.astimezone(UTC))
        event.add("dtend", session.ends_at.astimezone(UTC))
        event.add("summary", _("【中止】%(title)s") % {"title": course.title})
        event.add("status", "CANCELLED")
        calendar.add_component(event)
    return calendar.to_ical()
