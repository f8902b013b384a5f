"""Worksheets through their services: assign, entries checked against the template's schema, submit,
review — with the mail each step sends and the access row each writes."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from jsonschema import Draft202012Validator

from core.exceptions import ApplicationError, ConflictError
from counseling.models import AccessRecord, Pattern, Worksheet, WorksheetEntry, WorksheetTemplate
from counseling.services.worksheets import (
    worksheet_assign,
    worksheet_entry_add,
    worksheet_review,
    worksheet_submit,
)
from tests.accounts.factories import ClientFactory, CounselorFactory
from tests.counseling.factories import WorksheetEntryFactory, WorksheetFactory, client_of

pytestmark = pytest.mark.django_db

TODAY = date(2025, 6, 2)  # the frozen "now" of tests/counseling/conftest.py, in Tokyo
THREE_THINGS = {"items": ["掃除をした", "ご飯を作った", "人に親切にできた"]}


def test_every_step_has_at_least_one_template_and_every_schema_is_a_valid_json_schema():
    templates = list(WorksheetTemplate.objects.select_related("step"))

    steps = {template.step.code for template in templates}
    assert steps == set(Pattern.objects.filter(kind="step").values_list("code", flat=True))
    assert {t.code for t in templates} >= {
        "step1.done_today",
        "step4.saying_no",
        "step5.relationship_balance",
    }
    for template in templates:
        Draft202012Validator.check_schema(template.answer_schema)
        assert template.instructions and template.title


def test_assigning_a_worksheet_mails_the_client_and_records_the_write(
    counselor, frozen_now, django_capture_on_commit_callbacks
):
    client = client_of(counselor)
    template = WorksheetTemplate.objects.get(code="step4.saying_no")

    with django_capture_on_commit_callbacks(execute=True):
        worksheet = worksheet_assign(
            counselor=counselor,
            client=client,
            template=template,
            due_date=TODAY + timedelta(days=7),
            message="  一度だけ、小さく断ってみましょう。 ",
            ip="192.0.2.1",
        )

    assert worksheet.status == Worksheet.Status.ASSIGNED
    assert worksheet.message == "一度だけ、小さく断ってみましょう。"
    [email] = mail.outbox
    assert email.to == [client.email]
    assert "断る練習" in email.subject
    assert "2025年6月9日（月）" in email.body
    assert "一度だけ、小さく断ってみましょう。" in email.body
    [record] = AccessRecord.objects.all()
    assert (
        record.actor,
        record.client,
        record.object_type,
        record.object_id,
        record.action,
        record.ip_address,
    ) == (
        counselor,
        client,
        "worksheet",
        worksheet.pk,
        "create",
        "192.0.2.1",
    )


@pytest.mark.parametrize(
    ("who", "due", "field"),
    [
        ("stranger", TODAY, "client"),
        ("counselor", TODAY, "client"),
        ("own", TODAY - timedelta(days=1), "due_date"),
    ],
)
def test_a_worksheet_goes_only_to_ones_own_client_and_is_not_due_in_the_past(
    counselor, frozen_now, who, due, field
):
    client = {
        "stranger": lambda: ClientFactory(),
        "counselor": lambda: CounselorFactory(),
        "own": lambda: client_of(counselor),
    }[who]()

    with pytest.raises(ApplicationError) as error:
        worksheet_assign(
            counselor=counselor,
            client=client,
            template=WorksheetTemplate.objects.get(code="step1.done_today"),
            due_date=due,
            message="",
        )

    assert field in error.value.extra
    assert not Worksheet.objects.exists()
    assert not AccessRecord.objects.exists()


def test_valid_entries_are_stored_in_date_order_with_one_access_row_each(frozen_now):
    worksheet = WorksheetFactory()

    for day in (TODAY - timedelta(days=1), TODAY - timedelta(days=2), TODAY):
        worksheet_entry_add(worksheet=worksheet, user=worksheet.client, date=day, answers=THREE_THINGS)

    assert list(worksheet.entries.values_list("date", flat=True)) == [
        TODAY - timedelta(days=2),
        TODAY - timedelta(days=1),
        TODAY,
    ]
    assert AccessRecord.objects.filter(object_id=worksheet.pk, action="entry").count() == 3


@pytest.mark.parametrize(
    ("code", "answers", "errors"),
    [
        (
            "step1.done_today",
            {"items": ["掃除をした", "ご飯を作った"]},
            {"items": ["3項目を入力してください。"]},
        ),
        (
            "step1.done_today",
            {"items": ["掃除をした", "ご飯を作った", "   "]},
            {"items.2": ["空欄にはできません。"]},
        ),
        ("step1.done_today", {}, {"items": ["入力してください。"]}),
        ("step1.done_today", {"items": "掃除をした"}, {"items": ["リストで入力してください。"]}),
        (
            "step4.saying_no",
            {"situation": "飲み会に誘われた", "what_i_said": "今回は難しいです"},
            {"how_i_felt": ["入力してください。"]},
        ),
        (
            "step4.saying_no",
            {"situation": "誘い", "what_i_said": "断った", "how_i_felt": "ほっとした", "mood": 3},
            {"mood": ["この項目は使えません。"]},
        ),
        (
            "step5.relationship_balance",
            {"relationships": [{"person": "母", "give": 5, "receive": 9}]},
            {"relationships.0.receive": ["1〜5の数で入力してください。"]},
        ),
        (
            "step4.time_for_myself",
            {"activity": "散歩", "minutes": "三十", "how_i_felt": "すっきりした"},
            {"minutes": ["整数で入力してください。"]},
        ),
    ],
)
def test_an_entry_that_breaks_its_templates_schema_is_refused_naming_the_field(
    frozen_now, code, answers, errors
):
    worksheet = WorksheetFactory(template=WorksheetTemplate.objects.get(code=code))

    with pytest.raises(ApplicationError) as error:
        worksheet_entry_add(worksheet=worksheet, user=worksheet.client, date=TODAY, answers=answers)

    assert error.value.extra == {"answers": errors}
    assert not WorksheetEntry.objects.exists()
    assert not AccessRecord.objects.exists()


def test_the_three_things_of_a_day_are_one_entry_for_that_day(frozen_now):
    worksheet = WorksheetFactory()
    worksheet_entry_add(worksheet=worksheet, user=worksheet.client, date=TODAY, answers=THREE_THINGS)

    with pytest.raises(ApplicationError) as error:
        worksheet_entry_add(worksheet=worksheet, user=worksheet.client, date=TODAY, answers=THREE_THINGS)

    assert "date" in error.value.extra
    assert worksheet.entries.count() == 1


def test_a_log_takes_several_entries_a_day_but_none_for_tomorrow(frozen_now):
    worksheet = WorksheetFactory(template=WorksheetTemplate.objects.get(code="step4.saying_no"))
    answers = {"situation": "残業を頼まれた", "what_i_said": "今日は難しいです", "how_i_felt": "少し怖かった"}

    worksheet_entry_add(worksheet=worksheet, user=worksheet.client, date=TODAY, answers=answers)
    worksheet_entry_add(worksheet=worksheet, user=worksheet.client, date=TODAY, answers=answers)
    with pytest.raises(ApplicationError) as error:
        worksheet_entry_add(
            worksheet=worksheet, user=worksheet.client, date=TODAY + timedelta(days=1), answers=answers
        )

    assert "date" in error.value.extra
    assert worksheet.entries.count() == 2


def test_only_the_client_adds_entries_and_submits(frozen_now):
    worksheet = WorksheetFactory()
    WorksheetEntryFactory(worksheet=worksheet)

    for user in (worksheet.counselor, ClientFactory()):
        with pytest.raises(PermissionDenied):
            worksheet_entry_add(worksheet=worksheet, user=user, date=TODAY, answers=THREE_THINGS)
        with pytest.raises(PermissionDenied):
            worksheet_submit(worksheet=worksheet, user=user)

    worksheet.refresh_from_db()
    assert worksheet.status == Worksheet.Status.ASSIGNED


def test_submitting_needs_an_entry_then_mails_the_counselor_and_closes_the_worksheet(
    frozen_now, django_capture_on_commit_callbacks
):
    worksheet = WorksheetFactory()
    with pytest.raises(ApplicationError):
        worksheet_submit(worksheet=worksheet, user=worksheet.client)
    WorksheetEntryFactory(worksheet=worksheet)

    with django_capture_on_commit_callbacks(execute=True):
        worksheet_submit(worksheet=worksheet, user=worksheet.client, ip="198.51.100.7")

    worksheet.refresh_from_db()
    assert worksheet.status == Worksheet.Status.SUBMITTED
    assert worksheet.submitted_at is not None
    [email] = mail.outbox
    assert email.to == [worksheet.counselor.email]
    assert f"/counselor/worksheets/{worksheet.pk}/" in email.body
    assert "掃除をした" not in email.body  # what the client wrote stays out of mail
    with pytest.raises(ConflictError):
        worksheet_submit(worksheet=worksheet, user=worksheet.client)
    with pytest.raises(ConflictError):
        worksheet_entry_add(worksheet=worksheet, user=worksheet.client, date=TODAY, answers=THREE_THINGS)
    assert worksheet.entries.count() == 1


def test_the_assigning_counselor_reviews_a_submitted_worksheet_and_the_client_is_mailed(
    frozen_now, django_capture_on_commit_callbacks
):
    worksheet = WorksheetFactory()
    with pytest.raises(ConflictError):
        worksheet_review(worksheet=worksheet, counselor=worksheet.counselor, comment="よく書けました")
    WorksheetEntryFactory(worksheet=worksheet)
    worksheet_submit(worksheet=worksheet, user=worksheet.client)
    with pytest.raises(PermissionDenied):
        worksheet_review(worksheet=worksheet, counselor=CounselorFactory(), comment="よく書けました")
    with pytest.raises(ApplicationError) as blank:
        worksheet_review(worksheet=worksheet, counselor=worksheet.counselor, comment="  ")
    assert "comment" in blank.value.extra

    with django_capture_on_commit_callbacks(execute=True):
        worksheet_review(worksheet=worksheet, counselor=worksheet.counselor, comment="毎日続けられましたね。")

    worksheet.refresh_from_db()
    assert (worksheet.status, worksheet.review_comment) == ("reviewed", "毎日続けられましたね。")
    [email] = mail.outbox
    assert email.to == [worksheet.client.email]
    assert "コメントが届きました" in email.subject
    actions = list(
        AccessRecord.objects.filter(object_id=worksheet.pk).order_by("id").values_list("action", flat=True)
    )
    assert actions == ["submit", "review"]
    with pytest.raises(ConflictError):
        worksheet_review(worksheet=worksheet, counselor=worksheet.counselor, comment="もう一度")
