"""A counselor's views of one of their clients: the pattern profile and the access log."""

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.auth import IsCounselor
from core.api import PersonSerializer
from core.pagination import paginated, paginated_response
from counseling.apis.common import PatternRefSerializer
from counseling.models import AccessRecord
from counseling.selectors.access import access_record_list_for_client
from counseling.selectors.profiles import pattern_profile
from counseling.services.access import access_log


class ProfileMonthSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM of the session dates")
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="pattern code → times tagged")


class StepProgressSerializer(serializers.Serializer):
    step = PatternRefSerializer()
    assigned = serializers.IntegerField()
    submitted = serializers.IntegerField(help_text="handed in, reviewed or not")
    reviewed = serializers.IntegerField()


class PatternProfileApi(APIView):
    """Per month, how often each pattern was tagged in the counselor's notes on the client; the steps
    the latest intake suggests; per step, the worksheets assigned, submitted and reviewed."""

    permission_classes = (IsCounselor,)

    class ProfileSerializer(serializers.Serializer):
        client = PersonSerializer()
        months = ProfileMonthSerializer(many=True)
        totals = serializers.DictField(child=serializers.IntegerField())
        suggested_steps = PatternRefSerializer(many=True)
        steps = StepProgressSerializer(many=True)

    @extend_schema(responses={200: ProfileSerializer})
    def get(self, request, client_id: int):
        with transaction.atomic():
            profile = pattern_profile(counselor=request.user, client_id=client_id)
            # The tags counted are part of each note: their reading is logged like any other.
            access_log(request, profile.notes, AccessRecord.Action.PROFILE)
        return Response(self.ProfileSerializer(profile).data)


class AccessRecordSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    actor = PersonSerializer()
    object_type = serializers.ChoiceField(choices=AccessRecord.ObjectType.choices)
    object_id = serializers.IntegerField()
    action = serializers.ChoiceField(choices=AccessRecord.Action.choices)
    ip_address = serializers.IPAddressField(allow_null=True)


class ClientAccessLogApi(APIView):
    """Who read or wrote the client's notes, intakes and worksheets, newest first. Read-only."""

    permission_classes = (IsCounselor,)

    @extend_schema(responses={200: paginated(AccessRecordSerializer)})
    def get(self, request, client_id: int):
        return paginated_response(
            request=request,
            view=self,
            queryset=access_record_list_for_client(counselor=request.user, client_id=client_id),
            serializer_class=AccessRecordSerializer,
        )
