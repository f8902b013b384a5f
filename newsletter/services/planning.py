"""Planning a send slot: who gets which lesson or broadcast, written in chunks, sent in batches.

Each chunk of subscribers is one transaction that writes its delivery rows, their outbox rows and the
slot's checkpoint together. A run that dies resumes after the last committed chunk; the unique
(subscriber, slot) delivery and the outbox's dedupe key make any overlap create nothing.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from core import steptimer
from core.exceptions import ApplicationError
from newsletter.models import Broadcast, Delivery, Lesson, SendSlot, Subscriber
from newsletter.rendering import IssueContent, list_unsubscribe_headers, unsubscribe_url, workbook_link
from newsletter.schedule import is_slot, slots_between
from newsletter.services.content import content_of, issue_render
from outbox.mime import PLACEHOLDER
from outbox.services import EmailDraft, email_body_create, email_enqueue_many, emails_send_on_commit


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


@transaction.atomic
def _slot_plan_chunk(*, slot_id: int, contents: _Contents) -> bool:
    """Plans the next chunk of subscribers; returns True when the slot is fully planned."""
    slot = SendSlot.objects.select_for_update(of=("self",)).select_related("broadcast").get(pk=slot_id)
    if slot.completed_at is not None:
        return True
    chunk_size = settings.NEWSLETTER_PLAN_CHUNK_SIZE
    subscribers = Subscriber.objects.filter(
        status=Subscriber.Status.ACTIVE,
        confirmed_at__lt=slot.starts_at,
        pk__gt=slot.last_subscriber_id,
    ).order_by("pk")
    fields = ["pk", "email", "name"]
    if slot.broadcast is None:
        subscribers = subscribers.annotate(next_lesson_id=_next_lesson_id())
        fields.append("next_lesson_id")
    rows = list(subscribers.values(*fields)[:chunk_size])
    if not rows:
        slot.completed_at = timezone.now()
        slot.save(update_fields=["completed_at", "updated_at"])
        return True

    planned_before = set(
        Delivery.objects.filter(slot=slot, subscriber_id__in=[row["pk"] for row in rows]).values_list(
            "subscriber_id", flat=True
        )
    )
    broadcast_content = content_of(slot.broadcast) if slot.broadcast is not None else None
    if broadcast_content is None:
        contents.load_lessons({row["next_lesson_id"] for row in rows if row["next_lesson_id"]})

    deliveries: list[Delivery] = []
    drafts: list[EmailDraft] = []
    key: tuple
    for row in rows:
        if row["pk"] in planned_before:
            continue
        if broadcast_content is not None:
            kind, content, key = Delivery.Kind.BROADCAST, broadcast_content, ("broadcast", slot.pk)
            delivery = Delivery(subscriber_id=row["pk"], slot=slot, kind=kind, broadcast=slot.broadcast)
        elif row["next_lesson_id"] is not None and row["next_lesson_id"] in contents.lessons:
            kind, content = Delivery.Kind.LESSON, contents.lessons[row["next_lesson_id"]]
            key = ("lesson", row["next_lesson_id"], slot.pk)
            delivery = Delivery(
                subscriber_id=row["pk"], slot=slot, kind=kind, lesson_id=row["next_lesson_id"]
            )
        else:
            continue  # the course is over for this subscriber and there is no broadcast
        values = {"unsubscribe_url": unsubscribe_url(row["pk"])}
        if row["name"]:
            values["name"] = row["name"]
        if content.exercise:
            values["workbook_url"] = workbook_link(row["pk"])
        body_id, subject = contents.body(key=key, content=content, named=bool(row["name"]))
        deliveries.append(delivery)
        drafts.append(
            EmailDraft(
                kind=f"newsletter.{kind}",
                recipient=row["email"],
                key=f"slot:{slot.pk}",
                subject=subject,
                text="",
                body_id=body_id,
                values=values,
                context={"subscriber_id": row["pk"], "slot_id": slot.pk},
                carries_secret=True,  # the subscriber's unsubscribe link
            )
        )

    batch_size = settings.NEWSLETTER_SEND_BATCH_SIZE
    for start in range(0, len(drafts), batch_size):
        eta = _batch_eta(slot, slot.queued_count + start)
        email_ids = email_enqueue_many(drafts=drafts[start : start + batch_size], queued_at=eta)
        for delivery, email_id in zip(deliveries[start : start + batch_size], email_ids, strict=True):
            delivery.email_id = email_id
        emails_send_on_commit(email_ids=email_ids, eta=eta, batch_size=batch_size)
    Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)

    slot.last_subscriber_id = rows[-1]["pk"]
    slot.queued_count += len(drafts)
    update_fields = ["last_subscriber_id", "queued_count", "updated_at"]
    done = len(rows) < chunk_size
    if done:
        slot.completed_at = timezone.now()
        update_fields.append("completed_at")
    slot.save(update_fields=update_fields)
    return done


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
