"""The intake a client fills before a first session: scenes, the self-check, the concern."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel
from counseling.models.patterns import Pattern
from counseling.models.scheduling import Format


class IntakeStatus(models.TextChoices):
    SUBMITTED = "submitted", _("受付")
    REVIEWED = "reviewed", _("確認済み")
    ACCEPTED = "accepted", _("受け入れ")
    DECLINED = "declined", _("お断り")


class Intake(BaseModel):
    """What a client tells the practice before the first session (要配慮個人情報)."""

    Status = IntakeStatus

    client = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("クライアント"),
        on_delete=models.CASCADE,
        related_name="intakes",
    )
    # The counselor who took the intake on; empty while it waits in the practice's inbox.
    counselor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("担当カウンセラー"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_intakes",
    )
    scenes = models.ManyToManyField(
        Pattern, verbose_name=_("場面"), related_name="+", limit_choices_to={"kind": "scene"}
    )
    concern = models.TextField(_("ご相談内容"))
    preferred_format = models.CharField(_("希望する形式"), max_length=16, choices=Format.choices)
    contact = models.CharField(_("連絡方法"), max_length=200)
    in_crisis = models.BooleanField(_("今、危機的な状況にある"), default=False)
    consent_version = models.CharField(_("同意したプライバシーポリシーの版"), max_length=32)
    consented_at = models.DateTimeField(_("同意日時"))
    status = models.CharField(_("状態"), max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    status_changed_at = models.DateTimeField(_("状態の変更日時"), null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("状態を変更した人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("インテーク")
        verbose_name_plural = _("インテーク")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["client", "-created_at"], name="counseling_intake_client_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=IntakeStatus.values),
                name="counseling_intake_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(preferred_format__in=Format.values),
                name="counseling_intake_format_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client} {self.created_at:%Y-%m-%d} ({self.get_status_display()})"


class IntakeAnswer(models.Model):
    """One statement of the self-check: how strongly a reason applies, 1 (not at all) to 5 (very much)."""

    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, related_name="answers")
    reason = models.ForeignKey(
        Pattern,
        verbose_name=_("理由"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": "reason"},
    )
    score = models.PositiveSmallIntegerField(_("回答（1〜5）"))

    class Meta:
        verbose_name = _("セルフチェックの回答")
        verbose_name_plural = _("セルフチェックの回答")
        ordering = ["reason__position"]
        constraints = [
            models.UniqueConstraint(fields=["intake", "reason"], name="counseling_answer_one_per_reason"),
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5),
                name="counseling_answer_score_1_5",
                violation_error_message=_("回答は1〜5で指定してください。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reason.code}: {self.score}"
