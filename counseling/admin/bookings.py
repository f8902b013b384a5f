"""Upcoming bookings by day; cancel and mark go through the booking services."""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.admin import run_on_each
from core.localtime import local_clock, local_day_label
from counseling.admin.common import OwnRecordsAdmin
from counseling.models import (
    Booking,
)
from counseling.services.bookings import booking_cancel, booking_mark


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
        run_on_each(
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
        run_on_each(
            self,
            request,
            queryset,
            lambda booking: booking_mark(booking=booking, actor=request.user, status=Booking.Status.NO_SHOW),
            _("%(count)s件を無断欠席にしました。"),
        )

    @admin.action(description=_("キャンセルする（クライアントに通知）"))
    def cancel(self, request, queryset):
        run_on_each(
            self,
            request,
            queryset,
            lambda booking: booking_cancel(booking=booking, actor=request.user),
            _("%(count)s件をキャンセルしました。"),
        )
