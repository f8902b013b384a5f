from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.auth import IsCounselor
from counseling.apis.common import PatternRefSerializer
from counseling.selectors.patterns import pattern_list_grouped


class PatternSerializer(serializers.Serializer):
    code = serializers.CharField()
    kind = serializers.CharField()
    label_ja = serializers.CharField()
    label_en = serializers.CharField()
    children = PatternRefSerializer(source="child_patterns", many=True)
    suggested_steps = serializers.SerializerMethodField(
        help_text="For a reason, the steps the practice suggests: its own setting, not the article's."
    )

    def get_suggested_steps(self, pattern) -> list[str]:
        return [step.code for step in pattern.suggested_steps.all()]


class PatternGroupsSerializer(serializers.Serializer):
    scene = PatternSerializer(many=True)
    reason = PatternSerializer(many=True)
    pain = PatternSerializer(many=True)
    step = PatternSerializer(many=True)


class PatternListApi(APIView):
    """The article's patterns, grouped by kind and in its order, for tagging and reading intakes."""

    permission_classes = (IsCounselor,)

    @extend_schema(responses={200: PatternGroupsSerializer})
    def get(self, request):
        return Response(PatternGroupsSerializer(pattern_list_grouped()).data)
