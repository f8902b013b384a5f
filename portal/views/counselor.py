"""The counselor's dashboard: the week's sessions, new intakes, the newsletter's next slot and figures."""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.exceptions import ApplicationError
from counseling.localtime import local_date
from counseling.models import AccessRecord, Booking, Intake
from counseling.selectors.bookings import booking_list
from counseling.selectors.intakes import intake_get, intake_list
from counseling.selectors.patterns import suggestions_for_answers
from counseling.selectors.worksheets import worksheet_review_queue
from counseling.services.access import request_ip
from counseling.services.intakes import intake_set_status
from portal import selectors
from portal.access import access_log, counselor_required
from portal.forms import IntakeStatusForm, posted


@counselor_required
@require_GET
def home(request):
    now = timezone.now()
    today = local_date(now)
    monday, sunday = selectors.week_bounds(today)
    week = list(
        booking_list(user=request.user, date_from=monday, date_to=sunday).filter(
            status__in=Booking.BLOCKING_STATUSES
        )
    )
    with transaction.atomic():
        new_intakes = list(
            intake_list(user=request.user, status=Intake.Status.SUBMITTED).order_by("created_at", "id")
        )
        access_log(request, new_intakes, AccessRecord.Action.LIST)
        review_queue = list(worksheet_review_queue(counselor=request.user)[:10])
        access_log(request, review_queue, AccessRecord.Action.LIST)
    return render(
        request,
        "counselor/home.html",
        {
            "today": today,
            "today_sessions": [b for b in week if local_date(b.start) == today],
            "week_days": selectors.bookings_by_day(week),
            "monday": monday,
            "sunday": sunday,
            "new_intakes": new_intakes,
            "review_queue": review_queue,
            "newsletter": selectors.newsletter_summary(now=now),
        },
    )


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
