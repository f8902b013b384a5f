from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel


class SubscriberStatus(models.TextChoices):
    PENDING = "pending", _("確認待ち")
    ACTIVE = "active", _("購読中")
    UNSUBSCRIBED = "unsubscribed", _("配信停止")
    SUPPRESSED = "suppressed", _("配信不能")


class Subscriber(BaseModel):
    """One email address on the list; subscribers have no account."""

    Status = SubscriberStatus

    email = models.EmailField(_("メールアドレス"), max_length=254)
    name = models.CharField(_("お名前"), max_length=100, blank=True)
    status = models.CharField(_("状態"), max_length=16, choices=Status.choices, default=Status.PENDING)
    confirmed_at = models.DateTimeField(_("登録確認日時"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("配信停止日時"), null=True, blank=True)
    # Limits confirmation and link emails to one per address per interval (mail bombing by form).
    confirmation_sent_at = models.DateTimeField(_("確認メール送信日時"), null=True, blank=True)
    workbook_link_sent_at = models.DateTimeField(_("ワークブック再送日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("購読者")
        verbose_name_plural = _("購読者")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="newsletter_subscriber_email_ci_unique"),
            models.CheckConstraint(
                condition=models.Q(status__in=SubscriberStatus.values),
                name="newsletter_subscriber_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=SubscriberStatus.ACTIVE) | models.Q(confirmed_at__isnull=False),
                name="newsletter_subscriber_active_is_confirmed",
            ),
        ]
        indexes = [
            # The planner walks active subscribers in id order, one chunk at a time.
            models.Index(fields=["status", "id"], name="newsletter_sub_status_id_idx"),
        ]

    def __str__(self) -> str:
        return self.email


class Consent(BaseModel):
    """Evidence of one consent to receive the newsletter (特定電子メール法 requires keeping it).

    Kept at least one month after the last email to the address, also after unsubscribing; only
    consents that were never confirmed are deleted with their unconfirmed address.
    """

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="consents")
    email = models.EmailField(_("同意時のメールアドレス"), max_length=254)
    given_at = models.DateTimeField(_("同意日時"))
    ip_address = models.GenericIPAddressField(_("IPアドレス"), null=True, blank=True)
    user_agent = models.CharField(_("ユーザーエージェント"), max_length=255, blank=True)
    source = models.CharField(_("登録元"), max_length=64)
    wording_version = models.CharField(_("同意文の版"), max_length=32)
    confirmed_at = models.DateTimeField(_("確認日時"), null=True, blank=True)
    confirmed_ip_address = models.GenericIPAddressField(_("確認時のIPアドレス"), null=True, blank=True)

    class Meta:
        verbose_name = _("同意記録")
        verbose_name_plural = _("同意記録")
        ordering = ["given_at"]

    def __str__(self) -> str:
        return f"{self.email} ({self.given_at:%Y-%m-%d})"


class MarkdownEmail(BaseModel):
    """What a lesson and a broadcast both are: an email written in Markdown."""

    subject = models.CharField(_("件名（Markdown）"), max_length=200)
    body_markdown = models.TextField(_("本文（Markdown）"))

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.subject


class Lesson(MarkdownEmail):
    """One email of the course; subscribers get them in ``position`` order, one per send slot."""

    position = models.PositiveIntegerField(_("順番"), unique=True)
    # Lessons that were sent are archived, not deleted: deliveries keep pointing at them.
    is_active = models.BooleanField(_("配信する"), default=True)
    # What the lesson teaches, in the method's codes: a counselor can match the lessons a client
    # received against the patterns in their notes.
    patterns = models.ManyToManyField(
        "counseling.Pattern", verbose_name=_("扱うパターン"), blank=True, related_name="lessons"
    )
    # The workbook exercise the lesson's practice points to (a code of counseling.exercises).
    exercise = models.CharField(_("ワークブックのワーク"), max_length=64, blank=True)
    # Set on the lessons the product ships (manage.py load_email_course); empty for the practice's own.
    code = models.CharField(_("同梱講座のコード"), max_length=64, null=True, blank=True, unique=True)
    # The shipped text's digest as last loaded: a lesson whose text no longer matches was edited by
    # the practice, and loading the course again leaves it alone.
    shipped_digest = models.CharField(_("同梱時の内容ダイジェスト"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("講座メール")
        verbose_name_plural = _("講座メール")
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.position}. {self.subject}"


class BroadcastStatus(models.TextChoices):
    DRAFT = "draft", _("下書き")
    SCHEDULED = "scheduled", _("配信予約")


class Broadcast(MarkdownEmail):
    """A one-off issue sent to every active subscriber at one slot, in place of that slot's lesson."""

    Status = BroadcastStatus

    send_at = models.DateTimeField(_("配信枠"), null=True, blank=True)
    status = models.CharField(_("状態"), max_length=16, choices=Status.choices, default=Status.DRAFT)

    class Meta:
        verbose_name = _("お知らせメール")
        verbose_name_plural = _("お知らせメール")
        ordering = ["-send_at", "-created_at"]
        constraints = [
            # Two broadcasts in one slot would mean two emails to everyone in that slot.
            models.UniqueConstraint(
                fields=["send_at"],
                condition=models.Q(status=BroadcastStatus.SCHEDULED),
                name="newsletter_broadcast_one_per_slot",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=BroadcastStatus.SCHEDULED) | models.Q(send_at__isnull=False),
                name="newsletter_broadcast_scheduled_has_slot",
            ),
        ]


class SendSlot(BaseModel):
    """One send time that the planner has taken up; its checkpoint lets a restarted run continue."""

    starts_at = models.DateTimeField(_("配信枠"), unique=True)
    # Fixed when planning starts, so every chunk of the slot sends the same thing.
    broadcast = models.ForeignKey(
        Broadcast, on_delete=models.PROTECT, null=True, blank=True, related_name="slots"
    )
    planning_started_at = models.DateTimeField(_("計画開始"))
    last_subscriber_id = models.BigIntegerField(_("計画済みの最後の購読者ID"), default=0)
    queued_count = models.PositiveIntegerField(_("送信に回した数"), default=0)
    completed_at = models.DateTimeField(_("計画完了"), null=True, blank=True)

    class Meta:
        verbose_name = _("配信枠")
        verbose_name_plural = _("配信枠")
        ordering = ["-starts_at"]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M}"


class DeliveryKind(models.TextChoices):
    LESSON = "lesson", _("講座")
    BROADCAST = "broadcast", _("お知らせ")


class Delivery(BaseModel):
    """What one subscriber gets at one slot: a lesson or the slot's broadcast.

    A fan-out writes one a subscriber, so it carries only the indexes a query reads: not the creation
    time's (nothing lists deliveries by it), nor the email's (nothing looks one up by its email, and
    outbox rows are not deleted), nor the subscriber's alone (the two indexes that begin with the
    subscriber serve a subscriber's deliveries and its deletion)."""

    Kind = DeliveryKind

    created_at = models.DateTimeField(auto_now_add=True)
    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, db_index=False, related_name="deliveries"
    )
    slot = models.ForeignKey(SendSlot, on_delete=models.CASCADE, related_name="deliveries")
    kind = models.CharField(_("種類"), max_length=16, choices=Kind.choices)
    lesson = models.ForeignKey(
        Lesson, on_delete=models.PROTECT, null=True, blank=True, related_name="deliveries"
    )
    broadcast = models.ForeignKey(
        Broadcast, on_delete=models.PROTECT, null=True, blank=True, related_name="deliveries"
    )
    email = models.ForeignKey(
        "outbox.OutboundEmail",
        on_delete=models.SET_NULL,
        db_index=False,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("配信")
        verbose_name_plural = _("配信")
        constraints = [
            # Never two newsletter emails to one subscriber in one slot, also when planning re-runs.
            models.UniqueConstraint(fields=["subscriber", "slot"], name="newsletter_delivery_one_per_slot"),
            models.CheckConstraint(
                condition=(
                    models.Q(kind=DeliveryKind.LESSON, lesson__isnull=False, broadcast__isnull=True)
                    | models.Q(kind=DeliveryKind.BROADCAST, broadcast__isnull=False, lesson__isnull=True)
                ),
                name="newsletter_delivery_kind_matches",
            ),
        ]
        indexes = [models.Index(fields=["subscriber", "lesson"], name="newsletter_delivery_lesson_idx")]

    def __str__(self) -> str:
        return f"{self.subscriber_id} @ {self.slot_id}: {self.kind}"


def workbook_upload_to(instance, filename: str) -> str:
    return f"newsletter/workbook/{filename}"


class Workbook(BaseModel):
    """The file subscribers download; the newest upload is the one given out."""

    title = models.CharField(_("タイトル"), max_length=200, default="心を整えるワークブック")
    file = models.FileField(_("ファイル"), upload_to=workbook_upload_to)

    class Meta:
        verbose_name = _("ワークブック")
        verbose_name_plural = _("ワークブック")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.title} ({self.created_at:%Y-%m-%d})" if self.created_at else self.title


class WorkbookDownload(BaseModel):
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="downloads")
    workbook = models.ForeignKey(Workbook, on_delete=models.CASCADE, related_name="downloads")

    class Meta:
        verbose_name = _("ワークブックのダウンロード")
        verbose_name_plural = _("ワークブックのダウンロード")


class Suppression(BaseModel):
    """An address that gets no newsletter mail any more: it bounced hard or its owner complained."""

    class Reason(models.TextChoices):
        BOUNCED = "bounced", _("恒久的な不達")
        COMPLAINED = "complained", _("迷惑メール報告")
        INVALID = "invalid", _("無効なアドレス")

    email = models.EmailField(_("メールアドレス"), max_length=254)
    reason = models.CharField(_("理由"), max_length=16, choices=Reason.choices)
    detail = models.TextField(_("詳細"), blank=True)

    class Meta:
        verbose_name = _("配信停止アドレス")
        verbose_name_plural = _("配信停止アドレス")
        constraints = [models.UniqueConstraint(Lower("email"), name="newsletter_suppression_email_ci_unique")]

    def __str__(self) -> str:
        return f"{self.email} ({self.get_reason_display()})"


class TrackingEvent(BaseModel):
    """An ESP event already handled; a webhook retried by the ESP is recognised by its id."""

    esp_name = models.CharField(_("配信サービス"), max_length=32)
    event_id = models.CharField(_("イベントID"), max_length=255)
    event_type = models.CharField(_("種類"), max_length=32)
    recipient = models.EmailField(_("宛先"), max_length=254, blank=True)

    class Meta:
        verbose_name = _("配信イベント")
        verbose_name_plural = _("配信イベント")
        constraints = [
            models.UniqueConstraint(fields=["esp_name", "event_id"], name="newsletter_tracking_event_unique")
        ]

    def __str__(self) -> str:
        return f"{self.esp_name} {self.event_type} {self.recipient}"
