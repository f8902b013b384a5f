"""What a series of bookings the counselor plans for a client would be: each occurrence and whether
it is free, read before anything is written."""

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from counseling.localtime import local_date, local_datetime, practice_timezone
from counseling.models import SessionType
from counseling.selectors.availability import SlotState, slot_state

# The most sessions one series books at once.
SERIES_MAX_OCCURRENCES = 12


class Repeat(enum.Enum):
    NONE = ("none", 0, _("繰り返さない"))
    WEEKLY = ("weekly", 7, _("毎週"))
    FORTNIGHTLY = ("fortnightly", 14, _("隔週"))

    def __init__(self, code: str, days: int, label):
        self.code, self.days, self.label = code, days, label

    @classmethod
    def from_code(cls, code: str) -> "Repeat":
        return next(repeat for repeat in cls if repeat.code == code)


@dataclass(frozen=True)
class Occurrence:
    start: datetime
    end: datetime
    state: SlotState

    @property
    def is_free(self) -> bool:
        return self.state is SlotState.FREE


def series_starts(*, start: datetime, repeat: Repeat, count: int) -> list[datetime]:
    """The starts of a series: the same Asia/Tokyo wall-clock time every ``repeat`` days."""
    if repeat is Repeat.NONE:
        return [start]
    clock = start.astimezone(practice_timezone()).time()
    first_day = local_date(start)
    return [local_datetime(first_day + timedelta(days=repeat.days * n), clock) for n in range(count)]


def series_preview(*, session_type: SessionType, starts: list[datetime], now=None) -> list[Occurrence]:
    """Each start with whether the counselor could book it now (the booking service asks the same)."""
    now = now or timezone.now()
    duration = timedelta(minutes=session_type.duration_minutes)
    return [
        Occurrence(
            start=start,
            end=start + duration,
            state=slot_state(
                session_type=session_type,
                start=start,
                now=now,
                window=settings.COUNSELING_COUNSELOR_BOOKING_WINDOW,
            ),
        )
        for start in starts
    ]
