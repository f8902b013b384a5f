"""Writing, sending and re-sending outbox rows: the outbox's public API (with ``outbox.selectors``).

Other apps write emails with ``email_enqueue*`` inside their own transaction and hand rows written
with ``send=False`` to the senders with ``emails_send_on_commit``. The Celery tasks in
``outbox.tasks`` call these services; the services name the tasks but never import them.
"""

import base64
import contextlib
import json
import logging
import os
import smtplib
import socket
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

import psycopg
import redis
from anymail.exceptions import AnymailAPIError, AnymailRecipientsRefused
from celery import current_app
from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.db import IntegrityError, transaction
from django.db import connection as database
from django.db.models import QuerySet
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone, translation

from core import steptimer
from core.tasks import enqueue, enqueue_on_commit
from outbox.journal import Journal, journal_drop, journal_take
from outbox.journal import entry as journal_line
from outbox.journal import send_checks_changed as _send_checks_changed_now
from outbox.mime import Skeleton, fill_text, message_of, placeholders_in
from outbox.models import OutboundBody, OutboundEmail
from outbox.registry import checks_for, sql_check_for, values_makers_for

logger = logging.getLogger(__name__)
_TABLE = OutboundEmail._meta.db_table
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


def email_body_create(
    *, subject: str, text: str, html: str = "", headers: dict | None = None
) -> OutboundBody:
    """Stores what every email of a fan-out says once; placeholders ``%%OUTBOX:<key>%%`` (see
    ``outbox.mime.PLACEHOLDER``) in the texts and headers take each recipient's values."""
    return OutboundBody.objects.create(
        from_email=settings.DEFAULT_FROM_EMAIL,
        subject=subject,
        body_text=text,
        body_html=html,
        headers=headers or {},
    )


# What each row of a fan-out's query answers, by these names (``email_enqueue_rows``).
FANOUT_COLUMNS = ("kind", "recipient", "key", "subject", "body_id", "values", "context", "queued_at")


def email_enqueue_rows(*, rows: QuerySet, carries_secret: bool = False) -> list[tuple[int, dict]]:
    """Writes one email per row of the caller's query in one INSERT … SELECT inside the caller's
    transaction: a fan-out's rows never travel to Python and back. Returns each written email's id and
    context, in the order written (the query's order).

    ``rows`` is a queryset of the caller's own models whose ``.values()`` are named FANOUT_COLUMNS: the
    kind, recipient and key (as for ``email_enqueue``); the shared body (``email_body_create``) and its
    subject; the recipient's stored values and the context as JSON objects (``JSONObject``); and when
    the caller expects a sender to take the row (the stale sweeper counts from then). Values made as
    the message is built (``outbox.registry.register_values``) are not stored. An email whose kind,
    recipient and key already have a row is neither written nor returned. Nothing is sent here: the
    caller hands the ids to ``emails_send_on_commit``.
    """
    try:
        query, params = rows.query.sql_with_params()
    except EmptyResultSet:  # e.g. ``pk__in=[]``: nothing to write
        return []
    column = database.ops.quote_name
    selected = {name: f"q.{column(name)}" for name in FANOUT_COLUMNS}
    kind, recipient, key = selected["kind"], selected["recipient"], selected["key"]
    dedupe_key = f"SUBSTR({kind} || '|' || LOWER({recipient}) || '|' || {key}, 1, 255)"
    now = database.ops.adapt_datetimefield_value(timezone.now())
    # The dedupe key as email_dedupe_key makes it. WHERE TRUE: SQLite's parser needs it before
    # ON CONFLICT in an INSERT … SELECT.
    statement = (
        f"INSERT INTO {_TABLE} (created_at, updated_at, kind, dedupe_key, recipient, from_email, subject, "  # noqa: S608
        "body_text, body_html, headers, attachments, context, carries_secret, queued_at, body_id, "
        f'"values", status, attempts, last_error, claimed_by) '
        f"SELECT %s, %s, {selected['kind']}, "
        f"{dedupe_key}, "
        f"{selected['recipient']}, %s, {selected['subject']}, '', '', %s, %s, {selected['context']}, %s, "
        f"{selected['queued_at']}, {selected['body_id']}, {selected['values']}, %s, 0, '', '' "
        f"FROM ({query}) AS q WHERE TRUE ON CONFLICT (dedupe_key) DO NOTHING RETURNING id, context"
    )
    with database.cursor() as cursor:
        cursor.execute(
            statement,
            [
                now,
                now,
                settings.DEFAULT_FROM_EMAIL,
                "{}",
                "[]",
                carries_secret,
                OutboundEmail.Status.PENDING,
                *params,
            ],
        )
        written = cursor.fetchall()
    return sorted(
        (email_id, context if isinstance(context, dict) else json.loads(context))
        for email_id, context in written
    )


def send_checks_changed() -> None:
    """Call in the transaction that changes what a kind's SQL send check reads (``outbox.registry``):
    once it commits, every batch sender asks the checks again before its next message."""
    transaction.on_commit(_send_checks_changed_now)


def _hand_over(email_ids: list[int], eta: datetime | None) -> None:
    try:
        _task("email_send_batch_task").apply_async(
            args=[email_ids],
            eta=eta,
            # What logs show of the task's ids: Celery's own account of a batch's hundred ids took
            # as long as the rest of sending the task.
            argsrepr=f"[<{len(email_ids)} email ids, {min(email_ids)} to {max(email_ids)}>]",
        )
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


def email_values(email: OutboundEmail, keys: frozenset[str]) -> dict[str, str]:
    """A fan-out row's values for the placeholders ``keys``: its stored ones, and those its kind's
    owner makes as the message is built (``outbox.registry.register_values``: signed links)."""
    makers = values_makers_for(email.kind)
    if not makers:
        return email.values
    values = dict(email.values)
    for maker in makers:
        values.update(maker(email, keys))
    return values


def email_content(email: OutboundEmail) -> tuple[str, str, dict]:
    """The text, HTML and headers an email says, its shared body's filled in with its own values."""
    body = email.body
    if body is None:
        return email.body_text, email.body_html, email.headers
    values = email_values(email, placeholders_in(body.body_text, body.body_html, *body.headers.values()))
    headers = {name: fill_text(value, values) for name, value in body.headers.items()}
    return fill_text(body.body_text, values), fill_text(body.body_html, values, html=True), headers


def _message_for(email: OutboundEmail, connection) -> EmailMultiAlternatives:
    text, html, headers = email_content(email)
    message = message_of(
        subject=email.subject,
        text=text,
        html=html,
        from_email=email.from_email,
        to=email.recipient,
        headers=headers,
        connection=connection,
    )
    for attachment in email.attachments:
        message.attach(
            attachment["filename"], base64.b64decode(attachment["content_b64"]), attachment["mimetype"]
        )
    return message


class _MailConnection(threading.local):
    """This process's (this thread's, in a threaded worker) mail connection and when it was used."""

    pid = 0
    settings_key: tuple = ()
    backend: Any = None
    used_at = 0.0


_mail = _MailConnection()
# An SMTP server closes a connection left idle for long; one idle this long is reopened before use.
_MAIL_IDLE_REOPEN_SECONDS = 15.0


def _mail_connection():
    """The worker's mail connection, opened once and reused by every send (batch or single)."""
    key = (settings.EMAIL_BACKEND, getattr(settings, "EMAIL_HOST", ""), getattr(settings, "EMAIL_PORT", 0))
    now = time.monotonic()
    if _mail.backend is None or _mail.pid != os.getpid() or _mail.settings_key != key:
        _mail.pid, _mail.settings_key, _mail.backend = os.getpid(), key, get_connection()
    elif now - _mail.used_at > _MAIL_IDLE_REOPEN_SECONDS:
        _mail.backend.close()
    _mail.backend.open()
    _mail.used_at = now
    return _mail.backend


def _mail_connection_drop() -> None:
    """After an error the connection may be broken: the next send opens a fresh one."""
    if _mail.backend is not None and _mail.pid == os.getpid():
        try:
            _mail.backend.close()
        except Exception:
            logger.debug("closing a broken mail connection failed", exc_info=True)
    _mail.backend = None


_skeletons: dict[int, Skeleton | None] = {}


def _skeleton_for(body: OutboundBody) -> Skeleton | None:
    """The shared body built once per process (a handful of bodies live at a time)."""
    if body.pk not in _skeletons:
        if len(_skeletons) >= 32:
            _skeletons.clear()
        _skeletons[body.pk] = Skeleton.compose(
            subject=body.subject,
            text=body.body_text,
            html=body.body_html,
            from_email=body.from_email,
            headers=body.headers,
        )
    return _skeletons[body.pk]


def _deliver(email: OutboundEmail, connection, clear_to_send: "Callable[[], bool] | None" = None) -> bool:
    """Puts the message on the wire; a fan-out's copy as filled-in bytes over SMTP where it can.

    ``clear_to_send`` is asked right before the message's data goes (over SMTP, after its envelope);
    False there withholds the message, and this answers False."""
    if email.body is not None and isinstance(connection, SMTPBackend) and connection.connection is not None:
        skeleton = _skeleton_for(email.body)
        data = (
            skeleton.fill(to=email.recipient, values=email_values(email, skeleton.needs))
            if skeleton is not None
            else None
        )
        if skeleton is not None and data is not None:
            if steptimer.ON:
                steptimer.lap("build")
            smtp: Any = connection.connection
            sent = _smtp_send(smtp, skeleton.envelope_from, email.recipient, data, clear_to_send)
            if steptimer.ON:
                steptimer.lap("smtp")
            return sent
    if clear_to_send is not None and not clear_to_send():
        return False
    if _message_for(email, connection).send() != 1:
        raise smtplib.SMTPException("The mail backend accepted no message.")
    return True


def _smtp_send(
    smtp: smtplib.SMTP, from_addr: str, to_addr: str, data: bytes, clear_to_send: "Callable[[], bool] | None"
) -> bool:
    """``smtp.sendmail(from_addr, [to_addr], data)``, the same commands and bytes, asking
    ``clear_to_send`` between the envelope and the data: False there ends the mail transaction with
    RSET, and nothing is sent. The envelope's round trips give the caller's own answer time to arrive
    (``_JournaledBatch``)."""
    smtp.ehlo_or_helo_if_needed()
    options = [f"size={len(data)}"] if smtp.does_esmtp and smtp.has_extn("size") else []
    code, response = smtp.mail(from_addr, options)
    if code != 250:
        _smtp_end(smtp, code)
        raise smtplib.SMTPSenderRefused(code, response, from_addr)
    code, response = smtp.rcpt(to_addr)
    if code not in (250, 251):
        _smtp_end(smtp, code)
        raise smtplib.SMTPRecipientsRefused({to_addr: (code, response)})
    if clear_to_send is not None:
        try:
            clear = clear_to_send()
        except BaseException:
            _smtp_end(smtp, 0)
            raise
        if not clear:
            _smtp_end(smtp, 0)
            return False
    code, response = smtp.data(data)
    if code != 250:
        _smtp_end(smtp, code)
        raise smtplib.SMTPDataError(code, response)
    return True


def _smtp_end(smtp: smtplib.SMTP, code: int) -> None:
    """Ends a mail transaction as ``sendmail`` does: the connection closed if the server is closing
    it (421), else RSET, a server that has gone meanwhile left for the next command to report."""
    if code == 421:
        smtp.close()
        return
    with contextlib.suppress(smtplib.SMTPServerDisconnected):
        smtp.rset()


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
        email.body_text, email.body_html, email.headers, email.attachments, email.values = "", "", {}, [], {}


def _attempt(
    email: OutboundEmail,
    connection,
    *,
    still_wanted: bool | None = None,
    clear_to_send: "Callable[[], bool] | None" = None,
) -> Exception | None:
    """Checks and sends a row its caller holds locked, setting the outcome on ``email`` (unsaved).

    ``still_wanted`` is the kind's send check already asked in SQL (None: ask the Python checks now);
    ``clear_to_send``, asked right before the data goes, may still withhold the message (skipped).
    Returns the error when the server asked to try later and attempts remain (the row stays pending).
    """
    if still_wanted is None:
        still_wanted = _should_still_send(email)
    if steptimer.ON:
        steptimer.lap("check")
    if not still_wanted:
        email.status = OutboundEmail.Status.SKIPPED
        return None
    try:
        sent = _deliver(email, connection, clear_to_send)
        if steptimer.ON:
            steptimer.lap("glue")
    except Exception as error:
        email.attempts += 1
        email.last_error = f"{type(error).__name__}: {error}"[:2000]
        if _is_transient(error) and email.attempts < settings.OUTBOX_MAX_ATTEMPTS:
            return error
        email.status = OutboundEmail.Status.FAILED
        logger.error("email %s to %s failed for good: %s", email.pk, email.recipient, email.last_error)
        return None
    if not sent:
        email.status = OutboundEmail.Status.SKIPPED
        return None
    email.attempts += 1
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
        if email is None or _claimed_by_live_session(email):
            return None  # done, or another sender has it in hand
        if email.claimed_by and database.vendor == "postgresql":
            # A dead batch sender's row: what its journal says it sent is not sent again.
            with database.cursor() as cursor:
                _journal_replay(cursor, email.claimed_by, claimed_by=[email.claimed_by], only=email.pk)
            email.refresh_from_db()
            if email.status != OutboundEmail.Status.PENDING:
                return email
        transient = _attempt(email, connection or _mail_connection())
        _forget_secret(email)
        email.save(update_fields=_OUTCOME_FIELDS)
    if transient is not None:
        if connection is None:
            _mail_connection_drop()
        raise TransientSendError(email.last_error) from transient
    return email


# The batch sender claims its rows for its PostgreSQL session ("<pid>:<backend start>") and holds no
# transaction, and no row lock, while the mail server talks. A claim is void once its session is gone:
# a worker that dies (killed, or its connection lost) frees its rows at once, with no guessed timeout.
_SESSION = (
    "SELECT pg_backend_pid() || ':' || extract(epoch FROM backend_start)::text "
    "FROM pg_stat_activity WHERE pid = pg_backend_pid()"
)
_CLAIM_VOID = (
    "(o.claimed_by = '' OR NOT EXISTS (SELECT 1 FROM pg_stat_activity a "
    "WHERE a.pid || ':' || extract(epoch FROM a.backend_start)::text = o.claimed_by))"
)

# The columns a batch sender reads of its rows (the rest only the admin and the sweeper read), in the
# order _CLAIM returns them, and those Django turns from the database's form (JSON).
_CLAIMED_FIELDS = [
    field
    for field in OutboundEmail._meta.concrete_fields
    if field.name not in ("dedupe_key", "created_at", "updated_at", "queued_at")
]
_CLAIMED_NAMES = [field.attname for field in _CLAIMED_FIELDS]
_CLAIMED_CONVERTED = [
    (position, field) for position, field in enumerate(_CLAIMED_FIELDS) if hasattr(field, "from_db_value")
]
_CLAIMED_COLUMNS = ", ".join(f"o.{database.ops.quote_name(str(field.column))}" for field in _CLAIMED_FIELDS)
# Claims a batch's rows and reads them in one statement; the last column names the dead session whose
# claim a row had, if any (its journal is replayed before anything is sent): read by the row's id in
# RETURNING, where the statement's own snapshot still shows the row as it was. (A join with the rows'
# previous state, planned on a table never analysed, read the table once for each row it claimed.)
_CLAIM = (
    f"UPDATE {_TABLE} o SET claimed_by = %s "  # noqa: S608 (the model's table)
    f"WHERE o.id = ANY(%s) AND o.status = %s AND {_CLAIM_VOID} "
    f"RETURNING {_CLAIMED_COLUMNS}, "
    f"(SELECT previous.claimed_by FROM {_TABLE} previous WHERE previous.id = o.id)"
)
_RELEASE = f"UPDATE {_TABLE} SET claimed_by = '' WHERE id = ANY(%s) AND claimed_by = %s"  # noqa: S608
# One statement a message, committed on its own: it saves the previous message's outcome (a finished
# row that carried a secret loses its body, headers and values with it) and returns what the next
# message needs, its kind's send check included (outbox.registry), asked right before it goes. It sets
# synchronous_commit off for its own transaction: the commit waits for no disk sync (what a PostgreSQL
# crash can cost: see outbox.models).
_STEP = (
    f"WITH outcome AS (UPDATE {_TABLE} SET status = %s, attempts = %s, last_error = %s, "  # noqa: S608
    "sent_at = %s, updated_at = %s, claimed_by = '', "
    "body_text = CASE WHEN carries_secret AND %s THEN '' ELSE body_text END, "
    "body_html = CASE WHEN carries_secret AND %s THEN '' ELSE body_html END, "
    "headers = CASE WHEN carries_secret AND %s THEN '{{}}'::jsonb ELSE headers END, "
    "attachments = CASE WHEN carries_secret AND %s THEN '[]'::jsonb ELSE attachments END, "
    '"values" = CASE WHEN carries_secret AND %s THEN \'{{}}\'::jsonb ELSE "values" END '
    "WHERE id = %s AND claimed_by = %s) "
    "SELECT set_config('synchronous_commit', 'off', true), o.attempts, o.last_error, ({check}) "
    f"FROM (SELECT 1) AS one LEFT JOIN {_TABLE} o "
    "ON o.id = %s AND o.status = %s AND o.claimed_by = %s"
)
_NO_OUTCOME = [None] * 10 + [None]
_step_statements: dict[str, tuple[str, bool]] = {}


def _step_statement(kind: str) -> tuple[str, bool]:
    """The per-message statement for a next message of ``kind``, and whether it asks the kind's checks."""
    if kind not in _step_statements:
        check = sql_check_for(kind)
        _step_statements[kind] = (_STEP.format(check=check or "TRUE"), check is not None)
    return _step_statements[kind]


# A batch's outcome of one row, as the journal keeps it and ``_SAVE`` takes it: id, status,
# attempts, last error, sent at.
Outcome = tuple[int, str, int, str, datetime | None]


def _outcome_of(email: OutboundEmail) -> list:
    """The outcome as the one-statement-a-message path (``_STEP``) takes it."""
    finished = email.status != OutboundEmail.Status.PENDING
    return [
        email.status,
        email.attempts,
        email.last_error,
        email.sent_at,
        email.updated_at,
        *[finished] * 5,
        email.pk,
    ]


_sessions: "weakref.WeakKeyDictionary[object, str]" = weakref.WeakKeyDictionary()


def _session_name(cursor) -> str:
    """This database connection's session, as claims name it (asked once per connection)."""
    raw = database.connection
    if raw not in _sessions:
        cursor.execute(_SESSION)
        _sessions[raw] = cursor.fetchone()[0]
    return _sessions[raw]


def _claimed_by_live_session(email: OutboundEmail) -> bool:
    if not email.claimed_by or database.vendor != "postgresql":
        return False
    with database.cursor() as cursor:
        cursor.execute(
            f"SELECT NOT {_CLAIM_VOID} FROM {_TABLE} o WHERE o.id = %s",  # noqa: S608 (the model's table)
            [email.pk],
        )
        row = cursor.fetchone()
    return bool(row and row[0])


def _bodies_for(emails: dict[int, OutboundEmail]) -> None:
    """Attaches each row's shared body, reading only the bodies this process has not seen yet."""
    wanted = {email.body_id for email in emails.values() if email.body_id is not None}
    missing = wanted - _bodies.keys()
    if missing:
        if len(_bodies) > 32:
            _bodies.clear()
        _bodies.update(OutboundBody.objects.in_bulk(missing))
    cache = OutboundEmail.body.field.set_cached_value  # what assigning email.body stores, less its checks
    for email in emails.values():
        if email.body_id is not None:
            cache(email, _bodies[email.body_id])


_bodies: dict[int, OutboundBody] = {}


def email_send_batch(*, email_ids: list[int]) -> list[int]:
    """Sends many rows over this process's mail connection; returns the ids to try again later.

    The batch's rows are claimed for this database session in one statement (rows claimed by a live
    session are another sender's; a dead session's journal is replayed first, see ``outbox.journal``)
    and read, with their SQL send checks, in one query. After each message its outcome goes to the
    session's journal in Redis, and every ``OUTBOX_SAVE_EVERY`` messages the outcomes are saved in one
    statement. No transaction is open while the server talks. So two senders never both send a row,
    and a worker that dies leaves at most the message on the wire unconfirmed (its claim dies with its
    session: the rows are free at once, and its journal says what it sent).
    """
    if database.vendor != "postgresql" or database.in_atomic_block:
        return _email_send_each(email_ids)
    if steptimer.ON:
        steptimer.start()
    with _batch_cursor() as cursor:
        me = _session_name(cursor)
        cursor.execute(_CLAIM, [me, email_ids, OutboundEmail.Status.PENDING])
        # Each row, and the dead session whose claim it had, if any.
        claimed, previous = _claimed_rows(cursor.fetchall())
        try:
            for session in previous - {"", me}:
                _journal_replay(cursor, session, claimed_by=[session, me])
            in_order = [email_id for email_id in email_ids if email_id in claimed]
            return _send_claimed(cursor, me, in_order, claimed)
        finally:
            cursor.execute(_RELEASE, [list(claimed), me])
            if steptimer.ON:
                steptimer.lap("glue")
                steptimer.flush()


def _batch_cursor():
    """A cursor for the batch sender's statements that sends their values apart from their text.

    Django's cursor writes every value into the statement in Python (client-side binding), and for a
    batch's arrays of ids and outcomes that cost more CPU than the database's own work: a claim of 100
    rows took 6.3 ms of the worker's CPU, 1.7 through this cursor. It is wrapped as Django wraps its own
    cursors, so query logging and execute wrappers see these statements as they see any other."""
    database.ensure_connection()
    cursor: Any = psycopg.Cursor(database.connection)  # the stubs expect only Django's own cursors
    return database.make_debug_cursor(cursor) if database.queries_logged else database.make_cursor(cursor)


def _claimed_rows(rows: list[tuple]) -> tuple[dict[int, OutboundEmail], set[str]]:
    """The claimed rows as model instances (the columns no sender reads left deferred), and the
    sessions whose claims they had.

    Each instance is what ``Model.from_db`` makes, put together directly: ``from_db``'s per-field loop
    and init take about twice as long (32 against 16-21 us a row here). Nothing listens to an outbox
    row's init signals, which this skips; if something ever does, the rows go through ``from_db``."""
    claimed: dict[int, OutboundEmail] = {}
    previous: set[str] = set()
    direct = not (pre_init.has_listeners(OutboundEmail) or post_init.has_listeners(OutboundEmail))
    for *values, previous_claim in rows:
        for position, field in _CLAIMED_CONVERTED:
            values[position] = field.from_db_value(values[position], None, database)
        if direct:
            email = OutboundEmail.__new__(OutboundEmail)
            email._state = ModelState()
            email._state.adding, email._state.db = False, database.alias
            email.__dict__.update(zip(_CLAIMED_NAMES, values, strict=True))
        else:
            email = OutboundEmail.from_db(database.alias, _CLAIMED_NAMES, values)
        claimed[email.pk] = email
        previous.add(previous_claim)
    return claimed, previous


def _send_claimed(cursor, me: str, email_ids: list[int], emails: dict[int, OutboundEmail]) -> list[int]:
    _bodies_for(emails)
    opened = Journal.open(me)
    if opened is None:
        return _send_stepwise(cursor, me, email_ids, emails)
    journal, epoch = opened
    try:
        return _send_journaled(cursor, me, email_ids, emails, journal, epoch)
    finally:
        journal.release()


class _JournaledBatch:
    """A batch sent with its journal (``outbox.journal``): its rows' state and send checks as last
    asked, its outcomes not yet saved, and the journal's answers.

    Each outcome is appended as soon as the server has accepted the message, and Redis's answer to it
    is read by ``clear_to_send``, right before the next message's data goes: Redis answers while the
    mail server answers the next envelope, and no message goes before the previous outcome is listed.
    What stops the batch there is noted (``fenced``, ``failure``) rather than raised through the mail
    exchange, which ends the message's transaction instead; the sender looks after each message."""

    def __init__(
        self, cursor, me: str, email_ids: list[int], emails: dict[int, OutboundEmail], journal: Journal, epoch
    ):
        self.cursor, self.me, self.email_ids, self.emails = cursor, me, email_ids, emails
        self.journal, self.epoch = journal, epoch
        self.outcomes: list[Outcome] = []
        self.position = 0  # of the message being sent, in email_ids
        self.stale = False  # the checks' counter moved: ask the SQL checks again before the next data
        self.lost = False  # Redis went away: the outcomes so far are saved, the rest one by one
        self.fenced = False  # our session was given up for dead, and our rows to others: stop
        self.failure: Exception | None = None  # an error of ours while clearing a message
        self.state = _batch_state(cursor, me, email_ids, emails)

    def clear_to_send(self) -> bool:
        """Whether the message at ``position`` may go now: the previous outcome is listed (a fenced
        session stops here), and its SQL send check, asked again if a change was announced, says yes."""
        if steptimer.ON:
            steptimer.lap("smtp")
        try:
            self._settle()
            if self.stale:
                self.ask_again(self.position)
        except Exception as error:
            self.failure = error
        if steptimer.ON:
            steptimer.lap("mark")
        if self.fenced or self.failure is not None:
            return False
        row = self.state.get(self.email_ids[self.position])
        return row is not None and row[2] is not False

    def record(self, outcome: Outcome) -> None:
        """Keeps an outcome and sends it to the journal."""
        self.outcomes.append(outcome)
        self._settle()  # an outcome that needed no message (a skip) follows one whose answer is unread
        if self.lost or self.fenced:
            return
        try:
            self.journal.append(_journal_entry(outcome))
        except redis.RedisError:
            self._lose()

    def save(self) -> None:
        """Saves the outcomes kept so far and empties the journal (not for a fenced session: its rows
        are others' now, and its journal has been read)."""
        self._settle()
        if self.fenced:
            return
        _outcomes_save(self.cursor, [self.me], self.outcomes)
        self.journal.clear()
        self.outcomes = []

    def ask_again(self, start: int) -> None:
        """Asks the send checks again, for the messages from ``start`` on."""
        self.stale = False
        self.state = _batch_state(self.cursor, self.me, self.email_ids[start:], self.emails)

    def _settle(self) -> None:
        if self.lost:
            return
        try:
            answer = self.journal.settle()
        except redis.RedisError:
            self._lose()
            return
        if answer is None:
            return
        fenced, epoch = answer
        self.fenced = self.fenced or fenced
        if epoch != self.epoch:
            self.epoch, self.stale = epoch, True

    def _lose(self) -> None:
        """Redis is gone, and with it maybe the last outcome's listing: the outcomes kept so far are
        saved now, before another message goes."""
        logger.warning("the batch sender's journal is unreachable; saving each outcome", exc_info=True)
        _outcomes_save(self.cursor, [self.me], self.outcomes)
        self.outcomes = []
        self.lost = True


def _send_journaled(
    cursor, me: str, email_ids: list[int], emails: dict[int, OutboundEmail], journal: Journal, epoch
) -> list[int]:
    batch = _JournaledBatch(cursor, me, email_ids, emails, journal, epoch)
    if steptimer.ON:
        steptimer.lap("mark")
    retry: list[int] = []
    connection = _mail_connection()
    try:
        for position, email_id in enumerate(email_ids):
            if email_id not in batch.state:
                continue  # finished by another sender since the batch was claimed
            batch.position = position
            email = emails[email_id]
            email.attempts, email.last_error, wanted = batch.state[email_id]
            transient = _attempt(email, connection, still_wanted=wanted, clear_to_send=batch.clear_to_send)
            if batch.failure is not None:
                raise batch.failure
            if batch.fenced:
                break  # (this message was withheld, and is no outcome)
            if email_id in batch.state:  # else finished by another sender, as the checks asked again said
                # (updated_at is set by the save, in SQL.)
                batch.record((email.pk, email.status, email.attempts, email.last_error, email.sent_at))
            if batch.fenced:
                break
            if transient is not None:
                retry.append(email_id)
                # A broken connection is dropped; the next message opens a fresh one.
                _mail_connection_drop()
                connection = _mail_connection()
            if batch.lost:
                _outcomes_save(cursor, [me], batch.outcomes)
                return retry + _send_stepwise(cursor, me, email_ids[position + 1 :], emails)
            if len(batch.outcomes) >= settings.OUTBOX_SAVE_EVERY:
                batch.save()
                # Asked again with every save, too: a change whose notice was lost waits this long at most.
                batch.ask_again(position + 1)
            if steptimer.ON:
                steptimer.lap("mark", count=1)
        batch.save()
    except Exception:
        # An error of ours mid-batch (the server's are outcomes): what was sent is saved before the
        # batch's claims are released, so that the task's retry does not send it again.
        _outcomes_save(cursor, [me], batch.outcomes)
        journal.clear()
        raise
    if batch.fenced:
        logger.error("batch sender %s was fenced; stopping its batch", me)
    if steptimer.ON:
        steptimer.lap("mark")
    return retry


def _send_stepwise(cursor, me: str, email_ids: list[int], emails: dict[int, OutboundEmail]) -> list[int]:
    """Without a journal: one statement a message saves the previous outcome and asks the next check."""
    retry: list[int] = []
    connection = _mail_connection()
    previous: list = _NO_OUTCOME
    for email_id in email_ids:
        email = emails[email_id]
        statement, checked_in_sql = _step_statement(email.kind)
        cursor.execute(statement, [*previous, me, email_id, OutboundEmail.Status.PENDING, me])
        _, attempts, last_error, wanted = cursor.fetchone()
        previous = _NO_OUTCOME
        if steptimer.ON:
            steptimer.lap("mark", count=1)
        if attempts is None:
            continue  # finished by another sender since the batch was claimed
        # Count on from what the row says now.
        email.attempts, email.last_error = attempts, last_error
        transient = _attempt(email, connection, still_wanted=wanted if checked_in_sql else None)
        email.updated_at = timezone.now()
        previous = _outcome_of(email)
        if transient is not None:
            retry.append(email_id)
            _mail_connection_drop()
            connection = _mail_connection()
    if previous is not _NO_OUTCOME:
        statement, _checked = _step_statement("")
        cursor.execute(statement, [*previous, me, None, OutboundEmail.Status.PENDING, me])
        if steptimer.ON:
            steptimer.lap("mark")
    return retry


def _batch_state(
    cursor, me: str, email_ids: list[int], emails: dict[int, OutboundEmail]
) -> dict[int, tuple[int, str, bool | None]]:
    """Each row still pending and ours: its attempts and last error, and its kind's SQL send check
    (None where the kind has no SQL form: the Python checks answer as it goes)."""
    if not email_ids:
        return {}
    kinds = sorted({emails[email_id].kind for email_id in email_ids})
    checks = [(kind, sql_check_for(kind)) for kind in kinds]
    cases = " ".join(f"WHEN %s THEN ({check})" for _kind, check in checks if check is not None)
    check = f"CASE o.kind {cases} END" if cases else "NULL"
    cursor.execute(
        f"SELECT o.id, o.attempts, o.last_error, {check} FROM {_TABLE} o "  # noqa: S608 (the model's table)
        "WHERE o.id = ANY(%s) AND o.status = %s AND o.claimed_by = %s",
        [*[kind for kind, sql in checks if sql is not None], email_ids, OutboundEmail.Status.PENDING, me],
    )
    return {
        email_id: (attempts, last_error, wanted)
        for email_id, attempts, last_error, wanted in cursor.fetchall()
    }


def _journal_entry(outcome: Outcome) -> str:
    email_id, status, attempts, last_error, sent_at = outcome
    return journal_line(email_id, status, attempts, last_error, sent_at.timestamp() if sent_at else None)


# Many outcomes in one statement (a batch's, or a dead sender's journal), for rows still claimed by
# the session that sent them; synchronous_commit off for its own transaction (see outbox.models).
# Each row takes its values from the arrays at its id's place: the statement reads the rows by id and
# joins nothing, so its plan holds whatever the statistics believe of the table (a join of the rows
# with the arrays, planned on statistics from before a fan-out, read the arrays once for each row).
_AT = "array_position(%(ids)s::bigint[], o.id)"
_SAVE = (
    f"UPDATE {_TABLE} o SET status = (%(statuses)s::text[])[{_AT}], "  # noqa: S608 (the model's table)
    f"attempts = (%(attempts)s::integer[])[{_AT}], last_error = (%(errors)s::text[])[{_AT}], "
    f"sent_at = (%(sent_at)s::timestamptz[])[{_AT}], updated_at = now(), claimed_by = '', "
    + ", ".join(
        f"{column} = CASE WHEN o.carries_secret AND (%(statuses)s::text[])[{_AT}] <> %(pending)s "
        f"THEN {blank} ELSE o.{column} END"
        for column, blank in (
            ("body_text", "''"),
            ("body_html", "''"),
            ("headers", "'{}'::jsonb"),
            ("attachments", "'[]'::jsonb"),
            ('"values"', "'{}'::jsonb"),
        )
    )
    + " FROM (SELECT set_config('synchronous_commit', 'off', true)) AS setting "
    "WHERE o.id = ANY(%(ids)s::bigint[]) AND o.claimed_by = ANY(%(claimed_by)s) AND o.status = %(pending)s"
)


def _outcomes_save(cursor, claimed_by: list[str], outcomes: list[Outcome]) -> None:
    """Saves outcomes of rows claimed by one of ``claimed_by``."""
    if not outcomes:
        return
    ids, statuses, attempts, errors, sent_at = (list(column) for column in zip(*outcomes, strict=True))
    cursor.execute(
        _SAVE,
        {
            "ids": ids,
            "statuses": statuses,
            "attempts": attempts,
            "errors": errors,
            "sent_at": sent_at,
            "claimed_by": claimed_by,
            "pending": OutboundEmail.Status.PENDING,
        },
    )


def _journal_replay(cursor, session: str, *, claimed_by: list[str], only: int | None = None) -> None:
    """Saves what a dead session's journal says it sent, so that none of it is sent again, on the rows
    still claimed by one of ``claimed_by`` (the dead session, and the batch sender that has just
    claimed some of its rows).

    ``only``: the one row a one-off sender holds locked; the journal is left for the batch senders
    then, so that two one-off senders never wait on each other's rows."""
    lines = journal_take(session)
    if only is not None:
        lines = [line for line in lines or [] if line[0] == only]
    if not lines:
        return  # nothing listed, or Redis lost with it (then those messages may go twice)
    outcomes: list[Outcome] = [
        (
            email_id,
            status,
            attempts,
            last_error,
            datetime.fromtimestamp(sent_at, tz=UTC) if sent_at is not None else None,
        )
        for email_id, status, attempts, last_error, sent_at in lines
    ]
    _outcomes_save(cursor, claimed_by, outcomes)
    if only is None:
        journal_drop(session)


def _email_send_each(email_ids: list[int]) -> list[int]:
    """The batch through ``email_send``, for databases without row locks (the embedded SQLite, whose
    immediate transactions let one writer in at a time): slower, with the same guarantees."""
    retry: list[int] = []
    for email_id in email_ids:
        try:
            email_send(email_id=email_id)
        except TransientSendError:
            retry.append(email_id)
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
