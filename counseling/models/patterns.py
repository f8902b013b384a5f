"""The practice's patterns (scene, reason, pain, step): the vocabulary of intakes, notes and worksheets."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PatternKind(models.TextChoices):
    SCENE = "scene", _("場面")
    REASON = "reason", _("理由")
    PAIN = "pain", _("つらさ")
    STEP = "step", _("ステップ")


class Pattern(models.Model):
    """One pattern of the practice's method (scene, reason, pain, step), loaded by a data migration."""

    Kind = PatternKind

    code = models.CharField(_("コード"), max_length=64, unique=True)
    kind = models.CharField(_("種類"), max_length=16, choices=Kind.choices)
    label_ja = models.CharField(_("名称（日本語）"), max_length=200)
    label_en = models.CharField(_("名称（英語）"), max_length=200)
    # The childhood sub-patterns hang under reason.childhood.
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上位パターン"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    position = models.PositiveSmallIntegerField(_("表示順"))
    # The practice's own suggestion (the article states no such mapping), edited in the admin as
    # StepSuggestion rows; decision support for the counselor only, never shown to a client.
    suggested_steps = models.ManyToManyField(
        "self",
        verbose_name=_("当相談室の推奨ステップ"),
        symmetrical=False,
        blank=True,
        related_name="suggested_for",
        through="StepSuggestion",
        through_fields=("reason", "step"),
    )
    # Set by counseling.selectors.patterns.pattern_list_grouped(): the sub-patterns, in order.
    child_patterns: list["Pattern"]

    class Meta:
        verbose_name = _("パターン")
        verbose_name_plural = _("パターン")
        ordering = ["position"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=PatternKind.values),
                name="counseling_pattern_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.label_ja}"


class StepSuggestion(models.Model):
    """The practice's setting: a step it suggests to the counselor when a reason scores high at intake.

    Not the article's teaching: the practice chose these and edits them in the admin; a fresh install
    ships with the defaults of DESIGN section 3.
    """

    reason = models.ForeignKey(
        Pattern,
        verbose_name=_("理由"),
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to={"kind": PatternKind.REASON, "parent__isnull": True},
    )
    step = models.ForeignKey(
        Pattern,
        verbose_name=_("推奨するステップ"),
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to={"kind": PatternKind.STEP},
    )

    class Meta:
        verbose_name = _("推奨ステップ（当相談室の設定）")
        verbose_name_plural = _("推奨ステップ（当相談室の設定）")
        ordering = ["reason__position", "step__position"]
        constraints = [
            models.UniqueConstraint(fields=["reason", "step"], name="counseling_stepsuggestion_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.reason.code} → {self.step.code}"

    def clean(self) -> None:
        errors = {}
        if self.reason_id and (self.reason.kind != PatternKind.REASON or self.reason.parent_id is not None):
            errors["reason"] = _("セルフチェックの5つの理由から選んでください。")
        if self.step_id and self.step.kind != PatternKind.STEP:
            errors["step"] = _("ステップを選んでください。")
        if errors:
            raise ValidationError(errors)
