"""Session notes through the API: writing, tagging, signing, addenda, filters and the 409 of a signed note."""

from datetime import date, timedelta

import pytest

from counseling.models import Booking, SessionNote, SessionNoteAddendum
from tests.accounts.factories import ClientFactory
from tests.counseling.conftest import WEDNESDAY, tokyo
from tests.counseling.factories import BookingFactory, SessionNoteFactory, SessionTypeFactory, client_of
from tests.counseling.queries import list_queries

pytestmark = pytest.mark.django_db

NOTES = "/api/v1/session-notes/"
TODAY = date(2025, 6, 2)
SECTIONS = {
    "presenting_concern": "恋人に尽くしても報われないと感じる",
    "observations": "自分を責める言葉が多い",
    "interventions": "今日できたことを一緒に3つ挙げた",
    "homework": "寝る前に今日できたことを3つ書く",
    "plan": "次回はステップ2",
}


@pytest.fixture
def own_client(counselor):
    return client_of(counselor)


def test_a_counselor_writes_a_tagged_draft_note_for_a_client_and_a_date(
    counselor_api, own_client, frozen_now
):
    response = counselor_api.post(
        NOTES,
        {
            "client": own_client.pk,
            "date": "2025-05-30",
            "tags": ["scene.romance", "reason.self_sacrifice", "reason.childhood.feelings_denied"],
            **SECTIONS,
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["client"]["id"] == own_client.pk
    assert (body["date"], body["status"], body["signed_at"], body["booking"]) == (
        "2025-05-30",
        "draft",
        None,
        None,
    )
    assert {name: body[name] for name in SECTIONS} == SECTIONS
    assert [tag["code"] for tag in body["tags"]] == [
        "scene.romance",
        "reason.self_sacrifice",
        "reason.childhood.feelings_denied",
    ]
    assert body["addenda"] == []


def test_a_note_for_a_booking_takes_its_client_and_its_tokyo_date(counselor, counselor_api, frozen_now):
    session_type = SessionTypeFactory(counselor=counselor)
    # 00:30 on Tuesday in Tokyo is still Monday in UTC: the note's date is Tokyo's.
    booking = BookingFactory(session_type=session_type, start=tokyo(TODAY - timedelta(days=6), 0, 30))

    response = counselor_api.post(NOTES, {"booking": booking.pk, "plan": "継続"}, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["client"]["id"], body["booking"], body["date"]) == (
        booking.client_id,
        booking.pk,
        "2025-05-27",
    )
    again = counselor_api.post(NOTES, {"booking": booking.pk, "plan": "二重"}, format="json")
    assert again.status_code == 409
    assert SessionNote.objects.count() == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"plan": "x"}, "booking"),
        ({"client": "OWN", "plan": "x"}, "booking"),
        ({"client": "STRANGER", "date": "2025-05-30"}, "client"),
        ({"booking": "OTHERS"}, "booking"),
        ({"booking": "CANCELLED"}, "booking"),
        ({"client": "OWN", "date": "2025-06-03"}, "date"),
        ({"client": "OWN", "date": "2025-05-30", "tags": ["step.9"]}, "tags"),
        ({"client": "OWN", "date": "2025-05-30", "plan": "あ" * 20001}, "plan"),
        ({"client": "OWN", "date": "1900-01-01"}, "date"),
    ],
)
def test_an_invalid_note_is_refused_with_the_field_named_and_nothing_stored(
    counselor, counselor_api, own_client, frozen_now, payload, field
):
    own_type = SessionTypeFactory(counselor=counselor)
    ids = {
        "OWN": own_client.pk,
        "STRANGER": ClientFactory().pk,
        "OTHERS": BookingFactory(start=tokyo(WEDNESDAY, 10)).pk,
        "CANCELLED": BookingFactory(
            session_type=own_type, start=tokyo(WEDNESDAY, 10), status=Booking.Status.CANCELLED
        ).pk,
    }
    payload = {
        key: ids.get(value, value) if isinstance(value, str) else value for key, value in payload.items()
    }

    response = counselor_api.post(NOTES, payload, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not SessionNote.objects.exists()


def test_a_draft_is_edited_and_retagged_then_signed(counselor, counselor_api, frozen_now):
    note = SessionNoteFactory(counselor=counselor, tags=["scene.work"])

    edited = counselor_api.patch(
        f"{NOTES}{note.pk}/", {"plan": "ステップ4へ進む", "tags": ["step.4", "pain.strain"]}, format="json"
    )
    signed = counselor_api.post(f"{NOTES}{note.pk}/sign/")

    assert edited.status_code == 200, edited.content
    assert edited.json()["plan"] == "ステップ4へ進む"
    assert edited.json()["observations"] == "話すうちに表情がやわらいだ"
    assert [tag["code"] for tag in edited.json()["tags"]] == ["pain.strain", "step.4"]
    assert signed.status_code == 200
    assert signed.json()["status"] == "signed"
    assert signed.json()["signed_at"].endswith("+09:00")
    assert counselor_api.post(f"{NOTES}{note.pk}/sign/").status_code == 409


def test_editing_or_deleting_a_signed_note_gives_409_and_changes_nothing(
    counselor, counselor_api, frozen_now
):
    note = SessionNoteFactory(counselor=counselor, tags=["scene.work"])
    counselor_api.post(f"{NOTES}{note.pk}/sign/")
    before = SessionNote.objects.get(pk=note.pk)

    edit = counselor_api.patch(f"{NOTES}{note.pk}/", {"plan": "書き換え", "tags": ["step.5"]}, format="json")
    delete = counselor_api.delete(f"{NOTES}{note.pk}/")

    assert edit.status_code == 409
    assert "署名済み" in edit.json()["detail"]
    assert delete.status_code == 409
    after = SessionNote.objects.get(pk=note.pk)
    assert {name: getattr(after, name) for name in SessionNote.SECTIONS} == {
        name: getattr(before, name) for name in SessionNote.SECTIONS
    }
    assert after.updated_at == before.updated_at
    assert list(after.tags.values_list("code", flat=True)) == ["scene.work"]


def test_an_addendum_is_appended_to_a_signed_note_with_its_author_and_time(
    counselor, counselor_api, frozen_now
):
    note = SessionNoteFactory(counselor=counselor)
    draft_addendum = counselor_api.post(f"{NOTES}{note.pk}/addenda/", {"text": "追記"}, format="json")
    counselor_api.post(f"{NOTES}{note.pk}/sign/")

    first = counselor_api.post(
        f"{NOTES}{note.pk}/addenda/", {"text": "翌日、本人から連絡あり。"}, format="json"
    )
    second = counselor_api.post(
        f"{NOTES}{note.pk}/addenda/", {"text": "様子は落ち着いている。"}, format="json"
    )
    blank = counselor_api.post(f"{NOTES}{note.pk}/addenda/", {"text": "   "}, format="json")
    detail = counselor_api.get(f"{NOTES}{note.pk}/").json()

    assert draft_addendum.status_code == 409  # a draft is edited, not added to
    assert first.status_code == 201
    assert first.json()["author"] == counselor.pk
    assert first.json()["created_at"].startswith("2025-06-02T09:00")
    assert blank.status_code == 400
    assert [addendum["text"] for addendum in detail["addenda"]] == [
        "翌日、本人から連絡あり。",
        "様子は落ち着いている。",
    ]
    assert detail["status"] == "signed"
    assert second.status_code == 201


def test_a_draft_can_be_deleted(counselor, counselor_api, frozen_now):
    note = SessionNoteFactory(counselor=counselor)

    response = counselor_api.delete(f"{NOTES}{note.pk}/")

    assert response.status_code == 204
    assert not SessionNote.objects.exists()
    assert counselor_api.get(f"{NOTES}{note.pk}/").status_code == 404


def test_an_empty_note_cannot_be_signed(counselor, counselor_api, frozen_now):
    note = SessionNoteFactory(
        counselor=counselor, presenting_concern="", observations="", interventions="", homework="", plan=""
    )

    response = counselor_api.post(f"{NOTES}{note.pk}/sign/")

    assert response.status_code == 400
    assert SessionNote.objects.get().status == "draft"


def test_notes_filter_by_tag_its_sub_patterns_client_and_dates(counselor, counselor_api, frozen_now):
    client_a, client_b = client_of(counselor), client_of(counselor)
    may = SessionNoteFactory(
        counselor=counselor, client=client_a, date=date(2025, 5, 10), tags=["scene.work"]
    )
    june = SessionNoteFactory(
        counselor=counselor, client=client_a, date=date(2025, 6, 1), tags=["reason.childhood.feelings_denied"]
    )
    other = SessionNoteFactory(
        counselor=counselor, client=client_b, date=date(2025, 6, 1), tags=["scene.work"]
    )

    def ids(**params) -> list[int]:
        response = counselor_api.get(NOTES, params)
        assert response.status_code == 200, response.content
        return [note["id"] for note in response.json()["results"]]

    assert ids() == [other.pk, june.pk, may.pk]
    assert ids(tag="scene.work") == [other.pk, may.pk]
    assert ids(tag="reason.childhood") == [june.pk]
    assert ids(tag="reason.childhood.feelings_denied") == [june.pk]
    assert ids(client=client_a.pk) == [june.pk, may.pk]
    assert ids(**{"from": "2025-05-11", "to": "2025-06-01"}) == [other.pk, june.pk]
    assert ids(**{"to": "2025-05-10"}) == [may.pk]
    assert ids(client=client_a.pk, tag="scene.work") == [may.pk]
    assert counselor_api.get(NOTES, {"client": "x"}).status_code == 400
    assert counselor_api.get(NOTES, {"from": "2025-13-01"}).status_code == 400


def test_the_note_list_costs_the_same_queries_for_1_and_50_notes(counselor, counselor_api, frozen_now):
    client = client_of(counselor)
    first = SessionNoteFactory(counselor=counselor, client=client, tags=["scene.work", "step.1"])
    SessionNoteAddendum.objects.create(note=first, author=counselor, text="追記")
    one, count = list_queries(counselor_api, NOTES)
    assert count == 1

    for _ in range(49):
        note = SessionNoteFactory(
            counselor=counselor, client=client_of(counselor), tags=["pain.strain", "step.2"]
        )
        SessionNoteAddendum.objects.create(note=note, author=counselor, text="追記")
    fifty, count = list_queries(counselor_api, NOTES)

    assert count == 50
    assert fifty == one
