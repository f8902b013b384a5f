"""The counselor's screens: session types, hours, time off, upcoming bookings by day, intakes by status,
session notes by client and tag, the worksheet review queue, and the access log.

A counselor sees and edits their own records; a superuser sees everyone's, except session notes,
which only their author ever reads. Bookings, intakes and worksheets change only through the
services (the actions and forms below), so mail and rules apply as in the API; every screen that
shows a note, an intake or a worksheet records it in the access log, which nobody can change.
"""

from django import forms
from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from core.admin import OwnRecordsAdmin
from core.exceptions import ApplicationError
from counseling.localtime import local_clock, local_day_label
from counseling.models import (
    AccessRecord,
    AvailabilityRule,
    Booking,
    CounselorProfile,
    Intake,
    IntakeAnswer,
    Pattern,
    SessionNote,
    SessionType,
    StepSuggestion,
    SubmittedWorksheet,
    TimeOff,
    Worksheet,
    WorksheetTemplate,
)
from counseling.selectors.intakes import intake_list
from counseling.selectors.notes import session_note_list
from counseling.selectors.patterns import suggestions_for_answers
from counseling.selectors.worksheets import worksheet_list, worksheet_review_queue
from counseling.self_check import self_check_statement
from counseling.services.access import access_record, request_ip
from counseling.services.bookings import booking_cancel, booking_mark
from counseling.services.intakes import intake_set_status
from counseling.services.worksheets import worksheet_review


@admin.register(SessionType)
class SessionTypeAdmin(OwnRecordsAdmin):
    list_display = ("name", "format", "location", "duration_minutes", "buffer_minutes", "price_jpy", "active")
    list_filter = ("format", "active")
    search_fields = ("name", "location")


@admin.register(AvailabilityRule)
class AvailabilityRuleAdmin(OwnRecordsAdmin):
    list_display = ("weekday", "start_time", "end_time", "format")
    list_filter = ("weekday", "format")
    ordering = ("weekday", "start_time")


@admin.register(TimeOff)
class TimeOffAdmin(OwnRecordsAdmin):
    list_display = ("start", "end", "note")
    date_hierarchy = "start"
    ordering = ("-start",)


@admin.register(CounselorProfile)
class CounselorProfileAdmin(OwnRecordsAdmin):
    list_display = ("counselor", "meeting_url")


class UpcomingFilter(admin.SimpleListFilter):
    title = _("時期")
    parameter_name = "when"

    def lookups(self, request, model_admin):
        return (("upcoming", _("今後")), ("past", _("過去")))

    def queryset(self, request, queryset):
        if self.value() == "upcoming":
            return queryset.filter(start__gte=timezone.now())
        if self.value() == "past":
            return queryset.filter(start__lt=timezone.now())
        return queryset


def _run_on_each(modeladmin, request, queryset, action, done_message) -> None:
    done = 0
    for obj in queryset:
        try:
            action(obj)
        except ApplicationError as error:
            modeladmin.message_user(request, f"{obj}: {error.message}", messages.WARNING)
        else:
            done += 1
    if done:
        modeladmin.message_user(request, done_message % {"count": done}, messages.SUCCESS)


@admin.register(Booking)
class BookingAdmin(OwnRecordsAdmin):
    list_display = ("day", "time", "client", "session_type", "status", "meeting_url")
    list_filter = (UpcomingFilter, "status", "session_type__format")
    list_select_related = ("client", "session_type")
    date_hierarchy = "start"
    ordering = ("start",)
    search_fields = ("client__email", "client__display_name")
    actions = ("mark_completed", "mark_no_show", "cancel")
    readonly_fields = [field.name for field in Booking._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False  # Clients book through the booking flow, which checks the slot.

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # A booking is cancelled, never deleted: the history stays.

    @admin.display(description=_("日付"), ordering="start")
    def day(self, booking: Booking) -> str:
        return local_day_label(booking.start)

    @admin.display(description=_("時間"))
    def time(self, booking: Booking) -> str:
        return f"{local_clock(booking.start)}〜{local_clock(booking.end)}"

    @admin.action(description=_("実施済みにする"))
    def mark_completed(self, request, queryset):
        _run_on_each(
            self,
            request,
            queryset,
            lambda booking: booking_mark(
                booking=booking, actor=request.user, status=Booking.Status.COMPLETED
            ),
            _("%(count)s件を実施済みにしました。"),
        )

    @admin.action(description=_("無断欠席にする"))
    def mark_no_show(self, request, queryset):
        _run_on_each(
            self,
            request,
            queryset,
            lambda booking: booking_mark(booking=booking, actor=request.user, status=Booking.Status.NO_SHOW),
            _("%(count)s件を無断欠席にしました。"),
        )

    @admin.action(description=_("キャンセルする（クライアントに通知）"))
    def cancel(self, request, queryset):
        _run_on_each(
            self,
            request,
            queryset,
            lambda booking: booking_cancel(booking=booking, actor=request.user),
            _("%(count)s件をキャンセルしました。"),
        )


class IntakeAnswerInline(admin.TabularInline):
    model = IntakeAnswer
    fields = ("reason", "statement", "score")
    readonly_fields = ("reason", "statement", "score")
    extra = 0
    can_delete = False

    @admin.display(description=_("質問文"))
    def statement(self, answer: IntakeAnswer) -> str:
        return self_check_statement(answer.reason.code)

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class AccessLoggedAdmin(admin.ModelAdmin):
    """Records in the access log every object a list page or a detail page shows."""

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        # list() evaluates the page once; the template then reads the same cached rows.
        shown = list(changelist.result_list)
        access_record(
            user=request.user, obj_or_objs=shown, action=AccessRecord.Action.LIST, ip=request_ip(request)
        )
        return changelist

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        # A POST is a write, which its service records.
        if obj is not None and request.method == "GET":
            access_record(
                user=request.user, obj_or_objs=obj, action=AccessRecord.Action.READ, ip=request_ip(request)
            )
        return obj


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Intake)
class IntakeAdmin(AccessLoggedAdmin):
    list_display = ("created_at", "client", "status", "in_crisis", "preferred_format", "suggested_steps")
    list_filter = ("status", "in_crisis", "preferred_format")
    search_fields = ("client__email", "client__display_name")
    ordering = ("-created_at",)
    inlines = (IntakeAnswerInline,)
    actions = ("mark_reviewed", "mark_accepted", "mark_declined")
    fields = (
        "client",
        "counselor",
        "status",
        "in_crisis",
        "scene_list",
        "concern",
        "preferred_format",
        "contact",
        "suggestions",
        "consent_version",
        "consented_at",
        "status_changed_at",
        "status_changed_by",
    )
    readonly_fields = fields

    def get_queryset(self, request) -> QuerySet:
        if request.user.is_superuser:
            return super().get_queryset(request).prefetch_related("answers__reason__suggested_steps")
        return intake_list(user=request.user)

    def has_add_permission(self, request) -> bool:
        return False  # Clients submit intakes themselves, with their consent.

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("場面"))
    def scene_list(self, intake: Intake) -> str:
        return "、".join(scene.label_ja for scene in intake.scenes.all())

    @admin.display(description=_("当相談室の推奨ステップ"))
    def suggested_steps(self, intake: Intake) -> str:
        steps = suggestions_for_answers(list(intake.answers.all()))["steps"]
        return "、".join(step.code for step in steps) or "—"

    @admin.display(description=_("当相談室の提案（カウンセラーのみ。理由とステップの対応は当相談室の設定）"))
    def suggestions(self, intake: Intake):
        found = suggestions_for_answers(list(intake.answers.all()))
        rows = [(_("理由"), pattern.label_ja) for pattern in found["patterns"]]
        rows += [(_("ステップ"), f"{step.code} {step.label_ja}") for step in found["steps"]]
        if not rows:
            return _("4以上の回答はありません。")
        return format_html_join("", "<div>{}: {}</div>", rows)

    def _set_status(self, request, queryset, status, done_message):
        _run_on_each(
            self,
            request,
            queryset,
            lambda intake: intake_set_status(
                intake=intake, counselor=request.user, status=status, ip=request_ip(request)
            ),
            done_message,
        )

    @admin.action(description=_("確認済みにする"))
    def mark_reviewed(self, request, queryset):
        self._set_status(request, queryset, Intake.Status.REVIEWED, _("%(count)s件を確認済みにしました。"))

    @admin.action(description=_("受け入れる（クライアントに通知）"))
    def mark_accepted(self, request, queryset):
        self._set_status(request, queryset, Intake.Status.ACCEPTED, _("%(count)s件を受け入れました。"))

    @admin.action(description=_("お断りする（クライアントに通知）"))
    def mark_declined(self, request, queryset):
        self._set_status(request, queryset, Intake.Status.DECLINED, _("%(count)s件をお断りしました。"))


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


@admin.register(WorksheetTemplate)
class WorksheetTemplateAdmin(ReadOnlyAdmin):
    """The worksheets the method offers, loaded by migration like the patterns."""

    list_display = ("code", "title", "step", "one_entry_per_day", "active")
    list_filter = ("step",)
    list_select_related = ("step",)


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


@admin.register(AccessRecord)
class AccessRecordAdmin(ReadOnlyAdmin):
    """The access log, to read only: nobody adds, changes or deletes a record here."""

    list_display = ("at", "actor", "client", "object_type", "object_id", "action", "ip_address")
    list_filter = ("object_type", "action")
    list_select_related = ("actor", "client")
    search_fields = ("client__email", "client__display_name", "actor__email")
    date_hierarchy = "at"
    ordering = ("-at", "-id")
    actions = None

    def get_queryset(self, request) -> QuerySet:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        # The records of what she may read herself, not of every client she shares with another
        # counselor: another counselor's reads of their own notes are theirs.
        user = request.user
        return queryset.filter(
            Q(
                object_type=AccessRecord.ObjectType.SESSION_NOTE,
                object_id__in=SessionNote.objects.filter(counselor=user).values("pk"),
            )
            | Q(
                object_type=AccessRecord.ObjectType.INTAKE,
                object_id__in=intake_list(user=user).prefetch_related(None).values("pk"),
            )
            | Q(
                object_type=AccessRecord.ObjectType.WORKSHEET,
                object_id__in=Worksheet.objects.filter(counselor=user).values("pk"),
            )
        )
