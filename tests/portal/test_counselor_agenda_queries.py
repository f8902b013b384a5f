"""The agenda and the week calendar cost the same queries with 1 booking as with 50."""

from datetime import timedelta
from itertools import count

import pytest

from tests.counseling.conftest import NOW
from tests.counseling.factories import (
    BookingFactory,
    IntakeFactory,
    SessionNoteFactory,
    SessionTypeFactory,
    WorksheetFactory,
)
from tests.portal.test_query_counts import queries

pytestmark = pytest.mark.django_db


def one_and_fifty(make_rows, count_queries) -> tuple[int, int]:
    make_rows(1)
    one = count_queries()
    make_rows(49)
    return one, count_queries()


def test_the_agenda(client, counselor, frozen_now):
    session_type = SessionTypeFactory(counselor=counselor)
    client.force_login(counselor)
    minutes = count()

    def rows(n):
        for _ in range(n):
            step = timedelta(minutes=70 * next(minutes))
            BookingFactory(session_type=session_type, start=NOW + timedelta(hours=1) + step)
            held = BookingFactory(
                session_type=session_type, start=NOW - timedelta(days=5) + step, status="completed"
            )
            SessionNoteFactory(counselor=counselor, client=held.client, booking=held, date=NOW.date())
            IntakeFactory()
            WorksheetFactory(counselor=counselor, status="submitted", submitted_at=NOW)

    one, fifty = one_and_fifty(rows, lambda: queries(client, "/counselor/"))
    assert one == fifty


def test_the_week_calendar(client, counselor, frozen_now):
    session_type = SessionTypeFactory(counselor=counselor)
    client.force_login(counselor)
    minutes = count()

    def rows(n):
        for _ in range(n):
            BookingFactory(session_type=session_type, start=NOW + timedelta(minutes=70 * next(minutes)))

    one, fifty = one_and_fifty(rows, lambda: queries(client, "/counselor/calendar/"))
    assert one == fifty
