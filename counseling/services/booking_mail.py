"""The mail a booking causes: confirmation (with .ics), notice to the counselor, cancellation, reminder.

Every email is keyed by the booking and its SEQUENCE, so a retry or a second scan never sends twice,
and a reschedule (a new SEQUENCE) sends a fresh confirmation and, later, a fresh reminder.
"""

from django.conf import settings

from counseling.calendar import booking_ics, booking_location
from counseling.localtime import local_clock, local_label
from counseling.models import Booking
from counseling.policy import CLIENT, BookingPolicy, cancellation_window_hours
from outbox.models import OutboundEmail
from outbox.registry import register_send_check
from outbox.services import Attachment, email_enqueue_template

KIND_CONFIRMED = "counseling.booking_confirmed"
KIND_COUNSELOR_NOTICE = "counseling.booking_counselor_notice"
KIND_REMINDER = "counseling.booking_reminder"
KIND_CANCELLED = "counseling.booking_cancelled"


def _context(booking: Booking, **extra) -> dict:
    return {
        "booking": booking,
        "client": booking.client,
        "counselor": booking.counselor,
        "session_type": booking.session_type,
        "start_label": local_label(booking.start),
        "end_clock": local_clock(booking.end),
        "location": booking_location(booking),
        "meeting_url": booking.meeting_url,
        "site_url": settings.SITE_URL,
        "practice_name": settings.PRACTICE_NAME,
        "cancellation_window_hours": cancellation_window_hours(),
        # The client's deadline as the booking policy applies it: the mail never states a rule of its own.
        "change_deadline_label": local_label(BookingPolicy(booking=booking, role=CLIENT).change_deadline),
        **extra,
    }


def _ics_attachment(booking: Booking) -> Attachment:
    return Attachment(filename="booking.ics", content=booking_ics(booking), mimetype="text/calendar")


def _reference(booking: Booking) -> dict:
    # What the send check needs to tell whether the email still describes the booking.
    return {"booking_id": booking.pk, "sequence": booking.sequence}


def booking_mail_confirmed(*, booking: Booking, rescheduled: bool) -> None:
    key = f"{booking.pk}:{booking.sequence}"
    attachment = _ics_attachment(booking)
    email_enqueue_template(
        kind=KIND_CONFIRMED,
        recipient=booking.client.email,
        key=key,
        template="counseling/email/booking_confirmed",
        template_context=_context(booking, rescheduled=rescheduled),
        attachments=[attachment],
        context=_reference(booking),
        carries_secret=True,  # the meeting URL
    )
    email_enqueue_template(
        kind=KIND_COUNSELOR_NOTICE,
        recipient=booking.counselor.email,
        key=key,
        template="counseling/email/booking_counselor_notice",
        template_context=_context(booking, rescheduled=rescheduled),
        attachments=[attachment],
        context=_reference(booking),
        carries_secret=True,  # the meeting URL
    )


def booking_mail_cancelled(*, booking: Booking, by_counselor: bool) -> None:
    attachment = _ics_attachment(booking)
    for recipient, template in (
        (booking.client.email, "counseling/email/booking_cancelled"),
        (booking.counselor.email, "counseling/email/booking_cancelled_counselor"),
    ):
        email_enqueue_template(
            kind=KIND_CANCELLED,
            recipient=recipient,
            key=str(booking.pk),
            template=template,
            template_context=_context(
                booking,
                by_counselor=by_counselor,
                late=booking.status == Booking.Status.LATE_CANCELLED,
            ),
            attachments=[attachment],
            context=_reference(booking),
        )


def booking_mail_reminder(*, booking: Booking) -> OutboundEmail | None:
    """Writes the reminder row without sending it; returns it only when it is new."""
    email, created = email_enqueue_template(
        kind=KIND_REMINDER,
        recipient=booking.client.email,
        key=f"{booking.pk}:{booking.sequence}",
        template="counseling/email/booking_reminder",
        template_context=_context(booking),
        context=_reference(booking),
        send=False,
        carries_secret=True,  # the meeting URL
    )
    return email if created else None


def _still_describes_booking(email: OutboundEmail) -> bool:
    """A confirmation or reminder queued before a cancel or a reschedule must not go out."""
    booking_id = email.context.get("booking_id")
    booking = Booking.objects.filter(pk=booking_id).only("status", "sequence").first()
    return (
        booking is not None
        and booking.status == Booking.Status.CONFIRMED
        and booking.sequence == email.context.get("sequence")
    )


for _kind in (KIND_CONFIRMED, KIND_COUNSELOR_NOTICE, KIND_REMINDER):
    register_send_check(_kind)(_still_describes_booking)
