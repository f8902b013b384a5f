"""A fixed week for the counseling tests.

"Now" is Monday 2025-06-02 09:00 in Tokyo (00:00 UTC). The counselor offers online sessions on
Wednesdays 10:00–12:00 Tokyo time; with 60-minute sessions every 30 minutes that is 10:00, 10:30 and
11:00 on Wednesday 2025-06-04, the first day past the 24-hour notice.
"""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.conftest import authenticated_client
from tests.counseling.factories import (
    AvailabilityRuleFactory,
    CounselorProfileFactory,
    IntakeFactory,
    SessionTypeFactory,
)

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = datetime(2025, 6, 2, 9, 0, tzinfo=TOKYO)
WEDNESDAY = date(2025, 6, 4)
MEETING_URL = "https://meet.example.com/room-1"


def tokyo(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TOKYO)


@pytest.fixture
def frozen_now():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def session_type(counselor):
    """Online, 60 minutes, no buffer, bookable on Wednesdays 10:00–12:00."""
    AvailabilityRuleFactory(counselor=counselor, weekday=2, start_time=time(10), end_time=time(12))
    CounselorProfileFactory(counselor=counselor, meeting_url=MEETING_URL)
    return SessionTypeFactory(counselor=counselor)


@pytest.fixture
def intake(client_user):
    return IntakeFactory(client=client_user)


@pytest.fixture
def booking_client(client_user, intake):
    """The client, with an intake so that they may book, through the API."""
    return authenticated_client(client_user)
