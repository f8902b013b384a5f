import threading
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.utils import timezone

from newsletter.models import Consent, Subscriber
from newsletter.services.subscribers import address_suppress
from outbox.models import OutboundEmail
from tests.newsletter.conftest import link_token, subscribe
from tests.newsletter.factories import SubscriberFactory

pytestmark = pytest.mark.django_db


def test_subscribing_the_same_address_twice_yields_one_subscriber_and_one_confirmation_email(
    api_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        new = subscribe(api_client, email="Hanako@Example.com")
        known = subscribe(api_client, email="hanako@example.com")

    assert new.status_code == known.status_code == 202
    assert new.json() == known.json()
    assert Subscriber.objects.filter(email__iexact="hanako@example.com").count() == 1
    assert [message.to for message in mail.outbox] == [["hanako@example.com"]]
    assert OutboundEmail.objects.filter(kind="newsletter.confirm").count() == 1


def test_a_confirmed_address_gets_the_same_answer_and_no_email(api_client):
    SubscriberFactory(email="known@example.com")

    new = subscribe(api_client, email="new@example.com")
    confirmed = subscribe(api_client, email="known@example.com")

    assert (confirmed.status_code, confirmed.json()) == (new.status_code, new.json())
    assert not OutboundEmail.objects.filter(recipient="known@example.com").exists()
    assert Consent.objects.filter(email="known@example.com").count() == 1  # no second consent record


def test_the_consent_record_keeps_time_ip_user_agent_source_and_wording_version(api_client):
    with time_machine.travel("2026-03-03 10:00 +09:00", tick=False):
        subscribe(api_client, source="blog-footer")

    consent = Consent.objects.get()
    assert consent.given_at.isoformat() == "2026-03-03T01:00:00+00:00"
    assert consent.ip_address == "198.51.100.23"
    assert consent.user_agent == "Mozilla/5.0 (Macintosh) Safari/605"
    assert consent.source == "blog-footer"
    assert consent.wording_version == "2026-01"
    assert consent.confirmed_at is None
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING


def test_at_most_one_confirmation_email_per_address_per_ten_minutes(api_client):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        subscribe(api_client)
    with time_machine.travel(start + timedelta(minutes=9), tick=False):
        subscribe(api_client)
    assert OutboundEmail.objects.filter(kind="newsletter.confirm").count() == 1

    with time_machine.travel(start + timedelta(minutes=10), tick=False):
        subscribe(api_client)
    assert OutboundEmail.objects.filter(kind="newsletter.confirm").count() == 2


def test_subscribing_without_consent_is_refused_and_changes_nothing(api_client):
    response = subscribe(api_client, consent=False)

    assert response.status_code == 400
    assert "consent" in response.json()
    assert not Subscriber.objects.exists()
    assert not OutboundEmail.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"email": "not-an-email", "consent": True},
        {"consent": True},
        {"email": "a@example.com", "consent": True, "consent_version": "1999-01"},
        {"email": "a@example.com", "consent": True, "source": "has spaces"},
        {"email": "a@example.com", "consent": True, "name": "x" * 101},
    ],
)
def test_bad_subscribe_input_is_a_400_and_changes_nothing(api_client, body):
    response = api_client.post("/api/v1/newsletter/subscribe/", body, format="json")

    assert response.status_code == 400
    assert not Subscriber.objects.exists()


def test_an_unsubscribed_person_can_subscribe_again_with_a_new_consent_record(
    api_client, django_capture_on_commit_callbacks
):
    subscriber = SubscriberFactory(
        email="back@example.com", status=Subscriber.Status.UNSUBSCRIBED, unsubscribed_at=timezone.now()
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert subscribe(api_client, email="back@example.com").status_code == 202

    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.PENDING
    assert subscriber.consents.count() == 2
    token = link_token(mail.outbox[0].body, "confirm")
    page = api_client.post(f"/newsletter/confirm/{token}/")
    assert page.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.ACTIVE
    assert subscriber.consents.filter(confirmed_at__isnull=False).count() == 2


def test_a_suppressed_address_gets_the_same_answer_and_nothing_is_sent(api_client):
    address_suppress(email="gone@example.com", reason="bounced")

    known = subscribe(api_client, email="gone@example.com")
    new = subscribe(api_client, email="new@example.com")

    assert (known.status_code, known.json()) == (new.status_code, new.json())
    assert not OutboundEmail.objects.filter(recipient="gone@example.com").exists()


def test_subscribing_is_throttled_per_client_address(api_client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "mail": "2/min"}

    codes = [subscribe(api_client, email=f"p{n}@example.com").status_code for n in range(3)]

    assert codes == [202, 202, 429]


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_subscriptions_of_one_address_make_one_subscriber_and_one_email():
    from rest_framework.test import APIClient

    barrier = threading.Barrier(2)
    codes = []

    def submit():
        try:
            barrier.wait()
            codes.append(subscribe(APIClient(), email="race@example.com").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert codes == [202, 202]
    assert Subscriber.objects.filter(email="race@example.com").count() == 1
    assert OutboundEmail.objects.filter(kind="newsletter.confirm").count() == 1
