"""The day-before reminder, found by a periodic scan rather than scheduled per booking.

A scan survives restarts, reschedules and broker outages: whatever is due and not yet queued is
queued on the next run, and the outbox key (booking, SEQUENCE) keeps a second run from sending twice.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from counseling.models import Booking
from counseling.services.booking_mail import booking_mail_reminder
from outbox.services import emails_send_on_commit


@transaction.atomic
def booking_reminders_queue_due(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Queues the reminders whose time has come for sessions still ahead; returns how many were new."""
    now = now or timezone.now()
    # SKIP LOCKED: two overlapping scans split the work instead of waiting on each other.
    due = list(
        Booking.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("client", "counselor", "session_type")
        .filter(
            status=Booking.Status.CONFIRMED,
            reminder_queued_at__isnull=True,
            reminder_due_at__lte=now,
            start__gt=now,
        )
        .order_by("reminder_due_at", "pk")[:limit]
    )
    email_ids = [
        email_id for booking in due if (email_id := booking_mail_reminder(booking=booking)) is not None
    ]
    Booking.objects.filter(pk__in=[booking.pk for booking in due]).update(reminder_queued_at=now)
    emails_send_on_commit(email_ids=email_ids)
    return len(email_ids)
