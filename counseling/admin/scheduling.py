"""Session types, weekly hours, time off and meeting links: the counselor's own."""

from django.contrib import admin
from django.db import models

from counseling.admin.common import OwnRecordsAdmin
from counseling.models import (
    AvailabilityRule,
    CounselorProfile,
    SessionType,
    TimeOff,
)


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
    # A URL typed without a scheme is read as https, as the schedule page reads it.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
