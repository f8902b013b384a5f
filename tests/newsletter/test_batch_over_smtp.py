"""A fan-out's batch over a real SMTP connection: the journal's answer to each outcome is read between
the next message's envelope and its data, and whatever stops that message ends its transaction with
RSET, so that nothing of it is delivered and the connection stays usable."""

import threading

import pytest
import redis
from django.conf import settings as django_settings

from newsletter.models import Subscriber
from newsletter.services.subscribers import subscriber_unsubscribe
from newsletter.tokens import unsubscribe_token_make
from outbox import journal, services
from outbox.models import OutboundEmail

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def planned(planned_lessons):
    assert OutboundEmail.objects.filter(pk__in=planned_lessons, body__isnull=False).count() == 3
    return planned_lessons


def statuses() -> list[str]:
    return list(OutboundEmail.objects.order_by("pk").values_list("status", flat=True))


def client() -> redis.Redis:
    return redis.Redis.from_url(django_settings.CELERY_BROKER_URL)


def test_no_messages_data_goes_before_the_previous_outcomes_answer_is_read(smtp_server, planned, monkeypatch):
    events: list[str] = []
    lock = threading.Lock()
    settle = journal.Journal.settle

    def noted_settle(self):
        answer = settle(self)
        if answer is not None:
            with lock:
                events.append("answer")
        return answer

    def noted_data(recipient):
        with lock:
            events.append(recipient)

    monkeypatch.setattr(journal.Journal, "settle", noted_settle)
    smtp_server.on_data = noted_data

    assert services.email_send_batch(email_ids=planned) == []

    assert statuses() == ["sent"] * 3
    assert events[:5] == [
        "reader0@example.com",
        "answer",
        "reader1@example.com",
        "answer",
        "reader2@example.com",
    ]
    # Every message arrived whole, in order.
    assert [message["To"] for message in smtp_server.messages] == [f"reader{n}@example.com" for n in range(3)]


def test_an_unsubscribe_during_a_message_withholds_the_next_one_after_its_envelope(smtp_server, planned):
    second = Subscriber.objects.get(email="reader1@example.com")
    unsubscribed = []

    def unsubscribe_once(_recipient):
        if not unsubscribed:
            unsubscribed.append(subscriber_unsubscribe(token=unsubscribe_token_make(subscriber_id=second.pk)))

    smtp_server.on_data = unsubscribe_once

    assert services.email_send_batch(email_ids=planned) == []

    assert statuses() == ["sent", "skipped", "sent"]
    assert dict(smtp_server.received) == {"reader0@example.com": 1, "reader2@example.com": 1}
    skipped = OutboundEmail.objects.get(pk=planned[1])
    assert (skipped.attempts, skipped.sent_at) == (0, None)


def test_a_sender_fenced_during_a_message_sends_no_more_and_leaves_the_connection_usable(
    smtp_server, planned
):
    def fence_once(_recipient):
        smtp_server.on_data = None
        (name,) = OutboundEmail.objects.filter(pk=planned[1]).values_list("claimed_by", flat=True)
        client().set(f"outbox:fence:{name}", 1, ex=60)

    smtp_server.on_data = fence_once
    try:
        assert services.email_send_batch(email_ids=planned) == []

        # The first is in the journal for whoever replays it; the second stopped after its envelope.
        assert dict(smtp_server.received) == {"reader0@example.com": 1}
        assert statuses() == ["pending"] * 3
        (key,) = client().keys("outbox:journal:*")
        listed = [journal.read_entry(line)[:2] for line in client().lrange(key, 0, -1)]
        assert listed == [(planned[0], "sent")]
    finally:
        for key in client().keys("outbox:journal:*") + client().keys("outbox:fence:*"):
            client().delete(key)

    # The one-off sender, over the same connection (the stopped transaction was reset), sends the rest.
    for email_id in planned[1:]:
        assert services.email_send(email_id=email_id).status == OutboundEmail.Status.SENT
    assert dict(smtp_server.received) == {f"reader{n}@example.com": 1 for n in range(3)}
