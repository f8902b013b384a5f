"""Worksheet templates, worksheets by status and the review queue, where a comment reviews."""

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from core.exceptions import ApplicationError
from counseling.admin.common import AccessLoggedAdmin, ReadOnlyAdmin
from counseling.models import (
    SubmittedWorksheet,
    Worksheet,
    WorksheetTemplate,
)
from counseling.selectors.worksheets import worksheet_list, worksheet_review_queue
from counseling.services.access import request_ip
from counseling.services.worksheets import worksheet_review


@admin.register(WorksheetTemplate)
class WorksheetTemplateAdmin(ReadOnlyAdmin):
    """The worksheets the method offers, loaded by migration like the patterns."""

    list_display = ("code", "title", "step", "one_entry_per_day", "active")
    list_filter = ("step",)
    list_select_related = ("step",)


def _entries_html(worksheet: Worksheet):
    rows = [(entry.date.isoformat(), _answers_text(entry.answers)) for entry in worksheet.entries.all()]
    return format_html_join("", "<p><strong>{}</strong> {}</p>", rows) if rows else "—"


def _answers_text(answers) -> str:
    if isinstance(answers, dict):
        return " / ".join(f"{key}: {_answers_text(value)}" for key, value in answers.items())
    if isinstance(answers, list):
        return "、".join(_answers_text(value) for value in answers)
    return str(answers)


@admin.register(Worksheet)
class WorksheetAdmin(AccessLoggedAdmin, ReadOnlyAdmin):
    """Every worksheet the counselor assigned, by status; reviewing happens in the review queue."""

    list_display = ("created_at", "client", "template", "due_date", "status", "submitted_at", "reviewed_at")
    list_filter = ("status", "template__step", ("client", admin.RelatedOnlyFieldListFilter))
    ordering = ("-created_at",)
    fields = (
        "client",
        "template",
        "due_date",
        "message",
        "status",
        "submitted_at",
        "entries",
        "reviewed_at",
        "review_comment",
    )
    readonly_fields = fields

    def get_queryset(self, request) -> QuerySet:
        return worksheet_list(user=request.user)

    @admin.display(description=_("記入"))
    def entries(self, worksheet: Worksheet):
        return _entries_html(worksheet)


class WorksheetReviewForm(forms.ModelForm):
    review_comment = forms.CharField(
        label=_("コメント（クライアントに届きます）"), widget=forms.Textarea, max_length=4000
    )

    class Meta:
        model = SubmittedWorksheet
        fields = ("review_comment",)

    def clean(self):
        cleaned = super().clean()
        if self.instance.status != Worksheet.Status.SUBMITTED:
            raise forms.ValidationError(_("このワークシートは確認済みです。"))
        return cleaned


@admin.register(SubmittedWorksheet)
class ReviewQueueAdmin(AccessLoggedAdmin):
    """The review queue: submitted worksheets, the longest-waiting first; a comment reviews one."""

    form = WorksheetReviewForm
    list_display = ("submitted_at", "waiting", "client", "template", "due_date")
    list_display_links = ("submitted_at", "client")
    ordering = ("submitted_at", "id")
    fields = ("client", "template", "due_date", "message", "submitted_at", "entries", "review_comment")
    readonly_fields = ("client", "template", "due_date", "message", "submitted_at", "entries")

    def get_queryset(self, request) -> QuerySet:
        return worksheet_review_queue(counselor=request.user)

    def has_add_permission(self, request) -> bool:
        return False  # Worksheets are assigned to a client through the API and pages, which mail them.

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("待ち日数"))
    def waiting(self, worksheet: Worksheet) -> str:
        return _("%(days)s日") % {"days": (timezone.now() - worksheet.submitted_at).days}

    @admin.display(description=_("記入"))
    def entries(self, worksheet: Worksheet):
        return _entries_html(worksheet)

    def save_model(self, request, obj, form, change):
        try:
            worksheet_review(
                worksheet=obj,
                counselor=request.user,
                comment=form.cleaned_data["review_comment"],
                ip=request_ip(request),
            )
        except ApplicationError as error:
            self.message_user(request, error.message, messages.ERROR)
