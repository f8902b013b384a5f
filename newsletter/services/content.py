"""Lessons and broadcasts: writing them, previewing them, and a test send to the counselor."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError, ConflictError
from core.links import absolute_url
from counseling.exercises import EXERCISES_BY_CODE
from counseling.selectors.patterns import patterns_by_position
from newsletter.models import Broadcast, Delivery, Lesson, SendSlot, Workbook
from newsletter.rendering import (
    IssueContent,
    exercise_context,
    footer_context,
    issue_content,
    list_unsubscribe_headers,
)
from newsletter.schedule import is_slot, slots_description
from outbox.services import RenderedEmail, email_enqueue, email_render

if TYPE_CHECKING:
    from counseling.models import Pattern

ISSUE_TEMPLATE = "newsletter/email/issue"


def _content_validate(*, subject: str, body_markdown: str) -> None:
    errors = {}
    if not subject.strip():
        errors["subject"] = [_("件名を入力してください。")]
    if not body_markdown.strip():
        errors["body_markdown"] = [_("本文を入力してください。")]
    if errors:
        raise ApplicationError(_("入力内容を確認してください。"), extra=errors)


def lesson_patterns_resolve(codes: list[str]) -> list[Pattern]:
    """The patterns named by ``codes``; every code must be one of the method's."""
    found = {pattern.code: pattern for pattern in patterns_by_position().filter(code__in=codes)}
    unknown = [code for code in codes if code not in found]
    if unknown:
        raise ApplicationError(
            _("不明なパターンのコードです: %(codes)s") % {"codes": ", ".join(unknown)},
            extra={"patterns": [_("不明なコードです: %(codes)s") % {"codes": ", ".join(unknown)}]},
        )
    return [found[code] for code in dict.fromkeys(codes)]


def _exercise_validate(exercise: str) -> None:
    if exercise and exercise not in EXERCISES_BY_CODE:
        raise ApplicationError(
            _("ワークブックのワークを選び直してください。"),
            extra={"exercise": [_("不明なワークです。")]},
        )


@transaction.atomic
def lesson_create(
    *,
    subject: str,
    body_markdown: str,
    position: int | None = None,
    is_active: bool = True,
    patterns: list[str] | None = None,
    exercise: str = "",
) -> Lesson:
    _content_validate(subject=subject, body_markdown=body_markdown)
    _exercise_validate(exercise)
    found = lesson_patterns_resolve(patterns or [])
    if position is None:
        position = (Lesson.objects.aggregate(last=Max("position"))["last"] or 0) + 1
    lesson = Lesson(
        position=position,
        subject=subject,
        body_markdown=body_markdown,
        is_active=is_active,
        exercise=exercise,
    )
    lesson = _lesson_save(lesson)
    lesson.patterns.set(found)
    return lesson


def _lesson_save(lesson: Lesson) -> Lesson:
    if Lesson.objects.filter(position=lesson.position).exclude(pk=lesson.pk).exists():
        raise ApplicationError(
            _("この順番は別の講座メールが使っています。"), extra={"position": [_("使用中の順番です。")]}
        )
    try:
        with transaction.atomic():
            lesson.save()
    except IntegrityError as error:  # another request took the position a moment ago
        raise ApplicationError(_("この順番は別の講座メールが使っています。")) from error
    return lesson


@transaction.atomic
def lesson_update(*, lesson: Lesson, **fields) -> Lesson:
    for name in ("subject", "body_markdown", "position", "is_active", "exercise"):
        if name in fields:
            setattr(lesson, name, fields[name])
    _content_validate(subject=lesson.subject, body_markdown=lesson.body_markdown)
    _exercise_validate(lesson.exercise)
    found = lesson_patterns_resolve(fields["patterns"]) if "patterns" in fields else None
    lesson = _lesson_save(lesson)
    if found is not None:
        lesson.patterns.set(found)
    return lesson


@transaction.atomic
def _lesson_delete_refusal(lesson: Lesson) -> str:
    """Why the lesson must be switched off ("配信する") instead of deleted; empty when it may go."""
    if Delivery.objects.filter(lesson=lesson).exists():
        return _("配信済みの講座メールは削除できません。「配信する」を外すと、今後は送られません。")
    if lesson.code:
        # The course is loaded again on every start: a deleted shipped lesson would come back.
        return _("同梱の講座メールは削除できません。「配信する」を外すと、今後は送られません。")
    return ""


def lesson_deletable(lesson: Lesson) -> bool:
    """The one rule of deleting a lesson: the admin offers it exactly when ``lesson_delete`` allows it."""
    return not _lesson_delete_refusal(lesson)


def lesson_delete(*, lesson: Lesson) -> None:
    refusal = _lesson_delete_refusal(lesson)
    if refusal:
        raise ConflictError(refusal)
    lesson.delete()


def _slot_validate(send_at: datetime | None) -> None:
    if send_at is None:
        raise ApplicationError(
            _("配信枠を指定してください。"), extra={"send_at": [_("予約には配信枠が必要です。")]}
        )
    if not is_slot(send_at):
        raise ApplicationError(
            _("配信枠は %(schedule)s のいずれかです。") % {"schedule": slots_description()},
            extra={"send_at": [_("配信枠の日時ではありません。")]},
        )
    if send_at <= timezone.now():
        raise ApplicationError(
            _("過去の配信枠には予約できません。"), extra={"send_at": [_("未来の配信枠を選んでください。")]}
        )


def broadcast_is_locked(broadcast: Broadcast) -> bool:
    """Once its slot is being planned, a broadcast is what subscribers got: it no longer changes."""
    return SendSlot.objects.filter(broadcast=broadcast).exists()


def broadcast_validate(broadcast: Broadcast) -> None:
    """The rules a broadcast must meet before it is saved (also used by the admin form)."""
    _content_validate(subject=broadcast.subject, body_markdown=broadcast.body_markdown)
    if broadcast.status == Broadcast.Status.SCHEDULED:
        _slot_validate(broadcast.send_at)
        taken = (
            Broadcast.objects.filter(status=Broadcast.Status.SCHEDULED, send_at=broadcast.send_at)
            .exclude(pk=broadcast.pk)
            .exists()
        )
        if taken:
            raise ConflictError(
                _("この配信枠には別のお知らせが予約されています。"), extra={"send_at": [_("予約済みです。")]}
            )


def _broadcast_save(broadcast: Broadcast) -> Broadcast:
    broadcast_validate(broadcast)
    broadcast.full_clean()
    try:
        with transaction.atomic():
            broadcast.save()
    except IntegrityError as error:  # scheduled for the same slot by another request a moment ago
        raise ConflictError(_("この配信枠には別のお知らせが予約されています。")) from error
    return broadcast


@transaction.atomic
def broadcast_create(
    *, subject: str, body_markdown: str, send_at: datetime | None = None, status: str = Broadcast.Status.DRAFT
) -> Broadcast:
    broadcast = Broadcast(subject=subject, body_markdown=body_markdown, send_at=send_at, status=status)
    return _broadcast_save(broadcast)


@transaction.atomic
def broadcast_update(*, broadcast: Broadcast, **fields) -> Broadcast:
    broadcast = Broadcast.objects.select_for_update().get(pk=broadcast.pk)
    if broadcast_is_locked(broadcast):
        raise ConflictError(_("配信が始まったお知らせは変更できません。"))
    for name in ("subject", "body_markdown", "send_at", "status"):
        if name in fields:
            setattr(broadcast, name, fields[name])
    return _broadcast_save(broadcast)


@transaction.atomic
def broadcast_delete(*, broadcast: Broadcast) -> None:
    broadcast = Broadcast.objects.select_for_update().get(pk=broadcast.pk)
    if broadcast_is_locked(broadcast):
        raise ConflictError(_("配信が始まったお知らせは削除できません。"))
    broadcast.delete()


def content_of(item: Lesson | Broadcast) -> IssueContent:
    return issue_content(
        subject=item.subject, body_markdown=item.body_markdown, exercise=getattr(item, "exercise", "")
    )


def issue_render(
    *,
    content: IssueContent,
    unsubscribe_link: str,
    name: str = "",
    is_test: bool = False,
    workbook_url: str | None = None,
):
    """One subscriber's email; ``workbook_url`` is their signed workbook link (lessons only)."""
    return email_render(
        template=ISSUE_TEMPLATE,
        context={
            **footer_context(unsubscribe_link),
            **exercise_context(
                exercise_code=content.exercise, workbook_url=workbook_url or _workbook_request_url()
            ),
            "subject": content.subject,
            "body_html": content.html,
            "body_text": content.text,
            "name": name,
            "is_test": is_test,
        },
    )


def _sample_unsubscribe_link() -> str:
    # Previews and test sends go to the counselor, who is no subscriber: the link shows where it leads.
    return absolute_url("newsletter:unsubscribe", token="SAMPLE")  # noqa: S106 (a placeholder, no secret)


def _workbook_request_url() -> str:
    # Where someone without a signed link asks for one (previews and test sends).
    return absolute_url("newsletter:workbook-link")


def issue_preview(*, item: Lesson | Broadcast) -> RenderedEmail:
    return issue_render(content=content_of(item), unsubscribe_link=_sample_unsubscribe_link())


@transaction.atomic
def issue_send_test(*, item: Lesson | Broadcast, recipient: str) -> str:
    """Sends the issue as subscribers will see it, marked as a test, to the counselor's own address."""
    link = _sample_unsubscribe_link()
    rendered = issue_render(content=content_of(item), unsubscribe_link=link, is_test=True)
    now = timezone.now()
    email_enqueue(
        kind="newsletter.test",
        recipient=recipient,
        key=f"{type(item).__name__.lower()}:{item.pk}:{now.timestamp():.3f}",
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        headers=list_unsubscribe_headers(link),
    )
    return recipient


@transaction.atomic
def workbook_upload(*, file, title: str = "") -> Workbook:
    """Stores a new workbook file; from now on every download link gives this one."""
    workbook = Workbook(title=title.strip() or Workbook._meta.get_field("title").default)
    workbook.file.save(file.name, file, save=False)
    workbook.full_clean()
    workbook.save()
    return workbook
