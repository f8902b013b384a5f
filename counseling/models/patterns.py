"""The practice's patterns (scene, reason, pain, step): the vocabulary of intakes, notes and worksheets."""

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
    # Decision support for the counselor only: never shown to a client as a diagnosis.
    suggested_steps = models.ManyToManyField(
        "self",
        verbose_name=_("推奨ステップ"),
        symmetrical=False,
        blank=True,
        related_name="suggested_for",
        limit_choices_to={"kind": PatternKind.STEP},
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
