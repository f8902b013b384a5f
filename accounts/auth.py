"""Hooks for django-axes (login lockout) and DRF permissions by role."""

import math
from datetime import datetime

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off
from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.permissions import BasePermission


def axes_username(request, credentials) -> str:
    # Lockouts are per email regardless of case or surrounding blanks. Django's failure signal names
    # the field "username" while axes' own check names it after USERNAME_FIELD ("email"): accept both.
    credentials = {str(key): value for key, value in (credentials or {}).items()}
    username = credentials.get("username") or credentials.get("email") or ""
    return str(username).strip().lower()


def lockout_ends_at(request, credentials=None) -> datetime:
    """When a locked-out email + address may try again: the cool-off after the last counted failure."""
    latest = max(
        (
            attempt.attempt_time
            for attempts in AxesDatabaseHandler().get_user_attempts(request, credentials)
            for attempt in attempts
        ),
        default=None,
    )
    return (latest or timezone.now()) + get_cool_off(request)


def retry_after_seconds(until: datetime) -> str:
    """A ``Retry-After`` value: whole seconds from now until ``until``, at least one."""
    return str(max(1, math.ceil((until - timezone.now()).total_seconds())))


def axes_lockout_response(request, original_response=None, credentials=None):
    # The login page renders its own lockout message (with the time to try again) as HTML; only the
    # API answers with JSON. Replacing the page's answer would show a person raw JSON.
    page = original_response is not None and not request.path.startswith("/api/")
    if page and original_response.get("Content-Type", "").startswith("text/html"):
        return original_response
    return JsonResponse(
        {"detail": _("ログインの失敗が続いたため、このアカウントは15分間ロックされています。")},
        status=429,
        headers={"Retry-After": retry_after_seconds(lockout_ends_at(request, credentials))},
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
