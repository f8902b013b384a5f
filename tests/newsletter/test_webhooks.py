import base64
import json

import pytest
from django.core import mail
from django.test import Client

from newsletter.models import Subscriber, Suppression, TrackingEvent
from outbox.models import OutboundEmail
from outbox.services import email_enqueue, email_send
from tests.newsletter.factories import SubscriberFactory

pytestmark = pytest.mark.django_db

POSTMARK = "/newsletter/webhooks/postmark/tracking/"
SECRET = "esp:s3cret-webhook-pass"


@pytest.fixture(autouse=True)
def webhook_secret(settings):
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": SECRET}


def auth(secret: str = SECRET) -> dict:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(secret.encode()).decode()}


def postmark_event(email: str, *, record_type="Bounce", type_="HardBounce", event_id=1234567) -> str:
    return json.dumps(
        {
            "RecordType": record_type,
            "ID": event_id,
            "Type": type_,
            "Email": email,
            "BouncedAt": "2026-03-04T07:00:05Z",
            "Description": "The server was unable to deliver your message",
            "Details": "smtp;550 5.1.1 user unknown",
            "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        }
    )


def post(body: str, **headers):
    return Client().post(POSTMARK, data=body, content_type="application/json", **headers)


def test_a_hard_bounce_suppresses_the_address_and_its_queued_mail_is_skipped():
    subscriber = SubscriberFactory(email="gone@example.com")
    queued, _created = email_enqueue(
        kind="newsletter.lesson",
        recipient="gone@example.com",
        key="slot:1",
        subject="第1回",
        text="本文",
        context={"subscriber_id": subscriber.pk},
        send=False,
    )

    response = post(postmark_event("Gone@Example.com"), **auth())

    assert response.status_code == 200
    assert Suppression.objects.get().reason == Suppression.Reason.BOUNCED
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.SUPPRESSED
    email_send(email_id=queued.pk)
    assert OutboundEmail.objects.get(pk=queued.pk).status == OutboundEmail.Status.SKIPPED
    assert mail.outbox == []


def test_a_complaint_suppresses_the_address():
    SubscriberFactory(email="angry@example.com")

    response = post(
        postmark_event("angry@example.com", record_type="SpamComplaint", type_="SpamComplaint"), **auth()
    )

    assert response.status_code == 200
    assert Suppression.objects.get(email="angry@example.com").reason == Suppression.Reason.COMPLAINED
    assert Subscriber.objects.get().status == Subscriber.Status.SUPPRESSED


def test_a_soft_bounce_suppresses_nothing():
    SubscriberFactory(email="full@example.com")

    response = post(postmark_event("full@example.com", type_="SoftBounce"), **auth())

    assert response.status_code == 200
    assert not Suppression.objects.exists()
    assert Subscriber.objects.get().status == Subscriber.Status.ACTIVE


def test_a_repeated_event_is_ignored():
    subscriber = SubscriberFactory(email="gone@example.com")
    assert post(postmark_event("gone@example.com", event_id=777), **auth()).status_code == 200
    # The counselor lifts the suppression (the address works again) and the person is back.
    Suppression.objects.all().delete()
    Subscriber.objects.filter(pk=subscriber.pk).update(status=Subscriber.Status.ACTIVE)

    again = post(postmark_event("gone@example.com", event_id=777), **auth())

    assert again.status_code == 200
    assert TrackingEvent.objects.filter(event_id="777").count() == 1
    assert not Suppression.objects.exists()
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.ACTIVE


@pytest.mark.parametrize("headers", [auth("esp:wrong"), {}, {"HTTP_AUTHORIZATION": "Bearer x"}])
def test_a_wrong_or_missing_secret_is_401_and_changes_nothing(headers):
    SubscriberFactory(email="gone@example.com")

    response = post(postmark_event("gone@example.com"), **headers)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic")
    assert not Suppression.objects.exists()
    assert Subscriber.objects.get().status == Subscriber.Status.ACTIVE


def test_with_no_secret_configured_every_webhook_call_is_refused(settings):
    settings.ANYMAIL = {}
    SubscriberFactory(email="gone@example.com")

    assert post(postmark_event("gone@example.com"), **auth()).status_code == 401
    assert not Suppression.objects.exists()


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ("not json", 400),
        (json.dumps([1, 2]), 400),
        (json.dumps({"RecordType": "Bounce"}), 200),  # no address: nothing to act on
        ("[]", 400),
    ],
)
def test_a_malformed_event_body_is_a_client_error_not_a_500(body, status):
    response = post(body, **auth())

    assert response.status_code == status
    assert not Suppression.objects.exists()


def test_an_unsubscribe_reported_by_the_esp_unsubscribes():
    SubscriberFactory(email="leaver@example.com")
    body = json.dumps(
        {
            "RecordType": "SubscriptionChange",
            "ID": 99,
            "Recipient": "leaver@example.com",
            "SuppressSending": True,
            "SuppressionReason": "ManualSuppression",
            "ChangedAt": "2026-03-04T07:00:05Z",
        }
    )

    assert post(body, **auth()).status_code == 200
    assert Subscriber.objects.get().status == Subscriber.Status.UNSUBSCRIBED
    assert not Suppression.objects.exists()
