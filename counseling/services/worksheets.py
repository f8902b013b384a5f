"""Worksheets: the counselor assigns a practice of the method, the client fills it in day by day and
submits it, the counselor reviews it with a comment. Each step mails the other side and writes an
access row in its own transaction.

Status: assigned → submitted → reviewed. Entries are added only while assigned.
"""

from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError, ConflictError
from counseling.localtime import day_label, local_date
from counseling.models import AccessRecord, SessionNote, Worksheet, WorksheetEntry, WorksheetTemplate
from counseling.selectors.clients import client_is_counselors
from counseling.services.access import access_record
from counseling.worksheet_answers import answers_errors
from outbox.services import email_enqueue_template

MESSAGE_MAX_LENGTH = 2000
COMMENT_MAX_LENGTH = 4000


def _lock(worksheet: Worksheet) -> Worksheet:
    # Two tabs submitting, or an entry racing the submit: the status is read and changed under one lock.
    return (
        Worksheet.objects.select_for_update(of=("self",))
        .select_related("template", "client", "counselor")
        .get(pk=worksheet.pk)
    )


def _mail(*, worksheet: Worksheet, kind: str, recipient: str, **context) -> None:
    email_enqueue_template(
        kind=f"counseling.worksheet_{kind}",
        recipient=recipient,
        key=str(worksheet.pk),
        template=f"counseling/email/worksheet_{kind}",
        template_context={
            "worksheet": worksheet,
            "template": worksheet.template,
            "client": worksheet.client,
            "counselor": worksheet.counselor,
            "due_label": day_label(worksheet.due_date),
            "site_url": settings.SITE_URL,
            "practice_name": settings.PRACTICE_NAME,
            **context,
        },
    )


def _check_text(value: str, *, field: str, max_length: int, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ApplicationError(_("入力してください。"), extra={field: [_("入力してください。")]})
    if len(value) > max_length:
        message = _("%(count)s文字以内で入力してください。") % {"count": max_length}
        raise ApplicationError(message, extra={field: [message]})
    return value


@transaction.atomic
def worksheet_assign(
    *,
    counselor,
    client,
    template: WorksheetTemplate,
    due_date: date,
    message: str,
    ip: str | None = None,
    notify: bool = True,
    session_note: SessionNote | None = None,
) -> Worksheet:
    """Assigns ``template`` to one of ``counselor``'s clients, due on ``due_date``; the client is mailed
    (unless ``notify`` is false: demo data). ``session_note``: the counselor's note on this client
    whose homework the worksheet is."""
    if not counselor.is_counselor:
        raise PermissionDenied
    if not (client and client.is_client and client_is_counselors(client_id=client.pk, counselor=counselor)):
        raise ApplicationError(
            _("担当しているクライアントを選んでください。"),
            extra={"client": [_("担当しているクライアントではありません。")]},
        )
    if not template.active:
        raise ApplicationError(
            _("このひな形は現在割り当てられません。"), extra={"template": [_("割り当てられません。")]}
        )
    if due_date < local_date(timezone.now()):
        raise ApplicationError(
            _("期限は今日以降の日付にしてください。"),
            extra={"due_date": [_("今日以降の日付にしてください。")]},
        )
    message = _check_text(message, field="message", max_length=MESSAGE_MAX_LENGTH, required=False)
    if session_note is not None and (
        session_note.counselor_id != counselor.pk or session_note.client_id != client.pk
    ):
        raise ApplicationError(
            _("このクライアントについてのご自分のノートを選んでください。"),
            extra={"session_note": [_("選べないノートです。")]},
        )

    worksheet = Worksheet.objects.create(
        template=template,
        counselor=counselor,
        client=client,
        due_date=due_date,
        message=message,
        session_note=session_note,
    )
    access_record(user=counselor, obj_or_objs=worksheet, action=AccessRecord.Action.CREATE, ip=ip)
    if notify:
        _mail(worksheet=worksheet, kind="assigned", recipient=client.email)
    return worksheet


@transaction.atomic
def worksheet_entry_add(
    *, worksheet: Worksheet, user, date: date, answers: dict, ip: str | None = None
) -> WorksheetEntry:
    """The client adds one dated entry; ``answers`` must meet the template's schema.

    A wrong answer is a 400 naming each wrong field under ``answers`` ("items.2": [...]).
    """
    worksheet = _lock(worksheet)
    if worksheet.client_id != user.pk:
        raise PermissionDenied
    if worksheet.status != Worksheet.Status.ASSIGNED:
        raise ConflictError(
            _("提出済みのワークシートには記入できません。"), extra={"status": worksheet.status}
        )
    if date > local_date(timezone.now()):
        raise ApplicationError(
            _("未来の日付には記入できません。"), extra={"date": [_("今日までの日付にしてください。")]}
        )
    template = worksheet.template
    if template.one_entry_per_day and worksheet.entries.filter(date=date).exists():
        raise ApplicationError(
            _("この日付の記入はもうあります。"), extra={"date": [_("この日付の記入はもうあります。")]}
        )
    errors = answers_errors(schema=template.answer_schema, answers=answers)
    if errors:
        raise ApplicationError(
            _("記入内容に誤りがあります。"), extra={"answers": errors.pop("", None) or errors}
        )

    entry = WorksheetEntry.objects.create(worksheet=worksheet, date=date, answers=answers)
    access_record(user=user, obj_or_objs=worksheet, action=AccessRecord.Action.ENTRY, ip=ip)
    return entry


@transaction.atomic
def worksheet_submit(*, worksheet: Worksheet, user, ip: str | None = None, notify: bool = True) -> Worksheet:
    """The client hands the worksheet in; it joins the counselor's review queue and they are mailed
    (unless ``notify`` is false: demo data)."""
    worksheet = _lock(worksheet)
    if worksheet.client_id != user.pk:
        raise PermissionDenied
    if worksheet.status != Worksheet.Status.ASSIGNED:
        raise ConflictError(_("このワークシートは提出済みです。"), extra={"status": worksheet.status})
    if not worksheet.entries.exists():
        raise ApplicationError(_("1回以上記入してから提出してください。"))

    worksheet.status = Worksheet.Status.SUBMITTED
    worksheet.submitted_at = timezone.now()
    worksheet.save(update_fields=["status", "submitted_at", "updated_at"])
    access_record(user=user, obj_or_objs=worksheet, action=AccessRecord.Action.SUBMIT, ip=ip)
    if notify:
        _mail(
            worksheet=worksheet,
            kind="submitted",
            recipient=worksheet.counselor.email,
            review_url=f"{settings.SITE_URL}/counselor/worksheets/{worksheet.pk}/",
        )
    return worksheet


@transaction.atomic
def worksheet_review(*, worksheet: Worksheet, counselor, comment: str, ip: str | None = None) -> Worksheet:
    """The assigning counselor answers a submitted worksheet with a comment; the client is mailed."""
    worksheet = _lock(worksheet)
    if worksheet.counselor_id != counselor.pk:
        raise PermissionDenied
    comment = _check_text(comment, field="comment", max_length=COMMENT_MAX_LENGTH, required=True)
    if worksheet.status != Worksheet.Status.SUBMITTED:
        message = (
            _("このワークシートは確認済みです。")
            if worksheet.status == Worksheet.Status.REVIEWED
            else _("まだ提出されていません。")
        )
        raise ConflictError(message, extra={"status": worksheet.status})

    worksheet.status = Worksheet.Status.REVIEWED
    worksheet.reviewed_at = timezone.now()
    worksheet.review_comment = comment
    worksheet.save(update_fields=["status", "reviewed_at", "review_comment", "updated_at"])
    access_record(user=counselor, obj_or_objs=worksheet, action=AccessRecord.Action.REVIEW, ip=ip)
    _mail(worksheet=worksheet, kind="reviewed", recipient=worksheet.client.email)
    return worksheet
