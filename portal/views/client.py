"""The client portal: intake, booking and managing sessions, courses, and the client's own data."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.exceptions import ApplicationError, ConflictError
from core.forms import form_apply_error
from core.personal_data import personal_data_export
from counseling.crisis import crisis_support
from counseling.models import AccessAction, BookingStatus, IntakeStatus, WorksheetStatus
from counseling.policy import booking_policy, cancellation_window, cancellation_window_hours
from counseling.selectors.availability import SlotState, session_type_list_active, slot_state
from counseling.selectors.bookings import booking_get, booking_list
from counseling.selectors.intakes import client_booking_eligibility, intake_latest_for_client
from counseling.selectors.worksheets import worksheet_list
from counseling.services.access import access_log, request_ip
from counseling.services.bookings import booking_cancel, booking_create, booking_reschedule
from counseling.services.intakes import intake_submit
from courses import selectors as course_selectors
from courses.models import EnrollmentStatus
from courses.services import enrollments as course_enrollments
from payments import selectors as payment_selectors
from payments.views import payment_page_context, receipt_response
from portal import selectors
from portal.access import client_required
from portal.forms import CancelForm, IntakeForm, SlotChoiceForm, WeekForm, posted

if TYPE_CHECKING:
    from counseling.models import Booking, Intake, SessionType

BAD_TIME = gettext_lazy("時刻の指定が正しくありません。")
# Bookings still ahead of the client: confirmed, or held while their payment is awaited.
UPCOMING_STATUSES = (BookingStatus.PENDING_PAYMENT, BookingStatus.CONFIRMED)


def cancellation_policy() -> dict:
    """The rule as the client reads it, from the same setting the booking service applies."""
    return {"hours": cancellation_window_hours()}


def _client_can_change(booking: Booking, client) -> dict:
    policy = booking_policy(booking, client)
    return {
        "can_cancel": policy.cancel_allowed,
        "can_reschedule": policy.reschedule_allowed,
        "cancel_is_late": policy.cancel_is_late,
    }


def _latest_intake(request) -> Intake | None:
    """The client's latest intake, for its status; showing it is logged like any read of an intake."""
    with transaction.atomic():
        latest = intake_latest_for_client(client=request.user)
        if latest is not None:
            access_log(request, latest, AccessAction.LIST)
    return latest


@client_required
@require_GET
def home(request):
    now = timezone.now()
    upcoming = booking_list(user=request.user, status=BookingStatus.CONFIRMED).filter(end__gte=now)
    enrollments = course_selectors.enrollment_list_for_client(client=request.user).exclude(
        status=EnrollmentStatus.CANCELLED
    )
    with transaction.atomic():
        worksheets = list(worksheet_list(user=request.user, status=WorksheetStatus.ASSIGNED))
        access_log(request, worksheets, AccessAction.LIST)
    return render(
        request,
        "portal/home.html",
        {
            "intake": _latest_intake(request),
            "upcoming": upcoming[:5],
            "enrollments": enrollments[:5],
            "worksheets": worksheets,
        },
    )


# --- Intake --------------------------------------------------------------------------------------


@client_required
@require_http_methods(["GET", "POST"])
def intake(request):
    latest = _latest_intake(request)
    # A declined intake may be followed by a new one; otherwise one is enough.
    if latest is not None and latest.status != IntakeStatus.DECLINED:
        return render(request, "portal/intake_submitted.html", {"intake": latest})
    form = IntakeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            submitted = intake_submit(client=request.user, ip=request_ip(request), **form.service_arguments())
        except ApplicationError as error:
            form_apply_error(form, error)
        else:
            return render(
                request,
                "portal/intake_done.html",
                {"intake": submitted, "crisis": crisis_support() if submitted.in_crisis else None},
            )
    return render(request, "portal/intake.html", {"form": form}, status=400 if form.errors else 200)


# --- Booking -------------------------------------------------------------------------------------


@client_required
@require_GET
def book(request):
    return render(
        request,
        "portal/book.html",
        {
            "session_types": session_type_list_active().order_by("format", "name", "id"),
            "eligibility": client_booking_eligibility(client=request.user),
        },
    )


def _late_from(now: datetime) -> datetime:
    """Slots starting before this instant are inside the cancellation window from the moment they are
    booked: a cancellation is recorded as late and the time cannot be changed."""
    return now + cancellation_window()


def _not_eligible(request, eligibility):
    """Said before any slot is shown, rather than at the last click."""
    return render(request, "portal/book_refused.html", {"message": eligibility.message}, status=403)


def _slot_picker(
    request,
    *,
    session_type: SessionType,
    booking: Booking | None = None,
    error: str = "",
    status: int = 200,
):
    """A week of free slots; ``error`` says why the client is back here (a bad date, a taken slot)."""
    form = WeekForm({"start_day": request.GET.get("from", "")})
    start_day = None
    if form.is_valid():
        start_day = form.cleaned_data["start_day"]
    else:
        # A date outside the accepted years names them; one that cannot be read says so.
        ranged = form.has_error("start_day", "calendar_range")
        error = " ".join(form.errors["start_day"]) if ranged else _("日付の指定が正しくありません。")
        status = 400
    week = selectors.slot_week(
        session_type=session_type,
        start_day=start_day,
        exclude_booking_id=booking.pk if booking else None,
    )
    late_from = _late_from(timezone.now())
    return render(
        request,
        "portal/slots.html",
        {
            "session_type": session_type,
            "booking": booking,
            "week": week,
            "error": error,
            "late_from": late_from,
            "any_late": any(slot.start < late_from for day in week.days for slot in day.slots),
            "policy": cancellation_policy(),
            "eligibility": client_booking_eligibility(client=request.user),
        },
        status=status,
    )


def _slot_confirm(request, *, session_type: SessionType, form: SlotChoiceForm, booking: Booking | None):
    return render(
        request,
        "portal/slot_confirm.html",
        {
            "session_type": session_type,
            "booking": booking,
            "form": form,
            "start": form.cleaned_data["start"],
            "end": form.cleaned_data["start"] + timedelta(minutes=session_type.duration_minutes),
            "policy": cancellation_policy(),
            "inside_window": form.cleaned_data["start"] < _late_from(timezone.now()),
        },
        status=400 if form.errors else 200,
    )


def _chosen_slot(request, session_type: SessionType, booking: Booking | None):
    """The confirmation page for ``?start=``, or the slot list again when that time is not free."""
    form = SlotChoiceForm({"start": request.GET["start"], "idempotency_key": uuid.uuid4().hex})
    if not form.is_valid():
        return _slot_picker(request, session_type=session_type, booking=booking, error=BAD_TIME, status=400)
    state = slot_state(
        session_type=session_type,
        start=form.cleaned_data["start"],
        exclude_booking_id=booking.pk if booking else None,
    )
    if state is not SlotState.FREE:
        return _slot_picker(
            request,
            session_type=session_type,
            booking=booking,
            error=_("この時間は予約できません。別の時間をお選びください。"),
            status=409,
        )
    return _slot_confirm(request, session_type=session_type, form=form, booking=booking)


@client_required
@require_http_methods(["GET", "POST"])
def book_slots(request, session_type_id: int):
    """GET lists a week of free slots; ``?start=`` asks to confirm one; POST books it."""
    session_type = get_object_or_404(session_type_list_active(), pk=session_type_id)
    eligibility = client_booking_eligibility(client=request.user)
    if not eligibility.may_book:
        return _not_eligible(request, eligibility)
    if request.method == "GET":
        if "start" in request.GET:
            return _chosen_slot(request, session_type, None)
        return _slot_picker(request, session_type=session_type)
    form = SlotChoiceForm(request.POST)
    if not form.is_valid():
        return _slot_picker(request, session_type=session_type, error=BAD_TIME, status=400)
    try:
        booking, _created = booking_create(
            client=request.user,
            session_type=session_type,
            start=form.cleaned_data["start"],
            idempotency_key=form.cleaned_data["idempotency_key"],
        )
    except ConflictError as error:
        return _slot_picker(request, session_type=session_type, error=error.message, status=409)
    except ApplicationError as error:
        return render(request, "portal/book_refused.html", {"message": error.message}, status=400)
    if booking.status == BookingStatus.PENDING_PAYMENT:
        messages.success(
            request,
            _(
                "お時間を確保しました。お支払いの確認をもってご予約が確定します。お支払い方法をご確認ください。"
            ),
        )
    else:
        messages.success(request, _("ご予約が確定しました。確認のメールをお送りしました。"))
    return redirect("portal:booking", booking_id=booking.pk)


@client_required
@require_GET
def bookings(request):
    now = timezone.now()
    mine = list(booking_list(user=request.user))
    return render(
        request,
        "portal/bookings.html",
        {
            "upcoming": [b for b in mine if b.end >= now and b.status in UPCOMING_STATUSES],
            "past": [b for b in reversed(mine) if not (b.end >= now and b.status in UPCOMING_STATUSES)],
        },
    )


@client_required
@require_GET
def booking(request, booking_id: int):
    found = booking_get(user=request.user, booking_id=booking_id)
    payment = payment_selectors.payment_for_booking(booking=found)
    return render(
        request,
        "portal/booking.html",
        {
            "booking": found,
            "policy": cancellation_policy(),
            **_client_can_change(found, request.user),
            **(payment_page_context(payment) if payment else {}),
        },
    )


@client_required
@require_GET
def payment_receipt(request, payment_id: int):
    """The receipt of one of the client's own payments (another's: 404)."""
    payment = payment_selectors.payment_get_for_payer(payment_id=payment_id, user=request.user)
    response = receipt_response(payment)
    if response.status_code == 404:
        raise Http404
    return response


@client_required
@require_http_methods(["GET", "POST"])
def booking_cancel_view(request, booking_id: int):
    found = booking_get(user=request.user, booking_id=booking_id)
    form = CancelForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            cancelled = booking_cancel(booking=found, actor=request.user, reason=form.cleaned_data["reason"])
        except ApplicationError as error:
            form_apply_error(form, error)
        else:
            if cancelled.status == BookingStatus.LATE_CANCELLED:
                messages.success(
                    request, _("ご予約をキャンセルしました（直前キャンセルとして記録されました）。")
                )
            else:
                messages.success(request, _("ご予約をキャンセルしました。"))
            return redirect("portal:booking", booking_id=found.pk)
    return render(
        request,
        "portal/booking_cancel.html",
        {
            "booking": found,
            "form": form,
            "policy": cancellation_policy(),
            **_client_can_change(found, request.user),
        },
        status=400 if form.errors else 200,
    )


@client_required
@require_http_methods(["GET", "POST"])
def booking_reschedule_view(request, booking_id: int):
    found = booking_get(user=request.user, booking_id=booking_id)
    if not _client_can_change(found, request.user)["can_reschedule"]:
        return render(
            request,
            "portal/booking.html",
            {
                "booking": found,
                "policy": cancellation_policy(),
                "error": _("このご予約は日時を変更できません。"),
                **_client_can_change(found, request.user),
            },
            status=409,
        )
    if request.method == "GET":
        if "start" in request.GET:
            return _chosen_slot(request, found.session_type, found)
        return _slot_picker(request, session_type=found.session_type, booking=found)
    form = SlotChoiceForm(request.POST)
    if not form.is_valid():
        return _slot_picker(
            request, session_type=found.session_type, booking=found, error=BAD_TIME, status=400
        )
    try:
        booking_reschedule(booking=found, actor=request.user, start=form.cleaned_data["start"])
    except ApplicationError as error:
        return _slot_picker(
            request,
            session_type=found.session_type,
            booking=found,
            error=error.message,
            status=error.status_code,
        )
    messages.success(request, _("ご予約の日時を変更しました。新しい日時の確認メールをお送りしました。"))
    return redirect("portal:booking", booking_id=found.pk)


# --- Courses -------------------------------------------------------------------------------------


@client_required
@require_GET
def courses(request):
    enrollments = list(course_selectors.enrollment_list_for_client(client=request.user))
    awaiting = payment_selectors.payments_awaited_for_enrollments(enrollment_ids=[e.pk for e in enrollments])
    for enrollment in enrollments:
        enrollment.pay_url = awaiting.get(enrollment.pk)  # type: ignore[attr-defined]
    return render(request, "portal/courses.html", {"enrollments": enrollments})


@client_required
@require_POST
def enrollment_cancel(request, enrollment_id: int):
    enrollment = (
        course_selectors.enrollment_list_for_client(client=request.user).filter(pk=enrollment_id).first()
    )
    if enrollment is None:
        raise Http404
    try:
        course_enrollments.enrollment_cancel(enrollment=enrollment)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("「%(title)s」のお申込みを取り消しました。") % {"title": enrollment.course.title}
        )
    return redirect("portal:courses")


# --- My data -------------------------------------------------------------------------------------


@client_required
@require_GET
def my_data(request):
    return render(request, "portal/my_data.html", {})


@client_required
@require_GET
def my_data_download(request):
    body = json.dumps(
        personal_data_export(user=request.user), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2
    )
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    # Personal data: never kept by a shared cache or the browser's back button.
    response["Cache-Control"] = "no-store"
    return response
