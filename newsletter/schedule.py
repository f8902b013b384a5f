"""Send slots: the weekdays and time of day (from settings) at which newsletter mail goes out."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from core.localtime import WEEKDAYS_JA, local_date, local_datetime


def send_zone() -> ZoneInfo:
    """The zone of the send slots (NEWSLETTER_SEND_TIME_ZONE, the practice's own by default)."""
    return ZoneInfo(settings.NEWSLETTER_SEND_TIME_ZONE)


def _send_time() -> time:
    return time.fromisoformat(settings.NEWSLETTER_SEND_TIME)


def _slot_on(day: date) -> datetime:
    return local_datetime(day, _send_time(), send_zone())


def is_slot(moment: datetime) -> bool:
    local = moment.astimezone(send_zone())
    return local.weekday() in settings.NEWSLETTER_SEND_WEEKDAYS and local == _slot_on(local.date())


def slots_between(start: datetime, end: datetime) -> list[datetime]:
    """Every slot with start < slot <= end, oldest first."""
    zone = send_zone()
    day, last_day = local_date(start, zone), local_date(end, zone)
    slots = []
    while day <= last_day:
        if day.weekday() in settings.NEWSLETTER_SEND_WEEKDAYS:
            slot = _slot_on(day)
            if start < slot <= end:
                slots.append(slot)
        day += timedelta(days=1)
    return slots


def slot_next_after(moment: datetime) -> datetime:
    """The first slot strictly after ``moment`` (a week always holds at least one)."""
    return slots_between(moment, moment + timedelta(days=8))[0]


def slots_description() -> str:
    """ "毎週月・水・金曜日 7:00（週3回）" — for the consent wording and the welcome email."""
    weekdays = sorted(set(settings.NEWSLETTER_SEND_WEEKDAYS))
    days = "・".join(WEEKDAYS_JA[day] for day in weekdays)
    send_time = _send_time()
    return f"毎週{days}曜日 {send_time.hour}:{send_time.minute:02d}（週{len(weekdays)}回）"
