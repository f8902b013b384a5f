"""Session notes: the authoring counselor only. Every read and write leaves an access row."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.auth import IsCounselor
from core.api import CalendarDateField, FromToFilterSerializer, PersonSerializer, id_field
from core.pagination import paginated
from counseling.apis.common import sensitive_page_response, sensitive_read
from counseling.models import Pattern, SessionNote
from counseling.selectors.bookings import booking_list
from counseling.selectors.clients import client_list_for_counselor
from counseling.selectors.notes import session_note_get, session_note_list
from counseling.services.access import request_ip
from counseling.services.notes import (
    SECTION_MAX_LENGTH,
    session_note_addendum_add,
    session_note_create,
    session_note_delete,
    session_note_sign,
    session_note_update,
)


class TagSerializer(serializers.Serializer):
    code = serializers.CharField()
    kind = serializers.ChoiceField(choices=Pattern.Kind.choices)
    label_ja = serializers.CharField()


class AddendumSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    author = serializers.IntegerField(source="author_id")
    created_at = serializers.DateTimeField()


class SessionNoteSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    client = PersonSerializer()
    booking = serializers.IntegerField(source="booking_id", allow_null=True)
    date = serializers.DateField()
    status = serializers.ChoiceField(choices=SessionNote.Status.choices)
    signed_at = serializers.DateTimeField(allow_null=True)
    presenting_concern = serializers.CharField(allow_blank=True)
    observations = serializers.CharField(allow_blank=True)
    interventions = serializers.CharField(allow_blank=True)
    homework = serializers.CharField(allow_blank=True)
    plan = serializers.CharField(allow_blank=True)
    tags = TagSerializer(many=True)
    addenda = AddendumSerializer(many=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


def _section_field():
    return serializers.CharField(
        max_length=SECTION_MAX_LENGTH, allow_blank=True, required=False, trim_whitespace=False
    )


class NoteSectionsSerializer(serializers.Serializer):
    presenting_concern = _section_field()
    observations = _section_field()
    interventions = _section_field()
    homework = _section_field()
    plan = _section_field()
    tags = serializers.ListField(child=serializers.CharField(max_length=64), max_length=50, required=False)


def _note_body(request, note_id: int) -> dict:
    return SessionNoteSerializer(session_note_get(counselor=request.user, note_id=note_id)).data


class SessionNoteListApi(APIView):
    permission_classes = (IsCounselor,)

    class FilterSerializer(FromToFilterSerializer):
        client = id_field(required=False)
        tag = serializers.CharField(max_length=64, required=False)

    class InputSerializer(NoteSectionsSerializer):
        booking = id_field(required=False)
        client = id_field(required=False)
        date = CalendarDateField(required=False)

        def validate(self, attrs):
            counselor = self.context["counselor"]
            if "booking" in attrs:
                attrs["booking"] = booking_list(user=counselor).filter(pk=attrs["booking"]).first()
                if attrs["booking"] is None:
                    raise serializers.ValidationError({"booking": [_("ご自身の予約を指定してください。")]})
            elif "client" not in attrs or "date" not in attrs:
                raise serializers.ValidationError(
                    {"booking": [_("予約か、クライアントと日付を指定してください。")]}
                )
            if "client" in attrs:
                attrs["client"] = (
                    client_list_for_counselor(counselor=counselor).filter(pk=attrs["client"]).first()
                )
                if attrs["client"] is None:
                    raise serializers.ValidationError(
                        {"client": [_("担当しているクライアントを指定してください。")]}
                    )
            return attrs

    @extend_schema(
        parameters=[
            OpenApiParameter("client", int, description="a client's id"),
            OpenApiParameter(
                "tag", str, description="a pattern code; a parent code also finds its sub-patterns"
            ),
            OpenApiParameter("from", str, description="YYYY-MM-DD, session date, inclusive"),
            OpenApiParameter("to", str, description="YYYY-MM-DD, session date, inclusive"),
        ],
        responses={200: paginated(SessionNoteSerializer)},
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        return sensitive_page_response(
            request=request,
            view=self,
            queryset=session_note_list(counselor=request.user, **filters.validated_data),
            serializer_class=SessionNoteSerializer,
        )

    @extend_schema(request=InputSerializer, responses={201: SessionNoteSerializer})
    def post(self, request):
        serializer = self.InputSerializer(data=request.data, context={"counselor": request.user})
        serializer.is_valid(raise_exception=True)
        note = session_note_create(
            counselor=request.user, ip=request_ip(request), **serializer.validated_data
        )
        return Response(_note_body(request, note.pk), status=status.HTTP_201_CREATED)


class SessionNoteDetailApi(APIView):
    permission_classes = (IsCounselor,)

    class InputSerializer(NoteSectionsSerializer):
        date = CalendarDateField(required=False)

    @extend_schema(responses={200: SessionNoteSerializer})
    def get(self, request, note_id: int):
        note = sensitive_read(request, lambda: session_note_get(counselor=request.user, note_id=note_id))
        return Response(SessionNoteSerializer(note).data)

    @extend_schema(
        request=InputSerializer,
        responses={200: SessionNoteSerializer},
        description="Changes a draft; a signed note answers 409 and stays as it was.",
    )
    def patch(self, request, note_id: int):
        note = session_note_get(counselor=request.user, note_id=note_id)
        serializer = self.InputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        session_note_update(
            note=note, counselor=request.user, ip=request_ip(request), **serializer.validated_data
        )
        return Response(_note_body(request, note_id))

    @extend_schema(responses={204: None}, description="Deletes a draft; a signed note answers 409.")
    def delete(self, request, note_id: int):
        note = session_note_get(counselor=request.user, note_id=note_id)
        session_note_delete(note=note, counselor=request.user, ip=request_ip(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class SessionNoteSignApi(APIView):
    permission_classes = (IsCounselor,)

    @extend_schema(request=None, responses={200: SessionNoteSerializer})
    def post(self, request, note_id: int):
        note = session_note_get(counselor=request.user, note_id=note_id)
        session_note_sign(note=note, counselor=request.user, ip=request_ip(request))
        return Response(_note_body(request, note_id))


class SessionNoteAddendumApi(APIView):
    permission_classes = (IsCounselor,)

    class InputSerializer(serializers.Serializer):
        text = serializers.CharField(max_length=SECTION_MAX_LENGTH)

    @extend_schema(request=InputSerializer, responses={201: AddendumSerializer})
    def post(self, request, note_id: int):
        note = session_note_get(counselor=request.user, note_id=note_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        addendum = session_note_addendum_add(
            note=note, counselor=request.user, ip=request_ip(request), **serializer.validated_data
        )
        return Response(AddendumSerializer(addendum).data, status=status.HTTP_201_CREATED)
