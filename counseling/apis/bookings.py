from datetime import datetime

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.auth import IsClient, IsCounselor
from core.pagination import paginated, paginated_response
from counseling.apis.common import (
    CalendarDateTimeField,
    FromToFilterSerializer,
    MethodPermissionsMixin,
    PersonSerializer,
)
from counseling.calendar import booking_ics, booking_location
from counseling.models import Booking
from counseling.policy import MARKABLE, BookingPolicy, booking_role
from counseling.selectors.availability import session_type_list_active
from counseling.selectors.bookings import booking_get, booking_list
from counseling.services.bookings import booking_cancel, booking_create, booking_mark, booking_reschedule

IDEMPOTENCY_HEADER = "Idempotency-Key"


class BookingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    session_type = serializers.IntegerField(source="session_type_id")
    session_type_name = serializers.CharField(source="session_type.name")
    format = serializers.CharField(source="session_type.format")
    location = serializers.SerializerMethodField()
    start = CalendarDateTimeField()
    end = serializers.DateTimeField()
    status = serializers.CharField()
    meeting_url = serializers.CharField()
    client = PersonSerializer()
    counselor = PersonSerializer()
    sequence = serializers.IntegerField()
    cancelled_at = serializers.DateTimeField()
    created_at = serializers.DateTimeField()
    # The booking policy as it stands for the caller now (counseling.policy): what they may still do.
    change_deadline = serializers.SerializerMethodField(
        help_text="Until this instant a client may cancel freely and reschedule."
    )
    inside_cancellation_window = serializers.SerializerMethodField()
    cancel_allowed = serializers.SerializerMethodField()
    cancel_is_late = serializers.SerializerMethodField(
        help_text="A cancellation by the caller now would be recorded as late_cancelled."
    )
    reschedule_allowed = serializers.SerializerMethodField()
    mark_allowed = serializers.SerializerMethodField()

    def get_location(self, booking) -> str:
        return booking_location(booking)

    def _policy(self, booking) -> BookingPolicy:
        return BookingPolicy(booking=booking, role=booking_role(booking, self.context["request"].user))

    def get_change_deadline(self, booking) -> datetime:
        return serializers.DateTimeField().to_representation(self._policy(booking).change_deadline)

    def get_inside_cancellation_window(self, booking) -> bool:
        return self._policy(booking).inside_cancellation_window

    def get_cancel_allowed(self, booking) -> bool:
        return self._policy(booking).cancel_allowed

    def get_cancel_is_late(self, booking) -> bool:
        return self._policy(booking).cancel_is_late

    def get_reschedule_allowed(self, booking) -> bool:
        return self._policy(booking).reschedule_allowed

    def get_mark_allowed(self, booking) -> bool:
        return self._policy(booking).mark_allowed


def _booking_response(request, booking_id: int, *, status_code: int = status.HTTP_200_OK) -> Response:
    booking = booking_get(user=request.user, booking_id=booking_id)
    return Response(BookingSerializer(booking, context={"request": request}).data, status=status_code)


class BookingListApi(MethodPermissionsMixin, APIView):
    permission_classes = (IsAuthenticated,)
    method_permissions = {"POST": (IsClient,)}

    class FilterSerializer(FromToFilterSerializer):
        status = serializers.ChoiceField(choices=Booking.Status.choices, required=False)

    class InputSerializer(serializers.Serializer):
        session_type = serializers.PrimaryKeyRelatedField(queryset=session_type_list_active())
        start = CalendarDateTimeField()

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=Booking.Status.values),
            OpenApiParameter("from", str, description="YYYY-MM-DD (Asia/Tokyo)"),
            OpenApiParameter("to", str, description="YYYY-MM-DD (Asia/Tokyo), inclusive"),
        ],
        responses={200: paginated(BookingSerializer)},
        description="A client's own bookings, or the counselor's, by start time.",
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        return paginated_response(
            request=request,
            view=self,
            queryset=booking_list(user=request.user, **filters.validated_data),
            serializer_class=BookingSerializer,
            context={"request": request},
        )

    @extend_schema(
        request=InputSerializer,
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                str,
                location=OpenApiParameter.HEADER,
                description="A retry with the same key returns the first booking (200) instead of a second; "
                "the same key with another session type or start is refused (422).",
            )
        ],
        responses={
            201: BookingSerializer,
            200: OpenApiResponse(BookingSerializer, description="A retry: the booking the key made first."),
            409: OpenApiResponse(description="The slot is no longer free."),
            422: OpenApiResponse(description="The Idempotency-Key was first used for another request."),
        },
    )
    def post(self, request):
        key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
        if len(key) > 255:
            raise ValidationError({IDEMPOTENCY_HEADER: [_("255文字以内で指定してください。")]})
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        booking, created = booking_create(
            client=request.user, idempotency_key=key, **serializer.validated_data
        )
        return _booking_response(
            request, booking.pk, status_code=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class BookingDetailApi(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema(responses={200: BookingSerializer})
    def get(self, request, booking_id: int):
        return _booking_response(request, booking_id)


class BookingCancelApi(APIView):
    permission_classes = (IsAuthenticated,)

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=500, allow_blank=True, required=False, default="")

    @extend_schema(
        request=InputSerializer,
        responses={200: BookingSerializer},
        description="Within the cancellation window a client's cancel is recorded as late_cancelled.",
    )
    def post(self, request, booking_id: int):
        booking = booking_get(user=request.user, booking_id=booking_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        booking_cancel(booking=booking, actor=request.user, **serializer.validated_data)
        return _booking_response(request, booking_id)


class BookingRescheduleApi(APIView):
    permission_classes = (IsAuthenticated,)

    class InputSerializer(serializers.Serializer):
        start = CalendarDateTimeField()

    @extend_schema(request=InputSerializer, responses={200: BookingSerializer})
    def post(self, request, booking_id: int):
        booking = booking_get(user=request.user, booking_id=booking_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        booking_reschedule(booking=booking, actor=request.user, **serializer.validated_data)
        return _booking_response(request, booking_id)


class BookingMarkApi(APIView):
    """The counselor records a held session as completed, or the client's absence as no_show."""

    permission_classes = (IsCounselor,)

    class InputSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=[(value, Booking.Status(value).label) for value in MARKABLE])

    @extend_schema(request=InputSerializer, responses={200: BookingSerializer})
    def post(self, request, booking_id: int):
        booking = booking_get(user=request.user, booking_id=booking_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        booking_mark(booking=booking, actor=request.user, **serializer.validated_data)
        return _booking_response(request, booking_id)


class BookingIcsApi(APIView):
    """The booking as an iCalendar file: the same calendar the confirmation mail carries."""

    permission_classes = (IsAuthenticated,)

    @extend_schema(responses={(200, "text/calendar"): OpenApiTypes.BINARY})
    def get(self, request, booking_id: int):
        booking = booking_get(user=request.user, booking_id=booking_id)
        response = HttpResponse(booking_ics(booking), content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="booking-{booking.pk}.ics"'
        return response
