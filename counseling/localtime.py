"""The practice's local time: availability is kept in it, and people read times in it."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings

WEEKDAYS_JA = "月火水木金土日"


def practice_timezone() -> ZoneInfo:
    return ZoneInfo(settings.COUNSELING_TIME_ZONE)


def local_datetime(day: date, clock: time) -> datetime:
    """The instant a wall-clock time on a day in the practice's time zone stands for."""
    return datetime.combine(day, clock, tzinfo=practice_timezone())


def local_date(value: datetime) -> date:
    return value.astimezone(practice_timezone()).date()


def local_day_label(value: datetime) -> str:
    """E.g. 2025年6月2日（月）."""
    local = value.astimezone(practice_timezone())
    return f"{local.year}年{local.month}月{local.day}日（{WEEKDAYS_JA[local.weekday()]}）"


def local_clock(value: datetime) -> str:
    return f"{value.astimezone(practice_timezone()):%H:%M}"


def local_label(value: datetime) -> str:
    """E.g. 2025年6月2日（月）10:00, as it appears in mail."""
    return local_day_label(value) + local_clock(value)
