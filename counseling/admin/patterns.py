"""The method's patterns, read only: they come from a data migration; the practice's step suggestions."""

from django.contrib import admin

from counseling.admin.common import ReadOnlyAdmin
from counseling.models import (
    Pattern,
    StepSuggestion,
)


@admin.register(Pattern)
class PatternAdmin(ReadOnlyAdmin):
    """The method's vocabulary, loaded by migration: readable here, changed only by a new migration."""

    list_display = ("code", "kind", "label_ja", "label_en", "parent")
    list_filter = ("kind",)
    search_fields = ("code", "label_ja", "label_en")


@admin.register(StepSuggestion)
class StepSuggestionAdmin(admin.ModelAdmin):
    """The practice's own reason → step suggestions for the intake; the article states no such mapping."""

    list_display = ("reason", "step")
    list_filter = ("reason",)
    list_select_related = ("reason", "step")
    ordering = ("reason__position", "step__position")
