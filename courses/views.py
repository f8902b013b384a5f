"""Course pages: the public list and detail with enrollment, and the page behind the cancel link.

The cancel link's GET only asks and a POST cancels: mail scanners and link previews open every link
they see, and a cancel done on GET would drop people from courses they never meant to leave.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from core.exceptions import ApplicationError
from core.forms import form_apply_error
from core.ratelimit import client_ip, rate_limit_allows
from courses import selectors, services
from courses.forms import GuestEnrollForm
from courses.models import ACTIVE_STATUSES, Course, Enrollment

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
        # "same-origin", not "no-referrer": with no referrer at all the browser sends "Origin: null"
        # with the page's own form, and Django's CSRF check refuses the cancel.
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Referrer-Policy"] = "same-origin"
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


def _course_or_404(request, course_id: int) -> Course:
    course = selectors.course_get(course_id=course_id, user=request.user)
    if course is None:
        raise Http404
    return course


def _course_facts(course: Course) -> dict:
    sessions = list(course.sessions.all())
    return {
        "course": course,
        "sessions": sessions,
        "seats_left": max(course.capacity - course.confirmed_count, 0),
        "enrollment_open": selectors.enrollment_is_open(course=course, sessions=sessions),
        "closes_at": selectors.enrollment_closes_at(course=course, sessions=sessions),
    }


@require_GET
def course_list_page(request):
    courses = [_course_facts(course) for course in selectors.course_list(user=request.user)]
    return render(request, "courses/course_list.html", {"courses": courses})


def _detail_page(request, course: Course, *, form=None, error: str = "", status: int = 200):
    context = {**_course_facts(course), "form": form, "error": error}
    if request.user.is_authenticated and request.user.is_client:
        context["my_enrollment"] = course.enrollments.filter(
            user=request.user, status__in=ACTIVE_STATUSES
        ).first()
    return render(request, "courses/course_detail.html", context, status=status)


@require_http_methods(["GET", "POST"])
def course_detail_page(request, course_id: int):
    """The course with seats left; a guest enrolls with name and email, a client with one button."""
    course = _course_or_404(request, course_id)
    user = request.user
    is_guest = not user.is_authenticated
    form = GuestEnrollForm(request.POST if request.method == "POST" else None) if is_guest else None
    if request.method == "GET":
        return _detail_page(request, course, form=form)
    if not is_guest and not user.is_client:
        raise PermissionDenied
    if is_guest:
        # Guests write without an account: the same limit as the API's guest enrollment.
        if not rate_limit_allows(scope="anon_write", key=client_ip(request)):
            error = _("お申込みが続いています。しばらくたってからもう一度お試しください。")
            return _detail_page(request, course, form=form, error=error, status=429)
        if not form.is_valid():
            return _detail_page(request, course, form=form, status=400)
        enrollee = {"guest_name": form.cleaned_data["name"], "guest_email": form.cleaned_data["email"]}
    else:
        enrollee = {"user": user}
    try:
        enrollment, _created = services.enrollment_create(course_id=course.pk, **enrollee)
    except ApplicationError as error:
        if form is not None:
            form_apply_error(form, error)
        return _detail_page(request, course, form=form, error="" if form else error.message, status=400)
    return render(
        request,
        "courses/enrollment_done.html",
        {
            "course": course,
            "enrollment": enrollment,
            "position": selectors.enrollment_waitlist_position(enrollment=enrollment),
        },
    )
