"""The counselor's screens: session types, hours, time off, upcoming bookings by day, intakes by status.

A counselor sees and edits their own records; a superuser sees everyone's. Bookings and intakes
change only through the services (the actions below), so mail and rules apply as in the API.
"""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from core.exceptions import ApplicationError
from counseling.localtime import local_clock, local_day_label
from counseling.models import (
    AvailabilityRule,
    Booking,
    CounselorProfile,
    Intake,
    IntakeAnswer,
    Pattern,
    SessionType,
    TimeOff,
)
from counseling.selectors.intakes import intake_list
from counseling.selectors.patterns import suggestions_for_answers
from counseling.services.bookings import booking_cancel, booking_mark
from counseling.services.intakes import intake_set_status


class OwnRecordsAdmin(admin.ModelAdmin):
    """Scopes the screen to the signed-in counselor's records and fills in the counselor on create."""

    owner_field = "counselor"

    def get_queryset(self, request) -> QuerySet:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{self.owner_field: request.user})

    def get_exclude(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_exclude(request, obj)
        return (*(super().get_exclude(request, obj) or ()), self.owner_field)

    def save_model(self, request, obj, form, change):
        if not change and not getattr(obj, f"{self.owner_field}_id", None):
            setattr(obj, self.owner_field, request.user)
        super().save_model(request, obj, form, change)


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
    fields = ("reason", "score")
    readonly_fields = ("reason", "score")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Intake)
class IntakeAdmin(admin.ModelAdmin):
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

    @admin.display(description=_("推奨ステップ"))
    def suggested_steps(self, intake: Intake) -> str:
        steps = suggestions_for_answers(list(intake.answers.all()))["steps"]
        return "、".join(step.code for step in steps) or "—"

    @admin.display(description=_("セルフチェックからの示唆（カウンセラーのみ）"))
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
            lambda intake: intake_set_status(intake=intake, counselor=request.user, status=status),
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
class PatternAdmin(admin.ModelAdmin):
    """The method's vocabulary, loaded by migration: readable here, changed only by a new migration."""

    list_display = ("code", "kind", "label_ja", "label_en", "parent")
    list_filter = ("kind",)
    search_fields = ("code", "label_ja", "label_en")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
