"""Free slots: the weekly rules (Asia/Tokyo wall clock) cut into the slot interval, minus time off,
minus live bookings with their buffers, between the minimum notice and the booking window.

The booking services ask the same functions whether a start is bookable, so what the list offers and
what a booking accepts cannot drift apart.
"""

import enum
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate

from django.conf import settings
from django.db.models import BooleanField, Q, QuerySet, Value
from django.utils import timezone

from core.localtime import local_date, local_datetime
from counseling.models import AvailabilityRule, Booking, CounselorProfile, SessionType, TimeOff


@dataclass(frozen=True)
class Slot:
    start: datetime
    end: datetime


class SlotState(enum.Enum):
    FREE = "free"
    # A start the rules and interval offer, but taken, off, too soon or too far ahead.
    UNAVAILABLE = "unavailable"
    # Not a start the rules offer at all (outside hours, off the interval).
    NOT_A_SLOT = "not_a_slot"


def session_type_list_active() -> QuerySet[SessionType]:
    return SessionType.objects.filter(active=True).select_related("counselor")


def _rules_by_weekday(session_type: SessionType) -> dict[int, list[AvailabilityRule]]:
    rules: dict[int, list[AvailabilityRule]] = defaultdict(list)
    for rule in AvailabilityRule.objects.filter(
        counselor_id=session_type.counselor_id, format=session_type.format
    ):
        rules[rule.weekday].append(rule)
    return rules


def _days(date_from: date, date_to: date):
    day = date_from
    while day <= date_to:
        yield day
        day += timedelta(days=1)


def _opening_hours(rules: list[AvailabilityRule], day: date) -> list[tuple[datetime, datetime]]:
    """The day's rules as spans, touching or overlapping rules joined (10–12 and 12–14 are 10–14)."""
    spans: list[tuple[datetime, datetime]] = []
    for rule in sorted(rules, key=lambda rule: rule.start_time):
        start, end = local_datetime(day, rule.start_time), local_datetime(day, rule.end_time)
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
        else:
            spans.append((start, end))
    return spans


def _candidate_starts(
    rules: dict[int, list[AvailabilityRule]], date_from: date, date_to: date, duration: timedelta
) -> list[datetime]:
    """Every start the rules offer: from each span's start, every interval, while the session fits."""
    interval = settings.COUNSELING_SLOT_INTERVAL
    starts: list[datetime] = []
    for day in _days(date_from, date_to):
        for span_start, span_end in _opening_hours(rules.get(day.weekday(), []), day):
            start = span_start
            # A session may end exactly at the span's end; its buffer may run past it.
            while start + duration <= span_end:
                starts.append(start)
                start += interval
    return starts


def _busy_index(ranges: list[tuple[datetime, datetime]]) -> tuple[list[datetime], list[datetime]]:
    """The ranges' starts in order, and for each, the latest end among the ranges up to it.

    A range overlaps [start, end) when it starts before ``end`` and ends after ``start``; among the
    ranges starting before ``end`` (a prefix of the starts, found by bisection) it is enough to know the
    latest end. Everything is in UTC and asked in UTC: datetimes sharing one tzinfo compare without a
    time-zone lookup, and for instants in UTC that comparison is the instants' order.
    """
    in_utc = sorted(
        (range_start.astimezone(UTC), range_end.astimezone(UTC)) for range_start, range_end in ranges
    )
    return [range_start for range_start, _ in in_utc], list(accumulate((end for _, end in in_utc), max))


def slot_list(
    *,
    session_type: SessionType,
    date_from: date,
    date_to: date,
    now: datetime | None = None,
    exclude_booking_id: int | None = None,
    window: timedelta | None = None,
) -> list[Slot]:
    """The free slots of ``session_type`` on the Asia/Tokyo days ``date_from`` to ``date_to`` inclusive.

    ``window`` is how far ahead a slot may lie: the clients' booking window unless given (the
    counselor books further ahead, see ``COUNSELING_COUNSELOR_BOOKING_WINDOW``).
    """
    return _free_slots(
        session_type,
        _rules_by_weekday(session_type),
        date_from,
        date_to,
        now=now or timezone.now(),
        exclude_booking_id=exclude_booking_id,
        window=window,
    )


def _free_slots(
    session_type: SessionType,
    rules: dict[int, list[AvailabilityRule]],
    date_from: date,
    date_to: date,
    *,
    now: datetime,
    exclude_booking_id: int | None,
    window: timedelta | None = None,
) -> list[Slot]:
    duration = timedelta(minutes=session_type.duration_minutes)
    # The slot's own buffer must not run into the next booking either: the database compares the same span.
    occupied = duration + timedelta(minutes=session_type.buffer_minutes)
    earliest = now + settings.COUNSELING_MIN_NOTICE
    latest = now + (window or settings.COUNSELING_BOOKING_WINDOW)
    # Days outside notice and window cannot hold a slot: skip them rather than walk them.
    date_from, date_to = max(date_from, local_date(earliest)), min(date_to, local_date(latest))

    candidates = _starts_between(_candidate_starts(rules, date_from, date_to, duration), earliest, latest)
    if not candidates:
        return []
    span_start, span_end = candidates[0][0], candidates[-1][0] + occupied

    bookings = Booking.objects.filter(
        counselor_id=session_type.counselor_id,
        status__in=Booking.BLOCKING_STATUSES,
        start__lt=span_end,
        buffer_end__gt=span_start,
    )
    if exclude_booking_id is not None:
        bookings = bookings.exclude(pk=exclude_booking_id)
    time_off = TimeOff.objects.filter(
        counselor_id=session_type.counselor_id, start__lt=span_end, end__gt=span_start
    )
    # Both in one round trip: bookings (with their buffers) and time off, told apart by the third value.
    is_booking = Value(True, output_field=BooleanField())
    # No ORDER BY inside a UNION (SQLite refuses it): _busy_index sorts.
    ranges = (
        bookings.order_by()
        .values_list("start", "buffer_end", is_booking)
        .union(
            time_off.order_by().values_list("start", "end", Value(False, output_field=BooleanField())),
            all=True,
        )
    )
    busy: list[tuple[datetime, datetime]] = []
    away: list[tuple[datetime, datetime]] = []
    for range_start, range_end, booked in ranges:
        (busy if booked else away).append((range_start, range_end))
    return _unblocked_slots(candidates, duration=duration, occupied=occupied, busy=busy, time_off=away)


def _starts_between(
    starts: list[datetime], earliest: datetime, latest: datetime
) -> list[tuple[datetime, datetime]]:
    """The starts from ``earliest`` to ``latest`` inclusive, each with its instant in UTC (see _busy_index):
    the slots keep the wall-clock datetimes the rules made."""
    earliest_utc, latest_utc = earliest.astimezone(UTC), latest.astimezone(UTC)
    between = []
    for start in starts:
        start_utc = start.astimezone(UTC)
        if earliest_utc <= start_utc <= latest_utc:
            between.append((start, start_utc))
    return between


def _unblocked_slots(
    candidates: list[tuple[datetime, datetime]],
    *,
    duration: timedelta,
    occupied: timedelta,
    busy: list[tuple[datetime, datetime]],
    time_off: list[tuple[datetime, datetime]],
) -> list[Slot]:
    """The candidates whose session and buffer (``occupied``) touch no booking with its buffer (``busy``)
    and whose session touches no time off."""
    # The overlap test (see _busy_index) written out: this loop runs for every candidate of two months.
    booking_starts, booking_latest_end = _busy_index(busy)
    away_starts, away_latest_end = _busy_index(time_off)
    free = []
    for start, start_utc in candidates:
        # Ends are added on the wall clock, as the slot's own end is, then compared as instants.
        if booking_starts:
            before = bisect_left(booking_starts, (start + occupied).astimezone(UTC))
            if before and booking_latest_end[before - 1] > start_utc:
                continue
        end = start + duration
        if away_starts:
            before = bisect_left(away_starts, end.astimezone(UTC))
            if before and away_latest_end[before - 1] > start_utc:
                continue
        free.append(Slot(start=start, end=end))
    return free


def slot_state(
    *,
    session_type: SessionType,
    start: datetime,
    now: datetime | None = None,
    exclude_booking_id: int | None = None,
    window: timedelta | None = None,
) -> SlotState:
    """Whether ``start`` can be booked now for ``session_type``, and if not, whether it ever could;
    ``window`` as for ``slot_list``."""
    now = now or timezone.now()
    window = window or settings.COUNSELING_BOOKING_WINDOW
    if not now + settings.COUNSELING_MIN_NOTICE <= start <= now + window:
        return SlotState.UNAVAILABLE
    day = local_date(start)
    rules = _rules_by_weekday(session_type)
    if start not in _candidate_starts(rules, day, day, timedelta(minutes=session_type.duration_minutes)):
        return SlotState.NOT_A_SLOT
    free = _free_slots(
        session_type, rules, day, day, now=now, exclude_booking_id=exclude_booking_id, window=window
    )
    return SlotState.FREE if any(slot.start == start for slot in free) else SlotState.UNAVAILABLE


def counselor_profile_get(*, counselor) -> CounselorProfile:
    """The counselor's settings; an unsaved blank one when they have set nothing yet."""
    return CounselorProfile.objects.filter(counselor=counselor).first() or CounselorProfile(
        counselor=counselor
    )


def session_type_list_for(*, user) -> QuerySet[SessionType]:
    """Active session types for everyone; a counselor also sees their own inactive ones."""
    queryset = SessionType.objects.filter(active=True)
    if getattr(user, "is_authenticated", False) and user.is_counselor:
        queryset = SessionType.objects.filter(Q(active=True) | Q(counselor=user))
    return queryset.select_related("counselor").order_by("format", "name", "id")


def availability_rule_list(*, counselor) -> QuerySet[AvailabilityRule]:
    return AvailabilityRule.objects.filter(counselor=counselor).order_by("weekday", "start_time", "id")


def time_off_list(*, counselor) -> QuerySet[TimeOff]:
    return TimeOff.objects.filter(counselor=counselor).order_by("start", "id")
