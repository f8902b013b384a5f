"""Worksheets from the templates of the method's steps, filled by clients and reviewed by the counselor."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel
from counseling.models.notes import SessionNote
from counseling.models.patterns import Pattern, PatternKind


class WorksheetTemplate(models.Model):
    """A practice from one step of the method, with the JSON Schema its entries' answers must meet.

    Loaded by data migrations; ``code`` is stable, the wording may be corrected by later migrations.
    """

    code = models.CharField(_("コード"), max_length=64, unique=True)
    step = models.ForeignKey(
        Pattern,
        verbose_name=_("ステップ"),
        on_delete=models.PROTECT,
        related_name="worksheet_templates",
        limit_choices_to={"kind": PatternKind.STEP},
    )
    # Set by counseling.selectors.patterns.pattern_list_grouped(): the sub-patterns, in order.
    child_patterns: list["Pattern"]
    title = models.CharField(_("名称"), max_length=200)
    instructions = models.TextField(_("取り組み方"))
    answer_schema = models.JSONField(_("回答の形式（JSON Schema）"))
    # A daily practice ("three things today") takes one entry a day; a log takes as many as happen.
    one_entry_per_day = models.BooleanField(_("1日1回の記入"), default=False)
    position = models.PositiveSmallIntegerField(_("表示順"))
    active = models.BooleanField(_("割り当て可能"), default=True)

    class Meta:
        verbose_name = _("ワークシートのひな形")
        verbose_name_plural = _("ワークシートのひな形")
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class WorksheetStatus(models.TextChoices):
    ASSIGNED = "assigned", _("取り組み中")
    SUBMITTED = "submitted", _("提出済み")
    REVIEWED = "reviewed", _("確認済み")


class Worksheet(BaseModel):
    """A template assigned by a counselor to one of their clients: filled in, submitted, reviewed."""

    Status = WorksheetStatus

    template = models.ForeignKey(
        WorksheetTemplate, verbose_name=_("ひな形"), on_delete=models.PROTECT, related_name="worksheets"
    )
    counselor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("カウンセラー"),
        on_delete=models.PROTECT,
        related_name="assigned_worksheets",
    )
    client = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("クライアント"),
        on_delete=models.PROTECT,
        related_name="worksheets",
    )
    # The note whose homework this is, when it was assigned from one: the digest tells from it
    # whether the homework was done.
    session_note = models.ForeignKey(
        SessionNote,
        verbose_name=_("ホームワークとして出したノート"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="homework_worksheets",
    )
    due_date = models.DateField(_("期限"))
    message = models.TextField(_("カウンセラーからのメッセージ"), blank=True)
    status = models.CharField(_("状態"), max_length=16, choices=Status.choices, default=Status.ASSIGNED)
    submitted_at = models.DateTimeField(_("提出日時"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("確認日時"), null=True, blank=True)
    review_comment = models.TextField(_("カウンセラーのコメント"), blank=True)

    class Meta:
        verbose_name = _("ワークシート")
        verbose_name_plural = _("ワークシート")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["client", "-created_at"], name="counseling_ws_client_idx"),
            # The review queue: a counselor's submitted worksheets, oldest first.
            models.Index(
                fields=["counselor", "submitted_at"],
                name="counseling_ws_queue_idx",
                condition=Q(status=WorksheetStatus.SUBMITTED),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=WorksheetStatus.values),
                name="counseling_ws_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status=WorksheetStatus.ASSIGNED) | Q(submitted_at__isnull=False),
                name="counseling_ws_submitted_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status=WorksheetStatus.REVIEWED) | Q(reviewed_at__isnull=False),
                name="counseling_ws_reviewed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template.title} – {self.client} ({self.get_status_display()})"


class SubmittedWorksheet(Worksheet):
    """The review queue: the admin screen of worksheets waiting for their counselor's comment."""

    class Meta:
        proxy = True
        verbose_name = _("確認待ちのワークシート")
        verbose_name_plural = _("確認待ちのワークシート")


class WorksheetEntry(BaseModel):
    """One dated entry of a worksheet; ``answers`` met the template's schema when it was added."""

    worksheet = models.ForeignKey(
        Worksheet, verbose_name=_("ワークシート"), on_delete=models.CASCADE, related_name="entries"
    )
    date = models.DateField(_("日付"))
    answers = models.JSONField(_("回答"))

    class Meta:
        verbose_name = _("記入")
        verbose_name_plural = _("記入")
        ordering = ["date", "id"]

    def __str__(self) -> str:
        return f"{self.worksheet_id} {self.date:%Y-%m-%d}"
