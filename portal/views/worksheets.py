"""Worksheets on both sides: the client fills in and hands in, the counselor reads and reviews.

Every page that shows a worksheet writes its access-log row before rendering; the services log
their own writes (entry, submit, review).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.exceptions import ApplicationError
from core.localtime import local_date
from counseling.models import AccessAction
from counseling.selectors.worksheets import worksheet_get, worksheet_list, worksheet_review_queue
from counseling.services.access import access_log, request_ip
from counseling.services.worksheets import worksheet_entry_add, worksheet_review, worksheet_submit
from portal.access import client_required, counselor_required
from portal.forms import posted
from portal.worksheet_forms import ReviewForm, WorksheetEntryForm, answers_for_display

if TYPE_CHECKING:
    from counseling.models import Worksheet


def _entries_for_display(worksheet: Worksheet) -> list[dict]:
    schema = worksheet.template.answer_schema
    return [
        {"entry": entry, "answers": answers_for_display(schema, entry.answers)}
        for entry in worksheet.entries.all()
    ]


def _shown_list(request, worksheets) -> list[Worksheet]:
    shown = list(worksheets)
    access_log(request, shown, AccessAction.LIST)
    return shown


# --- Client ------------------------------------------------------------------------------------


@client_required
@require_GET
def client_worksheets(request):
    return render(
        request,
        "portal/worksheets.html",
        {"worksheets": _shown_list(request, worksheet_list(user=request.user))},
    )


@client_required
@require_http_methods(["GET", "POST"])
def client_worksheet(request, worksheet_id: int):
    """The worksheet with its entries; POST adds a dated entry while it is still being filled in."""
    worksheet = worksheet_get(user=request.user, worksheet_id=worksheet_id)
    form = WorksheetEntryForm(
        posted(request), schema=worksheet.template.answer_schema, today=local_date(timezone.now())
    )
    if request.method == "POST" and form.is_valid():
        try:
            worksheet_entry_add(
                worksheet=worksheet,
                user=request.user,
                date=form.cleaned_data["date"],
                answers=form.answers(),
                ip=request_ip(request),
            )
        except ApplicationError as error:
            answer_errors = error.extra.get("answers")
            if answer_errors:
                form.add_answer_errors(answer_errors)
            elif "date" in error.extra:
                form.add_error("date", error.extra["date"])
            else:
                form.add_error(None, error.message)
        else:
            messages.success(request, _("記入を保存しました。"))
            return redirect("portal:worksheet", worksheet_id=worksheet.pk)
    access_log(request, worksheet, AccessAction.READ)
    return render(
        request,
        "portal/worksheet.html",
        {"worksheet": worksheet, "entries": _entries_for_display(worksheet), "form": form},
        status=400 if form.errors or any(block.errors for block in form.layout) else 200,
    )


@client_required
@require_POST
def client_worksheet_submit(request, worksheet_id: int):
    worksheet = worksheet_get(user=request.user, worksheet_id=worksheet_id)
    try:
        worksheet_submit(worksheet=worksheet, user=request.user, ip=request_ip(request))
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("提出しました。カウンセラーからのコメントをお待ちください。"))
    return redirect("portal:worksheet", worksheet_id=worksheet.pk)


# --- Counselor ---------------------------------------------------------------------------------


@counselor_required
@require_GET
def review_queue(request):
    return render(
        request,
        "counselor/worksheets.html",
        {"worksheets": _shown_list(request, worksheet_review_queue(counselor=request.user))},
    )


@counselor_required
@require_http_methods(["GET", "POST"])
def review(request, worksheet_id: int):
    """A submitted worksheet's entries, and the comment that completes the review."""
    worksheet = worksheet_get(user=request.user, worksheet_id=worksheet_id)
    form = ReviewForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            worksheet_review(
                worksheet=worksheet,
                counselor=request.user,
                comment=form.cleaned_data["comment"],
                ip=request_ip(request),
            )
        except ApplicationError as error:
            form.add_error("comment" if "comment" in error.extra else None, error.message)
        else:
            messages.success(request, _("コメントを送りました。"))
            return redirect("counselor:worksheets")
    access_log(request, worksheet, AccessAction.READ)
    return render(
        request,
        "counselor/worksheet.html",
        {"worksheet": worksheet, "entries": _entries_for_display(worksheet), "form": form},
        status=400 if form.errors else 200,
    )
