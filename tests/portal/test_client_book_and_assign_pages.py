"""Booking for a client from the client file, and assigning a worksheet from it."""

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.core import mail

from counseling.models import AccessRecord, Booking, Worksheet, WorksheetTemplate
from tests.counseling.conftest import WEDNESDAY, tokyo
from tests.counseling.factories import BookingFactory, IntakeFactory, SessionNoteFactory, client_of

pytestmark = pytest.mark.django_db

TEN = tokyo(WEDNESDAY, 10)


@pytest.fixture
def desk(client, counselor):
    client.force_login(counselor)
    return client


def book_url(client_id, **params) -> str:
    return f"/counselor/clients/{client_id}/book/?{urlencode(params)}"


def test_the_counselor_picks_a_type_and_a_slot_and_sees_the_series_before_booking(
    desk, counselor, session_type, frozen_now
):
    client = client_of(counselor)
    BookingFactory(session_type=session_type, start=TEN + timedelta(days=7))

    slots = desk.get(book_url(client.pk, session_type=session_type.pk)).content.decode()
    repeat = desk.get(
        book_url(client.pk, session_type=session_type.pk, start=TEN.isoformat())
    ).content.decode()
    preview = desk.get(
        book_url(client.pk, session_type=session_type.pk, start=TEN.isoformat(), repeat="weekly", count=4)
    ).content.decode()

    assert "6月4日（水） 10:00" in slots
    assert "最初の回：2025年6月4日（水） 10:00" in repeat and "毎週" in repeat
    assert preview.count("予約できない") == 1 and "空いている3回だけ予約する" in preview
    assert Booking.objects.filter(client=client).count() == 0


def test_booking_the_free_occurrences_books_exactly_those(desk, counselor, session_type, frozen_now):
    client = client_of(counselor)
    starts = [TEN, TEN + timedelta(days=14), TEN + timedelta(days=21)]

    response = desk.post(
        book_url(client.pk, session_type=session_type.pk),
        {"starts": [start.isoformat() for start in starts], "idempotency_key": "abc"},
    )

    assert response.status_code == 302 and response["Location"] == f"/counselor/clients/{client.pk}/"
    booked = Booking.objects.filter(client=client).order_by("start")
    assert [booking.start for booking in booked] == starts
    assert len({booking.series_id for booking in booked}) == 1


def test_an_occurrence_taken_meanwhile_books_none_and_shows_the_fresh_preview(
    desk, counselor, session_type, frozen_now
):
    client = client_of(counselor)
    BookingFactory(session_type=session_type, start=TEN + timedelta(days=7))

    response = desk.post(
        book_url(client.pk, session_type=session_type.pk),
        {"starts": [TEN.isoformat(), (TEN + timedelta(days=7)).isoformat()]},
    )

    body = response.content.decode()
    assert response.status_code == 409
    assert "どれも予約していません" in body and "6月11日（水） 10:00" in body
    assert not Booking.objects.filter(client=client).exists()
    assert mail.outbox == []


@pytest.mark.parametrize(
    "params",
    [
        {"session_type": "nope"},
        {"session_type": "{type}", "start": "yesterday"},
        {"session_type": "{type}", "start": TEN.isoformat(), "repeat": "daily", "count": "4"},
        {"session_type": "{type}", "start": TEN.isoformat(), "repeat": "weekly", "count": "13"},
    ],
)
def test_bad_booking_parameters_are_a_400(desk, counselor, session_type, frozen_now, params):
    client = client_of(counselor)
    params = {key: value.replace("{type}", str(session_type.pk)) for key, value in params.items()}

    assert desk.get(book_url(client.pk, **params)).status_code == 400


def test_assigning_from_the_suggestions_mails_the_client_and_links_the_note(
    desk, counselor, django_capture_on_commit_callbacks, frozen_now
):
    note = SessionNoteFactory(
        counselor=counselor, tags=["scene.work", "reason.worthlessness", "pain.emptiness"]
    )
    IntakeFactory(client=note.client, scores={"reason.self_sacrifice": 5})

    page = desk.get(f"/counselor/clients/{note.client_id}/worksheets/new/?note={note.pk}").content.decode()
    # Step 1 from the note's reason, step 4 from the self-check; then the others in the article's order.
    order = [
        page.index(label)
        for label in (
            "自分の価値を「内側」で認める",
            "「自分がしたいこと」を大切にする",
            "「見返りを求めていた自分」を許し、理解する",
        )
    ]
    assert order == sorted(order)
    assert page.count("おすすめ</span>") == 2 and "強い「無価値感」や「罪悪感」を抱えている" in page
    template_id = WorksheetTemplate.objects.get(code="step1.done_today").pk

    with django_capture_on_commit_callbacks(execute=True):
        response = desk.post(
            f"/counselor/clients/{note.client_id}/worksheets/new/?note={note.pk}",
            {"template": str(template_id), "due_date": "2025-06-09", "message": "毎晩3つ"},
        )

    worksheet = Worksheet.objects.get(client=note.client)
    # Back to the note it was opened from.
    assert response.status_code == 302 and response["Location"] == f"/counselor/notes/{note.pk}/"
    assert (worksheet.session_note, worksheet.message) == (note, "毎晩3つ")
    assert [message.to for message in mail.outbox] == [[note.client.email]]
    assert AccessRecord.objects.filter(
        object_type="worksheet", object_id=worksheet.pk, action="create"
    ).exists()


def test_a_past_due_date_is_shown_beside_its_field_and_nothing_is_assigned(desk, counselor, frozen_now):
    client = client_of(counselor)
    page = desk.get(f"/counselor/clients/{client.pk}/worksheets/new/").content.decode()
    template_id = page.split('name="template" value="')[1].split('"')[0]

    response = desk.post(
        f"/counselor/clients/{client.pk}/worksheets/new/", {"template": template_id, "due_date": "2025-06-01"}
    )

    assert response.status_code == 400 and 'id="id_due_date_error"' in response.content.decode()
    assert not Worksheet.objects.exists()


def test_another_counselors_note_cannot_be_named_on_the_assign_page(desk, counselor):
    client = client_of(counselor)
    foreign = SessionNoteFactory()

    assert desk.get(f"/counselor/clients/{client.pk}/worksheets/new/?note={foreign.pk}").status_code == 404


def test_the_suggestions_read_the_intake_and_the_note_and_both_reads_are_logged(desk, counselor):
    note = SessionNoteFactory(counselor=counselor, tags=["reason.unheard"])
    intake = note.client.intakes.get()

    desk.get(f"/counselor/clients/{note.client_id}/worksheets/new/?note={note.pk}")

    rows = AccessRecord.objects.filter(actor=counselor).values_list("object_type", "object_id", "action")
    assert sorted(rows) == [("intake", intake.pk, "list"), ("session_note", note.pk, "read")]


def test_the_note_page_and_the_booking_page_lead_to_the_assign_page_and_back(desk, counselor, session_type):
    booking = BookingFactory(session_type=session_type, client=client_of(counselor))
    note = SessionNoteFactory(counselor=counselor, client=booking.client, booking=booking)

    note_page = desk.get(f"/counselor/notes/{note.pk}/").content.decode()
    assign = desk.get(
        f"/counselor/clients/{booking.client_id}/worksheets/new/?note={note.pk}&booking={booking.pk}"
    ).content.decode()
    from_booking = desk.get(
        f"/counselor/clients/{booking.client_id}/worksheets/new/?booking={booking.pk}"
    ).content.decode()

    assert (
        f"/counselor/clients/{booking.client_id}/worksheets/new/?note={note.pk}&amp;booking={booking.pk}"
        in note_page
    )
    assert f'href="/counselor/notes/{note.pk}/">割り当てないで戻る' in assign
    assert f'href="/counselor/bookings/{booking.pk}/">割り当てないで戻る' in from_booking
