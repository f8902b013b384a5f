from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.auth import IsCounselor
from core.csv_export import csv_response
from core.pagination import paginated, paginated_response
from core.ratelimit import RateLimitThrottle, client_ip
from core.responses import DetailSerializer, accepted_response
from counseling.exercises import EXERCISES
from newsletter import selectors
from newsletter.consent import CONSENT_WORDINGS, consent_version_current
from newsletter.models import Broadcast, Lesson
from newsletter.services import content, subscribers

ACCEPTED_BODY = {
    "detail": _(
        "お申し込みを受け付けました。確認がお済みでないアドレスには確認のメールをお送りします"
        "（同じアドレスへは間隔をあけてお送りします）。メール内のリンクを開くと登録が完了します。"
    )
}
WORKBOOK_LINK_BODY = {
    "detail": _("ご登録済みのメールアドレスであれば、ワークブックのダウンロードリンクをお送りしました。")
}


class SubscribeApi(APIView):
    permission_classes = (AllowAny,)
    authentication_classes = ()
    throttle_classes = (RateLimitThrottle,)
    throttle_scope = "mail"

    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField(max_length=254)
        name = serializers.CharField(max_length=100, allow_blank=True, required=False, default="")
        consent = serializers.BooleanField()
        source = serializers.SlugField(max_length=64, required=False, default="api")
        consent_version = serializers.ChoiceField(
            choices=sorted(CONSENT_WORDINGS), required=False, default=consent_version_current
        )

        def validate_consent(self, value: bool) -> bool:
            if not value:
                raise serializers.ValidationError(_("メール講座の受け取りへの同意が必要です。"))
            return value

    @extend_schema(
        request=InputSerializer,
        responses={202: DetailSerializer},
        description="Always 202 with the same body, whether the address is new, pending or confirmed.",
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        subscribers.subscriber_subscribe(
            email=data["email"],
            name=data["name"],
            source=data["source"],
            wording_version=data["consent_version"],
            ip_address=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
        return accepted_response(ACCEPTED_BODY)


class WorkbookLinkApi(APIView):
    permission_classes = (AllowAny,)
    authentication_classes = ()
    throttle_classes = (RateLimitThrottle,)
    throttle_scope = "mail"

    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField(max_length=254)

    @extend_schema(request=InputSerializer, responses={202: DetailSerializer})
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        subscribers.workbook_link_resend(**serializer.validated_data)
        return accepted_response(WORKBOOK_LINK_BODY)


# --- Counselor: lessons and broadcasts ---------------------------------------------------------


class LessonOutputSerializer(serializers.ModelSerializer):
    patterns = serializers.SerializerMethodField(help_text="The pattern codes the lesson teaches.")
    exercise = serializers.CharField(
        read_only=True,
        help_text="The workbook exercise of the lesson's practice (a worksheet template code).",
    )
    code = serializers.CharField(
        read_only=True, allow_null=True, help_text="Set on lessons shipped with the product."
    )

    class Meta:
        model = Lesson
        fields = (
            "id",
            "position",
            "subject",
            "body_markdown",
            "is_active",
            "patterns",
            "exercise",
            "code",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    def get_patterns(self, lesson) -> list[str]:
        return [pattern.code for pattern in lesson.patterns.all()]


class LessonInputSerializer(serializers.Serializer):
    position = serializers.IntegerField(min_value=1, max_value=100_000, required=False)
    subject = serializers.CharField(max_length=200)
    body_markdown = serializers.CharField(max_length=100_000)
    is_active = serializers.BooleanField(required=False, default=True)
    patterns = serializers.ListField(
        child=serializers.CharField(max_length=64), max_length=30, required=False
    )
    exercise = serializers.ChoiceField(
        choices=["", *(exercise.code for exercise in EXERCISES)], allow_blank=True, required=False
    )


class BroadcastOutputSerializer(serializers.ModelSerializer):
    locked = serializers.BooleanField(read_only=True, help_text="Its slot is being or has been sent.")
    # Plain text here: one choice set in two components would get a hashed enum name in the schema.
    status = serializers.CharField(read_only=True, help_text="draft | scheduled")

    class Meta:
        model = Broadcast
        fields = ("id", "subject", "body_markdown", "send_at", "status", "locked", "created_at", "updated_at")
        read_only_fields = fields


class BroadcastInputSerializer(serializers.Serializer):
    subject = serializers.CharField(max_length=200)
    body_markdown = serializers.CharField(max_length=100_000)
    send_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    status = serializers.ChoiceField(
        choices=Broadcast.Status.choices, required=False, default=Broadcast.Status.DRAFT
    )


class PreviewSerializer(serializers.Serializer):
    subject = serializers.CharField()
    html = serializers.CharField()
    text = serializers.CharField()


class SendTestOutputSerializer(serializers.Serializer):
    detail = serializers.CharField()
    recipient = serializers.EmailField()


class LessonListApi(APIView):
    permission_classes = (IsCounselor,)

    @extend_schema(responses={200: paginated(LessonOutputSerializer)})
    def get(self, request):
        return paginated_response(
            request=request,
            view=self,
            queryset=selectors.lesson_list(),
            serializer_class=LessonOutputSerializer,
        )

    @extend_schema(request=LessonInputSerializer, responses={201: LessonOutputSerializer})
    def post(self, request):
        serializer = LessonInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        lesson = content.lesson_create(**serializer.validated_data)
        return Response(
            LessonOutputSerializer(selectors.lesson_list().get(pk=lesson.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class LessonDetailApi(APIView):
    permission_classes = (IsCounselor,)

    @extend_schema(responses={200: LessonOutputSerializer})
    def get(self, request, lesson_id: int):
        return Response(LessonOutputSerializer(get_object_or_404(selectors.lesson_list(), pk=lesson_id)).data)

    @extend_schema(request=LessonInputSerializer(partial=True), responses={200: LessonOutputSerializer})
    def patch(self, request, lesson_id: int):
        lesson = get_object_or_404(Lesson, pk=lesson_id)
        serializer = LessonInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        lesson = content.lesson_update(lesson=lesson, **serializer.validated_data)
        return Response(LessonOutputSerializer(selectors.lesson_list().get(pk=lesson.pk)).data)

    @extend_schema(responses={204: None})
    def delete(self, request, lesson_id: int):
        content.lesson_delete(lesson=get_object_or_404(Lesson, pk=lesson_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class BroadcastListApi(APIView):
    permission_classes = (IsCounselor,)

    @extend_schema(responses={200: paginated(BroadcastOutputSerializer)})
    def get(self, request):
        return paginated_response(
            request=request,
            view=self,
            queryset=selectors.broadcast_list(),
            serializer_class=BroadcastOutputSerializer,
        )

    @extend_schema(request=BroadcastInputSerializer, responses={201: BroadcastOutputSerializer})
    def post(self, request):
        serializer = BroadcastInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        broadcast = content.broadcast_create(**serializer.validated_data)
        return Response(
            BroadcastOutputSerializer(selectors.broadcast_list().get(pk=broadcast.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class BroadcastDetailApi(APIView):
    permission_classes = (IsCounselor,)

    @extend_schema(responses={200: BroadcastOutputSerializer})
    def get(self, request, broadcast_id: int):
        return Response(
            BroadcastOutputSerializer(get_object_or_404(selectors.broadcast_list(), pk=broadcast_id)).data
        )

    @extend_schema(request=BroadcastInputSerializer(partial=True), responses={200: BroadcastOutputSerializer})
    def patch(self, request, broadcast_id: int):
        broadcast = get_object_or_404(Broadcast, pk=broadcast_id)
        serializer = BroadcastInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        content.broadcast_update(broadcast=broadcast, **serializer.validated_data)
        return Response(BroadcastOutputSerializer(selectors.broadcast_list().get(pk=broadcast_id)).data)

    @extend_schema(responses={204: None})
    def delete(self, request, broadcast_id: int):
        content.broadcast_delete(broadcast=get_object_or_404(Broadcast, pk=broadcast_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


def _item(kind: str, item_id: int) -> Lesson | Broadcast:
    return get_object_or_404(Lesson if kind == "lessons" else Broadcast, pk=item_id)


class IssuePreviewApi(APIView):
    permission_classes = (IsCounselor,)

    @extend_schema(responses={200: PreviewSerializer})
    def get(self, request, kind: str, item_id: int):
        rendered = content.issue_preview(item=_item(kind, item_id))
        return Response({"subject": rendered.subject, "html": rendered.html, "text": rendered.text})


class IssueSendTestApi(APIView):
    permission_classes = (IsCounselor,)

    @extend_schema(request=None, responses={202: SendTestOutputSerializer})
    def post(self, request, kind: str, item_id: int):
        recipient = content.issue_send_test(item=_item(kind, item_id), recipient=request.user.email)
        return Response(
            {"detail": str(_("テストメールを送信しました。")), "recipient": recipient},
            status=status.HTTP_202_ACCEPTED,
        )


# --- Counselor: figures and export -------------------------------------------------------------


class StatsOutputSerializer(serializers.Serializer):
    subscribers = inline_serializer(
        "NewsletterSubscribersByStatus",
        {
            "pending": serializers.IntegerField(),
            "active": serializers.IntegerField(),
            "unsubscribed": serializers.IntegerField(),
            "suppressed": serializers.IntegerField(),
        },
    )
    confirmations_per_week = inline_serializer(
        "NewsletterWeeklyConfirmations",
        {"week_start": serializers.DateField(), "count": serializers.IntegerField()},
        many=True,
    )
    slots = inline_serializer(
        "NewsletterSlotFigures",
        {
            "starts_at": serializers.DateTimeField(),
            "broadcast": serializers.IntegerField(allow_null=True),
            "completed": serializers.BooleanField(),
            "planned": serializers.IntegerField(),
            "lessons": serializers.IntegerField(),
            "broadcasts": serializers.IntegerField(),
            "sent": serializers.IntegerField(),
            "skipped": serializers.IntegerField(),
            "failed": serializers.IntegerField(),
            "pending": serializers.IntegerField(),
        },
        many=True,
    )
    workbook_downloads = inline_serializer(
        "NewsletterWorkbookDownloads",
        {"total": serializers.IntegerField(), "last_30_days": serializers.IntegerField()},
    )


class StatsApi(APIView):
    permission_classes = (IsCounselor,)

    @extend_schema(responses={200: StatsOutputSerializer})
    def get(self, request):
        return Response(StatsOutputSerializer(selectors.newsletter_stats()).data)


class CsvRenderer(BaseRenderer):
    """Lets a client that asks for text/csv get the export (and any error as plain text)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return str(data).encode(self.charset)


class SubscriberExportApi(APIView):
    permission_classes = (IsCounselor,)
    renderer_classes = (JSONRenderer, CsvRenderer)

    @extend_schema(
        responses={(200, "text/csv"): OpenApiResponse(response=OpenApiTypes.STR)},
        description="Every subscriber with each of their consent records, one CSV row per consent.",
    )
    def get(self, request):
        return csv_response(
            filename="newsletter-subscribers.csv",
            header=selectors.EXPORT_COLUMNS,
            rows=selectors.subscriber_export_rows(),
        )
