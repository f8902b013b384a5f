"""Double clicks and two tabs: the same state change sent many times at once happens once."""

from collections import Counter

import pytest
import time_machine

from counseling.models import AccessRecord, SessionNote, Worksheet
from outbox.models import OutboundEmail
from tests.conftest import authenticated_client
from tests.counseling.conftest import NOW
from tests.counseling.factories import SessionNoteFactory, WorksheetEntryFactory, WorksheetFactory
from tests.counseling.test_booking_races import run_at_once


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_ten_submits_of_one_worksheet_at_once_give_one_200_and_one_email():
    with time_machine.travel(NOW, tick=False):
        worksheet = WorksheetFactory()
        WorksheetEntryFactory(worksheet=worksheet)
        apis = [authenticated_client(worksheet.client) for _ in range(10)]

        results = run_at_once(
            [lambda api=api: api.post(f"/api/v1/worksheets/{worksheet.pk}/submit/") for api in apis]
        )

    assert Counter(status for status, _ in results) == {200: 1, 409: 9}
    assert Worksheet.objects.get().status == "submitted"
    assert OutboundEmail.objects.filter(kind="counseling.worksheet_submitted").count() == 1
    assert AccessRecord.objects.filter(action="submit").count() == 1


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_an_edit_racing_the_signature_either_lands_before_it_or_is_refused():
    with time_machine.travel(NOW, tick=False):
        note = SessionNoteFactory(plan="元の方針")
        api = authenticated_client(note.counselor)
        url = f"/api/v1/session-notes/{note.pk}/"
        requests = [lambda: api.post(f"{url}sign/")] + [
            lambda n=n: api.patch(url, {"plan": f"変更{n}"}, format="json") for n in range(9)
        ]

        results = run_at_once(requests)

    signed = SessionNote.objects.get()
    assert signed.status == "signed"
    assert results[0][0] == 200
    edits = [status for status, _ in results[1:]]
    assert set(edits) <= {200, 409}
    # Whatever was signed is what the signature's response showed: no edit slipped in after it.
    assert results[0][1]["plan"] == signed.plan
