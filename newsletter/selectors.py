"""Reads for the counselor: content lists, figures, and the subscriber export."""

from collections.abc import Iterator
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone

from counseling.models import Pattern
from newsletter.models import Broadcast, Consent, Delivery, Lesson, SendSlot, Subscriber, WorkbookDownload
from outbox.models import OutboundEmail


def lesson_list() -> QuerySet[Lesson]:
    return Lesson.objects.prefetch_related(
        Prefetch("patterns", queryset=Pattern.objects.order_by("position"))
    ).order_by("position")


def lesson_list_received(*, email: str, pattern_codes: list[str] | None = None) -> QuerySet[Lesson]:
    """The course lessons planned for the subscriber with this address (a client's, say), in course
    order with their codes; with ``pattern_codes``, only lessons teaching one of them (or a sub-pattern)."""
    lessons = lesson_list().filter(
        Exists(Delivery.objects.filter(lesson=OuterRef("pk"), subscriber__email__iexact=email))
    )
    if pattern_codes:
        matching = Q(code__in=pattern_codes)
        for code in pattern_codes:
            matching |= Q(code__startswith=f"{code}.")
        lessons = lessons.filter(Exists(Pattern.objects.filter(matching, lessons=OuterRef("pk"))))
    return lessons


def broadcast_list() -> QuerySet[Broadcast]:
    return Broadcast.objects.annotate(
        locked=Exists(SendSlot.objects.filter(broadcast=OuterRef("pk")))
    ).order_by("-send_at", "-created_at", "-id")


def newsletter_stats(*, weeks: int = 12, slots: int = 12) -> dict:
    """Subscribers by status, confirmations per week, per slot sent/skipped/failed, workbook downloads."""
    now = timezone.now()
    zone = ZoneInfo(settings.NEWSLETTER_SEND_TIME_ZONE)
    by_status = dict.fromkeys(Subscriber.Status.values, 0)
    by_status.update(
        Subscriber.objects.order_by()
        .values_list("status")
        .annotate(count=Count("pk"))
        .values_list("status", "count")
    )
    since = now - timedelta(weeks=weeks)
    confirmations = (
        Consent.objects.filter(confirmed_at__gte=since)
        .annotate(week=TruncWeek("confirmed_at", tzinfo=zone))
        .order_by("week")
        .values("week")
        .annotate(count=Count("pk"))
    )
    status = "deliveries__email__status"
    recent_slots = SendSlot.objects.order_by("-starts_at").annotate(
        planned=Count("deliveries"),
        lessons=Count("deliveries", filter=Q(deliveries__kind=Delivery.Kind.LESSON)),
        sent=Count("deliveries", filter=Q(**{status: OutboundEmail.Status.SENT})),
        skipped=Count("deliveries", filter=Q(**{status: OutboundEmail.Status.SKIPPED})),
        failed=Count("deliveries", filter=Q(**{status: OutboundEmail.Status.FAILED})),
        pending=Count("deliveries", filter=Q(**{status: OutboundEmail.Status.PENDING})),
    )[:slots]
    downloads = WorkbookDownload.objects.aggregate(
        total=Count("pk"), last_30_days=Count("pk", filter=Q(created_at__gte=now - timedelta(days=30)))
    )
    return {
        "subscribers": by_status,
        "confirmations_per_week": [
            {"week_start": row["week"].astimezone(zone).date(), "count": row["count"]}
            for row in confirmations
        ],
        "slots": [
            {
                "starts_at": slot.starts_at,
                "broadcast": slot.broadcast_id,
                "completed": slot.completed_at is not None,
                "planned": slot.planned,
                "lessons": slot.lessons,
                "broadcasts": slot.planned - slot.lessons,
                "sent": slot.sent,
                "skipped": slot.skipped,
                "failed": slot.failed,
                "pending": slot.pending,
            }
            for slot in recent_slots
        ],
        "workbook_downloads": downloads,
    }


EXPORT_COLUMNS = [
    "email",
    "name",
    "status",
    "subscribed_at",
    "confirmed_at",
    "unsubscribed_at",
    "consent_given_at",
    "consent_ip_address",
    "consent_user_agent",
    "consent_source",
    "consent_wording_version",
    "consent_confirmed_at",
    "consent_confirmed_ip_address",
]


def _iso(value) -> str:
    return value.isoformat() if value else ""


def subscriber_export_rows(*, subscriber_ids: list[int] | None = None) -> Iterator[list[str]]:
    """One row per consent record (a subscriber who subscribed twice has two), streamed."""
    consents = Consent.objects.select_related("subscriber").order_by("subscriber_id", "given_at", "pk")
    if subscriber_ids is not None:
        consents = consents.filter(subscriber_id__in=subscriber_ids)
    consents = consents.iterator(chunk_size=2000)
    for consent in consents:
        subscriber = consent.subscriber
        yield [
            subscriber.email,
            subscriber.name,
            subscriber.status,
            _iso(subscriber.created_at),
            _iso(subscriber.confirmed_at),
            _iso(subscriber.unsubscribed_at),
            _iso(consent.given_at),
            consent.ip_address or "",
            consent.user_agent,
            consent.source,
            consent.wording_version,
            _iso(consent.confirmed_at),
            consent.confirmed_ip_address or "",
        ]
