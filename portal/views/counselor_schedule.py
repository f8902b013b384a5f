"""The counselor's schedule settings: session types, weekly hours, time off, the meeting link, and a
preview of the free slots as a client sees them. Every change goes through the availability services."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.exceptions import ApplicationError
from core.forms import form_apply_error
from core.localtime import local_label
from counseling.selectors.availability import availability_rule_list, counselor_profile_get, time_off_list
from counseling.selectors.calendar_feed import calendar_feed_url
from counseling.selectors.schedule import (
    availability_rules_by_weekday,
    session_type_list_own,
    time_off_with_bookings,
)
from counseling.services import availability as services
from counseling.services.calendar_feed import calendar_feed_token_regenerate
from portal import selectors
from portal.access import counselor_required
from portal.forms import posted
from portal.schedule_forms import HoursForm, MeetingLinkForm, SessionTypeForm, TimeOffForm


def _schedule_page(request, *, status: int = 200, **forms):
    session_types = list(session_type_list_own(counselor=request.user))
    active = [session_type for session_type in session_types if session_type.active]
    preview_type = next((t for t in active if str(t.pk) == request.GET.get("preview")), None) or (
        active[0] if active else None
    )
    profile = counselor_profile_get(counselor=request.user)
    return render(
        request,
        "counselor/schedule.html",
        {
            "session_types": session_types,
            "active_types": active,
            "session_type_form": forms.get("session_type_form") or SessionTypeForm(prefix="type"),
            "hours": availability_rules_by_weekday(counselor=request.user),
            "hours_form": forms.get("hours_form") or HoursForm(prefix="hours"),
            "time_off": time_off_with_bookings(counselor=request.user),
            "time_off_form": forms.get("time_off_form") or TimeOffForm(prefix="off"),
            "meeting_form": forms.get("meeting_form")
            or MeetingLinkForm(
                initial={
                    "meeting_url": profile.meeting_url,
                    "meeting_url_template": profile.meeting_url_template,
                }
            ),
            "feed_url": calendar_feed_url(counselor=request.user),
            "preview_type": preview_type,
            "preview": selectors.slot_week(session_type=preview_type, start_day=None)
            if preview_type
            else None,
        },
        status=status,
    )


def _back_to(section: str):
    return redirect(reverse("counselor:schedule") + f"#{section}")


def _apply(request, form, action, success: str, **form_slot):
    """Runs ``action(form.cleaned_data)`` when the form is valid; back to the page with the message,
    or the page again with the form's errors (400, or 409 for a conflict) and nothing changed."""
    if form.is_valid():
        try:
            action(form.cleaned_data)
        except ApplicationError as error:
            form_apply_error(form, error)
            return _schedule_page(request, status=error.status_code, **{form_slot["name"]: form})
        except ValidationError as error:
            # The model's own checks (a venue without a place): shown beside the fields they name.
            form.add_error(None, error)
            return _schedule_page(request, status=400, **{form_slot["name"]: form})
        messages.success(request, success)
        return _back_to(form_slot["anchor"])
    return _schedule_page(request, status=400, **{form_slot["name"]: form})


@counselor_required
@require_GET
def schedule(request):
    return _schedule_page(request)


@counselor_required
@require_POST
def session_type_new(request):
    form = SessionTypeForm(request.POST, prefix="type")
    return _apply(
        request,
        form,
        lambda data: services.session_type_create(counselor=request.user, **data),
        _("セッション種別を追加しました。"),
        name="session_type_form",
        anchor="session-types",
    )


def _own_session_type(request, session_type_id: int):
    return get_object_or_404(session_type_list_own(counselor=request.user), pk=session_type_id)


@counselor_required
@require_http_methods(["GET", "POST"])
def session_type_edit(request, session_type_id: int):
    session_type = _own_session_type(request, session_type_id)
    form = SessionTypeForm.for_session_type(session_type, posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.session_type_update(session_type=session_type, **form.cleaned_data)
        except ApplicationError as error:
            form_apply_error(form, error)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("セッション種別を保存しました。"))
            return redirect("counselor:schedule")
    return render(
        request,
        "counselor/session_type.html",
        {"session_type": session_type, "form": form},
        status=400 if form.errors else 200,
    )


@counselor_required
@require_POST
def session_type_delete(request, session_type_id: int):
    session_type = _own_session_type(request, session_type_id)
    try:
        services.session_type_delete(session_type=session_type)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("counselor:session-type", session_type_id=session_type.pk)
    messages.success(request, _("セッション種別を削除しました。"))
    return redirect("counselor:schedule")


@counselor_required
@require_POST
def hours_add(request):
    form = HoursForm(request.POST, prefix="hours")
    return _apply(
        request,
        form,
        lambda data: services.availability_rule_create(counselor=request.user, **data),
        _("受付時間を追加しました。"),
        name="hours_form",
        anchor="hours",
    )


@counselor_required
@require_POST
def hours_delete(request, rule_id: int):
    rule = get_object_or_404(availability_rule_list(counselor=request.user), pk=rule_id)
    services.availability_rule_delete(rule=rule)
    messages.success(request, _("受付時間を削除しました。"))
    return _back_to("hours")


@counselor_required
@require_POST
def time_off_add(request):
    form = TimeOffForm(request.POST, prefix="off")
    created = []

    def create(data):
        created.append(services.time_off_create(counselor=request.user, **data))

    response = _apply(
        request, form, create, _("休みを追加しました。"), name="time_off_form", anchor="time-off"
    )
    overlapped = created[0].bookings if created else []
    if overlapped:
        # The bookings stay: the counselor decides, case by case, to move or cancel them.
        messages.warning(
            request,
            _("この休みの間に%(count)s件の予約があります（%(dates)s）。予約はそのままです。")
            % {
                "count": len(overlapped),
                "dates": "、".join(local_label(booking.start) for booking in overlapped),
            },
        )
    return response


@counselor_required
@require_POST
def time_off_delete(request, time_off_id: int):
    time_off = get_object_or_404(time_off_list(counselor=request.user), pk=time_off_id)
    services.time_off_delete(time_off=time_off)
    messages.success(request, _("休みを削除しました。"))
    return _back_to("time-off")


@counselor_required
@require_POST
def meeting_link(request):
    form = MeetingLinkForm(request.POST)
    return _apply(
        request,
        form,
        lambda data: services.counselor_profile_update(counselor=request.user, **data),
        _("オンライン面談のURLの設定を保存しました。"),
        name="meeting_form",
        anchor="meeting-link",
    )


@counselor_required
@require_POST
def calendar_feed_regenerate(request):
    """A new secret address for the private calendar feed; the old one stops working."""
    calendar_feed_token_regenerate(counselor=request.user)
    messages.success(
        request, _("カレンダー配信のURLを新しくしました。カレンダーアプリに登録し直してください。")
    )
    return _back_to("calendar-feed")
