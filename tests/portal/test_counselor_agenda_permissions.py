"""The agenda, calendar, booking and note pages: anonymous visitors log in first, clients are refused
(403, as on every counselor page), another counselor meets 404 and changes nothing."""

from datetime import timedelta

import pytest

from counseling.models import AccessRecord, Booking, SessionNote
from tests.accounts.factories import CounselorFactory
from tests.counseling.conftest import NOW
from tests.counseling.factories import BookingFactory, SessionNoteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(frozen_now):
    """Counselor A's held booking with a draft note, and an upcoming one."""
    held = BookingFactory(start=NOW - timedelta(hours=3), status="completed")
    upcoming = BookingFactory(
        session_type=held.session_type, client=held.client, start=NOW + timedelta(days=3)
    )
    note = SessionNoteFactory(counselor=held.counselor, client=held.client, booking=held, date=NOW.date())
    return {"held": held, "upcoming": upcoming, "note": note}


def object_pages(world) -> list[tuple[str, str, dict]]:
    held, upcoming, note = world["held"], world["upcoming"], world["note"]
    return [
        ("get", f"/counselor/bookings/{upcoming.pk}/", {}),
        ("post", f"/counselor/bookings/{held.pk}/mark/", {"status": "no_show"}),
        ("post", f"/counselor/bookings/{upcoming.pk}/cancel/", {"reason": "都合"}),
        ("get", f"/counselor/bookings/{upcoming.pk}/reschedule/", {}),
        ("post", f"/counselor/bookings/{upcoming.pk}/reschedule/", {"start": upcoming.start.isoformat()}),
        ("get", f"/counselor/bookings/{held.pk}/note/", {}),
        ("post", f"/counselor/bookings/{held.pk}/note/", {"plan": "書き換え"}),
        ("get", f"/counselor/clients/{held.client_id}/notes/new/", {}),
        ("post", f"/counselor/clients/{held.client_id}/notes/new/", {"plan": "新規", "date": "2025-06-01"}),
        ("get", f"/counselor/notes/{note.pk}/", {}),
        ("post", f"/counselor/notes/{note.pk}/", {"plan": "書き換え"}),
        ("get", f"/counselor/notes/{note.pk}/sign/", {}),
        ("post", f"/counselor/notes/{note.pk}/sign/", {}),
        ("post", f"/counselor/notes/{note.pk}/addenda/", {"text": "追記"}),
    ]


LIST_PAGES = ["/counselor/", "/counselor/calendar/"]


def assert_unchanged(world) -> None:
    held, upcoming, note = (type(obj).objects.get(pk=obj.pk) for obj in world.values())
    assert (held.status, upcoming.status, upcoming.start) == (
        "completed",
        "confirmed",
        world["upcoming"].start,
    )
    assert (note.status, note.plan) == ("draft", world["note"].plan)
    assert SessionNote.objects.count() == 1 and not note.addenda.exists()


def test_an_anonymous_visitor_is_sent_to_log_in_and_nothing_changes(client, world):
    for method, path, data in [*object_pages(world), *(("get", path, {}) for path in LIST_PAGES)]:
        response = getattr(client, method)(path, data)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/login/?next=")
    assert_unchanged(world)
    assert not AccessRecord.objects.exists()


def test_a_client_is_refused_even_on_their_own_booking_and_note(client, world):
    client.force_login(world["held"].client)

    for method, path, data in [*object_pages(world), *(("get", path, {}) for path in LIST_PAGES)]:
        assert getattr(client, method)(path, data).status_code == 404, path
    assert_unchanged(world)
    assert not AccessRecord.objects.exists()


def test_another_counselor_gets_404_and_sees_none_of_it_in_their_own_lists(client, world):
    client.force_login(CounselorFactory())

    for method, path, data in object_pages(world):
        assert getattr(client, method)(path, data).status_code == 404, path
    for path in LIST_PAGES:
        body = client.get(path).content.decode()
        assert world["held"].client.email not in body
        assert f"/counselor/bookings/{world['upcoming'].pk}/" not in body
    assert_unchanged(world)
    assert not AccessRecord.objects.exists()
    assert Booking.objects.filter(status="confirmed").count() == 1


def test_every_page_that_shows_a_notes_text_records_the_read(client, world):
    counselor, note = world["held"].counselor, world["note"]
    client.force_login(counselor)

    for path in (
        f"/counselor/bookings/{world['held'].pk}/note/",
        f"/counselor/notes/{note.pk}/",
        f"/counselor/notes/{note.pk}/sign/",
    ):
        before = AccessRecord.objects.filter(object_id=note.pk, action="read").count()
        assert note.presenting_concern in client.get(path).content.decode()
        assert (
            AccessRecord.objects.filter(object_id=note.pk, action="read", actor=counselor).count()
            == before + 1
        )
