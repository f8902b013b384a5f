"""The iCalendar (.ics) form of bookings: mail attachments, the download endpoint and the counselor's feed.

Times are written in UTC (``...Z``): a booking made through the API keeps the fixed offset its client
sent, which icalendar would write as a TZID no calendar can resolve (``TZID="UTC+09:00"`` without a
VTIMEZONE), and calendars would read it as floating time.
"""

from collections.abc import Iterable
from datetime import UTC
from urllib.parse import urlsplit

from django.conf import settings
from icalendar import Calendar, Event, vCalAddress, vText

from counseling.models import Booking, Format

CANCELLED_STATUSES = (Booking.Status.CANCELLED, Booking.Status.LATE_CANCELLED)


def booking_ics_uid(booking: Booking) -> str:
    # The same UID for the booking's whole life: calendars update the event instead of adding one.
    return f"booking-{booking.uid}@{urlsplit(settings.SITE_URL).hostname or 'localhost'}"


def booking_location(booking: Booking) -> str:
    if booking.session_type.format == Format.ONLINE:
        return booking.meeting_url or str(Format.ONLINE.label)
    return booking.session_type.location


def ics_calendar(method: str) -> Calendar:
    """The practice's calendar header; ``method`` is REQUEST, CANCEL or PUBLISH."""
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.PRACTICE_NAME}//counseling//JA")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    return calendar


def ics_event(booking: Booking, *, summary: str) -> Event:
    """The event every .ics of the booking shares: same UID, times in UTC, the booking's SEQUENCE."""
    event = Event()
    event.add("uid", booking_ics_uid(booking))
    event.add("dtstamp", booking.updated_at.astimezone(UTC))
    event.add("dtstart", booking.start.astimezone(UTC))
    event.add("dtend", booking.end.astimezone(UTC))
    event.add("sequence", booking.sequence)
    event.add("status", "CANCELLED" if booking.status in CANCELLED_STATUSES else "CONFIRMED")
    event.add("summary", summary)
    event.add("location", booking_location(booking))
    if booking.meeting_url:
        event.add("url", booking.meeting_url)
    return event


def booking_ics_event(booking: Booking) -> Event:
    """The booking's event as the client's mails carry it: with its organizer and attendee."""
    event = ics_event(booking, summary=f"{booking.session_type.name}（{settings.PRACTICE_NAME}）")
    event.add("description", f"{booking.session_type.name} / {booking.session_type.duration_minutes}分")

    organizer = vCalAddress(f"mailto:{booking.counselor.email}")
    organizer.params["cn"] = vText(booking.counselor.display_name or booking.counselor.email)
    event.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{booking.client.email}")
    attendee.params["cn"] = vText(booking.client.display_name or booking.client.email)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    event.add("attendee", attendee)
    return event


def booking_ics(booking: Booking) -> bytes:
    """METHOD:REQUEST while the booking stands, METHOD:CANCEL once it is cancelled."""
    calendar = ics_calendar("CANCEL" if booking.status in CANCELLED_STATUSES else "REQUEST")
    calendar.add_component(booking_ics_event(booking))
    return calendar.to_ical()


def person_initials(person) -> str:
    """``Hanako Yamada`` → ``H.Y.``, ``山田 花子`` → ``山.花.``; the email's first letter without a name."""
    parts = (person.display_name or "").replace("\u3000", " ").split()
    if not parts:
        parts = [person.email]
    return "".join(f"{part[0].upper()}." for part in parts)


def feed_summary(booking: Booking, *, full_names: bool) -> str:
    """The session type and the client's initials (a calendar provider stores every summary)."""
    client = booking.client
    who = (client.display_name or client.email) if full_names else person_initials(client)
    return f"{booking.session_type.name} {who}"


def counselor_feed_ics(bookings: Iterable[Booking], *, full_names: bool, link) -> bytes:
    """A published calendar of ``bookings``, one VEVENT each under the UID their mails carried.

    No attendee, email or note: only the summary, the place and ``link(booking)``, the booking's page.
    """
    calendar = ics_calendar("PUBLISH")
    calendar.add("x-wr-calname", settings.PRACTICE_NAME)
    for booking in bookings:
        event = ics_event(booking, summary=feed_summary(booking, full_names=full_names))
        event.add("description", link(booking))
        calendar.add_component(event)
    return calendar.to_ical()
