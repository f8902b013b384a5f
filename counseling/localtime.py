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


def day_label(day: date) -> str:
    """E.g. 2025年6月2日（月）."""
    return f"{day.year}年{day.month}月{day.day}日（{WEEKDAYS_JA[day.weekday()]}）"


def local_day_label(value: datetime) -> str:
    """The practice's calendar day of an instant, e.g. 2025年6月2日（月）."""
    return day_label(local_date(value))


def local_clock(value: datetime) -> str:
    return f"{value.astimezone(practice_timezone()):%H:%M}"


def local_label(value: datetime) -> str:
    """E.g. 2025年6月2日（月）10:00, as it appears in mail."""
    return local_day_label(value) + local_clock(value)
