"""A fan-out holds one chunk of subscribers and one batch of rows at a time, whatever their number."""

import tracemalloc
from datetime import timedelta

import pytest
from django.utils import timezone

from newsletter.models import SendSlot, Subscriber
from newsletter.schedule import slots_between
from newsletter.services.planning import slot_plan
from outbox.models import OutboundBody, OutboundEmail
from tests.newsletter.factories import LessonFactory

pytestmark = pytest.mark.django_db(transaction=True)


def peak_memory_of_a_fan_out(subscribers: int, slot) -> int:
    """Plans and sends (eager tasks, as a worker runs them) a slot to ``subscribers`` people."""
    Subscriber.objects.all().delete()
    OutboundEmail.objects.all().delete()
    OutboundBody.objects.all().delete()
    Subscriber.objects.bulk_create(
        Subscriber(
            email=f"m{number}@example.com",
            name=f"読者{number}",
            status=Subscriber.Status.ACTIVE,
            confirmed_at=slot - timedelta(days=1),
        )
        for number in range(subscribers)
    )
    tracemalloc.start()
    try:
        slot_plan(starts_at=slot)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        assert OutboundEmail.objects.filter(status=OutboundEmail.Status.SENT).count() == subscribers


def test_a_fan_out_to_ten_times_the_people_takes_no_more_memory(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    settings.NEWSLETTER_PLAN_CHUNK_SIZE = 100
    settings.NEWSLETTER_SEND_BATCH_SIZE = 50
    settings.NEWSLETTER_SEND_RATE_PER_MINUTE = 10**9
    LessonFactory()
    slots = slots_between(timezone.now() - timedelta(days=14), timezone.now())
    peak_memory_of_a_fan_out(100, slots[-3])  # imports and caches filled once

    small = peak_memory_of_a_fan_out(300, slots[-2])
    large = peak_memory_of_a_fan_out(3000, slots[-1])

    assert SendSlot.objects.filter(completed_at__isnull=False).count() == 3
    assert large < small * 1.25, (small, large)
