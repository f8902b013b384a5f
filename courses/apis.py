from types import SimpleNamespace

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from accounts.auth import IsCounselor
from core.api import MethodPermissionsMixin, datetime_output, id_field
from core.pagination import paginated, paginated_response
from core.ratelimit import AnonymousRateLimitThrottle
from courses import selectors
from courses.models import PAYMENT_GUIDANCE_DEFAULT, Course, Enrollment, payment_guidance
from courses.renderers import RosterCsvRenderer
from courses.services.enrollments import enrollment_cancel, enrollment_create
from courses.services.scheduling import course_cancel, course_create, course_update


class SessionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


# The schema of a course as the API answers it (and the roster's course). The list, the detail and the
# write answers are built by ``course_output_rows``/``course_output`` instead: the same JSON, which a test
# compares on every kind of course, so a field added here must be added there too. (A comment, not a
# docstring: drf-spectacular would publish a docstring as the schema's description.)
class CourseOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()
    format = serializers.CharField()
    location = serializers.SerializerMethodField(
        help_text="The venue's address; for an online course the meeting URL, shown only to its counselor "
        "(enrollees receive it by email)."
    )
    capacity = serializers.IntegerField()
    price_jpy = serializers.IntegerField()
    payment_instructions = serializers.CharField(
        source="payment_guidance", help_text="How and when the fee is paid; empty for a free course."
    )
    status = serializers.CharField()
    enrollment_deadline = serializers.DateTimeField(allow_null=True)
    enrollment_open = serializers.SerializerMethodField()
    sessions = SessionOutputSerializer(many=True, source="sessions.all")
    seats_left = serializers.SerializerMethodField()
    waitlist_count = serializers.IntegerField()

    def get_location(self, course: Course) -> str:
        return _location_shown(course.format, course.location, course.counselor_id, self.context.get("user"))

    def get_enrollment_open(self, course: Course) -> bool:
        return selectors.enrollment_is_open(course=course, sessions=list(course.sessions.all()))

    def get_seats_left(self, course: Course) -> int:
        return max(course.capacity - course.confirmed_count, 0)


def _location_shown(format: str, location: str, counselor_id: int, user) -> str:
    """A venue's address for anyone; an online course's meeting URL for its counselor alone."""
    if format == Course.Format.VENUE or (user is not None and user.pk == counselor_id):
        return location
    return ""


def course_output_rows(rows: list[dict], *, user) -> list[dict]:
    """The JSON of ``CourseOutputSerializer(courses, many=True, context={"user": user})`` for rows of
    ``selectors.course_list_page``: plain dicts, one time-zone lookup. Half the CPU of the nested
    serializer over model instances on a page of 20."""
    zone, now, guidance = timezone.get_current_timezone(), timezone.now(), str(PAYMENT_GUIDANCE_DEFAULT)
    return [
        _course_json(row, row["sessions"], user=user, zone=zone, now=now, guidance=guidance) for row in rows
    ]


def course_output(course: Course, *, user) -> dict:
    """One course (from ``selectors.course_get``, its sessions prefetched) as ``course_output_rows``
    writes it."""
    row = {field: getattr(course, field) for field in selectors.COURSE_ROW_FIELDS}
    sessions = [
        {"id": session.pk, "starts_at": session.starts_at, "ends_at": session.ends_at}
        for session in course.sessions.all()
    ]
    return _course_json(
        row,
        sessions,
        user=user,
        zone=timezone.get_current_timezone(),
        now=timezone.now(),
        guidance=str(PAYMENT_GUIDANCE_DEFAULT),
    )


def _course_json(row: dict, sessions: list[dict], *, user, zone, now, guidance: str) -> dict:
    # Keys in the serializer's field order, so that the bytes are the same too.
    return {
        "id": row["id"],
        "title": row["title"],
        "description": row["description"],
        "format": row["format"],
        "location": _location_shown(row["format"], row["location"], row["counselor_id"], user),
        "capacity": row["capacity"],
        "price_jpy": row["price_jpy"],
        "payment_instructions": payment_guidance(
            price_jpy=row["price_jpy"], payment_instructions=row["payment_instructions"], default=guidance
        ),
        "status": row["status"],
        "enrollment_deadline": datetime_output(row["enrollment_deadline"], zone),
        "enrollment_open": selectors.enrollment_is_open(
            course=SimpleNamespace(status=row["status"], enrollment_deadline=row["enrollment_deadline"]),
            sessions=[SimpleNamespace(starts_at=session["starts_at"]) for session in sessions[:1]],
            now=now,
        ),
        "sessions": [
            {
                "id": session["id"],
                "starts_at": datetime_output(session["starts_at"], zone),
                "ends_at": datetime_output(session["ends_at"], zone),
            }
            for session in sessions
        ],
        "seats_left": max(row["capacity"] - row["confirmed_count"], 0),
        "waitlist_count": row["waitlist_count"],
    }


def _course_response(course_id: int, request, *, status_code: int = status.HTTP_200_OK) -> Response:
    course = selectors.course_get(course_id=course_id, user=request.user)
    return Response(course_output(course, user=request.user), status=status_code)


class SessionInputSerializer(serializers.Serializer):
    id = id_field(required=False, help_text="An existing session to keep (on update).")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class CourseInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=20_000, allow_blank=True, required=False)
    format = serializers.ChoiceField(choices=Course.Format.choices)
    location = serializers.CharField(max_length=500)
    capacity = serializers.IntegerField(min_value=1, max_value=10_000)
    price_jpy = serializers.IntegerField(min_value=0, max_value=10_000_000, required=False)
    payment_instructions = serializers.CharField(max_length=2000, allow_blank=True, required=False)
    # Cancelling has its own operation, since it cancels every enrollment and emails everyone.
    status = serializers.ChoiceField(
        choices=[(Course.Status.DRAFT, _("下書き")), (Course.Status.PUBLISHED, _("公開中"))], required=False
    )
    enrollment_deadline = serializers.DateTimeField(allow_null=True, required=False)
    sessions = SessionInputSerializer(many=True, min_length=1, max_length=100)


class CourseListApi(MethodPermissionsMixin, APIView):
    permission_classes = (IsCounselor,)
    method_permissions = {"GET": (AllowAny,)}

    @extend_schema(responses={200: paginated(CourseOutputSerializer)})
    def get(self, request):
        return paginated_response(
            request=request,
            view=self,
            # Rows, not instances: a page, its sessions and the length of the list in one query.
            page_of=lambda offset, limit: selectors.course_list_page(
                user=request.user, offset=offset, limit=limit
            ),
            output=lambda rows: course_output_rows(rows, user=request.user),
        )

    @extend_schema(request=CourseInputSerializer, responses={201: CourseOutputSerializer})
    def post(self, request):
        serializer = CourseInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        course = course_create(counselor=request.user, **serializer.validated_data)
        return _course_response(course.pk, request, status_code=status.HTTP_201_CREATED)


class CourseDetailApi(MethodPermissionsMixin, APIView):
    permission_classes = (IsCounselor,)
    method_permissions = {"GET": (AllowAny,)}

    @extend_schema(responses={200: CourseOutputSerializer})
    def get(self, request, course_id: int):
        return _course_response(course_id, request)

    def _update(self, request, course_id: int, *, partial: bool) -> Response:
        course = selectors.course_get_owned(course_id=course_id, counselor=request.user)
        serializer = CourseInputSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        course_update(course=course, **serializer.validated_data)
        return _course_response(course_id, request)

    @extend_schema(request=CourseInputSerializer, responses={200: CourseOutputSerializer})
    def put(self, request, course_id: int):
        return self._update(request, course_id, partial=False)

    @extend_schema(request=CourseInputSerializer, responses={200: CourseOutputSerializer})
    def patch(self, request, course_id: int):
        return self._update(request, course_id, partial=True)


class CourseCancelApi(APIView):
    permission_classes = (IsCounselor,)

    @extend_schema(request=None, responses={200: CourseOutputSerializer})
    def post(self, request, course_id: int):
        course = selectors.course_get_owned(course_id=course_id, counselor=request.user)
        course_cancel(course=course)
        return _course_response(course_id, request)


class EnrollmentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    course = serializers.IntegerField(source="course_id")
    status = serializers.CharField()
    waitlist_position = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    cancelled_at = serializers.DateTimeField(allow_null=True)

    def get_waitlist_position(self, enrollment: Enrollment) -> int | None:
        return selectors.enrollment_waitlist_position(enrollment=enrollment)


class CourseEnrollApi(APIView):
    """A signed-in client enrolls with no body; a guest sends a name and an email address."""

    permission_classes = (AllowAny,)
    # Guests write without an account; signed-in clients and counselors are not limited here.
    throttle_classes = (AnonymousRateLimitThrottle,)
    throttle_scope = "anon_write"

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=100)
        email = serializers.EmailField(max_length=254)

    @extend_schema(
        request=InputSerializer,
        responses={201: EnrollmentOutputSerializer, 200: EnrollmentOutputSerializer},
        description="201 with `confirmed` or `waitlisted` for a new enrollment; 200 with the existing one "
        "when the same client or guest address is already enrolled.",
    )
    def post(self, request, course_id: int):
        user = request.user
        if user.is_authenticated and not user.is_client:
            raise exceptions.PermissionDenied(_("講座に申し込めるのはクライアントまたはゲストです。"))
        course = selectors.course_get(course_id=course_id, user=user)
        if user.is_authenticated:
            enrollment, created = enrollment_create(course=course, user=user)
        else:
            serializer = self.InputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            enrollment, created = enrollment_create(
                course=course,
                guest_name=serializer.validated_data["name"],
                guest_email=serializer.validated_data["email"],
            )
        return Response(
            EnrollmentOutputSerializer(enrollment).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class EnrollmentCancelApi(APIView):
    """The enrollee, the course's counselor, or the holder of the emailed link (`token`) cancels."""

    permission_classes = (AllowAny,)
    # Guests write without an account; signed-in clients and counselors are not limited here.
    throttle_classes = (AnonymousRateLimitThrottle,)
    throttle_scope = "anon_write"

    class InputSerializer(serializers.Serializer):
        token = serializers.CharField(max_length=1000, required=False, allow_blank=True)

    @extend_schema(
        request=InputSerializer,
        parameters=[OpenApiParameter("token", str, required=False, description="The emailed cancel token.")],
        responses={200: EnrollmentOutputSerializer},
    )
    def post(self, request, enrollment_id: int):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token = request.query_params.get("token") or serializer.validated_data.get("token", "")
        enrollment = selectors.enrollment_get_cancellable(
            enrollment_id=enrollment_id, user=request.user, token=token
        )
        enrollment = enrollment_cancel(enrollment=enrollment)
        return Response(EnrollmentOutputSerializer(enrollment).data)


class RosterEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="person_name")
    email = serializers.EmailField(source="person_email")
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    waitlist_position = serializers.IntegerField(allow_null=True)
    enrolled_at = serializers.DateTimeField(source="created_at")


class CourseRosterApi(APIView):
    """Who comes, for the course's counselor; `?format=csv` for a spreadsheet."""

    permission_classes = (IsCounselor,)

    def get_renderers(self):
        # The configured renderers (JSON alone in production, the browsable API in development), and CSV.
        return [renderer() for renderer in (*api_settings.DEFAULT_RENDERER_CLASSES, RosterCsvRenderer)]

    class OutputSerializer(serializers.Serializer):
        course = CourseOutputSerializer()
        enrollments = RosterEntrySerializer(many=True)

    @extend_schema(
        parameters=[OpenApiParameter("format", str, enum=["json", "csv"], required=False)],
        responses={200: OutputSerializer},
    )
    def get(self, request, course_id: int):
        course = selectors.course_get_owned(course_id=course_id, counselor=request.user)
        enrollments = list(selectors.enrollment_roster(course=course))
        position = 0
        for enrollment in enrollments:
            # The roster is in arrival order, so the waitlist positions are counted here, not queried.
            is_waiting = enrollment.status == Enrollment.Status.WAITLISTED
            position += is_waiting
            enrollment.waitlist_position = position if is_waiting else None
        response = Response(
            self.OutputSerializer(
                {"course": course, "enrollments": enrollments}, context={"user": request.user}
            ).data
        )
        if request.accepted_renderer.format == "csv":
            response["Content-Disposition"] = f'attachment; filename="course-{course.pk}-roster.csv"'
        return response
