"""The counselor's day: the rolling agenda, the week calendar, a booking and what can be done to it,
and the private calendar feed."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.exceptions import ApplicationError
from core.forms import form_apply_error
from core.localtime import local_date
from counseling.calendar import counselor_feed_ics
from counseling.models import BOOKING_BLOCKING_STATUSES, AccessAction, IntakeStatus
from counseling.policy import booking_policy, cancellation_window_hours
from counseling.selectors.availability import availability_rule_list
from counseling.selectors.bookings import booking_get, booking_list, booking_list_awaiting_note
from counseling.selectors.calendar_feed import calendar_feed_bookings, calendar_feed_counselor
from counseling.selectors.intakes import intake_list
from counseling.selectors.notes import session_note_of_booking, session_note_previous
from counseling.selectors.worksheets import worksheet_review_queue
from counseling.services.access import access_log
from counseling.services.bookings import booking_cancel, booking_mark, booking_reschedule
from payments.selectors import booking_balance, payment_for_booking
from portal import selectors
from portal.access import counselor_required
from portal.agenda import AGENDA_DAYS_AHEAD, agenda_days, week_grid
from portal.counselor_forms import CounselorCancelForm, JumpToDateForm, MarkForm, RescheduleForm
from portal.forms import WeekForm, posted

if TYPE_CHECKING:
    from counseling.models import Booking

# The agenda lists this many held sessions still waiting for a signed note; the rest wait their turn.
AWAITING_NOTE_SHOWN = 20


@counselor_required
@require_GET
def home(request):
    now = timezone.now()
    today = local_date(now)
    upcoming = booking_list(
        user=request.user, date_from=today, date_to=today + timedelta(days=AGENDA_DAYS_AHEAD)
    ).filter(status__in=BOOKING_BLOCKING_STATUSES)
    awaiting_note = list(booking_list_awaiting_note(counselor=request.user, now=now)[:AWAITING_NOTE_SHOWN])
    with transaction.atomic():
        new_intakes = list(
            intake_list(user=request.user, status=IntakeStatus.SUBMITTED).order_by("created_at", "id")
        )
        access_log(request, new_intakes, AccessAction.LIST)
        review_queue = list(worksheet_review_queue(counselor=request.user)[:10])
        access_log(request, review_queue, AccessAction.LIST)
    return render(
        request,
        "counselor/home.html",
        {
            "today": today,
            "days": agenda_days(today=today, bookings=list(upcoming)),
            "last_day": today + timedelta(days=AGENDA_DAYS_AHEAD),
            "awaiting_note": awaiting_note,
            "new_intakes": new_intakes,
            "review_queue": review_queue,
            "newsletter": selectors.newsletter_summary(now=now),
        },
    )


@counselor_required
@require_GET
def calendar(request):
    """The week holding ``?date=`` (today without it), Monday to Sunday, by hour."""
    form = JumpToDateForm(request.GET)
    day = local_date(timezone.now())
    if form.is_valid() and form.cleaned_data["date"]:
        day = form.cleaned_data["date"]
    monday = day - timedelta(days=day.weekday())
    bookings = list(
        booking_list(user=request.user, date_from=monday, date_to=monday + timedelta(days=6)).filter(
            status__in=BOOKING_BLOCKING_STATUSES
        )
    )
    rules = list(availability_rule_list(counselor=request.user))
    return render(
        request,
        "counselor/calendar.html",
        {"grid": week_grid(day=day, rules=rules, bookings=bookings), "bookings": bookings, "form": form},
        status=200 if form.is_valid() else 400,
    )


def _booking_page(request, booking: Booking, *, error: str = "", cancel_form=None, status: int = 200):
    note = session_note_of_booking(counselor=request.user, booking=booking)
    with transaction.atomic():
        previous = session_note_previous(
            counselor=request.user, client=booking.client, before=local_date(booking.start)
        )
        if previous is not None:
            # Shown beside the booking, sections and all: a read of the note.
            access_log(request, previous, AccessAction.READ)
    return render(
        request,
        "counselor/booking.html",
        {
            "booking": booking,
            "policy": booking_policy(booking, request.user),
            "window_hours": cancellation_window_hours(),
            "note": note,
            "previous": previous,
            "cancel_form": cancel_form or CounselorCancelForm(),
            "error": error,
            "payment": payment_for_booking(booking=booking),
            "balance": booking_balance(booking=booking),
        },
        status=status,
    )


@counselor_required
@require_GET
def booking(request, booking_id: int):
    return _booking_page(request, booking_get(user=request.user, booking_id=booking_id))


@counselor_required
@require_POST
def booking_mark_view(request, booking_id: int):
    found = booking_get(user=request.user, booking_id=booking_id)
    form = MarkForm(request.POST)
    if not form.is_valid():
        return _booking_page(request, found, error=_("記録する状態を選んでください。"), status=400)
    try:
        marked = booking_mark(booking=found, actor=request.user, status=form.cleaned_data["status"])
    except ApplicationError as error:
        return _booking_page(request, found, error=error.message, status=error.status_code)
    messages.success(
        request, _("「%(status)s」として記録しました。") % {"status": marked.get_status_display()}
    )
    return redirect("counselor:booking", booking_id=found.pk)


@counselor_required
@require_POST
def booking_cancel_view(request, booking_id: int):
    """The counselor's cancellation: the client is mailed with the reason and a CANCEL .ics."""
    found = booking_get(user=request.user, booking_id=booking_id)
    form = CounselorCancelForm(request.POST)
    if not form.is_valid():
        return _booking_page(request, found, cancel_form=form, status=400)
    try:
        booking_cancel(booking=found, actor=request.user, reason=form.cleaned_data["reason"])
    except ApplicationError as error:
        form_apply_error(form, error)
        return _booking_page(request, found, cancel_form=form, status=error.status_code)
    messages.success(request, _("予約をキャンセルし、クライアントにお知らせしました。"))
    return redirect("counselor:booking", booking_id=found.pk)


@counselor_required
@require_http_methods(["GET", "POST"])
def booking_reschedule_view(request, booking_id: int):
    """A week of the session type's free slots; the chosen one moves the booking for the client."""
    found = booking_get(user=request.user, booking_id=booking_id)
    form = RescheduleForm(posted(request))
    week_form = WeekForm({"start_day": request.GET.get("from", "")})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            booking_reschedule(booking=found, actor=request.user, start=form.cleaned_data["start"])
        except ApplicationError as error:
            form_apply_error(form, error)
            status = error.status_code
        else:
            messages.success(request, _("日時を変更し、クライアントに新しい日時をお知らせしました。"))
            return redirect("counselor:booking", booking_id=found.pk)
    if form.errors or not week_form.is_valid():
        status = status if status != 200 else 400
    policy = booking_policy(found, request.user)
    week = selectors.slot_week(
        session_type=found.session_type,
        start_day=week_form.cleaned_data["start_day"] if week_form.is_valid() else None,
        exclude_booking_id=found.pk,
    )
    return render(
        request,
        "counselor/booking_reschedule.html",
        {"booking": found, "policy": policy, "week": week, "form": form, "week_form": week_form},
        status=status if policy.reschedule_allowed else 409,
    )


@require_GET
def calendar_feed(request):
    """The counselor's private iCalendar feed, opened by the secret in ``?token=`` alone."""
    counselor = calendar_feed_counselor(token=request.GET.get("token", ""))
    if counselor is None:
        raise Http404
    site = settings.SITE_URL

    def link(booking: Booking) -> str:
        return site + reverse("counselor:booking", args=[booking.pk])

    body = counselor_feed_ics(
        calendar_feed_bookings(counselor=counselor),
        full_names=settings.COUNSELING_CALENDAR_FEED_FULL_NAMES,
        link=link,
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="counselor.ics"'
    # Client names (initials) and times: never kept by a shared cache.
    response["Cache-Control"] = "private, no-store"
    return response
