from django.urls import include, path

from portal.views import (
    client,
    counselor,
    counselor_agenda,
    counselor_clients,
    counselor_money,
    counselor_notes,
    counselor_schedule,
    worksheets,
)

client_patterns = [
    path("", client.home, name="home"),
    path("intake/", client.intake, name="intake"),
    path("book/", client.book, name="book"),
    path("book/<int:session_type_id>/", client.book_slots, name="book-slots"),
    path("bookings/", client.bookings, name="bookings"),
    path("bookings/<int:booking_id>/", client.booking, name="booking"),
    path("bookings/<int:booking_id>/cancel/", client.booking_cancel_view, name="booking-cancel"),
    path("bookings/<int:booking_id>/reschedule/", client.booking_reschedule_view, name="booking-reschedule"),
    path("payments/<int:payment_id>/receipt/", client.payment_receipt, name="payment-receipt"),
    path("courses/", client.courses, name="courses"),
    path("enrollments/<int:enrollment_id>/cancel/", client.enrollment_cancel, name="enrollment-cancel"),
    path("worksheets/", worksheets.client_worksheets, name="worksheets"),
    path("worksheets/<int:worksheet_id>/", worksheets.client_worksheet, name="worksheet"),
    path(
        "worksheets/<int:worksheet_id>/submit/", worksheets.client_worksheet_submit, name="worksheet-submit"
    ),
    path("my-data/", client.my_data, name="my-data"),
    path("my-data/download/", client.my_data_download, name="my-data-download"),
]

counselor_patterns = [
    path("", counselor_agenda.home, name="home"),
    path("calendar/", counselor_agenda.calendar, name="calendar"),
    path("calendar.ics", counselor_agenda.calendar_feed, name="calendar-feed"),
    path("bookings/<int:booking_id>/", counselor_agenda.booking, name="booking"),
    path("bookings/<int:booking_id>/mark/", counselor_agenda.booking_mark_view, name="booking-mark"),
    path("bookings/<int:booking_id>/cancel/", counselor_agenda.booking_cancel_view, name="booking-cancel"),
    path(
        "bookings/<int:booking_id>/reschedule/",
        counselor_agenda.booking_reschedule_view,
        name="booking-reschedule",
    ),
    path("bookings/<int:booking_id>/note/", counselor_notes.booking_note, name="booking-note"),
    path("clients/<int:client_id>/notes/new/", counselor_notes.client_note_new, name="client-note-new"),
    path("notes/<int:note_id>/", counselor_notes.note, name="note"),
    path("notes/<int:note_id>/sign/", counselor_notes.note_sign, name="note-sign"),
    path("notes/<int:note_id>/addenda/", counselor_notes.note_addendum, name="note-addendum"),
    path("intakes/<int:intake_id>/", counselor.intake, name="intake"),
    path("worksheets/", worksheets.review_queue, name="worksheets"),
    path("worksheets/<int:worksheet_id>/", worksheets.review, name="worksheet"),
    path("clients/", counselor_clients.clients, name="clients"),
    path("clients/<int:client_id>/", counselor_clients.client, name="client"),
    path("clients/<int:client_id>/book/", counselor_clients.client_book, name="client-book"),
    path(
        "clients/<int:client_id>/worksheets/new/",
        counselor_clients.worksheet_assign_view,
        name="worksheet-assign",
    ),
    path("money/", counselor_money.money, name="money"),
    path("money/export.csv", counselor_money.money_export, name="money-export"),
    path(
        "money/payments/<int:payment_id>/received/",
        counselor_money.payment_received,
        name="payment-received",
    ),
    path("money/refunds/<int:refund_id>/made/", counselor_money.refund_made, name="refund-made"),
    path("schedule/", counselor_schedule.schedule, name="schedule"),
    path("schedule/session-types/", counselor_schedule.session_type_new, name="session-type-new"),
    path(
        "schedule/session-types/<int:session_type_id>/",
        counselor_schedule.session_type_edit,
        name="session-type",
    ),
    path(
        "schedule/session-types/<int:session_type_id>/delete/",
        counselor_schedule.session_type_delete,
        name="session-type-delete",
    ),
    path("schedule/hours/", counselor_schedule.hours_add, name="hours-add"),
    path("schedule/hours/<int:rule_id>/delete/", counselor_schedule.hours_delete, name="hours-delete"),
    path("schedule/time-off/", counselor_schedule.time_off_add, name="time-off-add"),
    path(
        "schedule/time-off/<int:time_off_id>/delete/",
        counselor_schedule.time_off_delete,
        name="time-off-delete",
    ),
    path("schedule/meeting-link/", counselor_schedule.meeting_link, name="meeting-link"),
    path(
        "schedule/calendar-feed/",
        counselor_schedule.calendar_feed_regenerate,
        name="calendar-feed-regenerate",
    ),
]

urlpatterns = [
    path("portal/", include((client_patterns, "portal"))),
    path("counselor/", include((counselor_patterns, "counselor"))),
]
