"""A busy counselor's two months, for the tests that compare the availability answer with another."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tests.counseling.factories import (
    AvailabilityRuleFactory,
    BookingFactory,
    SessionTypeFactory,
    TimeOffFactory,
)

# Late evening in UTC, so that Tokyo reads the next day; seconds and microseconds too.
NOW = datetime(2025, 10, 20, 22, 41, 7, 500, tzinfo=ZoneInfo("UTC"))
# Across New York's change of clocks (2 November 2025).
FIRST_DAY, LAST_DAY = date(2025, 10, 21), date(2025, 12, 19)


def busy_counselor(counselor, *, days: int = 60):
    """Hours every day (on Sundays also from 00:00, across the night the clocks change), a 50-minute
    session type with a 10-minute buffer, a booking every other day, and a time off."""
    session_type = SessionTypeFactory(counselor=counselor, duration_minutes=50, buffer_minutes=10)
    for weekday in range(7):
        AvailabilityRuleFactory(counselor=counselor, weekday=weekday, start_time=time(10), end_time=time(18))
    AvailabilityRuleFactory(counselor=counselor, weekday=6, start_time=time(0), end_time=time(3, 30))
    for day in range(0, days, 2):
        start = datetime.combine(FIRST_DAY + timedelta(days=day), time(14), tzinfo=ZoneInfo("Asia/Tokyo"))
        BookingFactory(
            counselor=counselor,
            session_type=session_type,
            start=start,
            end=start + timedelta(minutes=50),
            buffer_end=start + timedelta(minutes=60),
        )
    TimeOffFactory(counselor=counselor, start=NOW + timedelta(days=5), end=NOW + timedelta(days=6, hours=3))
    return session_type
