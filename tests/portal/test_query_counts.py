"""Pages that list things take the same number of queries for one row as for twenty."""

from datetime import datetime, time, timedelta
from itertools import count

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.counseling.factories import (
    AvailabilityRuleFactory,
    BookingFactory,
    IntakeFactory,
    SessionNoteFactory,
    SessionTypeFactory,
    TimeOffFactory,
    WorksheetEntryFactory,
    WorksheetFactory,
)
from tests.courses.factories import CourseFactory

pytestmark = pytest.mark.django_db


def queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def grow(make_rows, count_queries) -> tuple[int, int]:
    make_rows(1)
    one = count_queries()
    make_rows(19)
    return one, count_queries()


def test_the_course_list(client):
    one, twenty = grow(
        lambda n: CourseFactory.create_batch(n, sessions=2), lambda: queries(client, "/courses/")
    )
    assert one == twenty


def test_the_clients_bookings(client, client_user):
    session_type = SessionTypeFactory()
    client.force_login(client_user)

    hours = count()

    def bookings(n):
        for _ in range(n):
            start = timezone.now() + timedelta(days=2, hours=next(hours))
            BookingFactory(session_type=session_type, client=client_user, start=start)

    one, twenty = grow(bookings, lambda: queries(client, "/portal/bookings/"))
    assert one == twenty


def test_the_counselors_dashboard(client, counselor):
    session_type = SessionTypeFactory(counselor=counselor)
    client.force_login(counselor)
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
    week_start = timezone.make_aware(datetime.combine(monday, time.min))
    hours = count()

    def rows(n):
        for _ in range(n):
            BookingFactory(session_type=session_type, start=week_start + timedelta(hours=next(hours)))
            IntakeFactory()
            worksheet = WorksheetFactory(counselor=counselor)
            WorksheetEntryFactory(worksheet=worksheet)
            worksheet.status, worksheet.submitted_at = "submitted", timezone.now()
            worksheet.save()

    one, twenty = grow(rows, lambda: queries(client, "/counselor/"))
    assert one == twenty


def test_a_clients_notes(client):
    first = SessionNoteFactory(tags=["scene.work"])
    client.force_login(first.counselor)

    def notes(n):
        SessionNoteFactory.create_batch(
            n, counselor=first.counselor, client=first.client, tags=["scene.work", "step.1"]
        )

    one, twenty = grow(notes, lambda: queries(client, f"/counselor/clients/{first.client_id}/"))
    assert one == twenty


def test_the_client_list_with_1_and_50_clients(client, counselor):
    session_type = SessionTypeFactory(counselor=counselor)
    client.force_login(counselor)
    hours = count()

    def clients(n):
        for _ in range(n):
            booking = BookingFactory(
                session_type=session_type, start=timezone.now() + timedelta(days=2, hours=next(hours))
            )
            WorksheetFactory(counselor=counselor, client=booking.client)

    clients(1)
    one = queries(client, "/counselor/clients/")
    clients(49)
    assert queries(client, "/counselor/clients/") == one


def test_the_client_file_with_1_and_50_bookings_notes_and_worksheets(client, counselor):
    session_type = SessionTypeFactory(counselor=counselor)
    first = SessionNoteFactory(counselor=counselor, tags=["scene.work"])
    client.force_login(counselor)
    hours = count()

    def rows(n):
        for index in range(n):
            start = timezone.now() + timedelta(days=(-1) ** index * 2, hours=next(hours))
            status = "confirmed" if start > timezone.now() else "completed"
            BookingFactory(session_type=session_type, client=first.client, start=start, status=status)
            note = SessionNoteFactory(
                counselor=counselor, client=first.client, tags=["scene.work", "reason.childhood", "step.1"]
            )
            worksheet = WorksheetFactory(counselor=counselor, client=first.client, session_note=note)
            WorksheetEntryFactory(worksheet=worksheet)

    rows(1)
    one = queries(client, f"/counselor/clients/{first.client_id}/")
    rows(49)
    assert queries(client, f"/counselor/clients/{first.client_id}/") == one


def test_the_schedule_page_with_1_and_50_types_hours_and_time_off(client, counselor):
    client.force_login(counselor)
    hours = count()
    # Open every day, so that the preview has slots to look at from the first row on.
    for weekday in range(7):
        AvailabilityRuleFactory(counselor=counselor, weekday=weekday, start_time=time(13), end_time=time(18))

    def rows(n):
        for _ in range(n):
            hour = next(hours)
            session_type = SessionTypeFactory(counselor=counselor)
            AvailabilityRuleFactory(
                counselor=counselor,
                weekday=hour % 7,
                start_time=time(hour % 12),
                end_time=time(hour % 12 + 1),
            )
            start = timezone.now() + timedelta(days=3, hours=hour * 3)
            TimeOffFactory(counselor=counselor, start=start)
            BookingFactory(session_type=session_type, start=start)

    rows(1)
    one = queries(client, "/counselor/schedule/")
    rows(49)
    assert queries(client, "/counselor/schedule/") == one
