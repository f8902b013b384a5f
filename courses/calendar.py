"""The .ics attached to confirmations: one event per session of the course."""

from datetime import UTC
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from courses.models import Course, CourseSession


def session_uid(session: CourseSession) -> str:
    # Stable per session: a calendar that imports a later .ics updates the event instead of doubling it.
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"course-session-{session.pk}@{host}"


def course_ics(*, course: Course, sessions: list[CourseSession]) -> bytes:
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
    return calendar.to_ical()
