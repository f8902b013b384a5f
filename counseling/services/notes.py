"""Session notes: written by the counselor as a draft, signed once final, then only added to.

Only the author touches a note. Each write records an access row in its own transaction; the text
is encrypted by the model field on its way to the database.
"""

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError, ConflictError
from core.localtime import local_date
from counseling.encryption import EncryptedTextField
from counseling.models import AccessRecord, Booking, Pattern, SessionNote, SessionNoteAddendum
from counseling.selectors.clients import client_is_counselors
from counseling.services.access import access_record

SECTION_MAX_LENGTH = 20000
# Cancelled sessions did not take place: there is nothing to record for them.
NOTABLE_BOOKING_STATUSES = (Booking.Status.CONFIRMED, Booking.Status.COMPLETED, Booking.Status.NO_SHOW)


def _signed_error() -> ConflictError:
    return ConflictError(
        _("署名済みのノートは変更・削除できません。追記をご利用ください。"), extra={"status": "signed"}
    )


def _tag_patterns(codes: Iterable[str]) -> list[Pattern]:
    unique_codes = list(dict.fromkeys(codes))
    patterns = {p.code: p for p in Pattern.objects.filter(code__in=unique_codes)}
    unknown = [code for code in unique_codes if code not in patterns]
    if unknown:
        raise ApplicationError(
            _("不明なタグがあります。"),
            extra={"tags": [_("不明なパターンです: %(codes)s") % {"codes": ", ".join(unknown)}]},
        )
    return [patterns[code] for code in unique_codes]


def _sections(fields: dict) -> dict[str, str]:
    sections = {}
    for name in SessionNote.SECTIONS:
        if name not in fields:
            continue
        value = (fields[name] or "").strip()
        if len(value) > SECTION_MAX_LENGTH:
            message = _("%(count)s文字以内で入力してください。") % {"count": SECTION_MAX_LENGTH}
            raise ApplicationError(message, extra={name: [message]})
        sections[name] = value
    return sections


def _check_date(day: date) -> None:
    if day > local_date(timezone.now()):
        raise ApplicationError(
            _("まだ来ていない日のノートは書けません。"), extra={"date": [_("今日までの日付にしてください。")]}
        )


def _lock_own(note: SessionNote, counselor) -> SessionNote:
    # Sign and edit race each other: whichever locks first decides, and the other sees the result.
    note = SessionNote.objects.select_for_update(of=("self",)).select_related("client").get(pk=note.pk)
    if note.counselor_id != counselor.pk:
        raise PermissionDenied
    return note


@transaction.atomic
def session_note_create(
    *,
    counselor,
    booking: Booking | None = None,
    client=None,
    date: date | None = None,
    tags: Iterable[str] = (),
    ip: str | None = None,
    **sections: str,
) -> SessionNote:
    """A draft note for one of the counselor's bookings, or for one of their clients and a date
    (sessions held elsewhere). ``sections`` are the note's sections by name (SessionNote.SECTIONS)."""
    if not counselor.is_counselor:
        raise PermissionDenied
    unknown = set(sections) - set(SessionNote.SECTIONS)
    if unknown:
        raise TypeError(f"Unknown note sections: {', '.join(sorted(unknown))}")
    if booking is not None:
        if booking.counselor_id != counselor.pk:
            raise ApplicationError(
                _("ご自身の予約を選んでください。"), extra={"booking": [_("ご自身の予約ではありません。")]}
            )
        if booking.status not in NOTABLE_BOOKING_STATUSES:
            raise ApplicationError(
                _("キャンセルされた予約にはノートを書けません。"),
                extra={"booking": [_("キャンセルされた予約です。")]},
            )
        if client is not None and client.pk != booking.client_id:
            raise ApplicationError(
                _("予約のクライアントと一致しません。"),
                extra={"client": [_("予約のクライアントと一致しません。")]},
            )
        if SessionNote.objects.filter(booking=booking).exists():
            raise ConflictError(_("この予約のノートは既にあります。"))
        client, date = booking.client, local_date(booking.start)
    else:
        if client is None or not client_is_counselors(client_id=client.pk, counselor=counselor):
            raise ApplicationError(
                _("予約か、担当しているクライアントを指定してください。"),
                extra={"client": [_("担当しているクライアントを指定してください。")]},
            )
        if date is None:
            raise ApplicationError(
                _("セッションの日付を指定してください。"), extra={"date": [_("入力してください。")]}
            )
    _check_date(date)
    patterns = _tag_patterns(tags)

    note = SessionNote.objects.create(
        counselor=counselor, client=client, booking=booking, date=date, **_sections(sections)
    )
    note.tags.set(patterns)
    access_record(user=counselor, obj_or_objs=note, action=AccessRecord.Action.CREATE, ip=ip)
    return note


@transaction.atomic
def session_note_update(
    *,
    note: SessionNote,
    counselor,
    tags: Iterable[str] | None = None,
    date: date | None = None,
    ip: str | None = None,
    **sections: str,
) -> SessionNote:
    """Changes a draft: the given sections, the tags when given, the date of a note without booking.
    A signed note is final (409)."""
    note = _lock_own(note, counselor)
    if note.is_signed:
        raise _signed_error()
    changes: dict[str, object] = dict(_sections(sections))
    if date is not None and date != note.date:
        if note.booking_id is not None:
            raise ApplicationError(
                _("予約のノートの日付は予約の日付です。"), extra={"date": [_("変更できません。")]}
            )
        _check_date(date)
        changes["date"] = date
    patterns = _tag_patterns(tags) if tags is not None else None

    for name, value in changes.items():
        setattr(note, name, value)
    note.save(update_fields=[*changes, "updated_at"])
    if patterns is not None:
        note.tags.set(patterns)
    access_record(user=counselor, obj_or_objs=note, action=AccessRecord.Action.UPDATE, ip=ip)
    return note


@transaction.atomic
def session_note_delete(*, note: SessionNote, counselor, ip: str | None = None) -> None:
    """Deletes a draft; a signed note stays (409). The access log keeps the deleted note's id."""
    note = _lock_own(note, counselor)
    if note.is_signed:
        raise _signed_error()
    access_record(user=counselor, obj_or_objs=note, action=AccessRecord.Action.DELETE, ip=ip)
    note.tags.clear()
    note.delete()


@transaction.atomic
def session_note_sign(*, note: SessionNote, counselor, ip: str | None = None) -> SessionNote:
    note = _lock_own(note, counselor)
    if note.is_signed:
        raise ConflictError(_("このノートは署名済みです。"), extra={"status": "signed"})
    if not any(getattr(note, name) for name in SessionNote.SECTIONS):
        raise ApplicationError(_("何も書かれていないノートには署名できません。"))
    note.status = SessionNote.Status.SIGNED
    note.signed_at = timezone.now()
    note.save(update_fields=["status", "signed_at", "updated_at"])
    access_record(user=counselor, obj_or_objs=note, action=AccessRecord.Action.SIGN, ip=ip)
    return note


@transaction.atomic
def session_note_addendum_add(
    *, note: SessionNote, counselor, text: str, ip: str | None = None
) -> SessionNoteAddendum:
    """Appends text to a signed note (a draft is simply edited)."""
    note = _lock_own(note, counselor)
    if not note.is_signed:
        raise ConflictError(
            _("下書きのノートには追記できません。本文を編集してください。"), extra={"status": note.status}
        )
    text = (text or "").strip()
    if not text:
        raise ApplicationError(_("追記を入力してください。"), extra={"text": [_("入力してください。")]})
    if len(text) > SECTION_MAX_LENGTH:
        message = _("%(count)s文字以内で入力してください。") % {"count": SECTION_MAX_LENGTH}
        raise ApplicationError(message, extra={"text": [message]})
    addendum = SessionNoteAddendum.objects.create(note=note, author=counselor, text=text)
    access_record(user=counselor, obj_or_objs=note, action=AccessRecord.Action.ADDENDUM, ip=ip)
    return addendum


ENCRYPTED_MODELS = (SessionNote, SessionNoteAddendum)


def note_keys_rotate(*, batch_size: int = 500, progress: Callable[[str, int], None] | None = None) -> int:
    """Re-encrypts every note and addendum under the newest key, ``batch_size`` rows a transaction.

    Rows load decrypted by whichever listed key wrote them and save encrypted under the first; the
    text itself and ``updated_at`` do not change. Safe to interrupt and run again.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    total = 0
    for model in ENCRYPTED_MODELS:
        fields = [field.name for field in model._meta.fields if isinstance(field, EncryptedTextField)]
        last_pk = 0
        while True:
            with transaction.atomic():
                # Locked so that an edit in between cannot be overwritten with the text read here.
                rows: list[Any] = list(
                    model.objects.select_for_update()
                    .filter(pk__gt=last_pk)
                    .order_by("pk")
                    .only("pk", *fields)[:batch_size]
                )
                if not rows:
                    break
                model.objects.bulk_update(rows, fields)
            last_pk = rows[-1].pk
            total += len(rows)
            if progress is not None:
                progress(model._meta.label, total)
    return total
