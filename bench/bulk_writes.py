"""Bulk writes: the fan-out's delivery and outbox rows, against PostgreSQL COPY of the same rows.

Ours: 100,000 deliveries written the way the slot planner writes them: per chunk of
NEWSLETTER_PLAN_CHUNK_SIZE subscribers, one transaction holding the slot's lock, the outbox rows by
``email_enqueue_many`` in batches of NEWSLETTER_SEND_BATCH_SIZE, the delivery rows by one
``bulk_create(ignore_conflicts=True)``, the slot's checkpoint updated. The issue's email is stored once
(``OutboundBody``) and each outbox row keeps the subscriber's own values (name, signed links), as the
planner writes them; rendering is the fan-out benchmark's business, this one measures writing.

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


def planned_rows(slot_id: int) -> tuple[list, list]:
    """What the planner would write for every subscriber: (delivery, draft) pairs.

    The issue rendered once into a shared body, as the planner does; each row the subscriber's own
    unsubscribe link and name.
    """
    from newsletter.models import Delivery, Lesson, Subscriber
    from newsletter.rendering import list_unsubscribe_headers, unsubscribe_url
    from newsletter.services.content import content_of, issue_render
    from outbox.mime import PLACEHOLDER
    from outbox.services import EmailDraft, email_body_create

    lesson = Lesson.objects.get()
    link_placeholder = PLACEHOLDER.format("unsubscribe_url")
    rendered = issue_render(
        content=content_of(lesson), unsubscribe_link=link_placeholder, name=PLACEHOLDER.format("name")
    )
    body = email_body_create(
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        headers=list_unsubscribe_headers(link_placeholder),
    )
    deliveries, drafts = [], []
    for pk, email, name in Subscriber.objects.order_by("pk").values_list("pk", "email", "name"):
        deliveries.append(
            Delivery(subscriber_id=pk, slot_id=slot_id, kind=Delivery.Kind.LESSON, lesson=lesson)
        )
        drafts.append(
            EmailDraft(
                kind="newsletter.lesson",
                recipient=email,
                key=f"slot:{slot_id}",
                subject=body.subject,
                text="",
                body_id=body.pk,
                values={"unsubscribe_url": unsubscribe_url(pk), "name": name},
                context={"subscriber_id": pk, "slot_id": slot_id},
                carries_secret=True,
            )
        )
    return deliveries, drafts


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


def write_ours(slot_id: int, deliveries: list, drafts: list) -> float:
    from django.conf import settings
    from django.db import transaction

    from newsletter.models import Delivery, SendSlot
    from outbox.services import email_enqueue_many

    chunk_size, batch_size = settings.NEWSLETTER_PLAN_CHUNK_SIZE, settings.NEWSLETTER_SEND_BATCH_SIZE
    started = time.monotonic()
    for chunk in range(0, len(drafts), chunk_size):
        with transaction.atomic():
            slot = SendSlot.objects.select_for_update().get(pk=slot_id)
            chunk_deliveries = deliveries[chunk : chunk + chunk_size]
            for start in range(chunk, min(chunk + chunk_size, len(drafts)), batch_size):
                ids = email_enqueue_many(drafts=drafts[start : start + batch_size])
                for delivery, email_id in zip(deliveries[start : start + batch_size], ids, strict=True):
                    delivery.email_id = email_id
            Delivery.objects.bulk_create(chunk_deliveries, ignore_conflicts=True)
            slot.last_subscriber_id = chunk_deliveries[-1].subscriber_id
            slot.queued_count += len(chunk_deliveries)
            slot.save(update_fields=["last_subscriber_id", "queued_count", "updated_at"])
    return time.monotonic() - started


def write_copy(slot_id: int, deliveries: list, drafts: list) -> float:
    """The same rows and values through COPY, in one transaction."""
    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone

    from newsletter.models import Delivery
    from outbox.selectors import OutboundEmail
    from outbox.services import email_dedupe_key

    email_table, delivery_table = OutboundEmail._meta.db_table, Delivery._meta.db_table
    email_columns = (
        "id", "created_at", "updated_at", "kind", "dedupe_key", "recipient", "from_email", "subject",
        "body_text", "body_html", "headers", "attachments", "context", "status", "attempts",
        "last_error", "queued_at", "carries_secret", "body_id", "values",
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
    from_email = settings.DEFAULT_FROM_EMAIL
    started = time.monotonic()
    with transaction.atomic(), connection.cursor() as cursor:
        now = timezone.now()
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [email_table, len(drafts)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        raw = cursor.cursor  # psycopg's own cursor, for COPY
        with raw.copy(f"COPY {email_table} ({', '.join(email_columns)}) FROM STDIN") as copy:
            for email_id, draft in zip(ids, drafts, strict=True):
                dedupe_key = email_dedupe_key(draft.kind, draft.recipient, draft.key)
                copy.write_row(
                    (
                        email_id, now, now, draft.kind, dedupe_key, draft.recipient, from_email,
                        draft.subject, draft.text, draft.html, json.dumps(draft.headers or {}), "[]",
                        json.dumps(draft.context or {}), "pending", 0, "", now, draft.carries_secret,
                        draft.body_id, json.dumps(draft.values or {}),
                    )
                )  # fmt: skip
        with raw.copy(f"COPY {delivery_table} ({', '.join(delivery_columns)}) FROM STDIN") as copy:
            for email_id, delivery in zip(ids, deliveries, strict=True):
                copy.write_row(
                    (now, now, delivery.subscriber_id, slot_id, delivery.kind, delivery.lesson_id, email_id)
                )
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
                slot_id = reset()
                deliveries, drafts = planned_rows(slot_id)
                seconds[side] = write(slot_id, deliveries, drafts)
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
