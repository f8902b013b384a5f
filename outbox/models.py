from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel


class EmailStatus(models.TextChoices):
    PENDING = "pending", _("送信待ち")
    SENT = "sent", _("送信済み")
    SKIPPED = "skipped", _("送信取りやめ")
    FAILED = "failed", _("失敗")


class OutboundBody(BaseModel):
    """What every email of one fan-out says (a newsletter issue in one slot), stored once.

    Texts and headers hold placeholders ``%%OUTBOX:<key>%%``; each ``OutboundEmail`` of the fan-out
    keeps only its recipient's values (``values``), filled in when the message is built. The body holds
    no one's secret: the signed links are among the values, blanked with the row once it is finished.
    """

    from_email = models.CharField(_("差出人"), max_length=254)
    subject = models.CharField(_("件名"), max_length=255)
    body_text = models.TextField(_("本文（テキスト）"))
    body_html = models.TextField(_("本文（HTML）"), blank=True)
    headers = models.JSONField(_("ヘッダー"), default=dict, blank=True)

    class Meta:
        verbose_name = _("共通本文")
        verbose_name_plural = _("共通本文")

    def __str__(self) -> str:
        return self.subject


class OutboundEmail(BaseModel):
    """One outgoing email. The row is the truth; the broker only carries the work of sending it.

    There is no stored "sending" state. A one-off sender holds the row's lock while it talks to the
    mail server and commits "sent" as soon as the server accepts. A batch sender (a fan-out) claims
    its rows for its PostgreSQL session (``claimed_by``: pid and session start) and holds no
    transaction while the server talks; each outcome goes to its journal in Redis, which has answered
    for it before the next message's data goes (it answers during that message's envelope), and the
    outcomes are saved in one statement every OUTBOX_SAVE_EVERY messages (``outbox.journal``). A
    claim is void once its session is gone, so a dead worker's rows are pending for everyone at once,
    not after a guessed timeout.

    What each failure can cost (never a lost message: a row is finished only once its outcome is
    committed, and a pending row is always sent again):
    - A worker killed (SIGKILL, OOM, power cut of its host): the one message it had on the wire,
      accepted by the server but not yet in its journal (``outbox.journal``), is sent again: at most
      one duplicate per killed worker process. Its claimed rows are free as soon as PostgreSQL sees
      its connection close, and whoever takes them first saves what its journal lists as sent.
    - Redis lost (flushed, or restarted without persistence): the queued tasks are gone; the rows
      stay pending and the sweeper hands them to the senders again after OUTBOX_STALE_AFTER. A live
      sender keeps its unsaved outcomes in memory too and saves them itself (with Redis unreachable,
      one statement a message), so this costs time, not duplicates; only a sender killed after the
      loss and before its next save leaves its earlier outcomes unlisted: up to OUTBOX_SAVE_EVERY
      duplicates for that worker.
    - PostgreSQL crashing (or its host): a batch's outcomes are committed with synchronous_commit
      off, so the outcomes of roughly the last 0.6 s (three times wal_writer_delay, 200 ms by
      default) may be lost with the crash; those messages are sent again once it is back: up to
      about that many duplicates, never a loss. Outcomes not yet saved stay in their sender's
      journal and are replayed. Rows and their plans are committed as usual.
    """

    Status = EmailStatus

    # Indexed (kind) and unique (dedupe_key) in Meta: declared on the field, PostgreSQL would get a
    # second, pattern-matching index of each, which no query reads and every write pays for.
    kind = models.CharField(_("種類"), max_length=64)
    # kind + recipient + the object that caused the email: a retry or a re-run cannot make a second row.
    dedupe_key = models.CharField(_("重複防止キー"), max_length=255)
    # Looked up by recipient only case-insensitively (UPPER(), which a plain index does not serve).
    recipient = models.EmailField(_("宛先"), max_length=254)
    from_email = models.CharField(_("差出人"), max_length=254)
    subject = models.CharField(_("件名"), max_length=255)
    # A body with a key in it (a verification, password-reset, unsubscribe or cancel link, a meeting
    # URL): nobody reads it in the admin, and once the row is finished it is blanked, with its headers
    # and attachments (SECRET_FIELDS).
    carries_secret = models.BooleanField(_("秘密を含む"), default=False)
    body_text = models.TextField(_("本文（テキスト）"))
    body_html = models.TextField(_("本文（HTML）"), blank=True)
    headers = models.JSONField(_("ヘッダー"), default=dict, blank=True)
    # [{"filename": ..., "mimetype": ..., "content_b64": ...}]
    attachments = models.JSONField(_("添付ファイル"), default=list, blank=True)
    # A fan-out's email: the shared body, and this recipient's values for its placeholders (then
    # subject is the body's, and body_text, body_html and headers stay empty).
    body = models.ForeignKey(
        OutboundBody,
        db_index=False,  # no query looks rows up by body; PROTECT's check on a body delete may scan
        verbose_name=_("共通本文"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    values = models.JSONField(_("差し込み値"), default=dict, blank=True)
    # What the kind's send check needs to decide whether the email should still go (ids, not objects).
    context = models.JSONField(_("参照"), default=dict, blank=True)
    status = models.CharField(_("状態"), max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("試行回数"), default=0)
    last_error = models.TextField(_("最後のエラー"), blank=True)
    queued_at = models.DateTimeField(_("キュー投入日時"), null=True, blank=True)
    sent_at = models.DateTimeField(_("送信日時"), null=True, blank=True)
    # The PostgreSQL session ("<pid>:<backend start>") of the batch sender that has claimed the row
    # and is sending it; a claim of a session that no longer exists is void (see outbox.claims).
    claimed_by = models.CharField(
        _("送信中のセッション"), max_length=64, blank=True, default="", db_default=""
    )

    class Meta:
        verbose_name = _("送信メール")
        verbose_name_plural = _("送信メール")
        ordering = ["-created_at"]
        indexes = [
            # The sweeper's index. Its condition names queued_at, which the sweeper's range implies and
            # the batch sender's statements do not, so that PostgreSQL reads their rows by id: with
            # statistics taken before a fan-out's rows went in, it took this index for a few rows and
            # read every pending row for each batch of 100 (tests/outbox/test_claims.py).
            models.Index(
                fields=["queued_at"],
                name="outbox_pending_queued_idx",
                condition=models.Q(status=EmailStatus.PENDING, queued_at__isnull=False),
            ),
            models.Index(fields=["kind"], name="outbox_email_kind_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["dedupe_key"], name="outbox_email_dedupe_key_unique"),
            models.CheckConstraint(
                condition=models.Q(status__in=EmailStatus.values),
                name="outbox_email_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=EmailStatus.SENT) | models.Q(sent_at__isnull=False),
                name="outbox_email_sent_has_time",
            ),
        ]

    SECRET_FIELDS = ("body_text", "body_html", "headers", "attachments", "values")

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient} ({self.get_status_display()})"
