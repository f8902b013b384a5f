"""Worksheets through the API: the counselor assigns and reviews, the client fills in and submits."""

from datetime import datetime, timedelta

import pytest
from django.core import mail

from counseling.models import Worksheet, WorksheetEntry, WorksheetTemplate
from tests.accounts.factories import ClientFactory
from tests.conftest import authenticated_client
from tests.counseling.conftest import TOKYO
from tests.counseling.factories import WorksheetEntryFactory, WorksheetFactory, client_of
from tests.counseling.queries import list_queries

pytestmark = pytest.mark.django_db

WORKSHEETS = "/api/v1/worksheets/"
THREE_THINGS = {"items": ["掃除をした", "ご飯を作った", "人に親切にできた"]}


@pytest.fixture
def own_client(counselor):
    return client_of(counselor)


@pytest.fixture
def own_client_api(own_client):
    return authenticated_client(own_client)


def test_the_counselor_lists_templates_with_their_answer_schemas_by_step(counselor_api):
    everything = counselor_api.get("/api/v1/worksheet-templates/", {"page_size": 100})
    step4 = counselor_api.get("/api/v1/worksheet-templates/", {"step": "step.4"})

    assert everything.status_code == 200
    assert everything.json()["count"] == WorksheetTemplate.objects.count() >= 5
    assert [t["code"] for t in step4.json()["results"]] == [
        "step4.small_choices",
        "step4.saying_no",
        "step4.time_for_myself",
    ]
    saying_no = step4.json()["results"][1]
    assert saying_no["title"] == "断る練習"
    assert saying_no["step"]["code"] == "step.4"
    assert saying_no["answer_schema"]["required"] == ["situation", "what_i_said", "how_i_felt"]
    assert counselor_api.get("/api/v1/worksheet-templates/", {"step": "step.9"}).status_code == 400


def test_a_counselor_assigns_a_template_by_code_and_the_client_is_emailed(
    counselor_api, own_client, frozen_now, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = counselor_api.post(
            WORKSHEETS,
            {
                "template": "step1.done_today",
                "client": own_client.pk,
                "due_date": "2025-06-09",
                "message": "毎晩どうぞ",
            },
            format="json",
        )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["template"]["code"] == "step1.done_today"
    assert body["template"]["answer_schema"]["properties"]["items"]["minItems"] == 3
    assert (body["client"]["id"], body["status"], body["due_date"], body["message"]) == (
        own_client.pk,
        "assigned",
        "2025-06-09",
        "毎晩どうぞ",
    )
    assert body["entries"] == []
    [email] = mail.outbox
    assert email.to == [own_client.email]
    assert "今日できたこと" in email.subject


def test_a_template_can_be_named_by_its_id_too(counselor_api, own_client, frozen_now):
    template = WorksheetTemplate.objects.get(code="step5.gratitude")

    response = counselor_api.post(
        WORKSHEETS,
        {"template": template.pk, "client": own_client.pk, "due_date": "2025-06-09"},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["template"]["code"] == "step5.gratitude"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"template": "step9.nothing"}, "template"),
        ({"template": 999999}, "template"),
        ({"template": True}, "template"),
        ({"client": "STRANGER"}, "client"),
        ({"client": 2**70}, "client"),
        ({"due_date": "2025-06-01"}, "due_date"),
        ({"due_date": "tomorrow"}, "due_date"),
        ({"message": "あ" * 2001}, "message"),
    ],
)
def test_an_invalid_assignment_is_refused_with_the_field_named(
    counselor_api, own_client, frozen_now, overrides, field
):
    payload = {"template": "step1.done_today", "client": own_client.pk, "due_date": "2025-06-09"} | overrides
    if payload["client"] == "STRANGER":
        payload["client"] = ClientFactory().pk

    response = counselor_api.post(WORKSHEETS, payload, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Worksheet.objects.exists()
    assert mail.outbox == []


def test_the_client_adds_valid_entries_which_are_kept_in_date_order(own_client_api, own_client, frozen_now):
    worksheet = WorksheetFactory(client=own_client, counselor=own_client.intakes.get().counselor)

    responses = [
        own_client_api.post(
            f"{WORKSHEETS}{worksheet.pk}/entries/", {"date": day, "answers": THREE_THINGS}, format="json"
        )
        for day in ("2025-06-01", "2025-05-31", "2025-06-02")
    ]
    detail = own_client_api.get(f"{WORKSHEETS}{worksheet.pk}/").json()

    assert [response.status_code for response in responses] == [201, 201, 201]
    assert responses[0].json()["answers"] == THREE_THINGS
    assert [entry["date"] for entry in detail["entries"]] == ["2025-05-31", "2025-06-01", "2025-06-02"]


@pytest.mark.parametrize(
    ("code", "body", "errors"),
    [
        (
            "step1.done_today",
            {"date": "2025-06-02", "answers": {"items": ["掃除をした", "", "料理"]}},
            {"answers": {"items.1": ["空欄にはできません。"]}},
        ),
        (
            "step1.done_today",
            {"date": "2025-06-02", "answers": {"items": ["掃除をした"]}},
            {"answers": {"items": ["3項目を入力してください。"]}},
        ),
        (
            "step4.saying_no",
            {"date": "2025-06-02", "answers": {"situation": "誘われた", "what_i_said": ""}},
            {"answers": {"what_i_said": ["空欄にはできません。"], "how_i_felt": ["入力してください。"]}},
        ),
        ("step1.done_today", {"date": "2025-06-02", "answers": ["掃除"]}, None),
        ("step1.done_today", {"answers": THREE_THINGS}, None),
        ("step1.done_today", {"date": "2025-06-03", "answers": THREE_THINGS}, None),
    ],
)
def test_an_invalid_entry_is_refused_with_the_field_named_and_nothing_stored(
    own_client_api, own_client, frozen_now, code, body, errors
):
    worksheet = WorksheetFactory(
        client=own_client,
        counselor=own_client.intakes.get().counselor,
        template=WorksheetTemplate.objects.get(code=code),
    )

    response = own_client_api.post(f"{WORKSHEETS}{worksheet.pk}/entries/", body, format="json")

    assert response.status_code == 400, response.content
    if errors is not None:
        assert {key: value for key, value in response.json().items() if key != "detail"} == errors
        assert response.json()["detail"] == "記入内容に誤りがあります。"
    else:
        named = set(response.json()) - {"detail"}
        assert named & {"answers", "date"}
    assert not WorksheetEntry.objects.exists()


def test_submitting_mails_the_counselor_and_closes_the_worksheet_for_entries(
    own_client_api, own_client, frozen_now, django_capture_on_commit_callbacks
):
    counselor = own_client.intakes.get().counselor
    worksheet = WorksheetFactory(client=own_client, counselor=counselor)
    empty = own_client_api.post(f"{WORKSHEETS}{worksheet.pk}/submit/")
    WorksheetEntryFactory(worksheet=worksheet)

    with django_capture_on_commit_callbacks(execute=True):
        submitted = own_client_api.post(f"{WORKSHEETS}{worksheet.pk}/submit/")
    again = own_client_api.post(f"{WORKSHEETS}{worksheet.pk}/submit/")
    late_entry = own_client_api.post(
        f"{WORKSHEETS}{worksheet.pk}/entries/", {"date": "2025-06-01", "answers": THREE_THINGS}, format="json"
    )

    assert empty.status_code == 400
    assert submitted.status_code == 200
    assert submitted.json()["status"] == "submitted"
    assert submitted.json()["submitted_at"].startswith("2025-06-02T09:00")
    assert [email.to for email in mail.outbox] == [[counselor.email]]
    assert again.status_code == 409
    assert late_entry.status_code == 409
    assert worksheet.entries.count() == 1


def test_the_review_queue_lists_submitted_worksheets_oldest_first(counselor, counselor_api, frozen_now):
    waiting = []
    for days_ago in (1, 5, 3):
        worksheet = WorksheetFactory(counselor=counselor)
        WorksheetEntryFactory(worksheet=worksheet)
        frozen_now.move_to(datetime(2025, 6, 2, 9, tzinfo=TOKYO) - timedelta(days=days_ago))
        authenticated_client(worksheet.client).post(f"{WORKSHEETS}{worksheet.pk}/submit/")
        waiting.append((days_ago, worksheet.pk))
    WorksheetFactory(counselor=counselor)  # assigned, not submitted
    WorksheetEntryFactory(worksheet=WorksheetFactory())  # another counselor's

    queue = counselor_api.get(WORKSHEETS, {"status": "submitted"})

    assert queue.status_code == 200
    assert [item["id"] for item in queue.json()["results"]] == [pk for _, pk in sorted(waiting, reverse=True)]
    assert counselor_api.get(WORKSHEETS).json()["count"] == 4
    assert counselor_api.get(WORKSHEETS, {"status": "sent"}).status_code == 400


def test_the_counselor_reviews_with_a_comment_and_the_client_is_emailed(
    counselor, counselor_api, frozen_now, django_capture_on_commit_callbacks
):
    worksheet = WorksheetFactory(counselor=counselor)
    WorksheetEntryFactory(worksheet=worksheet)
    early = counselor_api.post(f"{WORKSHEETS}{worksheet.pk}/review/", {"comment": "まだです"}, format="json")
    authenticated_client(worksheet.client).post(f"{WORKSHEETS}{worksheet.pk}/submit/")
    mail.outbox = []

    blank = counselor_api.post(f"{WORKSHEETS}{worksheet.pk}/review/", {"comment": " "}, format="json")
    with django_capture_on_commit_callbacks(execute=True):
        reviewed = counselor_api.post(
            f"{WORKSHEETS}{worksheet.pk}/review/", {"comment": "一週間続けられましたね。"}, format="json"
        )
    client_view = authenticated_client(worksheet.client).get(f"{WORKSHEETS}{worksheet.pk}/").json()

    assert early.status_code == 409
    assert blank.status_code == 400
    assert reviewed.status_code == 200
    assert (reviewed.json()["status"], reviewed.json()["review_comment"]) == (
        "reviewed",
        "一週間続けられましたね。",
    )
    assert client_view["review_comment"] == "一週間続けられましたね。"
    [email] = mail.outbox
    assert email.to == [worksheet.client.email]
    assert counselor_api.get(WORKSHEETS, {"status": "submitted"}).json()["count"] == 0


@pytest.mark.parametrize("role", ["client", "counselor"])
def test_the_worksheet_list_costs_the_same_queries_for_1_and_50_worksheets(
    role, counselor, own_client, frozen_now
):
    api = authenticated_client(own_client if role == "client" else counselor)
    WorksheetEntryFactory(worksheet=WorksheetFactory(counselor=counselor, client=own_client))
    one, count = list_queries(api, WORKSHEETS)
    assert count == 1

    templates = list(WorksheetTemplate.objects.all())
    for n in range(49):
        worksheet = WorksheetFactory(
            counselor=counselor, client=own_client, template=templates[n % len(templates)]
        )
        WorksheetEntryFactory(worksheet=worksheet)
        WorksheetEntryFactory(worksheet=worksheet)
    fifty, count = list_queries(api, WORKSHEETS)

    assert count == 50
    assert fifty == one


def test_the_template_list_costs_the_same_queries_whatever_its_length(counselor_api):
    one, count = list_queries(counselor_api, "/api/v1/worksheet-templates/", step="step.3")
    every, count_all = list_queries(counselor_api, "/api/v1/worksheet-templates/")

    assert (count, count_all) == (1, WorksheetTemplate.objects.count())
    assert every == one


def test_a_worksheet_can_be_assigned_as_the_homework_of_the_counselors_own_note(
    counselor, counselor_api, own_client, frozen_now
):
    from tests.counseling.factories import SessionNoteFactory

    note = SessionNoteFactory(counselor=counselor, client=own_client)
    foreign = SessionNoteFactory()
    body = {"template": "step1.done_today", "client": own_client.pk, "due_date": "2025-06-09"}

    created = counselor_api.post(WORKSHEETS, {**body, "session_note": note.pk}, format="json")
    refused = counselor_api.post(WORKSHEETS, {**body, "session_note": foreign.pk}, format="json")

    assert created.status_code == 201 and created.json()["session_note"] == note.pk
    assert refused.status_code == 400 and "session_note" in refused.json()
    assert Worksheet.objects.get().session_note == note
