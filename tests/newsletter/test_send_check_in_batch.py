"""The newsletter's send check, asked in SQL by the batch sender for its batch and again, before the next
message, once a subscriber or a suppression changes."""

import itertools

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext

from newsletter.models import Subscriber, Suppression
from newsletter.send_checks import newsletter_email_still_wanted
from newsletter.services.subscribers import address_suppress, subscriber_unsubscribe
from newsletter.tokens import unsubscribe_token_make
from outbox.models import OutboundEmail
from outbox.services import _NO_OUTCOME, _batch_state, _step_statement, email_send_batch
from tests.newsletter.factories import SubscriberFactory

pytestmark = pytest.mark.django_db(transaction=True)


class StopsPeopleWhileSending(EmailBackend):
    """A mail server during whose first exchange other things happen (an unsubscribe, a bounce)."""

    during_first_send = None

    def send_messages(self, messages):
        sent = super().send_messages(messages)
        if StopsPeopleWhileSending.during_first_send is not None:
            action, StopsPeopleWhileSending.during_first_send = (
                StopsPeopleWhileSending.during_first_send,
                None,
            )
            action()
        return sent


@pytest.fixture
def planned_batch(settings, planned_lessons):
    """Three subscribers' lessons planned for one slot, not sent yet: their ids in sending order."""
    settings.EMAIL_BACKEND = "tests.newsletter.test_send_check_in_batch.StopsPeopleWhileSending"
    return planned_lessons


def statuses() -> list[str]:
    return list(OutboundEmail.objects.order_by("pk").values_list("status", flat=True))


def test_an_unsubscribe_during_a_batch_stops_the_very_next_message(planned_batch):
    second = Subscriber.objects.get(email="reader1@example.com")
    StopsPeopleWhileSending.during_first_send = lambda: subscriber_unsubscribe(
        token=unsubscribe_token_make(subscriber_id=second.pk)
    )

    assert email_send_batch(email_ids=planned_batch) == []

    assert statuses() == ["sent", "skipped", "sent"]
    assert [message.to for message in mail.outbox] == [["reader0@example.com"], ["reader2@example.com"]]
    # Finished rows keep no one's signed links (they carry secrets): their values are blanked.
    assert list(OutboundEmail.objects.values_list("values", flat=True)) == [{}, {}, {}]


def test_a_bounce_during_a_batch_stops_the_very_next_message_to_that_address(planned_batch):
    StopsPeopleWhileSending.during_first_send = lambda: address_suppress(
        email="READER1@example.com", reason=Suppression.Reason.BOUNCED
    )

    email_send_batch(email_ids=planned_batch)

    assert statuses() == ["sent", "skipped", "sent"]


def test_the_check_costs_no_query_of_its_own(planned_batch):
    # The batch's session name, claim (which reads the rows), bodies, check, one save and release:
    # none of them per message.
    with CaptureQueriesContext(connection) as queries:
        email_send_batch(email_ids=planned_batch)
    assert statuses() == ["sent"] * 3
    assert len(queries) <= 6
    assert sum("newsletter_suppression" in query["sql"] for query in queries.captured_queries) == 1


def sql_answer(email: OutboundEmail) -> bool:
    """The SQL check as both forms of the batch sender ask it: for a batch, and one message a statement."""
    statement, checked_in_sql = _step_statement(email.kind)
    assert checked_in_sql
    with connection.cursor() as cursor:
        cursor.execute(statement, [*_NO_OUTCOME, "me", email.pk, OutboundEmail.Status.PENDING, "me"])
        one_by_one = cursor.fetchone()[3]
        ((_attempts, _error, for_the_batch),) = _batch_state(
            cursor, "me", [email.pk], {email.pk: email}
        ).values()
    assert for_the_batch == one_by_one
    return one_by_one


def test_the_sql_check_answers_as_the_python_check_in_every_case():
    kinds = ["newsletter.lesson", "newsletter.broadcast", "newsletter.confirm", "newsletter.test"]
    statuses_ = [*Subscriber.Status.values, "missing", "no subscriber"]
    answers = []
    for number, (kind, status, suppressed) in enumerate(itertools.product(kinds, statuses_, [False, True])):
        address = f"case{number}@example.com"
        context = {}
        if status == "missing":
            context = {"subscriber_id": 10**9}
        elif status != "no subscriber":
            context = {"subscriber_id": SubscriberFactory(email=address, status=status).pk}
        if suppressed:
            Suppression.objects.create(email=address.upper(), reason=Suppression.Reason.BOUNCED)
        email = OutboundEmail.objects.create(
            kind=kind,
            dedupe_key=address,
            recipient=address,
            subject="件名",
            body_text="本文",
            context=context,
            claimed_by="me",
        )
        python = newsletter_email_still_wanted(email)
        assert sql_answer(email) == python, (kind, status, suppressed)
        answers.append(python)
    assert True in answers and False in answers


def test_every_change_the_check_reads_tells_the_batch_senders():
    import redis
    from django.conf import settings

    from newsletter.services.subscribers import (
        subscriber_unsubscribe_address,
        subscribers_purge_unconfirmed,
    )

    counter = redis.Redis.from_url(settings.CELERY_BROKER_URL)

    def epoch() -> int:
        return int(counter.get("outbox:checks-epoch") or 0)

    subscriber = SubscriberFactory(email="reader@example.com")
    changes = [
        lambda: subscriber_unsubscribe(token=unsubscribe_token_make(subscriber_id=subscriber.pk)),
        lambda: address_suppress(email="reader@example.com", reason=Suppression.Reason.BOUNCED),
        lambda: subscriber_unsubscribe_address(email="other@example.com"),
        lambda: subscribers_purge_unconfirmed(),
        lambda: Subscriber.objects.get(pk=subscriber.pk).delete(),
        lambda: Suppression.objects.all().delete(),
    ]
    for change in changes:
        before = epoch()
        change()
        assert epoch() > before, change
