"""The note editor: draft, tags grouped by kind, sign with a confirmation step, then addenda only."""

from datetime import timedelta

import pytest

from counseling.models import AccessRecord, SessionNote
from tests.accounts.factories import CounselorFactory
from tests.counseling.conftest import NOW
from tests.counseling.factories import BookingFactory, SessionNoteFactory, client_of

pytestmark = pytest.mark.django_db

SECTIONS = {
    "presenting_concern": "頼まれると断れない",
    "observations": "職場の話で声が小さくなる",
    "interventions": "断った場面を一緒に振り返った",
    "homework": "断る練習を1回",
    "plan": "次回はステップ4",
}
TAGS = ["scene.work", "reason.childhood.parents_expectations", "step.4"]


@pytest.fixture
def desk(client, counselor):
    client.force_login(counselor)
    return client


@pytest.fixture
def held(session_type, frozen_now):
    return BookingFactory(session_type=session_type, start=NOW - timedelta(hours=3), status="completed")


def note_of(held, **fields) -> SessionNote:
    """A note on the held booking, by its counselor; ``signed=True`` for one already signed."""
    if fields.pop("signed", False):
        fields.update(status="signed", signed_at=NOW)
    return SessionNoteFactory(
        counselor=held.counselor, client=held.client, booking=held, date=held.start.date(), **fields
    )


def page(response, status=200) -> str:
    assert response.status_code == status, response.content.decode()[:3000]
    return response.content.decode()


def note_url(booking) -> str:
    return f"/counselor/bookings/{booking.pk}/note/"


def test_the_editor_offers_the_five_sections_and_the_tags_grouped_by_kind_in_japanese(desk, held):
    body = page(desk.get(note_url(held)))

    for label in ("主訴", "観察したこと", "取り組んだこと", "ホームワーク", "今後の方針"):
        assert f">{label}</label>" in body
    kinds = [
        body.index(heading)
        for heading in (
            "<legend>場面</legend>",
            "<legend>理由",
            "<legend>つらさ</legend>",
            "<legend>ステップ</legend>",
        )
    ]
    assert kinds == sorted(kinds)
    assert "恋愛・パートナーシップ" in body and "自分の価値を「内側」で認める" in body
    # The childhood reason's sub-patterns sit under it.
    childhood = body.index('value="reason.childhood"')
    assert (
        childhood
        < body.index('value="reason.childhood.parents_expectations"')
        < body.index('value="pain.betrayed"')
    )
    assert not SessionNote.objects.exists()


def test_saving_a_draft_keeps_it_for_the_next_visit_and_logs_create_and_read(desk, counselor, held):
    response = desk.post(note_url(held), {**SECTIONS, "tags": TAGS})

    assert response.status_code == 302 and response["Location"] == note_url(held)
    note = SessionNote.objects.get()
    assert (note.booking, note.client, note.status, note.homework) == (
        held,
        held.client,
        "draft",
        "断る練習を1回",
    )
    assert sorted(note.tags.values_list("code", flat=True)) == sorted(TAGS)
    body = page(desk.get(note_url(held)))
    assert "断る練習を1回" in body
    for code in TAGS:
        assert f'value="{code}" checked' in body
    actions = AccessRecord.objects.filter(object_type="session_note", object_id=note.pk)
    assert sorted(actions.values_list("action", flat=True)) == ["create", "read"]

    desk.post(note_url(held), {**SECTIONS, "plan": "次回はステップ5", "tags": ["step.5"]})
    note.refresh_from_db()
    assert note.plan == "次回はステップ5" and list(note.tags.values_list("code", flat=True)) == ["step.5"]


def test_the_autosave_request_saves_the_draft_and_answers_204(desk, counselor, held):
    note = note_of(held)

    response = desk.post(f"/counselor/notes/{note.pk}/", {**SECTIONS, "tags": TAGS}, HTTP_X_AUTOSAVE="1")

    assert response.status_code == 204
    note.refresh_from_db()
    assert note.interventions == SECTIONS["interventions"]
    assert 'src="/static/js/note-autosave.js"' in page(desk.get(note_url(held)))


def test_an_unknown_tag_or_an_overlong_section_is_a_400_and_saves_nothing(desk, held):
    page(desk.post(note_url(held), {**SECTIONS, "tags": ["scene.nowhere"]}), status=400)
    page(desk.post(note_url(held), {**SECTIONS, "plan": "あ" * 20001}), status=400)

    assert not SessionNote.objects.exists()


def test_a_note_for_a_session_still_to_come_is_refused_with_a_400(desk, session_type, frozen_now):
    tomorrow = BookingFactory(session_type=session_type, start=NOW + timedelta(days=1))

    body = page(desk.post(note_url(tomorrow), SECTIONS), status=400)

    assert "まだ来ていない日のノートは書けません" in body
    assert not SessionNote.objects.exists()


def test_signing_asks_for_confirmation_then_the_note_is_read_only_with_an_addendum_form(
    desk, counselor, held
):
    note = note_of(held)

    confirm = page(desk.get(f"/counselor/notes/{note.pk}/sign/"))
    assert "署名すると" in confirm and note.homework in confirm
    note.refresh_from_db()
    assert note.status == "draft"

    response = desk.post(f"/counselor/notes/{note.pk}/sign/")
    assert response.status_code == 302 and response["Location"] == note_url(held)
    note.refresh_from_db()
    assert note.status == "signed"

    body = page(desk.get(note_url(held)))
    assert "署名済みです" in body and 'name="presenting_concern"' not in body
    assert f'action="/counselor/notes/{note.pk}/addenda/"' in body


def test_editing_a_signed_note_is_a_409_and_changes_nothing(desk, counselor, held):
    note = note_of(held, signed=True)

    for url in (note_url(held), f"/counselor/notes/{note.pk}/"):
        body = page(desk.post(url, {**SECTIONS, "tags": TAGS}), status=409)
        assert "署名済みのノートは変更・削除できません" in body
    # Bad input is a 400 first, as in the API; the page still shows the note as it was signed.
    assert note.presenting_concern in page(desk.post(note_url(held), {"tags": ["scene.nowhere"]}), status=400)
    assert page(desk.post(f"/counselor/notes/{note.pk}/sign/"), status=409)
    assert page(desk.get(f"/counselor/notes/{note.pk}/sign/"), status=409)
    note.refresh_from_db()
    assert note.presenting_concern == "尽くしても報われないと感じる"


def test_an_addendum_is_added_to_a_signed_note(desk, counselor, held):
    note = note_of(held, signed=True)

    response = desk.post(f"/counselor/notes/{note.pk}/addenda/", {"text": "後日、電話で様子を確認した"})

    assert response.status_code == 302
    assert "後日、電話で様子を確認した" in page(desk.get(note_url(held)))
    assert AccessRecord.objects.filter(object_id=note.pk, action="addendum").exists()
    page(desk.post(f"/counselor/notes/{note.pk}/addenda/", {"text": ""}), status=400)


def test_a_draft_takes_no_addendum(desk, counselor, held):
    note = note_of(held)

    page(desk.post(f"/counselor/notes/{note.pk}/addenda/", {"text": "追記"}), status=409)


def test_an_empty_note_cannot_be_signed(desk, counselor, held):
    note = note_of(held, **dict.fromkeys(SECTIONS, ""))

    assert "何も書かれていないノートには署名できません" in page(
        desk.post(f"/counselor/notes/{note.pk}/sign/"), 400
    )


def test_a_note_without_a_booking_for_a_client_and_a_date(desk, counselor, frozen_now):
    client = client_of(counselor)

    body = page(desk.get(f"/counselor/clients/{client.pk}/notes/new/"))
    assert 'name="date"' in body and 'value="2025-06-02"' in body

    page(
        desk.post(f"/counselor/clients/{client.pk}/notes/new/", {**SECTIONS, "date": "2025-06-09"}),
        status=400,
    )
    response = desk.post(
        f"/counselor/clients/{client.pk}/notes/new/", {**SECTIONS, "date": "2025-05-30", "tags": TAGS}
    )

    note = SessionNote.objects.get()
    assert response["Location"] == f"/counselor/notes/{note.pk}/"
    assert (note.client, note.booking, str(note.date)) == (client, None, "2025-05-30")
    assert 'value="2025-05-30"' in page(desk.get(f"/counselor/notes/{note.pk}/"))


def test_another_counselors_note_booking_or_client_is_404_and_untouched(client, counselor, held):
    note = note_of(held)
    client.force_login(CounselorFactory())

    for url in (
        note_url(held),
        f"/counselor/notes/{note.pk}/",
        f"/counselor/notes/{note.pk}/sign/",
        f"/counselor/clients/{held.client_id}/notes/new/",
    ):
        assert client.get(url).status_code == 404
        assert client.post(url, {**SECTIONS, "date": "2025-06-01"}).status_code == 404
    assert client.post(f"/counselor/notes/{note.pk}/addenda/", {"text": "x"}).status_code == 404
    note.refresh_from_db()
    assert (note.status, note.plan) == ("draft", "次回はステップ2へ")
    assert not note.addenda.exists()
    assert not AccessRecord.objects.exclude(actor=counselor).exists()


def test_in_english_the_pages_and_tags_keep_the_articles_japanese_labels_beside_the_english(desk, held):
    desk.post("/i18n/setlang/", {"language": "en", "next": "/counselor/"})

    agenda = page(desk.get("/counselor/"))
    editor = page(desk.get(note_url(held)))

    assert "Sessions today and the next 7 days" in agenda
    assert "Save draft" in editor and ">Homework</label>" in editor
    assert '職場 <span lang="en">(workplace)</span>' in editor
