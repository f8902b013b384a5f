from csp.decorators import csp_update
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.decorators import method_decorator
from django.utils.html import escape, format_html
from django.utils.translation import gettext_lazy as _

from core.csv_export import csv_response
from core.exceptions import ApplicationError
from counseling.exercises import EXERCISES
from counseling.selectors.patterns import patterns_by_position
from newsletter import selectors
from newsletter.models import (
    Broadcast,
    Consent,
    Lesson,
    SendSlot,
    Subscriber,
    Suppression,
    TrackingEvent,
    Workbook,
)
from newsletter.services import content
from newsletter.services.subscribers import subscriber_unsubscribe_address


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records of what happened (consents, events): shown, never edited by hand."""

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ConsentInline(admin.TabularInline):
    model = Consent
    extra = 0
    can_delete = False
    fields = (
        "given_at",
        "source",
        "wording_version",
        "ip_address",
        "user_agent",
        "confirmed_at",
        "confirmed_ip_address",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Subscriber)
class SubscriberAdmin(ReadOnlyAdmin):
    list_display = ("email", "name", "status", "confirmed_at", "unsubscribed_at", "created_at")
    list_filter = ("status",)
    search_fields = ("email", "name")
    date_hierarchy = "created_at"
    inlines = [ConsentInline]
    actions = ["unsubscribe", "export_csv"]

    @admin.action(description=_("選択した購読者の配信を停止する"))
    def unsubscribe(self, request, queryset):
        count = sum(
            subscriber_unsubscribe_address(email=email) for email in queryset.values_list("email", flat=True)
        )
        self.message_user(request, _("%(count)d 件の配信を停止しました。") % {"count": count})

    @admin.action(description=_("選択した購読者を同意記録つきでCSVに書き出す"))
    def export_csv(self, request, queryset):
        return csv_response(
            filename="newsletter-subscribers.csv",
            header=selectors.EXPORT_COLUMNS,
            rows=selectors.subscriber_export_rows(subscriber_ids=list(queryset.values_list("pk", flat=True))),
        )


class IssuePreviewMixin:
    """A preview of the email as subscribers see it, and a test send to the counselor's own address."""

    actions = ["send_test"]

    # The preview shows the email as mail programs do, with its inline styles: on these two pages
    # (the issue's own content) inline styles are allowed; scripts stay refused.
    @method_decorator(csp_update({"style-src": ["'unsafe-inline'"]}))
    def changeform_view(self, request, *args, **kwargs):
        return super().changeform_view(request, *args, **kwargs)

    @admin.display(description=_("プレビュー"))
    def preview(self, obj):
        if obj is None or obj.pk is None:
            return _("保存するとプレビューが表示されます。")
        rendered = content.issue_preview(item=obj)
        return format_html(
            '<p><strong>{}</strong></p><iframe sandbox="" srcdoc="{}" title="{}" '
            'style="width:100%;max-width:680px;height:560px;border:1px solid #ccc;background:#fff"></iframe>'
            '<pre style="white-space:pre-wrap;max-width:680px">{}</pre>',
            rendered.subject,
            # Rendered templates are marked safe; the attribute value must still be escaped.
            escape(rendered.html),
            _("HTML版"),
            escape(rendered.text),
        )

    @admin.action(description=_("自分のアドレスにテスト送信する"))
    def send_test(self, request, queryset):
        for item in queryset:
            content.issue_send_test(item=item, recipient=request.user.email)
        self.message_user(request, _("%(email)s にテスト送信しました。") % {"email": request.user.email})


class LessonForm(forms.ModelForm):
    exercise = forms.ChoiceField(
        label=_("ワークブックのワーク"),
        required=False,
        choices=[("", "—"), *((exercise.code, exercise.heading) for exercise in EXERCISES)],
        help_text=_("「今日の小さな練習」の下に、このワークの説明とワークブックへのリンクが入ります。"),
    )

    class Meta:
        model = Lesson
        fields = ("position", "subject", "body_markdown", "is_active", "patterns", "exercise")
        widgets = {"patterns": forms.CheckboxSelectMultiple}


@admin.register(Lesson)
class LessonAdmin(IssuePreviewMixin, admin.ModelAdmin):
    form = LessonForm
    list_display = ("position", "subject", "pattern_codes", "exercise", "is_active", "shipped", "updated_at")
    list_display_links = ("subject",)
    list_filter = ("is_active", "patterns__kind")
    search_fields = ("subject", "body_markdown", "patterns__code")
    fields = ("position", "subject", "body_markdown", "is_active", "patterns", "exercise", "code", "preview")
    readonly_fields = ("code", "preview")

    def get_queryset(self, request):
        return selectors.lesson_list()

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "patterns":
            kwargs["queryset"] = patterns_by_position()
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description=_("扱うパターン"))
    def pattern_codes(self, obj) -> str:
        return " ".join(pattern.code for pattern in obj.patterns.all()) or "—"

    @admin.display(description=_("同梱"), boolean=True)
    def shipped(self, obj) -> bool:
        return bool(obj.code)

    def save_model(self, request, obj, form, change):
        fields = {
            name: form.cleaned_data[name]
            for name in ("position", "subject", "body_markdown", "is_active", "exercise")
        }
        fields["patterns"] = [pattern.code for pattern in form.cleaned_data["patterns"]]
        if change:
            content.lesson_update(lesson=obj, **fields)
        else:
            obj.pk = content.lesson_create(**fields).pk

    def save_related(self, request, form, formsets, change):
        # The service has set the patterns already; only inlines would be left, and there are none.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not content.lesson_deletable(obj):
            return False
        return super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        content.lesson_delete(lesson=obj)

    def delete_queryset(self, request, queryset):
        for lesson in queryset:
            try:
                content.lesson_delete(lesson=lesson)
            except ApplicationError as error:
                self.message_user(request, f"{lesson}: {error.message}", level=messages.WARNING)


BROADCAST_FIELDS = ("subject", "body_markdown", "send_at", "status")


class BroadcastForm(forms.ModelForm):
    class Meta:
        model = Broadcast
        fields = BROADCAST_FIELDS

    def clean(self):
        cleaned = super().clean()
        candidate = Broadcast(pk=self.instance.pk, **{name: cleaned.get(name) for name in BROADCAST_FIELDS})
        if self.instance.pk and content.broadcast_is_locked(self.instance):
            raise ValidationError(_("配信が始まったお知らせは変更できません。"))
        try:
            content.broadcast_validate(candidate)
        except ApplicationError as error:
            raise ValidationError(error.message) from error
        return cleaned


@admin.register(Broadcast)
class BroadcastAdmin(IssuePreviewMixin, admin.ModelAdmin):
    form = BroadcastForm
    list_display = ("subject", "send_at", "status", "updated_at")
    list_filter = ("status",)
    search_fields = ("subject", "body_markdown")
    date_hierarchy = "send_at"
    fields = ("subject", "body_markdown", "send_at", "status", "preview")
    readonly_fields = ("preview",)

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in BROADCAST_FIELDS}
        try:
            if change:
                content.broadcast_update(broadcast=obj, **fields)
            else:
                obj.pk = content.broadcast_create(**fields).pk
        except ApplicationError as error:  # lost a race with another change after the form checked
            self.message_user(request, error.message, level=messages.ERROR)

    def delete_model(self, request, obj):
        content.broadcast_delete(broadcast=obj)


@admin.register(Workbook)
class WorkbookAdmin(admin.ModelAdmin):
    """Upload a new file to replace the workbook for every download from now on."""

    list_display = ("title", "file", "created_at", "download_count")
    fields = ("title", "file")

    @admin.display(description=_("ダウンロード数"))
    def download_count(self, obj):
        return obj.downloads.count()

    def get_readonly_fields(self, request, obj=None):
        return ("title", "file") if obj else ()

    def has_change_permission(self, request, obj=None):
        # Uploading replaces the file; an uploaded one is never edited. Still only for those allowed to.
        return obj is None and super().has_change_permission(request)

    def save_model(self, request, obj, form, change):
        saved = content.workbook_upload(file=form.cleaned_data["file"], title=form.cleaned_data["title"])
        obj.pk, obj.file, obj.created_at, obj.updated_at = (
            saved.pk,
            saved.file,
            saved.created_at,
            saved.updated_at,
        )


@admin.register(SendSlot)
class SendSlotAdmin(ReadOnlyAdmin):
    list_display = ("starts_at", "broadcast", "queued_count", "planning_started_at", "completed_at")
    date_hierarchy = "starts_at"


@admin.register(Suppression)
class SuppressionAdmin(ReadOnlyAdmin):
    list_display = ("email", "reason", "created_at")
    list_filter = ("reason",)
    search_fields = ("email",)


@admin.register(TrackingEvent)
class TrackingEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "esp_name", "event_type", "recipient", "event_id")
    list_filter = ("esp_name", "event_type")
    search_fields = ("recipient", "event_id")
