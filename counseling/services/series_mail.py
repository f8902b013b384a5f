"""The one mail a series booked by the counselor sends the client: every date, one .ics of them all."""

from django.conf import settings

from core.localtime import local_clock, local_label
from counseling.calendar import booking_ics_event, booking_location, ics_calendar
from counseling.models import Booking, Format
from counseling.policy import cancellation_window_hours
from outbox.registry import register_send_check
from outbox.selectors import OutboundEmail
from outbox.services import Attachment, email_enqueue_template

KIND_SERIES_CONFIRMED = "counseling.booking_series_confirmed"


def booking_series_ics(bookings: list[Booking]) -> bytes:
    """One calendar holding each booking's own event as its single .ics writes it (same UID and
    SEQUENCE, times in UTC), so a later change or cancellation of one session updates the right event.
    """
    calendar = ics_calendar("REQUEST")
    for booking in bookings:
        calendar.add_component(booking_ics_event(booking))
    return calendar.to_ical()


def booking_series_mail(*, bookings: list[Booking]) -> None:
    first = bookings[0]
    email_enqueue_template(
        kind=KIND_SERIES_CONFIRMED,
        recipient=first.client.email,
        key=str(first.series_id),
        template="counseling/email/booking_series_confirmed",
        template_context={
            "client": first.client,
            "session_type": first.session_type,
            "online": first.session_type.format == Format.ONLINE,
            "location": booking_location(first),
            "sessions": [
                {
                    "start_label": local_label(booking.start),
                    "end_clock": local_clock(booking.end),
                    "meeting_url": booking.meeting_url,
                }
                for booking in bookings
            ],
            "site_url": settings.SITE_URL,
            "practice_name": settings.PRACTICE_NAME,
            "cancellation_window_hours": cancellation_window_hours(),
        },
        attachments=[
            Attachment(
                filename="sessions.ics", content=booking_series_ics(bookings), mimetype="text/calendar"
            )
        ],
        context={"series_id": str(first.series_id)},
        carries_secret=True,  # the meeting URLs
    )


@register_send_check(KIND_SERIES_CONFIRMED)
def _series_still_booked(email: OutboundEmail) -> bool:
    """Goes while any session of the series stands; one cancelled meanwhile has its own CANCEL mail,
    whose higher SEQUENCE wins over this mail's event in the client's calendar."""
    return Booking.objects.filter(
        series_id=email.context.get("series_id"), status=Booking.Status.CONFIRMED
    ).exists()
