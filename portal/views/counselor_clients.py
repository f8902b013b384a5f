"""The counselor's clients: the searchable list, the client file (intake, bookings, digest, pattern
profile, notes, worksheets), booking for a client, and assigning a worksheet.

Every intake, note or worksheet whose content a page shows is recorded in the access log inside the
transaction that read it, as the API's reads are.
"""

import uuid

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.api import check_calendar_range
from core.exceptions import ApplicationError
from core.forms import form_apply_error
from core.localtime import local_date
from counseling.models import AccessAction, BookingStatus
from counseling.selectors.bookings import booking_get
from counseling.selectors.client_file import (
    client_bookings,
    client_digest,
    client_get_for_counselor,
    client_intakes,
    client_search,
    client_worksheets_by_status,
    worksheet_template_groups,
)
from counseling.selectors.intakes import intake_latest_for_client
from counseling.selectors.notes import session_note_get, session_note_list
from counseling.selectors.profiles import pattern_profile
from counseling.selectors.schedule import session_type_list_own
from counseling.selectors.series import series_preview
from counseling.selectors.worksheets import worksheet_list
from counseling.services.access import access_log, request_ip
from counseling.services.intakes import intake_decidable_by
from counseling.services.series import booking_series_create
from counseling.services.worksheets import worksheet_assign
from portal import profile_chart, selectors
from portal.access import counselor_required
from portal.client_file_forms import (
    ClientSearchForm,
    RepeatForm,
    SeriesBookForm,
    SessionTypeChoiceForm,
    WorksheetAssignForm,
)
from portal.forms import TagFilterForm, posted
from portal.worksheet_forms import answers_short


@counselor_required
@require_GET
def clients(request):
    form = ClientSearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    return render(
        request,
        "counselor/clients.html",
        {
            "form": form,
            "query": query,
            "clients": client_search(counselor=request.user, query=query),
            "now": timezone.now(),
        },
        status=200 if form.is_valid() else 400,
    )


@counselor_required
@require_GET
def client(request, client_id: int):
    """The client file; ``?tag=`` narrows the notes timeline to one pattern."""
    found = client_get_for_counselor(counselor=request.user, client_id=client_id)
    form = TagFilterForm(request.GET)
    tag = form.cleaned_data["tag"] if form.is_valid() else None
    now = timezone.now()
    with transaction.atomic():
        intakes = list(client_intakes(client_id=found.pk))
        access_log(request, intakes, AccessAction.LIST)
        notes = list(session_note_list(counselor=request.user, client=found, tag=tag or None))
        # The notes are shown in full: each is a read.
        access_log(request, notes, AccessAction.READ)
        worksheets = list(worksheet_list(user=request.user, client_id=found.pk))
        access_log(request, worksheets, AccessAction.LIST)
        profile = pattern_profile(counselor=request.user, client_id=found.pk)
        access_log(request, profile.notes, AccessAction.PROFILE)
        digest = client_digest(counselor=request.user, client_id=found.pk)
        access_log(request, digest.worksheets, AccessAction.READ)
        # The last note's homework is a read of that note, once, unless the timeline shows it already.
        if digest.homework and digest.homework.note.pk not in {note.pk for note in notes}:
            access_log(request, digest.homework.note, AccessAction.READ)
    bookings = list(client_bookings(counselor=request.user, client_id=found.pk))
    return render(
        request,
        "counselor/client.html",
        {
            "client": found,
            "intakes": intakes,
            "decidable": [i for i in intakes if intake_decidable_by(intake=i, counselor=request.user)],
            "upcoming": [b for b in bookings if b.end >= now and b.status == BookingStatus.CONFIRMED],
            "past": [
                b for b in reversed(bookings) if not (b.end >= now and b.status == BookingStatus.CONFIRMED)
            ],
            "notes": notes,
            "form": form,
            "tag": tag,
            "worksheet_groups": client_worksheets_by_status(worksheets=worksheets),
            "chart": profile_chart.profile_chart(profile, today=local_date(now)),
            "profile": profile,
            "digest": digest,
            "digest_lines": [
                {
                    "entry": entry,
                    "summary": answers_short(entry.worksheet.template.answer_schema, entry.answers),
                }
                for entry in digest.entries
            ],
        },
        status=200 if form.is_valid() else 400,
    )


# --- Booking for the client ------------------------------------------------------------------------


def _book_page(request, found, *, status: int = 200, error: str = "", **context):
    return render(
        request,
        "counselor/client_book.html",
        {"client": found, "error": error, **context},
        status=status,
    )


def _preview_context(session_type, starts):
    occurrences = series_preview(session_type=session_type, starts=starts)
    free = [occurrence.start for occurrence in occurrences if occurrence.is_free]
    return {
        "occurrences": occurrences,
        "free_count": len(free),
        "book_form": SeriesBookForm(
            initial={"starts": [start.isoformat() for start in free], "idempotency_key": uuid.uuid4().hex},
            starts=free,
        ),
    }


@counselor_required
@require_http_methods(["GET", "POST"])
def client_book(request, client_id: int):
    """Pick a session type and a free slot, say whether it repeats, see each occurrence's state, and
    book the free ones (POST) — all of them or, when one was taken meanwhile, none."""
    found = client_get_for_counselor(counselor=request.user, client_id=client_id)
    session_types = session_type_list_own(counselor=request.user).filter(active=True)
    choice = SessionTypeChoiceForm(request.GET or None, session_types=session_types)
    if not choice.is_valid():
        return _book_page(
            request,
            found,
            choice=choice,
            status=400 if request.GET else 200,
            error=" ".join(choice.errors.get("start_day", [])),
        )
    session_type = choice.cleaned_data["session_type"]
    context = {"choice": choice, "session_type": session_type}

    if request.method == "POST":
        form = SeriesBookForm(request.POST, starts=[])
        form.fields["starts"].choices = [(value, value) for value in request.POST.getlist("starts")]
        if not form.is_valid():
            # A date outside the accepted years says so; anything else was not a chosen slot.
            error = (
                " ".join(form.errors.get("starts", [])) if form.has_error("starts", "calendar_range") else ""
            )
            return _book_page(
                request, found, status=400, error=error or _("予約する日時を選んでください。"), **context
            )
        starts = form.cleaned_data["starts"]
        try:
            booked = booking_series_create(
                counselor=request.user,
                client=found,
                session_type=session_type,
                starts=starts,
                idempotency_key=form.cleaned_data["idempotency_key"],
            )
        except ApplicationError as error:
            return _book_page(
                request,
                found,
                status=error.status_code,
                error=error.message,
                **context,
                **_preview_context(session_type, starts),
            )
        messages.success(
            request,
            _("%(count)s回の予約を確定し、クライアントにメールでお知らせしました。") % {"count": len(booked)},
        )
        return redirect("counselor:client", client_id=found.pk)

    if "start" not in request.GET:
        week = selectors.slot_week(
            session_type=session_type,
            start_day=choice.cleaned_data["start_day"],
            window=settings.COUNSELING_COUNSELOR_BOOKING_WINDOW,
        )
        return _book_page(request, found, week=week, **context)
    try:
        first = forms.DateTimeField(
            validators=[check_calendar_range], error_messages={"invalid": _("時刻の指定が正しくありません。")}
        ).clean(request.GET["start"])
    except ValidationError as error:
        return _book_page(request, found, status=400, error=" ".join(error.messages), **context)
    repeat = RepeatForm(request.GET if "repeat" in request.GET else None, initial={"start": first})
    context.update(repeat=repeat, first=first)
    if repeat.is_bound:
        if not repeat.is_valid():
            return _book_page(request, found, status=400, **context)
        context.update(_preview_context(session_type, repeat.starts()))
    return _book_page(request, found, **context)


# --- Assigning a worksheet -------------------------------------------------------------------------


def _opened_from(request, found):
    """The note (``?note=``) and booking (``?booking=``) the assign page was opened from, if they are
    this client's: the worksheet becomes the note's homework, and the page returns there."""
    note_id, booking_id = request.GET.get("note", ""), request.GET.get("booking", "")
    note = booking = None
    if note_id.isdecimal():
        note = session_note_get(counselor=request.user, note_id=int(note_id))
        if note.client_id != found.pk:
            raise Http404
    if booking_id.isdecimal():
        booking = booking_get(user=request.user, booking_id=int(booking_id))
        if booking.client_id != found.pk:
            raise Http404
    return note, booking


@counselor_required
@require_http_methods(["GET", "POST"])
def worksheet_assign_view(request, client_id: int):
    found = client_get_for_counselor(counselor=request.user, client_id=client_id)
    note, booking = _opened_from(request, found)
    if note is not None:
        back = reverse("counselor:note", args=[note.pk])
    elif booking is not None:
        back = reverse("counselor:booking", args=[booking.pk])
    else:
        back = reverse("counselor:client", args=[found.pk])
    today = local_date(timezone.now())
    with transaction.atomic():
        # The suggestions come from the intake's self-check and the note's tags: both are read.
        intake = intake_latest_for_client(client=found)
        groups = worksheet_template_groups(intake=intake, note=note)
        if intake is not None:
            access_log(request, intake, AccessAction.LIST)
        if note is not None:
            access_log(request, note, AccessAction.READ)
    form = WorksheetAssignForm(posted(request), groups=groups, today=today)
    if request.method == "POST" and form.is_valid():
        try:
            worksheet_assign(
                counselor=request.user,
                client=found,
                template=form.chosen_template(),
                due_date=form.cleaned_data["due_date"],
                message=form.cleaned_data["message"],
                session_note=note,
                ip=request_ip(request),
            )
        except ApplicationError as error:
            form_apply_error(form, error)
        else:
            messages.success(request, _("ワークシートを割り当て、クライアントにメールでお知らせしました。"))
            return redirect(back)
    return render(
        request,
        "counselor/worksheet_assign.html",
        {"client": found, "form": form, "note": note, "booking": booking, "back": back},
        status=400 if form.errors else 200,
    )
