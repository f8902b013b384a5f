"""The practice's local time (Asia/Tokyo): availability, reminders and send slots are kept in it,
and people read every time in it."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings

WEEKDAYS_JA = "月火水木金土日"


def practice_timezone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_datetime(day: date, clock: time, zone: ZoneInfo | None = None) -> datetime:
    """The instant a wall-clock time on a day stands for, in the practice's zone unless ``zone`` is given."""
    return datetime.combine(day, clock, tzinfo=zone or practice_timezone())


def local_date(value: datetime, zone: ZoneInfo | None = None) -> date:
    """The calendar day of an instant, in the practice's zone unless ``zone`` is given."""
    return value.astimezone(zone or practice_timezone()).date()


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


def local_minute(value: datetime) -> str:
    """E.g. 2025-06-02 10:00, as a spreadsheet reads it."""
    return f"{value.astimezone(practice_timezone()):%Y-%m-%d %H:%M}"
