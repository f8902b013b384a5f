"""Reads of the private calendar feed: whose feed a token opens, and what it lists."""

from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from counseling.models import Booking, CounselorProfile

# How far back the feed reaches: last month's sessions stay in the calendar for reference.
FEED_PAST = timedelta(days=30)


def calendar_feed_counselor(*, token: str):
    """The counselor whose feed ``token`` opens, or None (also for an empty or unknown token)."""
    if not token:
        return None
    profile = (
        CounselorProfile.objects.filter(calendar_feed_token=token, counselor__is_active=True)
        .select_related("counselor")
        .first()
    )
    if profile is None or not profile.counselor.is_counselor:
        return None
    return profile.counselor


def calendar_feed_url(*, counselor) -> str | None:
    """The feed's absolute address, or None while the counselor has not created one."""
    token = (
        CounselorProfile.objects.filter(counselor=counselor)
        .values_list("calendar_feed_token", flat=True)
        .first()
    )
    if not token:
        return None
    return f"{settings.SITE_URL}{reverse('counselor:calendar-feed')}?{urlencode({'token': token})}"


def calendar_feed_bookings(*, counselor, now: datetime | None = None) -> QuerySet[Booking]:
    """Every live booking of ``counselor`` from 30 days ago on; cancelled ones leave the calendar."""
    now = now or timezone.now()
    return (
        Booking.objects.filter(
            counselor=counselor, start__gte=now - FEED_PAST, status__in=Booking.BLOCKING_STATUSES
        )
        .select_related("client", "counselor", "session_type")
        .order_by("start", "id")
    )
