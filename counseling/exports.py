"""The client's intakes and bookings in `me/export` (the counselor-only suggestions stay out)."""

from core.personal_data import register_exporter
from counseling.calendar import booking_location
from counseling.models import Booking, Intake


@register_exporter("counseling_intakes")
def intakes_export(user) -> list[dict]:
    intakes = (
        Intake.objects.filter(client=user)
        .prefetch_related("scenes", "answers__reason")
        .order_by("created_at")
    )
    return [
        {
            "id": intake.pk,
            "created_at": intake.created_at.isoformat(),
            "status": intake.status,
            "scenes": [scene.code for scene in intake.scenes.all()],
            "self_check": {answer.reason.code: answer.score for answer in intake.answers.all()},
            "concern": intake.concern,
            "preferred_format": intake.preferred_format,
            "contact": intake.contact,
            "in_crisis": intake.in_crisis,
            "consent_version": intake.consent_version,
            "consented_at": intake.consented_at.isoformat(),
        }
        for intake in intakes
    ]


@register_exporter("counseling_bookings")
def bookings_export(user) -> list[dict]:
    bookings = (
        Booking.objects.filter(client=user).select_related("session_type", "counselor").order_by("start")
    )
    return [
        {
            "id": booking.pk,
            "session_type": booking.session_type.name,
            "format": booking.session_type.format,
            "location": booking_location(booking),
            "counselor": booking.counselor.display_name or booking.counselor.email,
            "start": booking.start.isoformat(),
            "end": booking.end.isoformat(),
            "status": booking.status,
            "created_at": booking.created_at.isoformat(),
            "cancelled_at": booking.cancelled_at.isoformat() if booking.cancelled_at else None,
            "cancellation_reason": booking.cancellation_reason,
        }
        for booking in bookings
    ]
