import pytest
from django.core import mail
from django.utils import timezone

from counseling.models import AccessRecord, Worksheet, WorksheetEntry, WorksheetTemplate
from tests.accounts.factories import ClientFactory, CounselorFactory
from tests.counseling.factories import SessionNoteFactory, WorksheetEntryFactory, WorksheetFactory

pytestmark = pytest.mark.django_db


def template(code: str) -> WorksheetTemplate:
    return WorksheetTemplate.objects.get(code=code)


def actions(user) -> list[tuple[int, str]]:
    return list(AccessRecord.objects.filter(actor=user).order_by("id").values_list("object_id", "action"))


@pytest.fixture
def worksheet():
    return WorksheetFactory()


@pytest.fixture
def as_client(client, worksheet):
    client.force_login(worksheet.client)
    return client


def test_the_form_is_drawn_from_the_templates_schema(as_client, worksheet):
    body = as_client.get(f"/portal/worksheets/{worksheet.pk}/").content.decode()

    assert "今日できたこと（3つ）" in body
    for row in range(3):
        assert f'name="items.{row}"' in body
    assert 'name="items.3"' not in body  # exactly three, as the schema says
    assert "毎晩、寝る前に書いてみてください。" in body


def test_the_client_adds_an_entry_and_it_is_stored_and_logged(as_client, worksheet):
    today = timezone.localdate().isoformat()

    response = as_client.post(
        f"/portal/worksheets/{worksheet.pk}/",
        {"date": today, "items.0": "掃除をした", "items.1": "ご飯を作った", "items.2": "散歩した"},
    )

    assert response.status_code == 302
    entry = WorksheetEntry.objects.get()
    assert entry.answers == {"items": ["掃除をした", "ご飯を作った", "散歩した"]}
    assert actions(worksheet.client) == [(worksheet.pk, "entry")]
    shown = as_client.get(response["Location"]).content.decode()
    assert "散歩した" in shown
    assert actions(worksheet.client)[-1] == (worksheet.pk, "read")


def test_a_missing_item_is_named_beside_its_input_and_the_others_are_kept(as_client, worksheet):
    response = as_client.post(
        f"/portal/worksheets/{worksheet.pk}/",
        {"date": timezone.localdate().isoformat(), "items.0": "掃除をした", "items.2": "散歩した"},
    )

    body = response.content.decode()
    assert response.status_code == 400
    assert "3項目を入力してください。" in body
    assert 'value="散歩した"' in body
    assert not WorksheetEntry.objects.exists()


def test_a_log_with_objects_maps_each_error_to_its_own_input(client):
    worksheet = WorksheetFactory(template=template("step5.relationship_balance"))
    client.force_login(worksheet.client)

    response = client.post(
        f"/portal/worksheets/{worksheet.pk}/",
        {
            "date": timezone.localdate().isoformat(),
            "relationships.0.person": "母",
            "relationships.0.give": "5",
            "relationships.0.receive": "2",
            "relationships.2.person": "職場の先輩",
            "relationships.2.give": "4",
        },
    )

    body = response.content.decode()
    assert response.status_code == 400
    # The second filled row is the third on the page: its missing answer is shown there.
    assert 'id="id_relationships.2.receive_error"' in body
    assert not WorksheetEntry.objects.exists()


def test_a_future_date_is_refused_beside_the_date(as_client, worksheet):
    tomorrow = timezone.localdate() + timezone.timedelta(days=1)

    response = as_client.post(
        f"/portal/worksheets/{worksheet.pk}/",
        {"date": tomorrow.isoformat(), "items.0": "a", "items.1": "b", "items.2": "c"},
    )

    assert response.status_code == 400
    assert 'id="id_date_error"' in response.content.decode()


def test_the_client_submits_and_the_counselor_is_told(
    as_client, worksheet, django_capture_on_commit_callbacks
):
    WorksheetEntryFactory(worksheet=worksheet)

    with django_capture_on_commit_callbacks(execute=True):
        response = as_client.post(f"/portal/worksheets/{worksheet.pk}/submit/")

    worksheet.refresh_from_db()
    assert response.status_code == 302
    assert worksheet.status == Worksheet.Status.SUBMITTED
    assert [message.to for message in mail.outbox] == [[worksheet.counselor.email]]
    assert "提出しました" in as_client.get(response["Location"]).content.decode()


def test_submitting_with_no_entry_says_why_and_changes_nothing(as_client, worksheet):
    response = as_client.post(f"/portal/worksheets/{worksheet.pk}/submit/", follow=True)

    assert "1回以上記入してから提出してください。" in response.content.decode()
    worksheet.refresh_from_db()
    assert worksheet.status == Worksheet.Status.ASSIGNED


def test_another_clients_worksheet_is_404_and_gets_no_entry(client, worksheet):
    client.force_login(ClientFactory())

    shown = client.get(f"/portal/worksheets/{worksheet.pk}/")
    posted = client.post(
        f"/portal/worksheets/{worksheet.pk}/",
        {"date": timezone.localdate().isoformat(), "items.0": "a", "items.1": "b", "items.2": "c"},
    )
    submitted = client.post(f"/portal/worksheets/{worksheet.pk}/submit/")

    assert shown.status_code == posted.status_code == submitted.status_code == 404
    assert not WorksheetEntry.objects.exists()


def submitted_worksheet() -> Worksheet:
    worksheet = WorksheetFactory()
    WorksheetEntryFactory(worksheet=worksheet, answers={"items": ["朝ご飯を作った", "電話した", "早く寝た"]})
    Worksheet.objects.filter(pk=worksheet.pk).update(status="submitted", submitted_at=timezone.now())
    return worksheet


def test_the_counselor_opens_the_queue_reads_the_entries_and_reviews(
    client, django_capture_on_commit_callbacks
):
    worksheet = submitted_worksheet()
    client.force_login(worksheet.counselor)

    queue = client.get("/counselor/worksheets/").content.decode()
    page = client.get(f"/counselor/worksheets/{worksheet.pk}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/counselor/worksheets/{worksheet.pk}/", {"comment": "よく続けられましたね。"}
        )

    assert "今日できたこと" in queue
    assert "朝ご飯を作った" in page
    assert response.status_code == 302
    worksheet.refresh_from_db()
    assert (worksheet.status, worksheet.review_comment) == ("reviewed", "よく続けられましたね。")
    assert [message.to for message in mail.outbox] == [[worksheet.client.email]]
    assert actions(worksheet.counselor) == [
        (worksheet.pk, "list"),
        (worksheet.pk, "read"),
        (worksheet.pk, "review"),
    ]


def test_an_empty_review_is_refused_beside_the_comment(client):
    worksheet = submitted_worksheet()
    client.force_login(worksheet.counselor)

    response = client.post(f"/counselor/worksheets/{worksheet.pk}/", {"comment": "  "})

    assert response.status_code == 400
    assert 'id="id_comment_error"' in response.content.decode()
    worksheet.refresh_from_db()
    assert worksheet.status == "submitted"


def test_another_counselors_worksheet_is_404(client):
    worksheet = submitted_worksheet()
    client.force_login(CounselorFactory())

    assert client.get(f"/counselor/worksheets/{worksheet.pk}/").status_code == 404
    assert client.post(f"/counselor/worksheets/{worksheet.pk}/", {"comment": "x"}).status_code == 404
    assert "今日できたこと" not in client.get("/counselor/worksheets/").content.decode()


def test_notes_by_client_show_their_pattern_tags_filter_by_tag_and_log_each_read(client):
    note = SessionNoteFactory(
        tags=["scene.work", "reason.self_sacrifice"], presenting_concern="職場で尽くしすぎる"
    )
    other = SessionNoteFactory(
        counselor=note.counselor, client=note.client, tags=["scene.family"], presenting_concern="家族のこと"
    )
    client.force_login(note.counselor)

    everything = client.get(f"/counselor/clients/{note.client_id}/").content.decode()
    filtered = client.get(
        f"/counselor/clients/{note.client_id}/", {"tag": "reason.self_sacrifice"}
    ).content.decode()

    assert "職場で尽くしすぎる" in everything and "家族のこと" in everything
    assert "「自己犠牲」の代償を求めている" in everything
    assert "職場で尽くしすぎる" in filtered and "家族のこと" not in filtered
    reads = AccessRecord.objects.filter(actor=note.counselor, object_type="session_note", action="read")
    # The filtered page still shows the latest note's homework in the digest: a read of ``other``.
    assert sorted(reads.values_list("object_id", flat=True)) == sorted([note.pk, other.pk, note.pk, other.pk])


def test_an_unknown_tag_is_a_400_and_another_counselors_client_is_404(client):
    note = SessionNoteFactory()
    client.force_login(note.counselor)

    assert client.get(f"/counselor/clients/{note.client_id}/", {"tag": "no.such"}).status_code == 400
    client.force_login(CounselorFactory())
    assert client.get(f"/counselor/clients/{note.client_id}/").status_code == 404


def test_the_dashboard_lists_the_review_queue(client):
    worksheet = submitted_worksheet()
    client.force_login(worksheet.counselor)

    body = client.get("/counselor/").content.decode()

    assert f"/counselor/worksheets/{worksheet.pk}/" in body
