"""Worksheet templates and worksheets: the counselor assigns and reviews, the client fills in their own.
Every read and write of a worksheet leaves an access row."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.auth import IsClient, IsCounselor
from core.pagination import paginated, paginated_response
from counseling.apis.common import (
    MAX_ID,
    CalendarDateField,
    MethodPermissionsMixin,
    PatternRefSerializer,
    PersonSerializer,
    id_field,
    sensitive_page_response,
    sensitive_read,
)
from counseling.models import Worksheet
from counseling.selectors.clients import client_list_for_counselor
from counseling.selectors.notes import session_note_list
from counseling.selectors.worksheets import (
    worksheet_get,
    worksheet_list,
    worksheet_template_find,
    worksheet_template_list,
)
from counseling.services.access import request_ip
from counseling.services.worksheets import (
    COMMENT_MAX_LENGTH,
    MESSAGE_MAX_LENGTH,
    worksheet_assign,
    worksheet_entry_add,
    worksheet_review,
    worksheet_submit,
)

STEP_CODES = [f"step.{number}" for number in range(1, 6)]


class WorksheetTemplateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    step = PatternRefSerializer()
    title = serializers.CharField()
    instructions = serializers.CharField()
    answer_schema = serializers.JSONField(help_text="JSON Schema (draft 2020-12) of one entry's `answers`.")
    one_entry_per_day = serializers.BooleanField()


class WorksheetEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    date = serializers.DateField()
    answers = serializers.DictField()
    created_at = serializers.DateTimeField()


class WorksheetSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    template = WorksheetTemplateSerializer()
    client = PersonSerializer()
    counselor = PersonSerializer()
    due_date = serializers.DateField()
    message = serializers.CharField(allow_blank=True)
    status = serializers.ChoiceField(choices=Worksheet.Status.choices)
    submitted_at = serializers.DateTimeField(allow_null=True)
    reviewed_at = serializers.DateTimeField(allow_null=True)
    review_comment = serializers.CharField(allow_blank=True)
    session_note = serializers.IntegerField(
        source="session_note_id", allow_null=True, help_text="the note whose homework this is"
    )
    entries = WorksheetEntrySerializer(many=True)
    created_at = serializers.DateTimeField()


class WorksheetTemplateListApi(APIView):
    permission_classes = (IsCounselor,)

    class FilterSerializer(serializers.Serializer):
        step = serializers.ChoiceField(choices=STEP_CODES, required=False)

    @extend_schema(
        parameters=[OpenApiParameter("step", str, enum=STEP_CODES)],
        responses={200: paginated(WorksheetTemplateSerializer)},
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        return paginated_response(
            request=request,
            view=self,
            queryset=worksheet_template_list(**filters.validated_data),
            serializer_class=WorksheetTemplateSerializer,
        )


@extend_schema_field({"oneOf": [{"type": "integer"}, {"type": "string"}], "description": "id or code"})
class TemplateRefField(serializers.Field):
    """A template by id (12) or by code ("step4.saying_no")."""

    def to_internal_value(self, data):
        well_formed = (isinstance(data, int) and not isinstance(data, bool) and 1 <= data <= MAX_ID) or (
            isinstance(data, str) and len(data) <= 64
        )
        if not well_formed:
            raise serializers.ValidationError(_("ひな形のIDかコードを指定してください。"))
        template = worksheet_template_find(ref=data.strip() if isinstance(data, str) else data)
        if template is None:
            raise serializers.ValidationError(_("割り当てられるひな形ではありません。"))
        return template

    def to_representation(self, value):
        return value.pk


def _worksheet_body(request, worksheet_id: int) -> dict:
    return WorksheetSerializer(worksheet_get(user=request.user, worksheet_id=worksheet_id)).data


class WorksheetListApi(MethodPermissionsMixin, APIView):
    permission_classes = (IsAuthenticated,)
    method_permissions = {"POST": (IsCounselor,)}

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=Worksheet.Status.choices, required=False)
        client = id_field(required=False, source="client_id")
        step = serializers.ChoiceField(choices=STEP_CODES, required=False)

    class InputSerializer(serializers.Serializer):
        template = TemplateRefField()
        client = id_field()
        due_date = CalendarDateField()
        message = serializers.CharField(
            max_length=MESSAGE_MAX_LENGTH, allow_blank=True, required=False, default=""
        )
        session_note = id_field(required=False, help_text="the counselor's note whose homework this is")

        def validate_session_note(self, value):
            note = session_note_list(counselor=self.context["counselor"]).filter(pk=value).first()
            if note is None:
                raise serializers.ValidationError(_("選べないノートです。"))
            return note

        def validate_client(self, value):
            client = client_list_for_counselor(counselor=self.context["counselor"]).filter(pk=value).first()
            if client is None or not client.is_client:
                raise serializers.ValidationError(_("担当しているクライアントを指定してください。"))
            return client

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "status",
                str,
                enum=Worksheet.Status.values,
                description="`submitted` is the review queue, the oldest submission first",
            ),
            OpenApiParameter("client", int),
            OpenApiParameter("step", str, enum=STEP_CODES),
        ],
        responses={200: paginated(WorksheetSerializer)},
        description="A client's own worksheets; for a counselor the ones they assigned.",
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        return sensitive_page_response(
            request=request,
            view=self,
            queryset=worksheet_list(user=request.user, **filters.validated_data),
            serializer_class=WorksheetSerializer,
        )

    @extend_schema(
        request=InputSerializer,
        responses={201: WorksheetSerializer},
        description="Assigns a template to one of the counselor's clients, who is emailed.",
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data, context={"counselor": request.user})
        serializer.is_valid(raise_exception=True)
        worksheet = worksheet_assign(
            counselor=request.user, ip=request_ip(request), **serializer.validated_data
        )
        return Response(_worksheet_body(request, worksheet.pk), status=status.HTTP_201_CREATED)


class WorksheetDetailApi(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema(responses={200: WorksheetSerializer})
    def get(self, request, worksheet_id: int):
        worksheet = sensitive_read(
            request, lambda: worksheet_get(user=request.user, worksheet_id=worksheet_id)
        )
        return Response(WorksheetSerializer(worksheet).data)


class WorksheetEntryApi(APIView):
    permission_classes = (IsClient,)

    class InputSerializer(serializers.Serializer):
        date = CalendarDateField()
        answers = serializers.DictField(
            help_text="Answers as the template's `answer_schema` describes; wrong fields are named in "
            "the 400 under `answers` by their path (`items.2`)."
        )

    @extend_schema(request=InputSerializer, responses={201: WorksheetEntrySerializer})
    def post(self, request, worksheet_id: int):
        worksheet = worksheet_get(user=request.user, worksheet_id=worksheet_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        entry = worksheet_entry_add(
            worksheet=worksheet, user=request.user, ip=request_ip(request), **serializer.validated_data
        )
        return Response(WorksheetEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


class WorksheetSubmitApi(APIView):
    permission_classes = (IsClient,)

    @extend_schema(request=None, responses={200: WorksheetSerializer})
    def post(self, request, worksheet_id: int):
        worksheet = worksheet_get(user=request.user, worksheet_id=worksheet_id)
        worksheet_submit(worksheet=worksheet, user=request.user, ip=request_ip(request))
        return Response(_worksheet_body(request, worksheet_id))


class WorksheetReviewApi(APIView):
    permission_classes = (IsCounselor,)

    class InputSerializer(serializers.Serializer):
        comment = serializers.CharField(max_length=COMMENT_MAX_LENGTH)

    @extend_schema(request=InputSerializer, responses={200: WorksheetSerializer})
    def post(self, request, worksheet_id: int):
        worksheet = worksheet_get(user=request.user, worksheet_id=worksheet_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        worksheet_review(
            worksheet=worksheet, counselor=request.user, ip=request_ip(request), **serializer.validated_data
        )
        return Response(_worksheet_body(request, worksheet_id))
