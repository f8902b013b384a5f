from datetime import timedelta

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.auth import IsCounselor
from core.api import CalendarDateTimeField, FromToFilterSerializer, MethodPermissionsMixin, datetime_output
from core.localtime import local_date
from core.pagination import paginated, paginated_response
from counseling.models import AvailabilityRule, Format, SessionType
from counseling.selectors.availability import (
    Slot,
    availability_rule_list,
    counselor_profile_get,
    session_type_list_active,
    session_type_list_for,
    slot_list,
    time_off_list,
)
from counseling.services import availability as services


def wall_clock_time_field() -> serializers.TimeField:
    """HH:MM in Asia/Tokyo, as the counselor thinks of their hours."""
    return serializers.TimeField(format="%H:%M", input_formats=["%H:%M", "%H:%M:%S"])


class SessionTypeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    counselor = serializers.IntegerField(source="counselor_id")
    counselor_name = serializers.CharField(source="counselor.display_name")
    name = serializers.CharField()
    format = serializers.CharField()
    location = serializers.CharField()
    duration_minutes = serializers.IntegerField()
    price_jpy = serializers.IntegerField()
    buffer_minutes = serializers.IntegerField()
    active = serializers.BooleanField()


class SessionTypeInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    format = serializers.ChoiceField(choices=Format.choices)
    location = serializers.CharField(max_length=200, allow_blank=True, required=False, default="")
    duration_minutes = serializers.IntegerField(
        min_value=SessionType.MIN_DURATION_MINUTES, max_value=SessionType.MAX_DURATION_MINUTES
    )
    price_jpy = serializers.IntegerField(min_value=0, max_value=10_000_000)
    buffer_minutes = serializers.IntegerField(
        min_value=0, max_value=SessionType.MAX_BUFFER_MINUTES, required=False, default=0
    )
    active = serializers.BooleanField(required=False, default=True)


class SessionTypeListApi(MethodPermissionsMixin, APIView):
    permission_classes = (AllowAny,)
    method_permissions = {"POST": (IsCounselor,)}

    @extend_schema(responses={200: paginated(SessionTypeSerializer)})
    def get(self, request):
        return paginated_response(
            request=request,
            view=self,
            queryset=session_type_list_for(user=request.user),
            serializer_class=SessionTypeSerializer,
        )

    @extend_schema(request=SessionTypeInputSerializer, responses={201: SessionTypeSerializer})
    def post(self, request):
        serializer = SessionTypeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        session_type = services.session_type_create(counselor=request.user, **serializer.validated_data)
        return Response(SessionTypeSerializer(session_type).data, status=status.HTTP_201_CREATED)


class SessionTypeDetailApi(MethodPermissionsMixin, APIView):
    permission_classes = (AllowAny,)
    method_permissions = {"PATCH": (IsCounselor,)}

    @extend_schema(responses={200: SessionTypeSerializer})
    def get(self, request, session_type_id: int):
        session_type = get_object_or_404(session_type_list_for(user=request.user), pk=session_type_id)
        return Response(SessionTypeSerializer(session_type).data)

    @extend_schema(request=SessionTypeInputSerializer(partial=True), responses={200: SessionTypeSerializer})
    def patch(self, request, session_type_id: int):
        # Only the counselor's own types can be changed; others' are 404 to them.
        session_type = get_object_or_404(
            session_type_list_for(user=request.user).filter(counselor=request.user), pk=session_type_id
        )
        serializer = SessionTypeInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        session_type = services.session_type_update(session_type=session_type, **serializer.validated_data)
        return Response(SessionTypeSerializer(session_type).data)


class AvailabilityRuleSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    weekday = serializers.ChoiceField(choices=AvailabilityRule.Weekday.choices)
    start_time = wall_clock_time_field()
    end_time = wall_clock_time_field()
    format = serializers.ChoiceField(choices=Format.choices)


class AvailabilityRuleListApi(APIView):
    """The counselor's weekly hours, in Asia/Tokyo wall-clock time."""

    permission_classes = (IsCounselor,)

    @extend_schema(responses={200: paginated(AvailabilityRuleSerializer)})
    def get(self, request):
        return paginated_response(
            request=request,
            view=self,
            queryset=availability_rule_list(counselor=request.user),
            serializer_class=AvailabilityRuleSerializer,
        )

    @extend_schema(request=AvailabilityRuleSerializer, responses={201: AvailabilityRuleSerializer})
    def post(self, request):
        serializer = AvailabilityRuleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rule = services.availability_rule_create(counselor=request.user, **serializer.validated_data)
        return Response(AvailabilityRuleSerializer(rule).data, status=status.HTTP_201_CREATED)


class AvailabilityRuleDetailApi(APIView):
    permission_classes = (IsCounselor,)

    def _rule(self, request, rule_id: int):
        return get_object_or_404(availability_rule_list(counselor=request.user), pk=rule_id)

    @extend_schema(responses={200: AvailabilityRuleSerializer})
    def get(self, request, rule_id: int):
        return Response(AvailabilityRuleSerializer(self._rule(request, rule_id)).data)

    @extend_schema(
        request=AvailabilityRuleSerializer(partial=True), responses={200: AvailabilityRuleSerializer}
    )
    def patch(self, request, rule_id: int):
        rule = self._rule(request, rule_id)
        serializer = AvailabilityRuleSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        rule = services.availability_rule_update(rule=rule, **serializer.validated_data)
        return Response(AvailabilityRuleSerializer(rule).data)

    @extend_schema(responses={204: None})
    def delete(self, request, rule_id: int):
        services.availability_rule_delete(rule=self._rule(request, rule_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class TimeOffSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    start = CalendarDateTimeField()
    end = CalendarDateTimeField()
    note = serializers.CharField(max_length=200, allow_blank=True, required=False, default="")


class TimeOffListApi(APIView):
    permission_classes = (IsCounselor,)

    @extend_schema(responses={200: paginated(TimeOffSerializer)})
    def get(self, request):
        return paginated_response(
            request=request,
            view=self,
            queryset=time_off_list(counselor=request.user),
            serializer_class=TimeOffSerializer,
        )

    @extend_schema(request=TimeOffSerializer, responses={201: TimeOffSerializer})
    def post(self, request):
        serializer = TimeOffSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        time_off = services.time_off_create(counselor=request.user, **serializer.validated_data).time_off
        return Response(TimeOffSerializer(time_off).data, status=status.HTTP_201_CREATED)


class TimeOffDetailApi(APIView):
    permission_classes = (IsCounselor,)

    def _time_off(self, request, time_off_id: int):
        return get_object_or_404(time_off_list(counselor=request.user), pk=time_off_id)

    @extend_schema(responses={200: TimeOffSerializer})
    def get(self, request, time_off_id: int):
        return Response(TimeOffSerializer(self._time_off(request, time_off_id)).data)

    @extend_schema(request=TimeOffSerializer(partial=True), responses={200: TimeOffSerializer})
    def patch(self, request, time_off_id: int):
        time_off = self._time_off(request, time_off_id)
        serializer = TimeOffSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        time_off = services.time_off_update(time_off=time_off, **serializer.validated_data)
        return Response(TimeOffSerializer(time_off).data)

    @extend_schema(responses={204: None})
    def delete(self, request, time_off_id: int):
        services.time_off_delete(time_off=self._time_off(request, time_off_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class CounselorProfileApi(APIView):
    """The counselor's own settings: the meeting link online bookings carry — a room of each booking's
    own from ``meeting_url_template`` ("https://meet.jit.si/{room}"), else the fixed ``meeting_url``."""

    permission_classes = (IsCounselor,)

    class ProfileSerializer(serializers.Serializer):
        meeting_url = serializers.URLField(max_length=500, allow_blank=True, required=False)
        meeting_url_template = serializers.CharField(max_length=300, allow_blank=True, required=False)

    @extend_schema(responses={200: ProfileSerializer})
    def get(self, request):
        return Response(self.ProfileSerializer(counselor_profile_get(counselor=request.user)).data)

    @extend_schema(request=ProfileSerializer, responses={200: ProfileSerializer})
    def patch(self, request):
        serializer = self.ProfileSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        profile = services.counselor_profile_update(counselor=request.user, **serializer.validated_data)
        return Response(self.ProfileSerializer(profile).data)


class AvailabilityApi(APIView):
    """Free slots of a session type between two Asia/Tokyo dates (inclusive)."""

    permission_classes = (AllowAny,)

    class FilterSerializer(FromToFilterSerializer):
        session_type = serializers.PrimaryKeyRelatedField(queryset=session_type_list_active())

        def validate(self, attrs):
            date_from = attrs.setdefault("date_from", local_date(timezone.now()))
            date_to = attrs.setdefault("date_to", date_from + timedelta(days=6))
            if date_to < date_from:
                raise serializers.ValidationError({"to": [_("from 以降の日付を指定してください。")]})
            max_days = settings.COUNSELING_AVAILABILITY_MAX_DAYS
            if (date_to - date_from).days + 1 > max_days:
                raise serializers.ValidationError(
                    {"to": [_("一度に指定できるのは%(days)s日までです。") % {"days": max_days}]}
                )
            return attrs

    # The schema of a slot; the answer is built by ``slot_output`` (the same JSON, a test compares).
    class SlotSerializer(serializers.Serializer):
        start = serializers.DateTimeField()
        end = serializers.DateTimeField()

    @extend_schema(
        parameters=[
            OpenApiParameter("session_type", int, required=True),
            OpenApiParameter("from", str, description="YYYY-MM-DD (Asia/Tokyo); default today"),
            OpenApiParameter(
                "to", str, description="YYYY-MM-DD (Asia/Tokyo), inclusive; default from + 6 days"
            ),
        ],
        responses={200: paginated(SlotSerializer)},
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        slots = slot_list(**filters.validated_data)
        return Response(slot_output(slots))


def slot_output(slots: list[Slot]) -> list[dict]:
    """The JSON of ``AvailabilityApi.SlotSerializer(slots, many=True)``, without a field object per
    value: a 60-day answer holds about a thousand date-times."""
    zone = timezone.get_current_timezone()
    return [
        {"start": datetime_output(slot.start, zone), "end": datetime_output(slot.end, zone)} for slot in slots
    ]
