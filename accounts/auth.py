"""Hooks for django-axes (login lockout) and DRF permissions by role."""

from django.http import JsonResponse
from django.utils.translation import gettext as _
from rest_framework.permissions import BasePermission


def axes_username(request, credentials) -> str:
    # Lockouts are per email regardless of case or surrounding blanks. Django's failure signal names
    # the field "username" while axes' own check names it after USERNAME_FIELD ("email"): accept both.
    credentials = {str(key): value for key, value in (credentials or {}).items()}
    username = credentials.get("username") or credentials.get("email") or ""
    return str(username).strip().lower()


def axes_lockout_response(request, original_response=None, credentials=None):
    return JsonResponse(
        {"detail": _("ログインの失敗が続いたため、このアカウントは15分間ロックされています。")},
        status=429,
        headers={"Retry-After": "900"},
    )


class IsCounselor(BasePermission):
    message = "カウンセラーのみが利用できます。"

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_counselor)


class IsClient(BasePermission):
    message = "クライアントのみが利用できます。"

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_client)
