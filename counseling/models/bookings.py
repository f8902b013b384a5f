"""Booked sessions, with the database's last word on double booking."""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import RangeOperators
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel
from counseling.constraints import PostgresOnlyExclusionConstraint, TsTzRange
from counseling.models.scheduling import SessionType


class BookingStatus(models.TextChoices):
    # Held for the client until paid or until the payment deadline (see payments.services.holds).
    PENDING_PAYMENT = "pending_payment", _("お支払い待ち")
    CONFIRMED = "confirmed", _("予約確定")
    CANCELLED = "cancelled", _("キャンセル")
    LATE_CANCELLED = "late_cancelled", _("直前キャンセル")
    COMPLETED = "completed", _("実施済み")
    NO_SHOW = "no_show", _("無断欠席")


# Statuses whose time stays taken (a hold awaiting payment too); a cancelled booking frees its slot.
BOOKING_BLOCKING_STATUSES = (
    BookingStatus.PENDING_PAYMENT,
    BookingStatus.CONFIRMED,
    BookingStatus.COMPLETED,
    BookingStatus.NO_SHOW,
)


class Booking(BaseModel):
    Status = BookingStatus

    BLOCKING_STATUSES = BOOKING_BLOCKING_STATUSES

    client = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("クライアント"),
        on_delete=models.PROTECT,
        related_name="bookings",
    )
    counselor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("カウンセラー"),
        on_delete=models.PROTECT,
        related_name="counselor_bookings",
    )
    session_type = models.ForeignKey(
        SessionType, verbose_name=_("セッション種別"), on_delete=models.PROTECT, related_name="bookings"
    )
    start = models.DateTimeField(_("開始"))
    end = models.DateTimeField(_("終了"))
    # End plus the session type's buffer: the time no other booking of the counselor may touch.
    buffer_end = models.DateTimeField(_("空き時間の終了"))
    status = models.CharField(_("状態"), max_length=16, choices=Status.choices, default=Status.CONFIRMED)
    meeting_url = models.URLField(_("オンライン面談のURL"), max_length=500, blank=True)
    # Calendar identity: the UID stays for the booking's life, SEQUENCE rises with every change.
    uid = models.UUIDField(_("カレンダーUID"), default=uuid.uuid4, unique=True, editable=False)
    # Shared by the bookings the counselor made at once as a weekly or fortnightly series.
    series_id = models.UUIDField(_("連続予約のID"), null=True, blank=True, db_index=True, editable=False)
    sequence = models.PositiveIntegerField(_("変更回数"), default=0)
    idempotency_key = models.CharField(_("冪等キー"), max_length=255, blank=True)
    # What the key's first request asked for (session type and start): the same key with another
    # request is refused rather than answered with this booking.
    idempotency_request = models.CharField(_("冪等キーの要求"), max_length=64, blank=True)
    reminder_due_at = models.DateTimeField(_("リマインダー送信予定"), null=True, blank=True)
    reminder_queued_at = models.DateTimeField(_("リマインダー送信日時"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("キャンセル日時"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("キャンセルした人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    cancellation_reason = models.CharField(_("キャンセル理由"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("予約")
        verbose_name_plural = _("予約")
        ordering = ["start", "id"]
        indexes = [
            models.Index(fields=["counselor", "start"], name="counseling_bk_counselor_idx"),
            models.Index(fields=["client", "start"], name="counseling_bk_client_idx"),
            models.Index(
                fields=["reminder_due_at"],
                name="counseling_bk_remind_idx",
                condition=Q(status=BookingStatus.CONFIRMED, reminder_queued_at__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lt=models.F("end")), name="counseling_booking_start_before_end"
            ),
            models.CheckConstraint(
                condition=Q(end__lte=models.F("buffer_end")), name="counseling_booking_buffer_after_end"
            ),
            models.CheckConstraint(
                condition=Q(status__in=BookingStatus.values),
                name="counseling_booking_status_valid",
            ),
            # A retried create with the same Idempotency-Key finds the first booking instead of making one.
            models.UniqueConstraint(
                fields=["client", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="counseling_booking_idempotency_key_unique",
            ),
            # The last word on double booking, whatever the application does: no two live bookings
            # of one counselor overlap, buffers included.
            PostgresOnlyExclusionConstraint(
                name="counseling_booking_no_overlap",
                expressions=[
                    ("counselor", RangeOperators.EQUAL),
                    (TsTzRange("start", "buffer_end"), RangeOperators.OVERLAPS),
                ],
                condition=Q(status__in=list(BOOKING_BLOCKING_STATUSES)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.start:%Y-%m-%d %H:%M} {self.client} ({self.get_status_display()})"

    @property
    def is_live(self) -> bool:
        return self.status in self.BLOCKING_STATUSES
