"""The slot search compares instants in UTC; its answers are exactly those of the plain search it replaced
(kept below as the reference), on generated schedules in zones with and without daylight saving time."""

from bisect import bisect_left
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta, timezone
from itertools import accumulate
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from counseling.models import AvailabilityRule, Booking
from counseling.selectors.availability import (
    Slot,
    _candidate_starts,
    _rules_by_weekday,
    _starts_between,
    _unblocked_slots,
    slot_list,
)
from tests.counseling.factories import BookingFactory
from tests.counseling.schedules import FIRST_DAY, LAST_DAY, NOW, busy_counselor

ZONES = ("Asia/Tokyo", "UTC", "America/New_York", "Europe/London")


class _ReferenceBusyTimes:
    """The overlap test as it was: ranges kept in whatever zone they came in."""

    def __init__(self, ranges):
        ranges = sorted(ranges)
        self._starts = [range_start for range_start, _ in ranges]
        self._latest_end = list(accumulate((range_end for _, range_end in ranges), max))

    def overlaps(self, start, end) -> bool:
        starting_before_end = bisect_left(self._starts, end)
        return starting_before_end > 0 and self._latest_end[starting_before_end - 1] > start


def reference_slots(starts, *, duration, occupied, earliest, latest, busy, time_off) -> list[Slot]:
    """The search as it was: candidates in the practice's zone compared directly with everything else."""
    candidates = [start for start in starts if earliest <= start <= latest]
    bookings, away = _ReferenceBusyTimes(busy), _ReferenceBusyTimes(time_off)
    return [
        Slot(start=start, end=start + duration)
        for start in candidates
        if not bookings.overlaps(start, start + occupied) and not away.overlaps(start, start + duration)
    ]


def exactly(slots: list[Slot]) -> list[tuple]:
    """Equal instants are not enough: the same wall clock in the same zone too."""
    return [
        (slot.start.isoformat(), slot.start.tzinfo, slot.end.isoformat(), slot.end.tzinfo) for slot in slots
    ]


def new_slots(starts, *, duration, occupied, earliest, latest, busy, time_off) -> list[Slot]:
    return _unblocked_slots(
        _starts_between(starts, earliest, latest),
        duration=duration,
        occupied=occupied,
        busy=busy,
        time_off=time_off,
    )


# The daylight-saving changes of New York and London in 2025 (each on a Sunday, at night), and a
# day with none.
CHANGES = (date(2025, 3, 9), date(2025, 3, 30), date(2025, 10, 26), date(2025, 11, 2), date(2025, 6, 8))


@st.composite
def schedules(draw):
    zone_name = draw(st.sampled_from(ZONES))
    change = draw(st.sampled_from(CHANGES))
    first_day = change - timedelta(days=draw(st.integers(0, 3)))
    days = draw(st.integers(1, 8))
    rules: dict[int, list[AvailabilityRule]] = defaultdict(list)
    # Many rules at night and on Sundays, where the clocks change.
    starts = st.one_of(st.integers(0, 4 * 60), st.integers(0, 1439 - 15)).map(
        lambda minute: minute - minute % 15
    )
    for _ in range(draw(st.integers(0, 8))):
        start_minute = draw(starts)
        end_minute = min(start_minute + draw(st.integers(15, 720)), 1439)
        weekday = draw(st.one_of(st.just(6), st.integers(0, 6)))
        rules[weekday].append(
            AvailabilityRule(
                weekday=weekday,
                start_time=time(*divmod(start_minute, 60)),
                end_time=time(*divmod(end_minute, 60)),
            )
        )
    window_start = datetime.combine(first_day - timedelta(days=1), time(0), tzinfo=UTC)
    seconds = (days + 2) * 24 * 60 * 60
    # Mostly on the five-minute grid every start lies on, so that ends touch starts exactly, and often in
    # the night of the change (00:00 to 09:00 UTC covers London's and New York's).
    night_of_change = datetime.combine(change, time(0), tzinfo=UTC)
    instants = st.one_of(
        st.integers(0, seconds // 300).map(lambda step: window_start + timedelta(seconds=step * 300)),
        st.integers(0, 9 * 12).map(lambda step: night_of_change + timedelta(minutes=step * 5)),
        st.integers(0, seconds).map(lambda offset: window_start + timedelta(seconds=offset)),
    )
    # The database and timezone.now() answer in UTC; other zones show that the comparison does not care.
    # Not the practice's own zone where it has daylight saving: there the plain search compared wall
    # clocks (the same tzinfo on both sides), not instants, around the change. The application never
    # handed it such values, and the practice's zone, Asia/Tokyo, has had no daylight saving since 1951.
    zones = st.sampled_from(
        [UTC, timezone(timedelta(hours=9)), ZoneInfo("Asia/Tokyo")]
        + [ZoneInfo(name) for name in ("America/New_York", "Europe/London") if name != zone_name]
    )

    def ranges(longest_minutes: int):
        # Short ones too: a range that begins just after a slot ends is where the clocks' change matters.
        minutes = st.one_of(st.integers(0, 60), st.integers(0, longest_minutes // 5)).map(
            lambda steps: steps * 5
        )
        return st.lists(
            st.tuples(instants, minutes, zones).map(
                lambda item: (
                    item[0].astimezone(item[2]),
                    (item[0] + timedelta(minutes=item[1])).astimezone(item[2]),
                )
            ),
            max_size=25,
        )

    earliest = draw(instants).astimezone(draw(zones))
    duration = timedelta(minutes=draw(st.integers(3, 36)) * 5)
    return {
        "zone": zone_name,
        "interval": timedelta(minutes=draw(st.sampled_from([10, 15, 20, 30, 45, 60]))),
        "rules": rules,
        "first_day": first_day,
        "last_day": first_day + timedelta(days=days - 1),
        "duration": duration,
        "occupied": duration + timedelta(minutes=draw(st.sampled_from([0, 5, 10, 15, 30, 60]))),
        "earliest": earliest,
        "latest": earliest + timedelta(minutes=draw(st.integers(0, (days + 1) * 24 * 60))),
        "busy": draw(ranges(300)),
        "time_off": draw(ranges(3 * 24 * 60)),
    }


@hypothesis_settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schedule=schedules())
def test_the_search_in_utc_answers_exactly_what_the_plain_search_answered(schedule):
    with override_settings(TIME_ZONE=schedule["zone"], COUNSELING_SLOT_INTERVAL=schedule["interval"]):
        starts = _candidate_starts(
            schedule["rules"], schedule["first_day"], schedule["last_day"], schedule["duration"]
        )
        arguments = {
            key: schedule[key] for key in ("duration", "occupied", "earliest", "latest", "busy", "time_off")
        }
        assert exactly(new_slots(starts, **arguments)) == exactly(reference_slots(starts, **arguments))


@pytest.mark.django_db
@pytest.mark.parametrize("zone", ["Asia/Tokyo", "America/New_York"])
def test_slot_list_answers_what_the_plain_search_answers_for_two_busy_months(counselor, zone, settings):
    """Through the database, in the practice's zone and in one whose clocks change in between."""
    settings.TIME_ZONE = zone
    session_type = busy_counselor(counselor)
    cancelled = BookingFactory(counselor=counselor, session_type=session_type, start=NOW + timedelta(days=3))
    Booking.objects.filter(pk=cancelled.pk).update(status=Booking.Status.CANCELLED)

    slots = slot_list(session_type=session_type, date_from=FIRST_DAY, date_to=LAST_DAY, now=NOW)

    reference = reference_slots(
        _candidate_starts(_rules_by_weekday(session_type), FIRST_DAY, LAST_DAY, timedelta(minutes=50)),
        duration=timedelta(minutes=50),
        occupied=timedelta(minutes=60),
        earliest=NOW + settings.COUNSELING_MIN_NOTICE,
        latest=NOW + settings.COUNSELING_BOOKING_WINDOW,
        busy=list(
            Booking.objects.filter(status__in=Booking.BLOCKING_STATUSES).values_list("start", "buffer_end")
        ),
        time_off=list(counselor.time_off.values_list("start", "end")),
    )
    assert len(slots) > 500
    assert exactly(slots) == exactly(reference)


@pytest.mark.parametrize("blocker", ["busy", "time_off"])
def test_when_the_clocks_go_back_a_session_ends_by_the_wall_clock_as_it_always_did(blocker):
    """New York, 2 November 2025: 01:00 EDT plus an hour is 02:00 EST, two hours later in UTC."""
    with override_settings(TIME_ZONE="America/New_York", COUNSELING_SLOT_INTERVAL=timedelta(minutes=30)):
        sunday = date(2025, 11, 2)
        rules = {6: [AvailabilityRule(weekday=6, start_time=time(0), end_time=time(4))]}
        starts = _candidate_starts(rules, sunday, sunday, timedelta(hours=1))
        # 01:30 to 01:45 EST, the second time the clocks show it.
        blocked = [(datetime(2025, 11, 2, 6, 30, tzinfo=UTC), datetime(2025, 11, 2, 6, 45, tzinfo=UTC))]
        arguments = {
            "duration": timedelta(hours=1),
            "occupied": timedelta(hours=1),
            "earliest": datetime(2025, 11, 1, tzinfo=UTC),
            "latest": datetime(2025, 11, 3, tzinfo=UTC),
            "busy": blocked if blocker == "busy" else [],
            "time_off": blocked if blocker == "time_off" else [],
        }

        slots = new_slots(starts, **arguments)

        offered = [f"{slot.start:%H:%M}" for slot in slots]
        assert offered == ["00:00", "00:30", "02:00", "02:30", "03:00"]
        assert exactly(slots) == exactly(reference_slots(starts, **arguments))
