from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.auth import IsClient, IsCounselor
from core.pagination import paginated
from counseling.apis.common import (
    MethodPermissionsMixin,
    PatternRefSerializer,
    PersonSerializer,
    sensitive_page_response,
    sensitive_read,
)
from counseling.crisis import crisis_support
from counseling.models import Format, Intake
from counseling.selectors.intakes import intake_get, intake_list
from counseling.selectors.patterns import suggestions_for_answers
from counseling.services.access import request_ip
from counseling.services.intakes import intake_set_status, intake_submit


class IntakeClientSerializer(serializers.Serializer):
    """What a client sees of an intake: what they wrote and where it stands — no suggestions."""

    id = serializers.IntegerField()
    status = serializers.CharField()
    scenes = serializers.SerializerMethodField()
    self_check = serializers.SerializerMethodField()
    concern = serializers.CharField()
    preferred_format = serializers.CharField()
    contact = serializers.CharField()
    in_crisis = serializers.BooleanField()
    consent_version = serializers.CharField()
    consented_at = serializers.DateTimeField()
    created_at = serializers.DateTimeField()

    def get_scenes(self, intake) -> list[str]:
        return [scene.code for scene in intake.scenes.all()]

    def get_self_check(self, intake) -> dict[str, int]:
        return {answer.reason.code: answer.score for answer in intake.answers.all()}


class SuggestionsSerializer(serializers.Serializer):
    patterns = PatternRefSerializer(many=True)
    steps = PatternRefSerializer(many=True)


class IntakeCounselorSerializer(IntakeClientSerializer):
    """The counselor's view adds the client, who took it on, and the suggestions from the self-check."""

    client = PersonSerializer()
    counselor = serializers.IntegerField(source="counselor_id", allow_null=True)
    status_changed_at = serializers.DateTimeField()
    suggestions = serializers.SerializerMethodField(
        help_text="The reasons answered 4 or 5 and the steps the practice suggests for them: the "
        "practice's own setting (editable in the admin), not the article's teaching."
    )

    @staticmethod
    def get_suggestions(intake) -> SuggestionsSerializer:
        return SuggestionsSerializer(suggestions_for_answers(list(intake.answers.all()))).data


def _serializer_for(user):
    return IntakeCounselorSerializer if user.is_counselor else IntakeClientSerializer


class IntakeListApi(MethodPermissionsMixin, APIView):
    permission_classes = (IsAuthenticated,)
    method_permissions = {"POST": (IsClient,)}

    class InputSerializer(serializers.Serializer):
        scenes = serializers.ListField(
            child=serializers.CharField(max_length=64), min_length=1, max_length=10
        )
        self_check = serializers.DictField(child=serializers.IntegerField(min_value=1, max_value=5))
        concern = serializers.CharField(max_length=4000)
        preferred_format = serializers.ChoiceField(choices=Format.choices)
        contact = serializers.CharField(max_length=200)
        consent = serializers.BooleanField()
        in_crisis = serializers.BooleanField(required=False, default=False)

    class CreatedSerializer(IntakeClientSerializer):
        crisis_support = serializers.DictField(allow_null=True)

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=Intake.Status.choices, required=False)

    @extend_schema(
        parameters=[OpenApiParameter("status", str, enum=Intake.Status.values)],
        responses={200: paginated(IntakeCounselorSerializer)},
        description="A client's own intakes; for a counselor the open ones, theirs and their clients'.",
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        queryset = intake_list(user=request.user, **filters.validated_data)
        return sensitive_page_response(
            request=request, view=self, queryset=queryset, serializer_class=_serializer_for(request.user)
        )

    @extend_schema(
        request=InputSerializer,
        responses={201: CreatedSerializer},
        description="`crisis_support` holds crisis lines when `in_crisis` is true, otherwise null.",
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        intake = intake_submit(client=request.user, ip=request_ip(request), **serializer.validated_data)
        body = IntakeClientSerializer(intake_get(user=request.user, intake_id=intake.pk)).data
        body["crisis_support"] = crisis_support() if intake.in_crisis else None
        return Response(body, status=status.HTTP_201_CREATED)


class IntakeDetailApi(MethodPermissionsMixin, APIView):
    permission_classes = (IsAuthenticated,)
    method_permissions = {"PATCH": (IsCounselor,)}

    class InputSerializer(serializers.Serializer):
        status = serializers.ChoiceField(
            choices=[
                (value, label) for value, label in Intake.Status.choices if value != Intake.Status.SUBMITTED
            ]
        )

    @extend_schema(responses={200: IntakeCounselorSerializer})
    def get(self, request, intake_id: int):
        intake = sensitive_read(request, lambda: intake_get(user=request.user, intake_id=intake_id))
        return Response(_serializer_for(request.user)(intake).data)

    @extend_schema(request=InputSerializer, responses={200: IntakeCounselorSerializer})
    def patch(self, request, intake_id: int):
        intake = intake_get(user=request.user, intake_id=intake_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        intake_set_status(
            intake=intake, counselor=request.user, ip=request_ip(request), **serializer.validated_data
        )
        return Response(IntakeCounselorSerializer(intake_get(user=request.user, intake_id=intake_id)).data)
