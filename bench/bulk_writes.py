"""Bulk writes: the fan-out's delivery and outbox rows, against PostgreSQL COPY of the same rows.

Ours: 100,000 deliveries written as the slot planner writes them: per chunk of
NEWSLETTER_PLAN_CHUNK_SIZE subscribers, one transaction holding the slot's lock that reads the chunk's
ids and next lessons, writes the outbox rows from the subscribers' rows in one INSERT … SELECT
(``email_enqueue_rows``) and the delivery rows in one INSERT, and updates the slot's checkpoint. The
issue's email is stored once (``OutboundBody``) and each outbox row keeps the subscriber's name, as
the planner writes them; handing the rows to the senders is left out, and rendering is the fan-out
benchmark's business (the planner renders the one lesson once).

Baseline: the same rows, the same columns and values, by ``cursor.copy`` (psycopg 3) in one
transaction: outbox ids drawn from their sequence in one query, then COPY of the outbox rows and COPY
of the delivery rows pointing at them.

    python -m bench.bulk_writes [--n 100000] [--rounds 3]
"""

import json
import time

from bench.common import BenchServices, argument_parser, finish, median, ratio, say, seed_subscribers


def seed(n: int) -> None:
    from newsletter.models import Lesson

    Lesson.objects.create(position=1, subject="講座メール 第1回", body_markdown="本文")
    seed_subscribers(n)


def reset() -> int:
    """Empties the outbox and deliveries and takes up a fresh slot; returns its id."""
    from django.db import connection
    from django.utils import timezone

    from newsletter.models import Delivery, SendSlot
    from outbox.selectors import OutboundBody, OutboundEmail

    tables = ", ".join(model._meta.db_table for model in (Delivery, SendSlot, OutboundEmail, OutboundBody))
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables}")
    now = timezone.now()
    return SendSlot.objects.create(starts_at=now, planning_started_at=now).pk


def write_ours(slot_id: int) -> float:
    """The planner's chunks, each in its own transaction, until the slot is planned."""
    from newsletter.services import planning

    contents = planning._Contents()
    hand_over = planning.emails_send_on_commit
    planning.emails_send_on_commit = lambda **kwargs: None  # writing only: nothing goes to a sender
    try:
        started = time.monotonic()
        while not planning._slot_plan_chunk(slot_id=slot_id, contents=contents):
            pass
        return time.monotonic() - started
    finally:
        planning.emails_send_on_commit = hand_over


def write_copy(slot_id: int) -> float:
    """The same rows and values through COPY, in one transaction."""
    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone

    from newsletter.models import Delivery, Lesson, Subscriber
    from newsletter.rendering import list_unsubscribe_headers
    from newsletter.services.content import content_of, issue_render
    from outbox.mime import PLACEHOLDER
    from outbox.selectors import OutboundEmail
    from outbox.services import email_body_create, email_dedupe_key

    lesson = Lesson.objects.get()
    link = PLACEHOLDER.format("unsubscribe_url")
    rendered = issue_render(
        content=content_of(lesson), unsubscribe_link=link, name=PLACEHOLDER.format("name")
    )
    body = email_body_create(
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        headers=list_unsubscribe_headers(link),
    )
    subscribers = list(Subscriber.objects.order_by("pk").values_list("pk", "email", "name"))
    email_table, delivery_table = OutboundEmail._meta.db_table, Delivery._meta.db_table
    email_columns = (
        "id", "created_at", "updated_at", "kind", "dedupe_key", "recipient", "from_email", "subject",
        "body_text", "body_html", "headers", "attachments", "context", "status", "attempts",
        "last_error", "queued_at", "carries_secret", "body_id", "values", "claimed_by",
    )  # fmt: skip
    delivery_columns = (
        "created_at",
        "updated_at",
        "subscriber_id",
        "slot_id",
        "kind",
        "lesson_id",
        "email_id",
    )
    from_email, kind, key = settings.DEFAULT_FROM_EMAIL, "newsletter.lesson", f"slot:{slot_id}"
    started = time.monotonic()
    with transaction.atomic(), connection.cursor() as cursor:
        now = timezone.now()
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [email_table, len(subscribers)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        raw = cursor.cursor  # psycopg's own cursor, for COPY
        with raw.copy(f"COPY {email_table} ({', '.join(email_columns)}) FROM STDIN") as copy:
            for email_id, (pk, email, name) in zip(ids, subscribers, strict=True):
                copy.write_row(
                    (
                        email_id, now, now, kind, email_dedupe_key(kind, email, key), email, from_email,
                        body.subject, "", "", "{}", "[]",
                        json.dumps({"subscriber_id": pk, "slot_id": slot_id}), "pending", 0, "", now, True,
                        body.pk, json.dumps({"name": name} if name else {}), "",
                    )
                )  # fmt: skip
        with raw.copy(f"COPY {delivery_table} ({', '.join(delivery_columns)}) FROM STDIN") as copy:
            for email_id, (pk, _email, _name) in zip(ids, subscribers, strict=True):
                copy.write_row((now, now, pk, slot_id, "lesson", lesson.pk, email_id))
    return time.monotonic() - started


def check_written(n: int) -> None:
    from django.db.models import Count

    from newsletter.models import Delivery
    from outbox.selectors import OutboundEmail

    emails = OutboundEmail.objects.aggregate(rows=Count("pk"), recipients=Count("recipient", distinct=True))
    linked = Delivery.objects.filter(email__isnull=False).count()
    if not (emails["rows"] == emails["recipients"] == linked == n):
        raise SystemExit(
            f"expected {n} outbox and delivery rows, got {emails} and {linked} linked deliveries"
        )


def main(argv: list[str] | None = None) -> dict:
    parser = argument_parser(__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="delivery rows (default 100,000)")
    args = parser.parse_args(argv)

    services = BenchServices.start("bulk")
    rounds: list[dict] = []
    try:
        seed(args.n)
        for number in range(1, args.rounds + 1):
            seconds = {}
            for side, write in (("ours", write_ours), ("copy", write_copy)):
                seconds[side] = write(reset())
                check_written(args.n)
            rounds.append(
                {side: {"seconds": value, "rows_per_s": args.n / value} for side, value in seconds.items()}
            )
            say(
                f"  round {number}: ours {rounds[-1]['ours']['rows_per_s']:.0f} deliveries/s, "
                f"COPY {rounds[-1]['copy']['rows_per_s']:.0f} deliveries/s"
            )
    finally:
        services.stop()

    summary = {side: median([entry[side]["rows_per_s"] for entry in rounds]) for side in ("ours", "copy")}
    summary["ratio"] = ratio(summary["ours"], summary["copy"])
    figures = {"n": args.n, "rounds": args.rounds, "rounds_figures": rounds, "median": summary}
    return finish("bulk_writes", figures, args.results, report)


def report(figures: dict) -> list[str]:
    summary = figures["median"]
    return [
        f"bulk writes, {figures['n']} deliveries: ours {summary['ours']:.0f} deliveries/s, COPY "
        f"{summary['copy']:.0f} deliveries/s (medians), ratio {summary['ratio']:.2f} (goal >= 0.3)"
    ]


if __name__ == "__main__":
    main()
