"""The counselor's intake review and client records (the agenda lives in counselor_agenda)."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.exceptions import ApplicationError
from counseling.models import AccessRecord
from counseling.selectors.clients import client_is_counselors, client_list_for_counselor
from counseling.selectors.intakes import intake_get
from counseling.selectors.notes import session_note_list
from counseling.selectors.patterns import suggestions_for_answers
from counseling.selectors.worksheets import worksheet_list
from counseling.services.access import request_ip
from counseling.services.intakes import intake_set_status
from portal.access import access_log, counselor_required
from portal.forms import IntakeStatusForm, TagFilterForm, posted


@counselor_required
@require_http_methods(["GET", "POST"])
def intake(request, intake_id: int):
    found = intake_get(user=request.user, intake_id=intake_id)
    form = IntakeStatusForm(posted(request), intake=found)
    if request.method == "POST" and form.is_valid():
        try:
            intake_set_status(
                intake=found,
                counselor=request.user,
                status=form.cleaned_data["status"],
                ip=request_ip(request),
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("インテークの状態を変更しました。"))
            return redirect("counselor:intake", intake_id=found.pk)
    # Logged when shown: the page renders only once its access row is written.
    access_log(request, found, AccessRecord.Action.READ)
    answers = list(found.answers.all())
    return render(
        request,
        "counselor/intake.html",
        {"intake": found, "answers": answers, "suggestions": suggestions_for_answers(answers), "form": form},
        status=400 if form.errors else 200,
    )


@counselor_required
@require_GET
def clients(request):
    return render(
        request,
        "counselor/clients.html",
        {"clients": client_list_for_counselor(counselor=request.user).order_by("display_name", "email")},
    )


@counselor_required
@require_GET
def client_notes(request, client_id: int):
    """One client's session notes, newest first, with their pattern tags; ``?tag=`` narrows them."""
    if not client_is_counselors(client_id=client_id, counselor=request.user):
        raise Http404
    client = get_user_model().objects.get(pk=client_id)
    form = TagFilterForm(request.GET)
    tag = form.cleaned_data["tag"] if form.is_valid() else None
    with transaction.atomic():
        notes = list(session_note_list(counselor=request.user, client=client, tag=tag or None))
        # The notes are shown in full: each is a read.
        access_log(request, notes, AccessRecord.Action.READ)
        worksheets = list(worksheet_list(user=request.user, client_id=client.pk))
        access_log(request, worksheets, AccessRecord.Action.LIST)
    return render(
        request,
        "counselor/client_notes.html",
        {"client": client, "notes": notes, "worksheets": worksheets, "form": form, "tag": tag},
        status=200 if form.is_valid() else 400,
    )
