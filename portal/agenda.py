"""The counselor's time laid out for pages: the rolling agenda of days and the week grid by hour."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from counseling.localtime import local_date, practice_timezone
from counseling.models import AvailabilityRule, Booking

# Today and the seven days after it: on a Sunday the coming week is in sight.
AGENDA_DAYS_AHEAD = 7


@dataclass
class AgendaDay:
    day: date
    bookings: list[Booking] = field(default_factory=list)


def agenda_days(*, today: date, bookings: list[Booking]) -> list[AgendaDay]:
    """Every day from ``today`` to ``AGENDA_DAYS_AHEAD`` days later, empty ones too, with its bookings."""
    days = {
        today + timedelta(days=n): AgendaDay(today + timedelta(days=n)) for n in range(AGENDA_DAYS_AHEAD + 1)
    }
    for booking in bookings:
        day = days.get(local_date(booking.start))
        if day is not None:
            day.bookings.append(booking)
    return list(days.values())


@dataclass
class GridCell:
    day: date
    hour: int
    open: bool
    bookings: list[Booking] = field(default_factory=list)


@dataclass
class GridRow:
    hour: int
    cells: list[GridCell]

    @property
    def label(self) -> str:
        return f"{self.hour:02d}:00"


@dataclass
class WeekGrid:
    monday: date
    days: list[date]
    rows: list[GridRow]

    @property
    def sunday(self) -> date:
        return self.days[-1]

    @property
    def previous_monday(self) -> date:
        return self.monday - timedelta(days=7)

    @property
    def next_monday(self) -> date:
        return self.monday + timedelta(days=7)


def _rule_hours(rule: AvailabilityRule) -> range:
    last = (
        rule.end_time.hour
        if rule.end_time.minute == 0 and rule.end_time.second == 0
        else rule.end_time.hour + 1
    )
    return range(rule.start_time.hour, last)


def week_grid(*, day: date, rules: list[AvailabilityRule], bookings: list[Booking]) -> WeekGrid:
    """Monday to Sunday of the week holding ``day``, one row per hour from the earliest hour with
    availability to the latest (hours of bookings outside them are added), bookings in their start hour.
    """
    monday = day - timedelta(days=day.weekday())
    days = [monday + timedelta(days=n) for n in range(7)]
    open_hours: dict[int, set[int]] = {}
    for rule in rules:
        open_hours.setdefault(rule.weekday, set()).update(_rule_hours(rule))
    zone = practice_timezone()
    placed: dict[tuple[date, int], list[Booking]] = {}
    for booking in bookings:
        start = booking.start.astimezone(zone)
        placed.setdefault((start.date(), start.hour), []).append(booking)
    hours = set().union(*open_hours.values()) | {hour for _day, hour in placed}
    shown = range(min(hours), max(hours) + 1) if hours else range(0)
    rows = [
        GridRow(
            hour=hour,
            cells=[
                GridCell(
                    day=d,
                    hour=hour,
                    open=hour in open_hours.get(d.weekday(), ()),
                    bookings=placed.get((d, hour), []),
                )
                for d in days
            ],
        )
        for hour in shown
    ]
    return WeekGrid(monday=monday, days=days, rows=rows)
