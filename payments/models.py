"""Money: what is owed for a booking or a seat, what moved (the ledger), refunds, receipts, Stripe events.

The ledger is the truth about money: a payment or refund is a ledger row, written once (its key is
unique) and never changed (a trigger refuses UPDATE and DELETE); a booking's balance is their sum.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel
from payments.methods import PaymentMethod


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("お支払い待ち")
    PAID = "paid", _("お支払い済み")
    # The deadline passed unpaid: the held place was released.
    EXPIRED = "expired", _("期限切れ")
    # The booking or seat was cancelled before it was paid.
    CANCELLED = "cancelled", _("取り消し")


# A payment still about its place: a second one for the same booking or seat would clash.
OPEN_PAYMENT_STATUSES = (PaymentStatus.PENDING, PaymentStatus.PAID)


class Payment(BaseModel):
    """What one booking or one course seat costs, how it is paid, and until when.

    ``holds_place``: the booking or seat was created ``pending_payment`` and stays held until
    ``due_at``; a beat scan releases it after that (payments.services.holds).
    """

    Status = PaymentStatus
    Method = PaymentMethod

    counselor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("カウンセラー"),
        on_delete=models.PROTECT,
        related_name="payments_received",
    )
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("お支払いになる方"),
        on_delete=models.PROTECT,
        related_name="payments",
        null=True,
        blank=True,
    )
    payer_name = models.CharField(_("お名前"), max_length=150)
    payer_email = models.EmailField(_("メールアドレス"), max_length=254)
    booking = models.ForeignKey(
        "counseling.Booking",
        verbose_name=_("予約"),
        on_delete=models.PROTECT,
        related_name="payments",
        null=True,
        blank=True,
    )
    enrollment = models.ForeignKey(
        "courses.Enrollment",
        verbose_name=_("受講申込"),
        on_delete=models.PROTECT,
        related_name="payments",
        null=True,
        blank=True,
    )
    # 但し書き: what the money is for, as the receipt says it.
    description = models.CharField(_("但し書き"), max_length=200)
    amount_jpy = models.PositiveIntegerField(_("金額（税込・円）"))
    method = models.CharField(_("お支払い方法"), max_length=16, choices=PaymentMethod.choices)
    status = models.CharField(_("状態"), max_length=16, choices=Status.choices, default=Status.PENDING)
    holds_place = models.BooleanField(_("お支払いまで枠を確保"), default=False)
    due_at = models.DateTimeField(_("お支払い期限"), null=True, blank=True)
    # Written by the client in the transfer's name field, so the counselor can match the transfer.
    reference = models.CharField(_("お振込み番号"), max_length=16, unique=True)
    stripe_checkout_session_id = models.CharField(
        _("Stripe Checkout Session"), max_length=255, unique=True, null=True, blank=True
    )
    stripe_payment_intent_id = models.CharField(_("Stripe PaymentIntent"), max_length=255, blank=True)
    # Stripe's hosted page for this payment while it is open: a second click goes back to it.
    checkout_url = models.CharField(_("Stripe Checkout のURL"), max_length=1000, blank=True)
    checkout_expires_at = models.DateTimeField(_("Stripe Checkout の期限"), null=True, blank=True)
    paid_at = models.DateTimeField(_("入金日時"), null=True, blank=True)
    closed_at = models.DateTimeField(_("終了日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("お支払い")
        verbose_name_plural = _("お支払い")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["due_at"],
                name="payments_payment_hold_due_idx",
                condition=Q(status=PaymentStatus.PENDING, holds_place=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=PaymentStatus.values), name="payments_payment_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(method__in=PaymentMethod.values) & ~Q(method=PaymentMethod.ARRANGED),
                name="payments_payment_method_valid",
            ),
            models.CheckConstraint(condition=Q(amount_jpy__gte=1), name="payments_payment_amount_positive"),
            # Exactly one thing is paid for: a booking or a seat.
            models.CheckConstraint(
                condition=Q(booking__isnull=False, enrollment__isnull=True)
                | Q(booking__isnull=True, enrollment__isnull=False),
                name="payments_payment_one_item",
            ),
            models.CheckConstraint(
                condition=~Q(holds_place=True) | Q(due_at__isnull=False),
                name="payments_payment_hold_has_deadline",
            ),
            models.CheckConstraint(
                condition=~Q(status=PaymentStatus.PAID) | Q(paid_at__isnull=False),
                name="payments_payment_paid_has_time",
            ),
            # One live payment per booking and per seat: a retried request never charges twice.
            models.UniqueConstraint(
                fields=["booking"],
                condition=Q(status__in=OPEN_PAYMENT_STATUSES, booking__isnull=False),
                name="payments_payment_one_open_per_booking",
            ),
            models.UniqueConstraint(
                fields=["enrollment"],
                condition=Q(status__in=OPEN_PAYMENT_STATUSES, enrollment__isnull=False),
                name="payments_payment_one_open_per_enrollment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.description} ¥{self.amount_jpy:,} ({self.get_status_display()})"

    @property
    def item_starts_at(self):
        """When the session paid for starts (a course: its first session)."""
        if self.booking is not None:
            return self.booking.start
        if self.enrollment is not None:
            first = self.enrollment.course.sessions.order_by("starts_at").first()
            return first.starts_at if first else None
        return None

    @property
    def is_overdue(self) -> bool:
        return (
            self.status == PaymentStatus.PENDING and self.due_at is not None and self.due_at <= timezone.now()
        )


class LedgerImmutableError(Exception):
    def __init__(self):
        super().__init__("Ledger entries are append-only: they are never changed or deleted.")


class LedgerEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise LedgerImmutableError

    def delete(self):
        raise LedgerImmutableError


class LedgerKind(models.TextChoices):
    PAYMENT = "payment", _("入金")
    REFUND = "refund", _("返金")


class LedgerEntry(models.Model):
    """One movement of money: in (positive) or back out (negative). Never changed, never deleted."""

    Kind = LedgerKind

    payment = models.ForeignKey(
        Payment, verbose_name=_("お支払い"), on_delete=models.PROTECT, related_name="ledger_entries"
    )
    counselor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("カウンセラー"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("種類"), max_length=16, choices=Kind.choices)
    amount_jpy = models.IntegerField(_("金額（円）"))
    method = models.CharField(_("方法"), max_length=16, choices=PaymentMethod.choices)
    # What makes the movement happen once: "payment:<id>", "refund:<id>". A second webhook or a
    # second click finds the row already there.
    key = models.CharField(_("一意キー"), max_length=100, unique=True)
    external_id = models.CharField(_("Stripe の ID"), max_length=255, blank=True)
    at = models.DateTimeField(_("日時"), default=timezone.now, db_index=True)

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("入出金記録")
        verbose_name_plural = _("入出金記録")
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=LedgerKind.values), name="payments_ledger_kind_valid"
            ),
            # Money in is positive, money back is negative: the sum is what the practice keeps.
            models.CheckConstraint(
                condition=Q(kind=LedgerKind.PAYMENT, amount_jpy__gt=0)
                | Q(kind=LedgerKind.REFUND, amount_jpy__lt=0),
                name="payments_ledger_sign_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()} ¥{self.amount_jpy:,}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise LedgerImmutableError
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerImmutableError


class RefundStatus(models.TextChoices):
    # A bank transfer or cash: the counselor pays it back by hand, then marks it made.
    TO_MAKE = "to_make", _("返金待ち（手続きが必要）")
    # Sent to Stripe; done once Stripe accepted it.
    REQUESTED = "requested", _("Stripe に依頼中")
    DONE = "done", _("返金済み")
    FAILED = "failed", _("失敗")


class RefundReason(models.TextChoices):
    CLIENT_CANCEL = "client_cancel", _("お客様のキャンセル")
    LATE_CANCEL = "late_cancel", _("直前キャンセル")
    COUNSELOR_CANCEL = "counselor_cancel", _("相談室によるキャンセル")
    NO_SHOW = "no_show", _("無断欠席")
    EXPIRED_HOLD = "expired_hold", _("期限後のお支払い")


class Refund(BaseModel):
    """Money owed back for one payment: at most one per payment, so a repeated cancel refunds once."""

    Status = RefundStatus
    Reason = RefundReason

    payment = models.OneToOneField(
        Payment, verbose_name=_("お支払い"), on_delete=models.PROTECT, related_name="refund"
    )
    amount_jpy = models.PositiveIntegerField(_("返金額（円）"))
    reason = models.CharField(_("理由"), max_length=20, choices=Reason.choices)
    status = models.CharField(_("状態"), max_length=16, choices=Status.choices)
    stripe_refund_id = models.CharField(
        _("Stripe Refund"), max_length=255, unique=True, null=True, blank=True
    )
    failure = models.CharField(_("失敗の理由"), max_length=500, blank=True)
    done_at = models.DateTimeField(_("返金日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("返金")
        verbose_name_plural = _("返金")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_jpy__gte=1), name="payments_refund_amount_positive"),
            models.CheckConstraint(
                condition=Q(status__in=RefundStatus.values), name="payments_refund_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(reason__in=RefundReason.values), name="payments_refund_reason_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"¥{self.amount_jpy:,} {self.get_reason_display()} ({self.get_status_display()})"


class ReceiptCounter(models.Model):
    """The receipt numbers' counter: one row, raised in the transaction that issues the receipt.

    Not a PostgreSQL SEQUENCE: a sequence hands out numbers outside transactions, so a rolled-back
    issue would leave a gap. A row locked and raised in the issuing transaction rolls back with it,
    so numbers have no gap, and its lock makes concurrent issues take turns, so none repeats.
    """

    value = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("領収書番号の採番")
        verbose_name_plural = _("領収書番号の採番")

    def __str__(self) -> str:
        return str(self.value)


class Receipt(BaseModel):
    """領収書: issued once per paid payment, with a number no other receipt has ever had."""

    payment = models.OneToOneField(
        Payment, verbose_name=_("お支払い"), on_delete=models.PROTECT, related_name="receipt"
    )
    number = models.PositiveBigIntegerField(_("領収書番号"), unique=True)
    recipient_name = models.CharField(_("宛名"), max_length=150)
    description = models.CharField(_("但し書き"), max_length=200)
    amount_jpy = models.PositiveIntegerField(_("金額（税込・円）"))
    tax_jpy = models.PositiveIntegerField(_("うち消費税（円）"))
    issued_at = models.DateTimeField(_("発行日時"), default=timezone.now)
    # Each copy after the first (a download, a resend) is printed as 再発行.
    copies = models.PositiveIntegerField(_("発行回数"), default=0)

    class Meta:
        verbose_name = _("領収書")
        verbose_name_plural = _("領収書")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(condition=Q(number__gte=1), name="payments_receipt_number_positive"),
            models.CheckConstraint(
                condition=Q(tax_jpy__lt=models.F("amount_jpy")), name="payments_receipt_tax_below_amount"
            ),
        ]

    def __str__(self) -> str:
        return f"No.{self.display_number} ¥{self.amount_jpy:,}"

    @property
    def display_number(self) -> str:
        return f"{self.number:06d}"


class StripeEvent(models.Model):
    """Every Stripe event received: its id is unique, so an event delivered twice is processed once."""

    event_id = models.CharField(_("イベントID"), max_length=255, unique=True)
    type = models.CharField(_("種類"), max_length=100)
    # Stripe's own creation time: events arrive in any order, and this tells which came first.
    created = models.DateTimeField(_("Stripe での発生日時"))
    received_at = models.DateTimeField(_("受信日時"), default=timezone.now)
    payload = models.JSONField(_("内容"))

    class Meta:
        verbose_name = _("Stripe イベント")
        verbose_name_plural = _("Stripe イベント")
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.event_id} {self.type}"
