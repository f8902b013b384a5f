from django.urls import path

from counseling.apis import bookings, clients, intakes, notes, patterns, scheduling, worksheets

urlpatterns = [
    path("patterns/", patterns.PatternListApi.as_view(), name="patterns"),
    path("intakes/", intakes.IntakeListApi.as_view(), name="intakes"),
    path("intakes/<int:intake_id>/", intakes.IntakeDetailApi.as_view(), name="intake-detail"),
    path("session-types/", scheduling.SessionTypeListApi.as_view(), name="session-types"),
    path(
        "session-types/<int:session_type_id>/",
        scheduling.SessionTypeDetailApi.as_view(),
        name="session-type-detail",
    ),
    path("availability-rules/", scheduling.AvailabilityRuleListApi.as_view(), name="availability-rules"),
    path(
        "availability-rules/<int:rule_id>/",
        scheduling.AvailabilityRuleDetailApi.as_view(),
        name="availability-rule-detail",
    ),
    path("time-off/", scheduling.TimeOffListApi.as_view(), name="time-off"),
    path("time-off/<int:time_off_id>/", scheduling.TimeOffDetailApi.as_view(), name="time-off-detail"),
    path("counselor-profile/", scheduling.CounselorProfileApi.as_view(), name="counselor-profile"),
    path("availability/", scheduling.AvailabilityApi.as_view(), name="availability"),
    path("bookings/", bookings.BookingListApi.as_view(), name="bookings"),
    path("bookings/<int:booking_id>/", bookings.BookingDetailApi.as_view(), name="booking-detail"),
    path("bookings/<int:booking_id>/cancel/", bookings.BookingCancelApi.as_view(), name="booking-cancel"),
    path(
        "bookings/<int:booking_id>/reschedule/",
        bookings.BookingRescheduleApi.as_view(),
        name="booking-reschedule",
    ),
    path("bookings/<int:booking_id>/mark/", bookings.BookingMarkApi.as_view(), name="booking-mark"),
    path("bookings/<int:booking_id>/ics/", bookings.BookingIcsApi.as_view(), name="booking-ics"),
    path("session-notes/", notes.SessionNoteListApi.as_view(), name="session-notes"),
    path("session-notes/<int:note_id>/", notes.SessionNoteDetailApi.as_view(), name="session-note-detail"),
    path("session-notes/<int:note_id>/sign/", notes.SessionNoteSignApi.as_view(), name="session-note-sign"),
    path(
        "session-notes/<int:note_id>/addenda/",
        notes.SessionNoteAddendumApi.as_view(),
        name="session-note-addenda",
    ),
    path(
        "clients/<int:client_id>/pattern-profile/",
        clients.PatternProfileApi.as_view(),
        name="client-pattern-profile",
    ),
    path(
        "clients/<int:client_id>/access-log/", clients.ClientAccessLogApi.as_view(), name="client-access-log"
    ),
    path("worksheet-templates/", worksheets.WorksheetTemplateListApi.as_view(), name="worksheet-templates"),
    path("worksheets/", worksheets.WorksheetListApi.as_view(), name="worksheets"),
    path("worksheets/<int:worksheet_id>/", worksheets.WorksheetDetailApi.as_view(), name="worksheet-detail"),
    path(
        "worksheets/<int:worksheet_id>/entries/",
        worksheets.WorksheetEntryApi.as_view(),
        name="worksheet-entries",
    ),
    path(
        "worksheets/<int:worksheet_id>/submit/",
        worksheets.WorksheetSubmitApi.as_view(),
        name="worksheet-submit",
    ),
    path(
        "worksheets/<int:worksheet_id>/review/",
        worksheets.WorksheetReviewApi.as_view(),
        name="worksheet-review",
    ),
]
