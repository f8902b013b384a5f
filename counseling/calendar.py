"""The iCalendar (.ics) form of a booking, for mail attachments and the download endpoint."""

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


def booking_ics(booking: Booking) -> bytes:
    """METHOD:REQUEST while the booking stands, METHOD:CANCEL once it is cancelled."""
    cancelled = booking.status in CANCELLED_STATUSES
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.PRACTICE_NAME}//counseling//JA")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")

    event = Event()
    event.add("uid", booking_ics_uid(booking))
    event.add("dtstamp", booking.updated_at)
    event.add("dtstart", booking.start)
    event.add("dtend", booking.end)
    event.add("sequence", booking.sequence)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("summary", f"{booking.session_type.name}（{settings.PRACTICE_NAME}）")
    event.add("location", booking_location(booking))
    if booking.meeting_url:
        event.add("url", booking.meeting_url)
    event.add("description", f"{booking.session_type.name} / {booking.session_type.duration_minutes}分")

    organizer = vCalAddress(f"mailto:{booking.counselor.email}")
    organizer.params["cn"] = vText(booking.counselor.display_name or booking.counselor.email)
    event.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{booking.client.email}")
    attendee.params["cn"] = vText(booking.client.display_name or booking.client.email)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    event.add("attendee", attendee)

    calendar.add_component(event)
    return calendar.to_ical()
