"""The counselor's intake review; the agenda is in counselor_agenda, the client file in counselor_clients."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.exceptions import ApplicationError
from counseling.models import AccessRecord
from counseling.selectors.intakes import intake_get
from counseling.selectors.patterns import suggestions_for_answers
from counseling.services.access import request_ip
from counseling.services.intakes import intake_set_status
from portal.access import access_log, counselor_required
from portal.forms import IntakeStatusForm, posted


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
