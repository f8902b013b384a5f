"""Planning a send slot: who gets which lesson or broadcast, written in chunks, sent in batches.

Each chunk of subscribers is one transaction that writes its delivery rows, their outbox rows and the
slot's checkpoint together. A run that dies resumes after the last committed chunk; the unique
(subscriber, slot) delivery and the outbox's dedupe key make any overlap create nothing.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import BigIntegerField, Case, DateTimeField, Exists, F, OuterRef, Subquery, Value, When
from django.db.models.functions import JSONObject
from django.utils import timezone
from django.utils.translation import gettext as _

from core import steptimer
from core.exceptions import ApplicationError
from newsletter.models import Broadcast, Delivery, Lesson, SendSlot, Subscriber
from newsletter.rendering import IssueContent, list_unsubscribe_headers
from newsletter.schedule import is_slot, slots_between
from newsletter.services.content import content_of, issue_render
from outbox.mime import PLACEHOLDER
from outbox.services import email_body_create, email_enqueue_rows, emails_send_on_commit


@dataclass
class _Contents:
    """Lessons rendered from Markdown once per run, and each issue's email once per slot (as a shared
    outbox body with placeholders for the subscriber's name and links), not once per subscriber."""

    lessons: dict[int, IssueContent] = field(default_factory=dict)
    bodies: dict[tuple, tuple[int, str]] = field(default_factory=dict)

    def body(self, *, key: tuple, content: IssueContent, named: bool) -> tuple[int, str]:
        """The shared body's id and subject for this issue, with or without the name line."""
        if (key, named) not in self.bodies:
            link = PLACEHOLDER.format("unsubscribe_url")
            rendered = issue_render(
                content=content,
                unsubscribe_link=link,
                name=PLACEHOLDER.format("name") if named else "",
                workbook_url=PLACEHOLDER.format("workbook_url") if content.exercise else None,
            )
            body = email_body_create(
                subject=rendered.subject,
                text=rendered.text,
                html=rendered.html,
                headers=list_unsubscribe_headers(link),
            )
            self.bodies[key, named] = (body.pk, body.subject)
        return self.bodies[key, named]

    def load_lessons(self, lesson_ids: set[int]) -> None:
        missing = lesson_ids - self.lessons.keys()
        if missing:
            for lesson in Lesson.objects.filter(pk__in=missing):
                self.lessons[lesson.pk] = content_of(lesson)


def _next_lesson_id() -> Subquery:
    """The first active lesson, by position, that the subscriber has not been sent yet."""
    sent = Delivery.objects.filter(subscriber_id=OuterRef(OuterRef("pk")), lesson_id=OuterRef("pk"))
    return Subquery(
        Lesson.objects.filter(is_active=True).filter(~Exists(sent)).order_by("position").values("pk")[:1]
    )


@transaction.atomic
def _slot_take_up(*, starts_at: datetime) -> SendSlot:
    slot = SendSlot.objects.filter(starts_at=starts_at).first()
    if slot is not None:
        return slot
    broadcast = (
        Broadcast.objects.select_for_update()
        .filter(status=Broadcast.Status.SCHEDULED, send_at=starts_at)
        .first()
    )
    try:
        with transaction.atomic():
            return SendSlot.objects.create(
                starts_at=starts_at, broadcast=broadcast, planning_started_at=timezone.now()
            )
    except IntegrityError:  # another planner took the slot up a moment ago
        return SendSlot.objects.get(starts_at=starts_at)


def _batch_eta(slot: SendSlot, offset: int) -> datetime:
    """When the batch starting at message ``offset`` of the slot may go, to keep under the rate limit."""
    minutes = offset / max(settings.NEWSLETTER_SEND_RATE_PER_MINUTE, 1)
    return max(slot.planning_started_at + timedelta(minutes=minutes), timezone.now())


def _written_deliveries(*, slot: SendSlot, kind: str, lessons: dict[int, int | None], written) -> None:
    """The delivery rows of the emails just written, in one INSERT (the unique subscriber and slot
    keep a second planner from adding one twice)."""
    if not written:
        return
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    subscriber_ids = [context["subscriber_id"] for _email_id, context in written]
    lesson_ids = [lessons[subscriber_id] for subscriber_id in subscriber_ids]
    email_ids = [email_id for email_id, _context in written]
    table = Delivery._meta.db_table
    columns = "created_at, updated_at, subscriber_id, slot_id, kind, lesson_id, broadcast_id, email_id"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # three arrays, not a placeholder per value
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT %s, %s, d.subscriber_id, %s, %s, d.lesson_id, %s, "  # noqa: S608
                "d.email_id FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[]) "
                "AS d(subscriber_id, lesson_id, email_id) ON CONFLICT (subscriber_id, slot_id) DO NOTHING",
                [now, now, slot.pk, str(kind), slot.broadcast_id, subscriber_ids, lesson_ids, email_ids],
            )
            return
        values: list = []
        for subscriber_id, lesson_id, email_id in zip(subscriber_ids, lesson_ids, email_ids, strict=True):
            values += [now, now, subscriber_id, slot.pk, str(kind), lesson_id, slot.broadcast_id, email_id]
        cursor.execute(
            f"INSERT INTO {table} ({columns}) VALUES "  # noqa: S608
            + ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s)"] * len(written))
            + " ON CONFLICT (subscriber_id, slot_id) DO NOTHING",
            values,
        )


@transaction.atomic
def _slot_plan_chunk(*, slot_id: int, contents: _Contents) -> bool:
    """Plans the next chunk of subscribers; returns True when the slot is fully planned.

    Python reads only the chunk's ids and next lessons, to render each issue once; the outbox and
    delivery rows are written by the database from the subscribers' rows.
    """
    slot = SendSlot.objects.select_for_update(of=("self",)).select_related("broadcast").get(pk=slot_id)
    if slot.completed_at is not None:
        return True
    chunk_size = settings.NEWSLETTER_PLAN_CHUNK_SIZE
    subscribers = Subscriber.objects.filter(
        status=Subscriber.Status.ACTIVE,
        confirmed_at__lt=slot.starts_at,
        pk__gt=slot.last_subscriber_id,
    ).order_by("pk")
    if slot.broadcast is None:
        chunk = subscribers.annotate(next_lesson_id=_next_lesson_id())
    else:
        chunk = subscribers.annotate(next_lesson_id=Value(None, output_field=BigIntegerField()))
    rows = list(chunk.values_list("pk", "next_lesson_id")[:chunk_size])
    if not rows:
        slot.completed_at = timezone.now()
        slot.save(update_fields=["completed_at", "updated_at"])
        return True

    broadcast_content = content_of(slot.broadcast) if slot.broadcast is not None else None
    if broadcast_content is None:
        contents.load_lessons({lesson_id for _pk, lesson_id in rows if lesson_id})
        kind = Delivery.Kind.LESSON
    else:
        kind = Delivery.Kind.BROADCAST
    # Each subscriber's issue (its lesson, or None for the broadcast), and the subscribers of each.
    lessons: dict[int, int | None] = {}
    groups: dict[int | None, list[int]] = {}
    for pk, lesson_id in rows:
        if broadcast_content is None and lesson_id not in contents.lessons:
            continue  # the course is over for this subscriber and there is no broadcast
        issue = None if broadcast_content is not None else lesson_id
        lessons[pk] = issue
        groups.setdefault(issue, []).append(pk)

    written: list[tuple[int, dict]] = []
    if lessons:
        # Each issue's shared body with the name line and without it: the database picks one by the
        # subscriber's name in the same statement that writes the name into the row's values.
        bodies = {}
        for issue in groups:
            content: IssueContent
            key: tuple
            if issue is not None:
                key, content = ("lesson", issue, slot.pk), contents.lessons[issue]
            elif broadcast_content is not None:
                key, content = ("broadcast", slot.pk), broadcast_content
            else:
                continue  # a lesson-less group exists only in a broadcast's slot
            named, subject = contents.body(key=key, content=content, named=True)
            unnamed, _subject = contents.body(key=key, content=content, named=False)
            bodies[issue] = (named, unnamed, subject)
        batch_size = settings.NEWSLETTER_SEND_BATCH_SIZE
        ordered = list(lessons)
        batches = [ordered[start : start + batch_size] for start in range(0, len(ordered), batch_size)]
        etas = [_batch_eta(slot, slot.queued_count + number * batch_size) for number in range(len(batches))]
        # Asked of each subscriber through the unique (subscriber, slot) index. As NOT EXISTS, planned
        # as an anti-join on statistics from before the slot's deliveries went in, it sorted every
        # delivery of the slot for each chunk: planning grew with the square of the subscribers.
        planned = Subquery(
            Delivery.objects.filter(slot_id=slot.pk, subscriber_id=OuterRef("pk")).values("pk")[:1]
        )
        written = email_enqueue_rows(
            # The chunk's subscribers by name: one reactivated since the read waits for the next slot.
            rows=subscribers.filter(pk__in=ordered)
            .alias(planned=planned)
            .filter(planned__isnull=True)
            .order_by("pk")
            .values(
                kind=Value(f"newsletter.{kind}"),
                recipient=F("email"),
                key=Value(f"slot:{slot.pk}"),
                subject=_by_group(
                    groups, {issue: Value(subject) for issue, (_n, _u, subject) in bodies.items()}
                ),
                body_id=_by_group(
                    groups,
                    {
                        issue: Case(When(name="", then=Value(unnamed)), default=Value(named))
                        for issue, (named, unnamed, _subject) in bodies.items()
                    },
                ),
                values=Case(When(name="", then=JSONObject()), default=JSONObject(name=F("name"))),
                context=JSONObject(subscriber_id=F("pk"), slot_id=Value(slot.pk)),
                # The sweeper counts from the batch's hand-over time, so it never sends a row early.
                queued_at=Case(
                    *[
                        When(pk__lte=batch[-1], then=Value(eta, output_field=DateTimeField()))
                        for batch, eta in zip(batches, etas, strict=True)
                    ]
                ),
            ),
            carries_secret=True,  # its values, the subscriber's name, go with it once it is sent
        )
        _written_deliveries(slot=slot, kind=kind, lessons=lessons, written=written)
        email_of = {context["subscriber_id"]: email_id for email_id, context in written}
        for batch, eta in zip(batches, etas, strict=True):
            email_ids = [email_of[pk] for pk in batch if pk in email_of]
            emails_send_on_commit(email_ids=email_ids, eta=eta, batch_size=batch_size)

    slot.last_subscriber_id = rows[-1][0]
    slot.queued_count += len(written)
    update_fields = ["last_subscriber_id", "queued_count", "updated_at"]
    done = len(rows) < chunk_size
    if done:
        slot.completed_at = timezone.now()
        update_fields.append("completed_at")
    slot.save(update_fields=update_fields)
    return done


def _by_group(groups: dict[int | None, list[int]], choices: dict[int | None, Case | Value]) -> Case | Value:
    """An expression that answers, for each subscriber of the chunk, its issue's choice: the largest
    group's by default, so that the statement names as few subscribers as it can."""
    largest = max(groups, key=lambda issue: len(groups[issue]))
    others = [
        When(pk__in=groups[issue], then=choice) for issue, choice in choices.items() if issue != largest
    ]
    return Case(*others, default=choices[largest]) if others else choices[largest]


def slot_plan(*, starts_at: datetime) -> SendSlot:
    """Plans one send slot for every confirmed, active subscriber; safe to run again at any point.

    A broadcast scheduled for the slot goes to everyone in place of their lesson (which then comes
    at their next slot); otherwise each subscriber gets their first lesson not yet sent; after the
    last lesson, nothing. Each chunk's messages go to the outbox's batch sender after it commits.
    """
    if not is_slot(starts_at):
        raise ApplicationError(_("配信枠の日時ではありません。"))
    slot = _slot_take_up(starts_at=starts_at)
    contents = _Contents()
    if steptimer.ON:
        steptimer.start()
    while not _slot_plan_chunk(slot_id=slot.pk, contents=contents):
        pass
    if steptimer.ON:
        steptimer.lap("planning")
        steptimer.flush()
    slot.refresh_from_db()
    return slot


def slots_plan_due(*, now: datetime | None = None) -> list[SendSlot]:
    """Plans every slot that has come within NEWSLETTER_SLOT_CATCH_UP and is not fully planned yet."""
    now = now or timezone.now()
    due = slots_between(now - settings.NEWSLETTER_SLOT_CATCH_UP, now)
    done = set(
        SendSlot.objects.filter(starts_at__in=due, completed_at__isnull=False).values_list(
            "starts_at", flat=True
        )
    )
    return [slot_plan(starts_at=starts_at) for starts_at in due if starts_at not in done]
