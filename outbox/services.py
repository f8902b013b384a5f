"""Writing, sending and re-sending outbox rows: the outbox's public API (with ``outbox.selectors``).

Other apps write emails with ``email_enqueue*`` inside their own transaction and hand rows written
with ``send=False`` to the senders with ``emails_send_on_commit``. The Celery tasks in
``outbox.tasks`` call these services; the services name the tasks but never import them.
"""

import base64
import logging
import smtplib
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from anymail.exceptions import AnymailAPIError, AnymailRecipientsRefused
from celery import current_app
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db import connection as database
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone, translation

from core import steptimer
from core.tasks import enqueue, enqueue_on_commit
from outbox.models import OutboundEmail
from outbox.registry import checks_for

logger = logging.getLogger(__name__)
if steptimer.ON:
    steptimer.instrument_mail()


def _task(name: str):
    """One of ``outbox.tasks`` by name (registered when the app is ready), so that the tasks import
    the services and not the other way round."""
    return current_app.tasks[f"outbox.tasks.{name}"]


class TransientSendError(Exception):
    """The mail server could not take the message now; trying again later may succeed."""


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str

    def as_json(self) -> dict:
        return {
            "filename": self.filename,
            "mimetype": self.mimetype,
            "content_b64": base64.b64encode(self.content).decode("ascii"),
        }


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def email_render(*, template: str, context: dict, language: str = "ja") -> RenderedEmail:
    """Renders ``<template>_subject.txt``, ``<template>.txt`` and, where it exists, ``<template>.html``."""
    with translation.override(language):
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        text = render_to_string(f"{template}.txt", context)
        html: str
        try:
            html = render_to_string(f"{template}.html", context)
        except TemplateDoesNotExist:
            html = ""
    return RenderedEmail(subject=subject, text=text, html=html)


def email_dedupe_key(kind: str, recipient: str, key: str) -> str:
    """The uniqueness key of an email: kind, recipient (any case) and the object it is about."""
    return f"{kind}|{recipient.lower()}|{key}"[:255]


def email_enqueue(
    *,
    kind: str,
    recipient: str,
    key: str,
    subject: str,
    text: str,
    html: str = "",
    headers: dict[str, str] | None = None,
    attachments: Iterable[Attachment] = (),
    context: dict | None = None,
    from_email: str | None = None,
    send: bool = True,
    carries_secret: bool = False,
) -> tuple[OutboundEmail, bool]:
    """Writes the email inside the caller's transaction and sends it once that transaction commits.

    ``key`` names the object the email is about (a booking id, a lesson and slot): the same kind,
    recipient and key never make a second row, so retries and re-runs send nothing twice. Returns the
    row and whether it was created. ``send=False`` leaves sending to a batch sender.
    ``carries_secret``: the body or headers hold a key to something (a signed link, a meeting URL);
    they are blanked once the row is finished, so a stored row never hands the key to a reader.
    """
    dedupe_key = email_dedupe_key(kind, recipient, key)
    email = OutboundEmail(
        kind=kind,
        dedupe_key=dedupe_key,
        recipient=recipient,
        from_email=from_email or settings.DEFAULT_FROM_EMAIL,
        subject=subject,
        body_text=text,
        body_html=html,
        headers=headers or {},
        attachments=[attachment.as_json() for attachment in attachments],
        context=context or {},
        carries_secret=carries_secret,
        queued_at=timezone.now(),
    )
    try:
        # A savepoint, so that a duplicate does not break the caller's transaction.
        with transaction.atomic():
            email.save(force_insert=True)
    except IntegrityError:
        existing = OutboundEmail.objects.filter(dedupe_key=dedupe_key).first()
        if existing is None:
            raise
        return existing, False
    if send:
        enqueue_on_commit(_task("email_send_task"), email.pk)
    return email, True


def email_enqueue_template(
    *, kind: str, recipient: str, key: str, template: str, template_context: dict, **options
) -> tuple[OutboundEmail, bool]:
    rendered = email_render(template=template, context=template_context)
    return email_enqueue(
        kind=kind,
        recipient=recipient,
        key=key,
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        **options,
    )


@dataclass(frozen=True)
class EmailDraft:
    """One email for ``email_enqueue_many``; the fields mean what they mean for ``email_enqueue``."""

    kind: str
    recipient: str
    key: str
    subject: str
    text: str
    html: str = ""
    headers: dict[str, str] | None = None
    context: dict | None = None
    carries_secret: bool = False


def email_enqueue_many(*, drafts: Sequence[EmailDraft], queued_at=None) -> list[int]:
    """Writes many emails in one statement inside the caller's transaction; returns their ids in order.

    A fan-out (a newsletter slot) would otherwise take one INSERT per recipient. A draft whose
    (kind, recipient, key) already has a row keeps that row, whose id is returned. Nothing is sent
    here: the caller hands the ids to ``emails_send_on_commit``. ``queued_at`` is when the caller
    expects a sender to take them; the stale sweeper counts from then.
    """
    if not drafts:
        return []
    queued_at = queued_at or timezone.now()
    rows = [
        OutboundEmail(
            kind=draft.kind,
            dedupe_key=email_dedupe_key(draft.kind, draft.recipient, draft.key),
            recipient=draft.recipient,
            from_email=settings.DEFAULT_FROM_EMAIL,
            subject=draft.subject,
            body_text=draft.text,
            body_html=draft.html,
            headers=draft.headers or {},
            context=draft.context or {},
            carries_secret=draft.carries_secret,
            queued_at=queued_at,
        )
        for draft in drafts
    ]
    OutboundEmail.objects.bulk_create(rows, ignore_conflicts=True)
    keys = [row.dedupe_key for row in rows]
    ids = dict(OutboundEmail.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", "pk"))
    return [ids[key] for key in keys]


def _hand_over(email_ids: list[int], eta: datetime | None) -> None:
    try:
        _task("email_send_batch_task").apply_async(args=[email_ids], eta=eta)
    except Exception:
        # The rows stay pending; the sweeper hands them to a sender once the broker is back.
        logger.warning("could not hand %d emails to a sender", len(email_ids), exc_info=True)


def emails_send_on_commit(
    *, email_ids: Sequence[int], eta: datetime | None = None, batch_size: int | None = None
) -> None:
    """Hands rows written with ``send=False`` to the batch sender once the caller's transaction commits.

    The ids go in batches of ``batch_size`` (OUTBOX_BATCH_SIZE by default), one task each, so that
    every worker shares a fan-out; ``eta`` holds them back until then (a rate limit). A broker outage
    is logged, not raised: the rows stay pending and the stale sweeper sends them later.
    """
    ids = list(email_ids)
    size = batch_size or settings.OUTBOX_BATCH_SIZE
    for start in range(0, len(ids), size):
        transaction.on_commit(partial(_hand_over, ids[start : start + size], eta))


def _message_for(email: OutboundEmail, connection) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=email.from_email,
        to=[email.recipient],
        headers=email.headers,
        connection=connection,
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    for attachment in email.attachments:
        message.attach(
            attachment["filename"], base64.b64decode(attachment["content_b64"]), attachment["mimetype"]
        )
    return message


def _is_transient(error: Exception) -> bool:
    if isinstance(error, AnymailRecipientsRefused | smtplib.SMTPRecipientsRefused):
        return False
    if isinstance(error, smtplib.SMTPResponseException):
        # 4xx: the server asks us to come back later; 5xx: it will never take this message.
        return 400 <= error.smtp_code < 500
    if isinstance(error, AnymailAPIError):
        return error.status_code is None or error.status_code >= 500 or error.status_code == 429
    return isinstance(
        error, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError | socket.timeout | OSError
    )


def _should_still_send(email: OutboundEmail) -> bool:
    return all(check(email) for check in checks_for(email.kind))


_OUTCOME_FIELDS = ["status", "attempts", "last_error", "sent_at", "updated_at", *OutboundEmail.SECRET_FIELDS]


def _forget_secret(email: OutboundEmail) -> None:
    """A finished row keeps what was sent to whom and when, never the link it carried."""
    if email.carries_secret and email.status != OutboundEmail.Status.PENDING:
        email.body_text, email.body_html, email.headers, email.attachments = "", "", {}, []


def _attempt(email: OutboundEmail, connection) -> Exception | None:
    """Checks and sends a row its caller holds locked, setting the outcome on ``email`` (unsaved).

    Returns the error when the server asked to try later and attempts remain (the row stays pending).
    """
    if steptimer.ON:
        steptimer.lap("mark")
    if not _should_still_send(email):
        email.status = OutboundEmail.Status.SKIPPED
        return None
    if steptimer.ON:
        steptimer.lap("check")
    email.attempts += 1
    try:
        sent = _message_for(email, connection).send()
        if steptimer.ON:
            steptimer.lap("glue")
        if sent != 1:
            raise smtplib.SMTPException("The mail backend accepted no message.")
    except Exception as error:
        email.last_error = f"{type(error).__name__}: {error}"[:2000]
        if _is_transient(error) and email.attempts < settings.OUTBOX_MAX_ATTEMPTS:
            return error
        email.status = OutboundEmail.Status.FAILED
        logger.error("email %s to %s failed for good: %s", email.pk, email.recipient, email.last_error)
        return None
    email.status = OutboundEmail.Status.SENT
    email.sent_at = timezone.now()
    email.last_error = ""
    return None


def email_send(*, email_id: int, connection=None) -> OutboundEmail | None:
    """Sends one pending row; returns it, or None when another sender holds it or it is done.

    The row lock is held while the server talks, and "sent" commits the moment it accepts: two
    senders of the same row cannot both send it, and a sender that dies leaves it pending.
    Raises ``TransientSendError`` when the server asks to try later (the row stays pending).
    """
    with transaction.atomic():
        email = (
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=email_id, status=OutboundEmail.Status.PENDING)
            .first()
        )
        if email is None:
            return None
        transient = _attempt(email, connection or get_connection())
        _forget_secret(email)
        email.save(update_fields=_OUTCOME_FIELDS)
    if transient is not None:
        raise TransientSendError(email.last_error) from transient
    return email


# The batch sender's two statements per message. Built by the ORM they cost more than the database's
# own work on them, once for every message of a fan-out; as plain SQL they cost a quarter less CPU a
# message in all (see docs/BENCHMARKS.md).
_LOCK_PENDING = (
    f"SELECT attempts, last_error FROM {OutboundEmail._meta.db_table} "  # noqa: S608 (the model's table)
    "WHERE id = %s AND status = %s FOR UPDATE SKIP LOCKED"
)
# A finished row that carried a secret loses its body and headers in the same statement.
_SAVE_OUTCOME = (
    f"UPDATE {OutboundEmail._meta.db_table} "  # noqa: S608 (the model's table)
    "SET status = %s, attempts = %s, last_error = %s, sent_at = %s, updated_at = %s, "
    "body_text = CASE WHEN carries_secret AND %s THEN '' ELSE body_text END, "
    "body_html = CASE WHEN carries_secret AND %s THEN '' ELSE body_html END, "
    "headers = CASE WHEN carries_secret AND %s THEN '{}'::jsonb ELSE headers END, "
    "attachments = CASE WHEN carries_secret AND %s THEN '[]'::jsonb ELSE attachments END "
    "WHERE id = %s"
)


def email_send_batch(*, email_ids: list[int]) -> list[int]:
    """Sends many rows over one mail-server connection; returns the ids to try again later.

    What an email says never changes once it is written, so the batch's rows are read in one query.
    Then each message is sent as ``email_send`` sends one: in its own transaction, its row locked
    (skipped when another sender holds it) and found still pending, its send checks asked, and
    "sent" committed the moment the server accepts, before the next message goes. So two senders
    never both send a row, and a worker that dies leaves at most the message on the wire unconfirmed.
    """
    if not database.features.has_select_for_update_skip_locked:
        return _email_send_each(email_ids)
    if steptimer.ON:
        steptimer.start()
    emails = OutboundEmail.objects.filter(pk__in=email_ids, status=OutboundEmail.Status.PENDING).in_bulk()
    retry: list[int] = []
    connection = get_connection()
    with connection:
        for email_id in email_ids:
            email = emails.get(email_id)
            if email is None:
                continue  # sent, skipped or failed since it was queued
            with transaction.atomic(), database.cursor() as cursor:
                cursor.execute(_LOCK_PENDING, [email_id, OutboundEmail.Status.PENDING])
                locked = cursor.fetchone()
                if locked is None:
                    continue  # another sender holds it, or finished it since the batch was read
                # Another sender may have tried it in between: count on from what the row says now.
                email.attempts, email.last_error = locked
                transient = _attempt(email, connection)
                email.updated_at = timezone.now()
                cursor.execute(
                    _SAVE_OUTCOME,
                    [
                        email.status,
                        email.attempts,
                        email.last_error,
                        email.sent_at,
                        email.updated_at,
                        *[email.status != OutboundEmail.Status.PENDING] * 4,
                        email_id,
                    ],
                )
            if steptimer.ON:
                steptimer.lap("mark", count=1)
            if transient is not None:
                retry.append(email_id)
                # A broken connection is dropped; the next message opens a fresh one.
                connection.close()
    if steptimer.ON:
        steptimer.lap("glue")
        steptimer.flush()
    return retry


def _email_send_each(email_ids: list[int]) -> list[int]:
    """The batch through ``email_send``, for databases without row locks (the embedded SQLite, whose
    immediate transactions let one writer in at a time): slower, with the same guarantees."""
    retry: list[int] = []
    connection = get_connection()
    with connection:
        for email_id in email_ids:
            try:
                email_send(email_id=email_id, connection=connection)
            except TransientSendError:
                retry.append(email_id)
                connection.close()
    return retry


def outbox_requeue_stale() -> int:
    """Hands rows pending for longer than OUTBOX_STALE_AFTER to the senders again.

    Covers a broker outage at commit time and a task lost with its worker; returns how many rows.
    """
    email_send_batch_task = _task("email_send_batch_task")
    cutoff = timezone.now() - settings.OUTBOX_STALE_AFTER
    stale_ids = list(
        OutboundEmail.objects.filter(status=OutboundEmail.Status.PENDING, queued_at__lt=cutoff)
        .order_by("queued_at")
        .values_list("pk", flat=True)[:10_000]
    )
    batch_size = settings.OUTBOX_BATCH_SIZE
    requeued = 0
    for start in range(0, len(stale_ids), batch_size):
        batch = stale_ids[start : start + batch_size]
        if not enqueue(email_send_batch_task, batch):
            break  # The broker is still down: the next sweep tries again.
        OutboundEmail.objects.filter(pk__in=batch, status=OutboundEmail.Status.PENDING).update(
            queued_at=timezone.now()
        )
        requeued += len(batch)
    return requeued
