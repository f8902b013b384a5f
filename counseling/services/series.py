"""The counselor books for a client: one session, or a weekly or fortnightly series.

Each occurrence is an ordinary booking made under the same lock, slot check and exclusion constraint
as a client's own; the occurrences of one series share a ``series_id``. All chosen occurrences are
booked, or none: one taken in the meantime refuses the whole request with the dates it concerns.
"""

import uuid
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError, ConflictError
from core.localtime import local_label
from counseling.models import Booking, SessionType
from counseling.selectors.availability import SlotState, slot_state
from counseling.selectors.clients import client_is_counselors
from counseling.selectors.series import SERIES_MAX_OCCURRENCES
from counseling.services.booking_mail import booking_mail_confirmed
from counseling.services.bookings import (
    booking_for_key,
    booking_place,
    booking_save_or_conflict,
    check_client_may_book,
    lock_counselor,
    request_fingerprint,
)
from counseling.services.series_mail import booking_series_mail


def _check_starts(starts: list[datetime]) -> list[datetime]:
    starts = sorted(set(starts))
    if not starts:
        raise ApplicationError(
            _("予約する日時を1つ以上選んでください。"), extra={"starts": [_("選んでください。")]}
        )
    if len(starts) > SERIES_MAX_OCCURRENCES:
        message = _("一度に予約できるのは%(count)s回までです。") % {"count": SERIES_MAX_OCCURRENCES}
        raise ApplicationError(message, extra={"starts": [message]})
    return starts


def _existing_series(client, idempotency_key: str, fingerprint: str) -> list[Booking] | None:
    """The series the key booked first, when this is a retry of the same request: the first
    occurrence holds the key (with ``:0``) and the fingerprint of every start asked for."""
    if not idempotency_key:
        return None
    first = booking_for_key(client, f"{idempotency_key}:0", fingerprint)
    if first is None:
        return None
    if first.series_id is None:
        return [first]
    return list(Booking.objects.filter(series_id=first.series_id).order_by("start"))


@transaction.atomic
def booking_series_create(
    *, counselor, client, session_type: SessionType, starts: list[datetime], idempotency_key: str = ""
) -> list[Booking]:
    """Books every start in ``starts`` for ``client`` with ``counselor``'s ``session_type``.

    Nothing is written unless every start is free: a taken one raises ConflictError naming it.
    The client gets one mail listing the dates with one .ics of every session. A retry with the
    same ``idempotency_key`` returns the bookings made the first time; the same key with another
    session type or other starts raises ``IdempotencyKeyReused`` (422).
    """
    if session_type.counselor_id != counselor.pk:
        raise ApplicationError(
            _("ご自分のセッション種別を選んでください。"), extra={"session_type": [_("選べません。")]}
        )
    if not session_type.active:
        raise ApplicationError(
            _("このセッションは現在受け付けていません。"),
            extra={"session_type": [_("受付中ではありません。")]},
        )
    if not client_is_counselors(client_id=client.pk, counselor=counselor):
        raise ApplicationError(
            _("担当しているクライアントを選んでください。"),
            extra={"client": [_("担当しているクライアントではありません。")]},
        )
    check_client_may_book(client)
    starts = _check_starts(starts)
    fingerprint = request_fingerprint(session_type, starts)
    existing = _existing_series(client, idempotency_key, fingerprint)
    if existing:
        return existing

    lock_counselor(counselor.pk)
    # A concurrent retry with the same key may have committed while this one waited for the lock.
    existing = _existing_series(client, idempotency_key, fingerprint)
    if existing:
        return existing
    now = timezone.now()
    window = settings.COUNSELING_COUNSELOR_BOOKING_WINDOW
    too_far = [start for start in starts if start > now + window]
    if too_far:
        message = _("予約を受け付ける期間（%(days)s日先まで）を過ぎた日時があります：%(dates)s") % {
            "days": window.days,
            "dates": "、".join(local_label(start) for start in too_far),
        }
        raise ApplicationError(message, extra={"starts": [message]})
    states = {
        start: slot_state(session_type=session_type, start=start, now=now, window=window) for start in starts
    }
    not_slots = [start for start, state in states.items() if state is SlotState.NOT_A_SLOT]
    if not_slots:
        message = _("受付時間の枠ではない日時があります：%(dates)s") % {
            "dates": "、".join(local_label(start) for start in not_slots)
        }
        raise ApplicationError(message, extra={"starts": [message]})
    taken = [start for start, state in states.items() if state is not SlotState.FREE]
    if taken:
        raise ConflictError(
            _("次の日時は予約できなくなりました。どれも予約していません：%(dates)s")
            % {"dates": "、".join(local_label(start) for start in taken)},
            extra={"starts": [start.isoformat() for start in taken]},
        )

    series_id = uuid.uuid4() if len(starts) > 1 else None
    bookings = []
    for index, start in enumerate(starts):
        booking = Booking(
            client=client,
            counselor=counselor,
            session_type=session_type,
            series_id=series_id,
            idempotency_key=f"{idempotency_key}:{index}" if idempotency_key else "",
            idempotency_request=fingerprint if idempotency_key and index == 0 else "",
        )
        booking_place(booking, start=start, now=now)
        # The exclusion constraint refuses what slipped past the check; raising undoes the whole series.
        booking_save_or_conflict(booking)
        bookings.append(booking)
    if series_id is None:
        booking_mail_confirmed(booking=bookings[0], rescheduled=False)
    else:
        booking_series_mail(bookings=bookings)
    return bookings
