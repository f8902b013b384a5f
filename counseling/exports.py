"""The caller's intakes, bookings, worksheets and the access log of their records in `me/export`.

The counselor-only suggestions and session notes stay out. Exporting intakes and worksheets is a
read like any other and is recorded in the access log (the log section, exported first, shows the
exports before this one).
"""

from core.personal_data import register_exporter
from counseling.calendar import booking_location
from counseling.models import AccessRecord, Booking, Intake, Worksheet, WorksheetEntry
from counseling.services.access import access_record


def _name(user) -> str:
    return user.display_name or user.email


@register_exporter("counseling_intakes")
def intakes_export(user) -> list[dict]:
    intakes = (
        Intake.objects.filter(client=user)
        .prefetch_related("scenes", "answers__reason")
        .order_by("created_at")
    )
    access_record(user=user, obj_or_objs=intakes, action=AccessRecord.Action.EXPORT, ip=None)
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
            "counselor": _name(booking.counselor),
            "start": booking.start.isoformat(),
            "end": booking.end.isoformat(),
            "status": booking.status,
            "created_at": booking.created_at.isoformat(),
            "cancelled_at": booking.cancelled_at.isoformat() if booking.cancelled_at else None,
            "cancellation_reason": booking.cancellation_reason,
        }
        for booking in bookings
    ]


@register_exporter("counseling_worksheets")
def worksheets_export(user) -> list[dict]:
    worksheets = list(
        Worksheet.objects.filter(client=user)
        .select_related("template", "counselor")
        .prefetch_related("entries")
        .order_by("created_at", "id")
    )
    access_record(user=user, obj_or_objs=worksheets, action=AccessRecord.Action.EXPORT, ip=None)
    return [
        {
            "id": worksheet.pk,
            "template": worksheet.template.code,
            "title": worksheet.template.title,
            "counselor": _name(worksheet.counselor),
            "assigned_at": worksheet.created_at.isoformat(),
            "due_date": worksheet.due_date.isoformat(),
            "message": worksheet.message,
            "status": worksheet.status,
            "entries": [_entry(entry) for entry in worksheet.entries.all()],
            "submitted_at": worksheet.submitted_at.isoformat() if worksheet.submitted_at else None,
            "reviewed_at": worksheet.reviewed_at.isoformat() if worksheet.reviewed_at else None,
            "review_comment": worksheet.review_comment,
        }
        for worksheet in worksheets
    ]


def _entry(entry: WorksheetEntry) -> dict:
    return {
        "date": entry.date.isoformat(),
        "answers": entry.answers,
        "added_at": entry.created_at.isoformat(),
    }


@register_exporter("counseling_access_log")
def access_log_export(user) -> list[dict]:
    """Who read or wrote the caller's notes, intakes and worksheets (the notes themselves stay out)."""
    records = AccessRecord.objects.filter(client=user).select_related("actor").order_by("at", "id")
    return [
        {
            "at": record.at.isoformat(),
            "by": _name(record.actor),
            "object_type": record.object_type,
            "object_id": record.object_id,
            "action": record.action,
            "ip_address": record.ip_address,
        }
        for record in records
    ]
