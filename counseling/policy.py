"""What may still happen to a booking, and for whom: the one rule every reader of it asks.

The booking services enforce it, the pages show or hide their buttons by it, the API exposes it as
fields of the booking, and the mails state its deadline. A change to the rule is made here alone.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError, ConflictError
from counseling.models import Booking

CLIENT = "client"
COUNSELOR = "counselor"
# How a session went, as the counselor records it once it has started.
MARKABLE = (Booking.Status.COMPLETED, Booking.Status.NO_SHOW)


def cancellation_window() -> timedelta:
    return settings.COUNSELING_CANCELLATION_WINDOW


def cancellation_window_hours() -> int:
    return int(cancellation_window().total_seconds() // 3600)


def booking_role(booking: Booking, user) -> str | None:
    """``"counselor"`` for the booking's counselor, ``"client"`` for its client, else None."""
    if user.pk == booking.counselor_id:
        return COUNSELOR
    if user.pk == booking.client_id:
        return CLIENT
    return None


@dataclass(frozen=True)
class BookingPolicy:
    """The booking as ``role`` may still change it at ``now``.

    - A client cancels until the session starts; from the cancellation window on (48 h by default)
      it is recorded as a late cancellation. A client reschedules only before the window.
    - The counselor cancels or reschedules a confirmed booking at any time, and never causes a late
      cancellation: that status is the client's alone.
    - The counselor marks a session held or no-show once it has started, and may correct the mark.
    - A booking held while its payment is awaited may be cancelled by either, never late (nothing
      was paid); it cannot be rescheduled.
    """

    booking: Booking
    role: str
    now: datetime = field(default_factory=timezone.now)

    @property
    def change_deadline(self) -> datetime:
        """Until this instant a client may cancel freely and reschedule."""
        return self.booking.start - cancellation_window()

    @property
    def inside_cancellation_window(self) -> bool:
        return self.now >= self.change_deadline

    @property
    def started(self) -> bool:
        return self.now >= self.booking.start

    @property
    def _confirmed(self) -> bool:
        return self.booking.status == Booking.Status.CONFIRMED

    @property
    def _held_unpaid(self) -> bool:
        return self.booking.status == Booking.Status.PENDING_PAYMENT

    @property
    def cancel_allowed(self) -> bool:
        if self.role == COUNSELOR:
            return self._confirmed or self._held_unpaid
        return (self._confirmed or self._held_unpaid) and not self.started

    @property
    def cancel_is_late(self) -> bool:
        """A cancellation now would be recorded as the client's late cancellation."""
        return (
            self.role == CLIENT
            and self._confirmed
            and self.cancel_allowed
            and self.inside_cancellation_window
        )

    @property
    def reschedule_allowed(self) -> bool:
        if self.role == COUNSELOR:
            return self._confirmed
        return self._confirmed and not self.inside_cancellation_window

    @property
    def mark_allowed(self) -> bool:
        return (
            self.role == COUNSELOR
            and self.booking.status in (Booking.Status.CONFIRMED, *MARKABLE)
            and self.started
        )

    def check_cancel(self) -> None:
        """Raises the error that explains why the booking cannot be cancelled now."""
        if not self._held_unpaid:
            self._check_confirmed()
        if not self.cancel_allowed:
            raise ConflictError(_("開始時刻を過ぎた予約はキャンセルできません。"))

    def check_reschedule(self) -> None:
        self._check_confirmed()
        if not self.reschedule_allowed:
            raise ConflictError(
                _("開始%(hours)s時間前を過ぎたご予約は変更できません。キャンセルのみ承ります。")
                % {"hours": cancellation_window_hours()}
            )

    def check_mark(self, status: str) -> None:
        if self.role != COUNSELOR:
            raise ApplicationError(_("記録できるのは担当のカウンセラーのみです。"))
        if status not in MARKABLE:
            raise ApplicationError(
                _("記録できる状態ではありません。"), extra={"status": [_("選べない値です。")]}
            )
        if self.booking.status not in (Booking.Status.CONFIRMED, *MARKABLE):
            self._check_confirmed()
        if not self.started:
            raise ConflictError(_("開始前のセッションは記録できません。"))

    def _check_confirmed(self) -> None:
        if not self._confirmed:
            raise ConflictError(
                _("この予約は「%(status)s」のため変更できません。")
                % {"status": self.booking.get_status_display()},
                extra={"status": self.booking.status},
            )


def booking_policy(booking: Booking, user, *, now: datetime | None = None) -> BookingPolicy:
    """The policy for ``user`` (the booking's client or counselor; anyone else is refused)."""
    role = booking_role(booking, user)
    if role is None:
        raise ApplicationError(_("この予約を操作する権限がありません。"))
    return BookingPolicy(booking=booking, role=role, now=now or timezone.now())
