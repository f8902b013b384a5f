"""Reads that shape the portal's pages: slots laid out by day, a client's courses, the week's sessions."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from counseling.localtime import local_date
from counseling.models import Booking, SessionType
from counseling.selectors.availability import Slot, slot_list
from courses.models import CourseSession, Enrollment
from newsletter.models import Broadcast
from newsletter.schedule import slot_next_after
from newsletter.selectors import newsletter_stats

DAYS_SHOWN = 7


@dataclass
class SlotDay:
    day: date
    slots: list[Slot] = field(default_factory=list)


@dataclass
class SlotWeek:
    days: list[SlotDay]
    previous_start: date | None
    next_start: date | None

    @property
    def has_slots(self) -> bool:
        return any(day.slots for day in self.days)


def slot_week(
    *,
    session_type: SessionType,
    start_day: date | None,
    exclude_booking_id: int | None = None,
    now: datetime | None = None,
    window: timedelta | None = None,
) -> SlotWeek:
    """Seven days of free slots from ``start_day`` (kept inside today .. the booking window, or
    ``window`` when given), by day."""
    now = now or timezone.now()
    window = window or settings.COUNSELING_BOOKING_WINDOW
    today = local_date(now)
    last_day = local_date(now + window)
    first = min(max(start_day or today, today), last_day)
    last = first + timedelta(days=DAYS_SHOWN - 1)
    days = {
        first + timedelta(days=offset): SlotDay(day=first + timedelta(days=offset))
        for offset in range(DAYS_SHOWN)
    }
    for slot in slot_list(
        session_type=session_type,
        date_from=first,
        date_to=last,
        now=now,
        exclude_booking_id=exclude_booking_id,
        window=window,
    ):
        days[local_date(slot.start)].slots.append(slot)
    return SlotWeek(
        days=list(days.values()),
        previous_start=first - timedelta(days=DAYS_SHOWN) if first > today else None,
        next_start=last + timedelta(days=1) if last < last_day else None,
    )


def client_enrollment_list(*, client) -> QuerySet[Enrollment]:
    """The client's course enrollments, newest first, with each course's sessions."""
    return (
        Enrollment.objects.filter(user=client)
        .select_related("course")
        .prefetch_related(
            Prefetch("course__sessions", queryset=CourseSession.objects.order_by("starts_at", "id"))
        )
        .order_by("-created_at", "-id")
    )


def week_bounds(day: date) -> tuple[date, date]:
    """Monday and Sunday of the week holding ``day``."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def bookings_by_day(bookings: list[Booking]) -> list[tuple[date, list[Booking]]]:
    """Bookings (already in start order) grouped by their Asia/Tokyo day."""
    days: dict[date, list[Booking]] = {}
    for booking in bookings:
        days.setdefault(local_date(booking.start), []).append(booking)
    return list(days.items())


def newsletter_summary(*, now: datetime) -> dict:
    """The next send slot (with the broadcast planned for it, if any) and the latest figures."""
    next_slot = slot_next_after(now)
    stats = newsletter_stats(weeks=4, slots=1)
    scheduled = Broadcast.objects.filter(send_at=next_slot, status=Broadcast.Status.SCHEDULED)
    return {
        "next_slot": next_slot,
        "next_broadcast": scheduled.first(),
        "subscribers": stats["subscribers"],
        "last_slot": stats["slots"][0] if stats["slots"] else None,
        "confirmations_per_week": stats["confirmations_per_week"],
        "workbook_downloads": stats["workbook_downloads"],
    }
