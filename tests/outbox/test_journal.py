"""The batch sender's journal in Redis: outcomes saved many at a time, replayed when a sender dies."""

import smtplib

import hiredis
import pytest
import redis
from django.conf import settings as django_settings
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from outbox import journal, services
from outbox.models import OutboundEmail

pytestmark = pytest.mark.django_db(transaction=True)


def pending_rows(count: int, kind: str = "test.notice") -> list[int]:
    return [
        services.email_enqueue(
            kind=kind, recipient=f"r{n}@example.com", key=str(n), subject="件名", text="本文", send=False
        )[0].pk
        for n in range(count)
    ]


def client() -> redis.Redis:
    return redis.Redis.from_url(django_settings.CELERY_BROKER_URL)


class DuringFirstSend(EmailBackend):
    """A mail server during whose first exchange something else happens."""

    action = None

    def send_messages(self, messages):
        sent = super().send_messages(messages)
        if DuringFirstSend.action is not None:
            action, DuringFirstSend.action = DuringFirstSend.action, None
            action()
        return sent


@pytest.fixture
def dead_session(other_session):
    """A session name as another worker's claims wrote it, for a worker that has since died."""
    other, name = other_session
    other.close()
    yield name
    client().delete(f"outbox:journal:{name}", f"outbox:fence:{name}")


def test_outcomes_are_saved_in_a_statement_every_so_many_messages_not_one_a_message(settings):
    settings.OUTBOX_SAVE_EVERY = 50
    services.email_send_batch(email_ids=pending_rows(1))  # the connection learns its session's name
    OutboundEmail.objects.all().delete()
    few = pending_rows(10)
    with CaptureQueriesContext(connection) as few_queries:
        services.email_send_batch(email_ids=few)
    OutboundEmail.objects.all().delete()
    many = pending_rows(150)
    with CaptureQueriesContext(connection) as many_queries:
        services.email_send_batch(email_ids=many)

    assert len(mail.outbox) == 161
    # 140 more messages cost two more saves and two more readings of the checks, not 140 statements.
    assert len(many_queries) - len(few_queries) == 4
    rows = OutboundEmail.objects.filter(pk__in=many)
    assert {(row.status, row.attempts, row.claimed_by) for row in rows} == {("sent", 1, "")}
    assert all(row.sent_at is not None for row in rows)
    assert client().keys("outbox:journal:*") == []  # nothing left unsaved


def test_a_dead_senders_journal_is_replayed_before_its_rows_are_sent_again(dead_session):
    ids = pending_rows(3)
    OutboundEmail.objects.filter(pk__in=ids).update(claimed_by=dead_session)
    sent_at = timezone.now().replace(microsecond=0)
    # It had sent the first two (listed in its journal, not yet saved) when it died.
    for email_id in ids[:2]:
        client().rpush(
            f"outbox:journal:{dead_session}",
            journal.entry(email_id, "sent", 1, "", sent_at.timestamp()),
        )

    assert services.email_send_batch(email_ids=ids) == []

    assert [message.to for message in mail.outbox] == [["r2@example.com"]]
    rows = {row.pk: row for row in OutboundEmail.objects.filter(pk__in=ids)}
    assert [(rows[pk].status, rows[pk].attempts, rows[pk].claimed_by) for pk in ids] == [("sent", 1, "")] * 3
    assert rows[ids[0]].sent_at == sent_at
    assert not client().exists(f"outbox:journal:{dead_session}")
    assert client().exists(f"outbox:fence:{dead_session}")  # should it still be running, it stops


def test_the_one_off_sender_replays_a_dead_senders_journal_too(dead_session):
    (listed, unlisted) = pending_rows(2)
    OutboundEmail.objects.filter(pk__in=[listed, unlisted]).update(claimed_by=dead_session)
    client().rpush(f"outbox:journal:{dead_session}", journal.entry(listed, "sent", 1, "", 1.0e9))

    assert services.email_send(email_id=listed).status == OutboundEmail.Status.SENT
    assert mail.outbox == []
    assert services.email_send(email_id=unlisted).status == OutboundEmail.Status.SENT
    assert [message.to for message in mail.outbox] == [["r1@example.com"]]


def test_a_sender_whose_session_was_given_up_for_dead_stops_before_its_next_message(settings):
    settings.EMAIL_BACKEND = "tests.outbox.test_journal.DuringFirstSend"
    ids = pending_rows(3)

    def another_worker_fences_us():
        (name,) = OutboundEmail.objects.filter(pk=ids[1]).values_list("claimed_by", flat=True)
        client().set(f"outbox:fence:{name}", 1, ex=60)

    DuringFirstSend.action = another_worker_fences_us
    services.email_send_batch(email_ids=ids)

    assert [message.to for message in mail.outbox] == [["r0@example.com"]]
    # The first outcome is in the journal for whoever replays it; the rest were never sent.
    assert list(OutboundEmail.objects.order_by("pk").values_list("status", flat=True)) == ["pending"] * 3
    (name,) = client().keys("outbox:journal:*")
    assert [journal.read_entry(line)[:2] for line in client().lrange(name, 0, -1)] == [(ids[0], "sent")]
    client().delete(name, name.replace(b"journal", b"fence"))


def test_without_redis_each_outcome_is_saved_by_its_own_statement(monkeypatch):
    monkeypatch.setattr(journal, "_client", lambda: redis.Redis(port=1, socket_connect_timeout=0.2))
    ids = pending_rows(3)

    assert services.email_send_batch(email_ids=ids) == []

    assert len(mail.outbox) == 3
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {"sent"}


def test_redis_lost_mid_batch_saves_what_was_sent_and_goes_on_one_statement_a_message(monkeypatch):
    ids = pending_rows(4)
    appended = []

    def append_then_fail(self, line):
        if appended:
            raise redis.ConnectionError("Redis went away")
        appended.append(line)

    monkeypatch.setattr(journal.Journal, "append", append_then_fail)

    assert services.email_send_batch(email_ids=ids) == []

    assert len(mail.outbox) == 4  # each sent once
    rows = OutboundEmail.objects.filter(pk__in=ids)
    assert {(row.status, row.attempts, row.claimed_by) for row in rows} == {("sent", 1, "")}


def test_redis_closing_the_journals_connection_mid_batch_costs_no_message(settings):
    settings.EMAIL_BACKEND = "tests.outbox.test_journal.DuringFirstSend"
    # Redis drops the journal's connection (a restart, a timeout of its own) after the first append.
    DuringFirstSend.action = lambda: client().client_kill_filter(_type="normal", skipme=True)
    ids = pending_rows(4)

    assert services.email_send_batch(email_ids=ids) == []

    assert len(mail.outbox) == 4  # each sent once
    rows = OutboundEmail.objects.filter(pk__in=ids)
    assert {(row.status, row.attempts, row.claimed_by) for row in rows} == {("sent", 1, "")}
    assert client().keys("outbox:journal:*") == []


def test_a_change_no_one_announced_is_still_seen_when_the_outcomes_are_saved(settings):
    """The SQL checks are asked again with every save, so a change made without telling the senders
    (say, by hand in the database) waits at most OUTBOX_SAVE_EVERY messages."""
    from newsletter.models import Subscriber
    from tests.newsletter.factories import SubscriberFactory

    settings.OUTBOX_SAVE_EVERY = 1
    settings.EMAIL_BACKEND = "tests.outbox.test_journal.DuringFirstSend"
    subscribers = [SubscriberFactory(email=f"r{n}@example.com") for n in range(3)]
    ids = [
        services.email_enqueue(
            kind="newsletter.broadcast",
            recipient=subscriber.email,
            key="slot:1",
            subject="件名",
            text="本文",
            context={"subscriber_id": subscriber.pk},
            send=False,
        )[0].pk
        for subscriber in subscribers
    ]

    def unsubscribe_by_hand():
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Subscriber._meta.db_table} SET status = %s WHERE id = %s",  # noqa: S608
                [Subscriber.Status.UNSUBSCRIBED, subscribers[1].pk],
            )

    DuringFirstSend.action = unsubscribe_by_hand
    services.email_send_batch(email_ids=ids)

    assert list(OutboundEmail.objects.order_by("pk").values_list("status", flat=True)) == [
        "sent",
        "skipped",
        "sent",
    ]


def test_a_redis_flushed_mid_batch_costs_no_message_and_the_batch_stays_journalled(settings):
    settings.EMAIL_BACKEND = "tests.outbox.test_journal.DuringFirstSend"
    DuringFirstSend.action = lambda: client().flushdb()  # as a restart without persistence
    ids = pending_rows(3)

    with CaptureQueriesContext(connection) as queries:
        assert services.email_send_batch(email_ids=ids) == []

    assert len(mail.outbox) == 3
    # The sender kept every outcome itself: none saved by a statement of its own.
    assert not [query for query in queries.captured_queries if query["sql"].startswith("WITH outcome AS")]
    rows = OutboundEmail.objects.filter(pk__in=ids)
    assert {(row.status, row.attempts, row.claimed_by) for row in rows} == {("sent", 1, "")}


class GoesDownAfterTwo(EmailBackend):
    """A mail server that takes two messages, drops the connection on the third and then refuses any."""

    accepted = 0
    down = False

    def open(self):
        if GoesDownAfterTwo.down:
            raise ConnectionRefusedError("the mail server is down")
        return super().open()

    def send_messages(self, messages):
        if GoesDownAfterTwo.accepted >= 2:
            GoesDownAfterTwo.down = True
            raise smtplib.SMTPServerDisconnected("connection lost")
        GoesDownAfterTwo.accepted += 1
        return super().send_messages(messages)


def test_a_batch_cut_short_by_an_error_saves_what_it_sent_so_its_retry_sends_nothing_twice(settings):
    settings.EMAIL_BACKEND = "tests.outbox.test_journal.GoesDownAfterTwo"
    GoesDownAfterTwo.accepted, GoesDownAfterTwo.down = 0, False
    ids = pending_rows(4)
    try:
        with pytest.raises(ConnectionRefusedError):
            services.email_send_batch(email_ids=ids)
        assert list(OutboundEmail.objects.order_by("pk").values_list("status", flat=True)) == [
            "sent",
            "sent",
            "pending",
            "pending",
        ]

        GoesDownAfterTwo.down, GoesDownAfterTwo.accepted = False, -10  # back, and taking everything
        assert services.email_send_batch(email_ids=ids) == []
    finally:
        services._mail_connection_drop()

    assert sorted(message.to[0] for message in mail.outbox) == [f"r{n}@example.com" for n in range(4)]
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {"sent"}


def test_a_journal_opens_with_the_checks_counter_and_not_for_a_fenced_session():
    client().set("outbox:fence:fenced-session", 1, ex=60)
    client().set("outbox:checks-epoch", 41)
    pool = journal._client().connection_pool
    try:
        assert journal.Journal.open("fenced-session") is None
        opened = journal.Journal.open("live-session")
        assert opened is not None
        live, epoch = opened
        assert epoch == b"41"
        assert live.settle() is None  # nothing appended yet
        live.append(journal.entry(1, "sent", 1, "", 1.0e9))
        with pytest.raises(RuntimeError):
            live.append(journal.entry(2, "sent", 1, "", 1.0e9))  # before the first one's answer is read
        assert live.settle() == (False, b"41")
        assert client().llen("outbox:journal:live-session") == 1
        client().set("outbox:fence:live-session", 1, ex=60)
        live.append(journal.entry(2, "sent", 1, "", 1.0e9))
        assert live.settle() == (True, b"41")
        live.clear()
        assert not client().exists("outbox:journal:live-session")
        live.release()
    finally:
        client().delete(
            "outbox:fence:fenced-session",
            "outbox:fence:live-session",
            "outbox:checks-epoch",
            "outbox:journal:live-session",
        )

    assert not pool._in_use_connections  # the fenced one's connection went back too


def test_no_journal_opens_when_redis_answers_its_opening_with_an_error(monkeypatch):
    pool = journal._client().connection_pool
    answer = [hiredis.ReplyError("NOPERM this user has no permissions to run the 'mget' command")]
    monkeypatch.setattr(journal.Journal, "_receive", lambda self, replies: answer)

    assert journal.Journal.open("a-session") is None
    assert not pool._in_use_connections


def test_no_journal_opens_when_redis_goes_away_as_it_opens(monkeypatch):
    pool = journal._client().connection_pool

    def gone(self, replies):
        raise redis.ConnectionError("Redis closed the connection")

    monkeypatch.setattr(journal.Journal, "_receive", gone)

    assert journal.Journal.open("a-session") is None
    assert not pool._in_use_connections


def test_a_journal_released_with_an_answer_unread_closes_its_connection_rather_than_pass_it_on():
    pool = journal._client().connection_pool
    opened = journal.Journal.open("unsettled-session")
    assert opened is not None
    live, _epoch = opened
    try:
        live.append(journal.entry(1, "sent", 1, "", 1.0e9))
        live.release()
    finally:
        client().delete("outbox:journal:unsettled-session")

    assert live.connection._sock is None
    assert not pool._in_use_connections
