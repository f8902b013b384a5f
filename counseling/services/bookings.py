"""Booking, cancelling, rescheduling and marking sessions.

Double booking is stopped twice: the counselor's row is locked and the slot re-checked before the
write (the clear 409), and PostgreSQL's exclusion constraint refuses any overlap that gets past it.
"""

import hashlib
from collections.abc import Sequence
from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError, ConflictError
from core.localtime import local_date, local_datetime
from counseling.models import Booking, Format, SessionType
from counseling.policy import COUNSELOR, booking_policy
from counseling.selectors.availability import SlotState, slot_state
from counseling.selectors.intakes import client_booking_eligibility
from counseling.services.booking_mail import booking_mail_cancelled, booking_mail_confirmed
from counseling.services.meeting_links import meeting_url_for_booking
from payments.models import RefundReason
from payments.services.orders import payment_needs_hold, payment_open_for_booking
from payments.services.refunds import payment_refund_for_booking


def _slot_taken_error() -> ConflictError:
    return ConflictError(
        _("この時間は既に予約が入ったか、予約できなくなりました。別の時間をお選びください。")
    )


def lock_counselor(counselor_id: int) -> None:
    """Serialises every booking write of one counselor: check-then-insert is safe only under this lock.

    SQLite ignores FOR UPDATE, but its IMMEDIATE transactions already let one writer in at a time.
    """
    list(get_user_model().objects.select_for_update().filter(pk=counselor_id).values_list("pk", flat=True))


def check_client_may_book(client) -> None:
    if not client.is_client:
        raise ApplicationError(_("予約はクライアントのみができます。"))
    eligibility = client_booking_eligibility(client=client)
    if not eligibility.may_book:
        raise ApplicationError(eligibility.message)


def _check_bookable(
    *, session_type: SessionType, start: datetime, exclude_booking_id: int | None = None
) -> None:
    state = slot_state(session_type=session_type, start=start, exclude_booking_id=exclude_booking_id)
    if state is SlotState.NOT_A_SLOT:
        raise ApplicationError(
            _("ご指定の時間は受付時間の枠ではありません。空き時間の一覧からお選びください。"),
            extra={"start": [_("受付時間の枠ではありません。")]},
        )
    if state is SlotState.UNAVAILABLE:
        raise _slot_taken_error()


def reminder_due_at(start: datetime) -> datetime:
    """19:00 (COUNSELING_REMINDER_HOUR) Asia/Tokyo on the day before the session's Asia/Tokyo date."""
    return local_datetime(local_date(start) - timedelta(days=1), time(hour=settings.COUNSELING_REMINDER_HOUR))


def booking_place(booking: Booking, *, start: datetime, now: datetime) -> None:
    session_type = booking.session_type
    booking.start = start
    booking.end = start + timedelta(minutes=session_type.duration_minutes)
    booking.buffer_end = booking.end + timedelta(minutes=session_type.buffer_minutes)
    due = reminder_due_at(start)
    # Booked after the reminder time: the confirmation just sent is the reminder.
    booking.reminder_due_at = due if due > now else None
    booking.reminder_queued_at = None
    booking.meeting_url = (
        meeting_url_for_booking(counselor_id=booking.counselor_id, current=booking.meeting_url)
        if session_type.format == Format.ONLINE
        else ""
    )


def booking_save_or_conflict(booking: Booking) -> None:
    booking.full_clean(validate_constraints=False)
    try:
        # A savepoint: the caller can still look around after the constraint refused the row.
        with transaction.atomic():
            booking.save()
    except IntegrityError as error:
        raise _slot_taken_error() from error


def _starts_booked_with(booking: Booking) -> list[datetime]:
    if booking.series_id is None:
        return [booking.start]
    return list(
        Booking.objects.filter(series_id=booking.series_id).order_by("start").values_list("start", flat=True)
    )


class IdempotencyKeyReused(ApplicationError):
    """The key was first used for another request: 422, as the IETF Idempotency-Key draft says."""

    status_code = 422


def request_fingerprint(session_type: SessionType, starts: Sequence[datetime]) -> str:
    """What a booking request asked for (one start, or a series' sorted starts), to tell a retry from
    another request sent with the same Idempotency-Key."""
    # The instant, not its written form: 10:00+09:00 and 01:00Z are the same request.
    instants = "|".join(str(start.timestamp()) for start in starts)
    return hashlib.sha256(f"{session_type.pk}|{instants}".encode()).hexdigest()


def booking_for_key(client, idempotency_key: str, fingerprint: str) -> Booking | None:
    """The booking the key made first, when this is a retry of the same request; another request
    with that key raises ``IdempotencyKeyReused``."""
    if not idempotency_key:
        return None
    booking = Booking.objects.filter(client=client, idempotency_key=idempotency_key).first()
    if booking is None:
        return None
    # Bookings made before fingerprints were kept: the session type and the starts they were made for.
    first_request = booking.idempotency_request or request_fingerprint(
        booking.session_type, _starts_booked_with(booking)
    )
    if first_request != fingerprint:
        raise IdempotencyKeyReused(
            _("この Idempotency-Key は別の予約内容で使われています。新しいキーでお申し込みください。"),
            extra={"idempotency_key": [_("別の内容で使用済みです。")]},
        )
    return booking


@transaction.atomic
def booking_create(
    *, client, session_type: SessionType, start: datetime, idempotency_key: str = ""
) -> tuple[Booking, bool]:
    """Books ``start`` for ``client``; returns the booking and whether it is new.

    A retry with the same ``idempotency_key`` returns the client's first booking instead of a second;
    the same key with another session type or start raises ``IdempotencyKeyReused``.
    """
    fingerprint = request_fingerprint(session_type, [start])
    existing = booking_for_key(client, idempotency_key, fingerprint)
    if existing is not None:
        return existing, False
    check_client_may_book(client)
    if not session_type.active:
        raise ApplicationError(
            _("このセッションは現在受け付けていません。"),
            extra={"session_type": [_("受付中ではありません。")]},
        )

    lock_counselor(session_type.counselor_id)
    # A concurrent retry with the same key may have committed while this one waited for the lock.
    existing = booking_for_key(client, idempotency_key, fingerprint)
    if existing is not None:
        return existing, False
    _check_bookable(session_type=session_type, start=start)

    booking = Booking(
        client=client,
        counselor_id=session_type.counselor_id,
        session_type=session_type,
        idempotency_key=idempotency_key,
        idempotency_request=fingerprint if idempotency_key else "",
        # Paid in advance: the slot is held (the exclusion constraint counts it) until paid.
        status=Booking.Status.PENDING_PAYMENT
        if payment_needs_hold(method=session_type.payment_method, price_jpy=session_type.price_jpy)
        else Booking.Status.CONFIRMED,
    )
    booking_place(booking, start=start, now=timezone.now())
    try:
        booking_save_or_conflict(booking)
    except ConflictError:
        # The same key for another counselor's session type races past the lock: the first one wins.
        existing = booking_for_key(client, idempotency_key, fingerprint)
        if existing is not None:
            return existing, False
        raise
    if booking.status == Booking.Status.CONFIRMED:
        booking_mail_confirmed(booking=booking, rescheduled=False)
    # The payment (and the mail that says how to pay) in the booking's transaction.
    payment_open_for_booking(booking=booking)
    return booking, True


def _lock_booking(booking_id: int) -> Booking:
    return (
        Booking.objects.select_for_update(of=("self",))
        .select_related("client", "counselor", "session_type")
        .get(pk=booking_id)
    )


@transaction.atomic
def booking_cancel(*, booking: Booking, actor, reason: str = "") -> Booking:
    """The counselor cancels at any time; a client is free to until the cancellation window, later the
    booking is recorded as a late cancellation. Either way the slot is free again."""
    booking = _lock_booking(booking.pk)
    policy = booking_policy(booking, actor)
    policy.check_cancel()
    booking.status = Booking.Status.LATE_CANCELLED if policy.cancel_is_late else Booking.Status.CANCELLED
    booking.cancelled_at = policy.now
    booking.cancelled_by = actor
    booking.cancellation_reason = reason.strip()[:500]
    # Calendars apply a CANCEL only when its SEQUENCE is newer than the invitation's.
    booking.sequence += 1
    booking.save(
        update_fields=[
            "status",
            "cancelled_at",
            "cancelled_by",
            "cancellation_reason",
            "sequence",
            "updated_at",
        ]
    )
    booking_mail_cancelled(booking=booking, by_counselor=policy.role == COUNSELOR)
    # The refund the cancellation policy gives, once: a second cancel is refused above.
    if policy.role == COUNSELOR:
        reason = RefundReason.COUNSELOR_CANCEL
    elif booking.status == Booking.Status.LATE_CANCELLED:
        reason = RefundReason.LATE_CANCEL
    else:
        reason = RefundReason.CLIENT_CANCEL
    payment_refund_for_booking(booking=booking, reason=reason)
    return booking


@transaction.atomic
def booking_reschedule(*, booking: Booking, actor, start: datetime) -> Booking:
    """Moves the booking to another free slot of its session type, all at once or not at all."""
    # Counselor first, then the booking: every path takes the locks in this order.
    lock_counselor(booking.counselor_id)
    booking = _lock_booking(booking.pk)
    policy = booking_policy(booking, actor)
    policy.check_reschedule()
    if start == booking.start:
        raise ApplicationError(_("現在と同じ時間です。"), extra={"start": [_("別の時間を選んでください。")]})
    _check_bookable(session_type=booking.session_type, start=start, exclude_booking_id=booking.pk)
    booking_place(booking, start=start, now=policy.now)
    # Calendars replace the event only when SEQUENCE rises; it also voids mail queued for the old time.
    booking.sequence += 1
    booking_save_or_conflict(booking)
    booking_mail_confirmed(booking=booking, rescheduled=True)
    return booking


@transaction.atomic
def booking_mark(*, booking: Booking, actor, status: str) -> Booking:
    """The counselor records how a session went: held, or the client did not come."""
    booking = _lock_booking(booking.pk)
    policy = booking_policy(booking, actor)
    policy.check_mark(status)
    booking.status = status
    booking.save(update_fields=["status", "updated_at"])
    if status == Booking.Status.NO_SHOW:
        # A no-show follows the late-cancellation rule.
        payment_refund_for_booking(booking=booking, reason=RefundReason.NO_SHOW)
    return booking


@transaction.atomic
def booking_confirm_paid(*, booking: Booking) -> Booking:
    """The held booking was paid (payments says so): it is confirmed and the confirmation mailed."""
    booking = _lock_booking(booking.pk)
    if booking.status != Booking.Status.PENDING_PAYMENT:
        return booking
    booking.status = Booking.Status.CONFIRMED
    booking.save(update_fields=["status", "updated_at"])
    booking_mail_confirmed(booking=booking, rescheduled=False)
    return booking


@transaction.atomic
def booking_release_unpaid(*, booking: Booking) -> Booking:
    """The hold's payment deadline passed: the booking is cancelled and its slot free again."""
    booking = _lock_booking(booking.pk)
    if booking.status != Booking.Status.PENDING_PAYMENT:
        return booking
    booking.status = Booking.Status.CANCELLED
    booking.cancelled_at = timezone.now()
    booking.cancellation_reason = _("お支払い期限切れ")
    booking.sequence += 1
    booking.save(update_fields=["status", "cancelled_at", "cancellation_reason", "sequence", "updated_at"])
    return booking
