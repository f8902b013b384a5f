from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services
from accounts.models import User
from core.personal_data import personal_data_export
from core.ratelimit import RateLimitThrottle
from core.responses import DetailSerializer, accepted_response

ACCEPTED_BODY_REGISTER = {
    "detail": _(
        "ご登録ありがとうございます。確認のメールをお送りしましたので、リンクを開いて登録を完了してください。"
    )
}
ACCEPTED_BODY_RESET = {
    "detail": _("登録されているメールアドレスであれば、パスワード再設定のご案内をお送りしました。")
}


class UserOutputSerializer(serializers.ModelSerializer):
    email_verified = serializers.BooleanField(read_only=True)

    class Meta:
        model = User
        fields = ("id", "email", "display_name", "role", "email_verified", "date_joined")
        read_only_fields = fields


class RegisterApi(APIView):
    permission_classes = (AllowAny,)
    authentication_classes = ()
    throttle_classes = (RateLimitThrottle,)
    throttle_scope = "mail"

    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField(max_length=254)
        password = serializers.CharField(max_length=128, write_only=True, style={"input_type": "password"})
        display_name = serializers.CharField(max_length=100, allow_blank=True, required=False, default="")

    @extend_schema(request=InputSerializer, responses={202: DetailSerializer})
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.user_register(**serializer.validated_data)
        return accepted_response(ACCEPTED_BODY_REGISTER)


class VerifyEmailApi(APIView):
    permission_classes = (AllowAny,)
    authentication_classes = ()
    throttle_classes = (RateLimitThrottle,)
    throttle_scope = "auth"

    class InputSerializer(serializers.Serializer):
        token = serializers.CharField(max_length=1000)

    @extend_schema(request=InputSerializer, responses={200: UserOutputSerializer})
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_verify_email(**serializer.validated_data)
        return Response(UserOutputSerializer(user).data)


class TokenApi(APIView):
    permission_classes = (AllowAny,)
    authentication_classes = ()
    throttle_classes = (RateLimitThrottle,)
    throttle_scope = "auth"

    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField(max_length=254)
        password = serializers.CharField(max_length=128, write_only=True, style={"input_type": "password"})

    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField()
        expiry = serializers.DateTimeField()
        user = UserOutputSerializer()

    @extend_schema(request=InputSerializer, responses={200: OutputSerializer})
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            user, instance, token = services.token_create(
                request=request._request, **serializer.validated_data
            )
        except services.LoginLockedOut:
            # django-axes' middleware turns the flagged request into the 429 lockout response.
            return Response(status=status.HTTP_429_TOO_MANY_REQUESTS)
        return Response(self.OutputSerializer({"token": token, "expiry": instance.expiry, "user": user}).data)


class LogoutApi(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        if request.auth is not None and hasattr(request.auth, "digest"):
            services.token_revoke(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordResetApi(APIView):
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
        services.password_reset_request(**serializer.validated_data)
        return accepted_response(ACCEPTED_BODY_RESET)


class PasswordResetConfirmApi(APIView):
    permission_classes = (AllowAny,)
    authentication_classes = ()
    throttle_classes = (RateLimitThrottle,)
    throttle_scope = "auth"

    class InputSerializer(serializers.Serializer):
        token = serializers.CharField(max_length=1000)
        password = serializers.CharField(max_length=128, write_only=True, style={"input_type": "password"})

    @extend_schema(request=InputSerializer, responses={202: DetailSerializer})
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.password_reset_confirm(**serializer.validated_data)
        return accepted_response(
            {"detail": _("パスワードを再設定しました。新しいパスワードでログインしてください。")}
        )


class MeApi(APIView):
    permission_classes = (IsAuthenticated,)

    class InputSerializer(serializers.Serializer):
        display_name = serializers.CharField(max_length=100, allow_blank=True, required=False)

    @extend_schema(responses={200: UserOutputSerializer})
    def get(self, request):
        return Response(UserOutputSerializer(request.user).data)

    @extend_schema(request=InputSerializer, responses={200: UserOutputSerializer})
    def patch(self, request):
        serializer = self.InputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user = services.user_update(user=request.user, **serializer.validated_data)
        return Response(UserOutputSerializer(user).data)


class MeExportApi(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema(
        responses={200: OpenApiTypes.OBJECT},
        description="Every piece of personal data held about the caller, one key per kind of record.",
    )
    def get(self, request):
        response = Response(personal_data_export(user=request.user))
        response["Content-Disposition"] = 'attachment; filename="my-data.json"'
        return response
