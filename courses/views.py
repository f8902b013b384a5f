"""The page behind the cancel link in course emails: a GET only asks, a POST cancels.

Mail scanners and link previews open every link they see; a cancel done on GET would drop
people from courses they never meant to leave.
"""

from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache

from core.exceptions import ApplicationError
from courses import selectors, services
from courses.models import Enrollment

TEMPLATE = "courses/enrollment_cancel.html"


@method_decorator(never_cache, name="dispatch")
class EnrollmentCancelPageView(View):
    def _render(
        self, request, *, state: str, enrollment: Enrollment | None = None, status: int = 200, **extra
    ):
        context = {"state": state, "enrollment": enrollment, **extra}
        if enrollment is not None:
            context.update(course=enrollment.course, sessions=list(enrollment.course.sessions.all()))
        response = render(request, TEMPLATE, context, status=status)
        # The page's address holds the token: keep it out of search engines and other sites' logs.
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Referrer-Policy"] = "no-referrer"
        return response

    def _enrollment(self, enrollment_id: int, token: str) -> Enrollment | None:
        return selectors.enrollment_get_cancellable(enrollment_id=enrollment_id, user=None, token=token)

    def get(self, request, enrollment_id: int):
        token = request.GET.get("token", "")
        enrollment = self._enrollment(enrollment_id, token)
        if enrollment is None:
            return self._render(request, state="invalid", status=404)
        state = "already" if enrollment.status == Enrollment.Status.CANCELLED else "confirm"
        return self._render(request, state=state, enrollment=enrollment, token=token)

    def post(self, request, enrollment_id: int):
        token = request.POST.get("token", "") or request.GET.get("token", "")
        enrollment = self._enrollment(enrollment_id, token)
        if enrollment is None:
            return self._render(request, state="invalid", status=404)
        if enrollment.status == Enrollment.Status.CANCELLED:
            return self._render(request, state="already", enrollment=enrollment)
        try:
            enrollment = services.enrollment_cancel(enrollment_id=enrollment.pk)
        except ApplicationError as error:
            return self._render(
                request, state="error", enrollment=enrollment, message=error.message, status=400
            )
        return self._render(request, state="done", enrollment=enrollment)
