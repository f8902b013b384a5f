"""The note editor: five sections and the pattern tags, saved as a draft, signed once, then added to.

Notes are reached by their author alone (others' are 404, as in the API); a signed note refuses
edits with 409. Every page that shows a note's text writes its access row in the transaction that
loaded it; the services record their own writes.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.exceptions import ApplicationError, ConflictError
from core.forms import form_apply_error
from counseling.localtime import local_date
from counseling.models import AccessRecord, SessionNote
from counseling.selectors.bookings import booking_get
from counseling.selectors.clients import client_is_counselors
from counseling.selectors.notes import session_note_get, session_note_of_booking
from counseling.services.access import request_ip
from counseling.services.notes import (
    session_note_addendum_add,
    session_note_create,
    session_note_sign,
    session_note_update,
)
from portal.access import access_log, counselor_required
from portal.counselor_forms import AddendumForm, NoteForm, note_initial
from portal.forms import posted

# Sent by the autosave script: the draft is saved and the answer is an empty 204, not a page.
AUTOSAVE_HEADER = "X-Autosave"


def _load_note(request, note_id: int) -> SessionNote:
    """The counselor's own note (404 otherwise), its read recorded in the same transaction."""
    with transaction.atomic():
        note = session_note_get(counselor=request.user, note_id=note_id)
        access_log(request, note, AccessRecord.Action.READ)
    return note


def _editor(
    request, *, note=None, booking=None, client=None, form=None, addendum_form=None, error="", status=200
):
    if note is not None:
        booking, client = note.booking, note.client
    elif booking is not None:
        client = booking.client
    with_date = booking is None
    if form is None:
        initial = note_initial(note) if note is not None else {"date": local_date(timezone.now())}
        form = NoteForm(initial=initial, with_date=with_date)
    return render(
        request,
        "counselor/note.html",
        {
            "note": note,
            "booking": booking,
            "client": client,
            "form": form,
            "addendum_form": addendum_form or AddendumForm(),
            "autosave": note is not None and not note.is_signed,
            "error": error,
        },
        status=status,
    )


def _save(request, note: SessionNote, redirect_to: str):
    """POST of the editor on an existing note: the draft saved, or the refusal shown with its status."""
    form = NoteForm(request.POST, with_date=note.booking_id is None)
    if not form.is_valid():
        # A signed note's page shows its stored text: that is a read, logged like any other.
        shown = _load_note(request, note.pk) if note.is_signed else note
        return _editor(request, note=shown, form=form, status=400)
    try:
        session_note_update(
            note=note, counselor=request.user, ip=request_ip(request), **form.service_arguments()
        )
    except ApplicationError as error:
        if isinstance(error, ConflictError):
            # Signed meanwhile: the page shows the note as signed, not what was posted.
            return _editor(request, note=_load_note(request, note.pk), error=error.message, status=409)
        form_apply_error(form, error)
        return _editor(request, note=note, form=form, status=error.status_code)
    if request.headers.get(AUTOSAVE_HEADER):
        return HttpResponse(status=204)
    messages.success(request, _("下書きを保存しました。"))
    return redirect(redirect_to)


def _create(request, *, booking=None, client=None):
    form = NoteForm(request.POST, with_date=booking is None)
    if not form.is_valid():
        return _editor(request, booking=booking, client=client, form=form, status=400)
    try:
        note = session_note_create(
            counselor=request.user,
            booking=booking,
            client=client,
            ip=request_ip(request),
            **form.service_arguments(),
        )
    except ApplicationError as error:
        form_apply_error(form, error)
        return _editor(request, booking=booking, client=client, form=form, status=error.status_code)
    messages.success(request, _("下書きを保存しました。"))
    if booking is not None:
        return redirect("counselor:booking-note", booking_id=booking.pk)
    return redirect("counselor:note", note_id=note.pk)


@counselor_required
@require_http_methods(["GET", "POST"])
def booking_note(request, booking_id: int):
    """The note of one of the counselor's bookings: a blank editor until the first save."""
    found = booking_get(user=request.user, booking_id=booking_id)
    existing = session_note_of_booking(counselor=request.user, booking=found)
    if existing is None:
        if request.method == "POST":
            return _create(request, booking=found)
        return _editor(request, booking=found, client=found.client)
    if request.method == "POST":
        return _save(request, session_note_get(counselor=request.user, note_id=existing.pk), request.path)
    return _editor(request, note=_load_note(request, existing.pk))


@counselor_required
@require_http_methods(["GET", "POST"])
def client_note_new(request, client_id: int):
    """A note for one of the counselor's clients and a date, for a session held outside the bookings."""
    if not client_is_counselors(client_id=client_id, counselor=request.user):
        raise Http404
    client = get_user_model().objects.get(pk=client_id)
    if request.method == "POST":
        return _create(request, client=client)
    return _editor(request, client=client)


@counselor_required
@require_http_methods(["GET", "POST"])
def note(request, note_id: int):
    if request.method == "POST":
        return _save(request, session_note_get(counselor=request.user, note_id=note_id), request.path)
    return _editor(request, note=_load_note(request, note_id))


def note_url(note: SessionNote) -> str:
    if note.booking_id is not None:
        return reverse("counselor:booking-note", args=[note.booking_id])
    return reverse("counselor:note", args=[note.pk])


@counselor_required
@require_http_methods(["GET", "POST"])
def note_sign(request, note_id: int):
    """GET asks to confirm (the note as it will be kept); POST signs it."""
    if request.method == "GET":
        found = _load_note(request, note_id)
        return render(
            request, "counselor/note_sign.html", {"note": found}, status=409 if found.is_signed else 200
        )
    found = session_note_get(counselor=request.user, note_id=note_id)
    try:
        session_note_sign(note=found, counselor=request.user, ip=request_ip(request))
    except ApplicationError as error:
        return _editor(
            request, note=_load_note(request, note_id), error=error.message, status=error.status_code
        )
    messages.success(request, _("署名しました。このノートは今後変更できません。"))
    return redirect(note_url(found))


@counselor_required
@require_POST
def note_addendum(request, note_id: int):
    found = session_note_get(counselor=request.user, note_id=note_id)
    form = AddendumForm(posted(request))
    if form.is_valid():
        try:
            session_note_addendum_add(
                note=found, counselor=request.user, text=form.cleaned_data["text"], ip=request_ip(request)
            )
        except ApplicationError as error:
            form_apply_error(form, error)
            return _editor(
                request, note=_load_note(request, note_id), addendum_form=form, status=error.status_code
            )
        messages.success(request, _("追記しました。"))
        return redirect(note_url(found))
    return _editor(request, note=_load_note(request, note_id), addendum_form=form, status=400)
