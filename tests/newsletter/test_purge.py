from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from newsletter.models import Consent, Subscriber
from newsletter.services.subscribers import subscriber_subscribe
from newsletter.tasks import newsletter_purge_unconfirmed_task
from tests.newsletter.factories import SubscriberFactory

pytestmark = pytest.mark.django_db


def _subscribe(email: str) -> None:
    subscriber_subscribe(
        email=email, source="test", wording_version="2026-01", ip_address=None, user_agent=""
    )


def test_unconfirmed_addresses_are_deleted_after_thirty_days_with_their_consent_records():
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _subscribe("never@example.com")
    with time_machine.travel(start + timedelta(days=20), tick=False):
        _subscribe("recent@example.com")
    confirmed = SubscriberFactory(confirmed_at=start - timedelta(days=90))

    with time_machine.travel(start + timedelta(days=30, minutes=1), tick=False):
        assert newsletter_purge_unconfirmed_task.delay().get() == 1

    assert sorted(Subscriber.objects.values_list("email", flat=True)) == sorted(
        ["recent@example.com", confirmed.email]
    )
    assert not Consent.objects.filter(email="never@example.com").exists()


def test_a_new_confirmation_email_restarts_the_thirty_days():
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _subscribe("slow@example.com")
    with time_machine.travel(start + timedelta(days=25), tick=False):
        _subscribe("slow@example.com")  # a second confirmation email goes out
    with time_machine.travel(start + timedelta(days=31), tick=False):
        assert newsletter_purge_unconfirmed_task.delay().get() == 0
    assert Subscriber.objects.filter(email="slow@example.com").exists()


def test_a_former_subscriber_who_asked_again_without_confirming_keeps_the_old_consent_record():
    start = timezone.now()
    former = SubscriberFactory(
        confirmed_at=start - timedelta(days=200),
        status=Subscriber.Status.UNSUBSCRIBED,
        unsubscribed_at=start - timedelta(days=100),
    )
    with time_machine.travel(start, tick=False):
        _subscribe(former.email)
    with time_machine.travel(start + timedelta(days=31), tick=False):
        assert newsletter_purge_unconfirmed_task.delay().get() == 0

    former.refresh_from_db()
    assert former.status == Subscriber.Status.UNSUBSCRIBED
    assert list(former.consents.values_list("confirmed_at", flat=True)) == [former.confirmed_at]
