"""The counseling demo steps: free slots at once, a signed tagged note and a submitted worksheet,
each added once."""

import pytest

from core.demo import demo_steps
from counseling.models import AvailabilityRule, Intake, SessionNote, SessionType, Worksheet
from counseling.selectors.availability import slot_list
from counseling.services.bookings import booking_create
from outbox.models import OutboundEmail
from tests.conftest import authenticated_client
from tests.counseling.conftest import NOW, WEDNESDAY

pytestmark = pytest.mark.django_db


def test_the_demo_step_offers_free_slots_at_once_and_running_it_twice_changes_nothing(time_machine):
    time_machine.move_to(NOW, tick=False)
    shared: dict = {}
    for _ in range(2):
        for step in demo_steps():
            step(shared, lambda line: None)

    counselor, client = shared["counselor"], shared["client"]
    assert sorted(SessionType.objects.filter(counselor=counselor).values_list("format", flat=True)) == [
        "nagoya",
        "online",
        "tokyo",
    ]
    assert AvailabilityRule.objects.filter(counselor=counselor).count() == 7
    assert Intake.objects.filter(client=client).count() == 1
    for session_type in SessionType.objects.filter(counselor=counselor):
        assert slot_list(session_type=session_type, date_from=NOW.date(), date_to=NOW.date().replace(day=14))
    # The demo client may book straight away, and the demo wrote no mail.
    assert not OutboundEmail.objects.filter(kind__startswith="counseling.").exists()
    online = SessionType.objects.get(counselor=counselor, format="online")
    free = slot_list(session_type=online, date_from=WEDNESDAY, date_to=WEDNESDAY)
    booking, created = booking_create(client=client, session_type=online, start=free[0].start)
    assert created and booking.meeting_url


def test_the_demo_adds_a_signed_tagged_note_and_a_submitted_worksheet_once_and_mails_nobody(time_machine):
    time_machine.move_to(NOW, tick=False)
    shared: dict = {}
    for _ in range(2):
        for step in demo_steps():
            step(shared, lambda line: None)

    counselor, client = shared["counselor"], shared["client"]
    [note] = SessionNote.objects.filter(counselor=counselor, client=client)
    assert note.status == "signed"
    assert note.tags.count() >= 3
    [worksheet] = Worksheet.objects.filter(counselor=counselor, client=client)
    assert worksheet.status == "submitted"
    assert worksheet.entries.count() == 2
    assert (
        authenticated_client(counselor).get("/api/v1/worksheets/", {"status": "submitted"}).json()["count"]
        == 1
    )
    assert not OutboundEmail.objects.filter(kind__startswith="counseling.").exists()
