"""Batch senders claim rows for their database session; a claim dies with its session."""

import re
import smtplib
import socket
from contextlib import contextmanager

import pytest
from django.core import mail
from django.db import connection
from django.db.models.signals import post_init
from django.utils import timezone

from outbox import services
from outbox.models import OutboundEmail

pytestmark = pytest.mark.django_db(transaction=True)


def pending_rows(count: int) -> list[int]:
    return [
        services.email_enqueue(
            kind="test.notice",
            recipient=f"r{n}@example.com",
            key=str(n),
            subject="件名",
            text="本文",
            send=False,
        )[0].pk
        for n in range(count)
    ]


def test_rows_claimed_by_a_live_session_are_left_to_it_by_batches_and_single_sends(other_session):
    _other, name = other_session
    ids = pending_rows(3)
    OutboundEmail.objects.filter(pk=ids[1]).update(claimed_by=name)

    assert services.email_send_batch(email_ids=ids) == []
    assert services.email_send(email_id=ids[1]) is None

    assert [message.to for message in mail.outbox] == [["r0@example.com"], ["r2@example.com"]]
    assert OutboundEmail.objects.get(pk=ids[1]).status == OutboundEmail.Status.PENDING


def test_the_claim_of_a_session_that_is_gone_is_void_at_once(other_session):
    other, name = other_session
    ids = pending_rows(2)
    OutboundEmail.objects.filter(pk__in=ids).update(claimed_by=name)
    other.close()  # the worker died: its connection, and with it its session, is gone

    assert services.email_send_batch(email_ids=ids) == []

    assert len(mail.outbox) == 2
    rows = OutboundEmail.objects.filter(pk__in=ids)
    assert {(row.status, row.claimed_by, row.attempts) for row in rows} == {("sent", "", 1)}


def test_a_finished_batch_leaves_no_claim_behind(settings):
    ids = pending_rows(3)
    OutboundEmail.objects.filter(pk=ids[0]).update(status=OutboundEmail.Status.SKIPPED)

    services.email_send_batch(email_ids=ids)

    assert not OutboundEmail.objects.exclude(claimed_by="").exists()


def test_a_worker_sends_every_batch_over_one_smtp_connection_and_reopens_it_after_an_error(
    smtp_server, monkeypatch
):
    connects = []
    real_connect = smtplib.SMTP.connect
    monkeypatch.setattr(
        smtplib.SMTP,
        "connect",
        lambda self, *args, **kwargs: connects.append(1) or real_connect(self, *args, **kwargs),
    )
    first = pending_rows(3)
    services.email_send_batch(email_ids=first[:2])
    services.email_send_batch(email_ids=first[2:])
    assert (len(connects), smtp_server.total()) == (1, 3)

    services._mail.backend.connection.sock.shutdown(socket.SHUT_RDWR)  # the connection is lost
    third = services.email_enqueue(
        kind="test.notice", recipient="late@example.com", key="late", subject="件名", text="本文", send=False
    )[0].pk
    assert services.email_send_batch(email_ids=[third]) == [third]  # tried again later
    assert services.email_send_batch(email_ids=[third]) == []
    assert len(connects) == 2
    assert smtp_server.received["late@example.com"] == 1


def claimed_rows(ids: list[int]) -> tuple[dict[int, OutboundEmail], set[str]]:
    with services._batch_cursor() as cursor:
        cursor.execute(services._CLAIM, ["a-sender", ids, OutboundEmail.Status.PENDING])
        return services._claimed_rows(cursor.fetchall())


def test_a_claimed_row_is_the_instance_the_orm_loads():
    ids = pending_rows(2)
    OutboundEmail.objects.filter(pk=ids[0]).update(
        headers={"X-Lesson": "3"}, values={"name": "読者"}, context={"subscriber_id": 7}
    )

    claimed, previous = claimed_rows(ids)

    assert previous == {""}
    for email_id in ids:
        email, loaded = claimed[email_id], OutboundEmail.objects.get(pk=email_id)
        assert {name: getattr(email, name) for name in services._CLAIMED_NAMES} == {
            name: getattr(loaded, name) for name in services._CLAIMED_NAMES
        }
        assert not email._state.adding and email._state.db == "default"
        assert email.get_deferred_fields() == {"dedupe_key", "created_at", "updated_at", "queued_at"}
        assert email.created_at == loaded.created_at  # a deferred column loads when it is read
    assert claimed[ids[0]].values == {"name": "読者"} and claimed[ids[1]].headers == {}


def test_init_signals_see_claimed_rows_once_something_listens():
    ids = pending_rows(2)
    seen = []

    def listener(sender, instance, **kwargs):
        seen.append(instance.pk)

    post_init.connect(listener, sender=OutboundEmail)
    try:
        claimed, _previous = claimed_rows(ids)
    finally:
        post_init.disconnect(listener, sender=OutboundEmail)

    assert sorted(seen) == sorted(ids) == sorted(claimed)


def test_the_outbox_table_leaves_room_on_its_pages_for_claims_to_update_in_place():
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = %s", [OutboundEmail._meta.db_table])
        (options,) = cursor.fetchone()
    assert "fillfactor=60" in options


def fan_out_rows(count: int, *, status=OutboundEmail.Status.PENDING) -> list[int]:
    now = timezone.now()
    return [
        row.pk
        for row in OutboundEmail.objects.bulk_create(
            OutboundEmail(
                kind="test.notice",
                dedupe_key=f"{status}:{n}",
                recipient=f"r{n}@example.com",
                subject="件名",
                body_text="本文",
                status=status,
                sent_at=now if status == OutboundEmail.Status.SENT else None,
                queued_at=now,
            )
            for n in range(count)
        )
    ]


@contextmanager
def statements_run():
    """The outbox's statements run meanwhile, with their values written in (the batch sender's cursor
    sends them apart, so the captured text alone would not run)."""
    statements: list[str] = []

    def collect(execute, sql, params, many, context):
        if OutboundEmail._meta.db_table in sql:
            statements.append(connection.ops.compose_sql(sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(collect):
        yield statements


def plans(statements: list[str]) -> list[str]:
    with connection.cursor() as cursor:
        explained = []
        for sql in statements:
            cursor.execute(f"EXPLAIN {sql}")
            explained.append("\n".join(line for (line,) in cursor.fetchall()))
    return explained


@pytest.fixture
def statistics_from_before_a_fan_out():
    """The table's statistics taken when nearly every row was sent; then a fan-out's rows go in."""
    table = OutboundEmail._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
        fan_out_rows(200, status=OutboundEmail.Status.SENT)
        cursor.execute(f"ANALYZE {table}")
    yield fan_out_rows(5000)
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {table} RESET (autovacuum_enabled)")


def test_a_batch_reads_its_rows_by_id_even_with_statistics_from_before_the_fan_out(
    statistics_from_before_a_fan_out,
):
    """The planner, believing few rows pending, once read each batch through the sweeper's index of
    pending rows: every pending row, three times a batch."""
    batch = statistics_from_before_a_fan_out[2000:2100]
    with statements_run() as statements:
        services.email_send_batch(email_ids=batch)

    explained = plans(statements)

    assert len(explained) >= 4  # the claim, the checks, the save, the release
    assert not [plan for plan in explained if "outbox_pending_queued_idx" in plan]
    assert all("outboundemail_pkey" in plan for plan in explained), explained
    # The claim joins nothing: it once joined its rows with their previous state, and on a table
    # never analysed that was a nested loop reading the whole table once for each row claimed.
    (claim,) = [
        plan for statement, plan in zip(statements, explained, strict=True) if "RETURNING" in statement
    ]
    assert "Join" not in claim and "Nested Loop" not in claim, claim


def test_the_sweeper_finds_pending_rows_through_its_index(statistics_from_before_a_fan_out):
    with statements_run() as statements:
        services.outbox_requeue_stale()
    (sweep,) = [statement for statement in statements if "ORDER BY" in statement]
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            (explained,) = plans([sweep])
        finally:
            cursor.execute("RESET enable_seqscan")

    assert "outbox_pending_queued_idx" in explained


def indexed_columns(table: str) -> list[str]:
    """Each index of ``table`` (constraints' included) by what it indexes, operator classes and all."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [table])
        return sorted(re.search(r"USING \w+ \((.*?)\)", definition)[1] for (definition,) in cursor.fetchall())


def test_every_row_pays_only_for_indexes_a_query_reads():
    """A fan-out writes a delivery and an outbox row per subscriber and saves each outcome: no index
    twice (Django's LIKE twins of kind and dedupe_key), none that only repeats another's first column."""
    from newsletter.models import Delivery

    assert indexed_columns(OutboundEmail._meta.db_table) == [
        "created_at",  # the admin's list
        "dedupe_key",  # unique: a retry or re-run makes no second row
        "id",
        "kind",  # email_contexts
        "queued_at",  # the sweeper's, of pending rows
    ]
    assert indexed_columns(Delivery._meta.db_table) == [
        "broadcast_id",
        "id",
        "lesson_id",
        "slot_id",  # a slot's counts
        "subscriber_id, lesson_id",  # each subscriber's next lesson
        "subscriber_id, slot_id",  # unique: one email a subscriber and slot
    ]
