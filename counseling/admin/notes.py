"""Session notes by client and tag, shown only to their author and logged when read."""

from django.contrib import admin
from django.db.models import QuerySet
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from core.localtime import local_day_label
from counseling.admin.common import AccessLoggedAdmin, ReadOnlyAdmin
from counseling.models import (
    Pattern,
    SessionNote,
)
from counseling.selectors.notes import session_note_list


class TagFilter(admin.SimpleListFilter):
    title = _("タグ")
    parameter_name = "tag"

    def lookups(self, request, model_admin):
        return [
            (pattern.code, f"{pattern.code} {pattern.label_ja}")
            for pattern in Pattern.objects.order_by("position")
        ]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        # The selector's tag filter: a parent pattern also finds notes tagged with its sub-patterns.
        return queryset.filter(
            pk__in=session_note_list(counselor=request.user, tag=self.value()).values("pk")
        )


@admin.register(SessionNote)
class SessionNoteAdmin(AccessLoggedAdmin, ReadOnlyAdmin):
    """Notes by client and tag, read-only: notes are written and signed through the API and pages."""

    list_display = ("date", "client", "status", "tag_codes", "signed_at")
    list_filter = (("client", admin.RelatedOnlyFieldListFilter), TagFilter, "status")
    ordering = ("-date", "-id")
    date_hierarchy = "date"
    fields = (
        "client",
        "booking",
        "date",
        "status",
        "signed_at",
        "tag_codes",
        *SessionNote.SECTIONS,
        "addenda_text",
    )
    readonly_fields = fields

    def get_queryset(self, request) -> QuerySet:
        # The author alone, superusers included: notes are the counselor's own working record.
        return session_note_list(counselor=request.user)

    @admin.display(description=_("タグ"))
    def tag_codes(self, note: SessionNote) -> str:
        return "、".join(tag.code for tag in note.tags.all()) or "—"

    @admin.display(description=_("追記"))
    def addenda_text(self, note: SessionNote):
        rows = [(local_day_label(addendum.created_at), addendum.text) for addendum in note.addenda.all()]
        return format_html_join("", "<p>{}: {}</p>", rows) if rows else "—"
