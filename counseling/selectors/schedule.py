"""The counselor's schedule settings as the schedule page reads them."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from counseling.models import AvailabilityRule, Booking, SessionType, TimeOff


def session_type_list_own(*, counselor) -> QuerySet[SessionType]:
    """The counselor's session types, active first; ``has_bookings`` says which may never be deleted."""
    return (
        SessionType.objects.filter(counselor=counselor)
        .annotate(has_bookings=Exists(Booking.objects.filter(session_type=OuterRef("pk"))))
        .order_by("-active", "format", "name", "id")
    )


def availability_rules_by_weekday(*, counselor) -> list[tuple[int, str, list[AvailabilityRule]]]:
    """(weekday, label, that day's ranges in time order) for Monday to Sunday."""
    rules = list(AvailabilityRule.objects.filter(counselor=counselor).order_by("weekday", "start_time", "id"))
    return [
        (day, str(label), [rule for rule in rules if rule.weekday == day])
        for day, label in AvailabilityRule.Weekday.choices
    ]


@dataclass
class TimeOffWithBookings:
    time_off: TimeOff
    # Live bookings inside the time off: they stand until the counselor moves or cancels them.
    bookings: list[Booking] = field(default_factory=list)


# Past time off stays listed this long, then only the coming ones.
TIME_OFF_PAST_SHOWN = timedelta(days=30)


def _live_bookings_between(*, counselor, start: datetime, end: datetime):
    return (
        Booking.objects.filter(
            counselor=counselor, status__in=Booking.BLOCKING_STATUSES, start__lt=end, end__gt=start
        )
        .select_related("client", "session_type")
        .order_by("start", "id")
    )


def time_off_bookings(*, time_off: TimeOff) -> list[Booking]:
    """The live bookings one time off overlaps; one query."""
    return list(_live_bookings_between(counselor=time_off.counselor, start=time_off.start, end=time_off.end))


def time_off_with_bookings(*, counselor, now: datetime | None = None) -> list[TimeOffWithBookings]:
    """The coming (and last 30 days') time off, each with the live bookings it overlaps; two queries."""
    now = now or timezone.now()
    periods = [
        TimeOffWithBookings(time_off=time_off)
        for time_off in TimeOff.objects.filter(
            counselor=counselor, end__gte=now - TIME_OFF_PAST_SHOWN
        ).order_by("start", "id")
    ]
    if not periods:
        return periods
    earliest = min(period.time_off.start for period in periods)
    latest = max(period.time_off.end for period in periods)
    bookings = list(_live_bookings_between(counselor=counselor, start=earliest, end=latest))
    for period in periods:
        period.bookings = [
            booking
            for booking in bookings
            if booking.start < period.time_off.end and booking.end > period.time_off.start
        ]
    return periods
