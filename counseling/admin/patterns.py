"""The method's patterns, read only: they come from a data migration."""

from django.contrib import admin

from counseling.admin.common import ReadOnlyAdmin
from counseling.models import (
    Pattern,
)


@admin.register(Pattern)
class PatternAdmin(ReadOnlyAdmin):
    """The method's vocabulary, loaded by migration: readable here, changed only by a new migration."""

    list_display = ("code", "kind", "label_ja", "label_en", "parent")
    list_filter = ("kind",)
    search_fields = ("code", "label_ja", "label_en")
