from collections import Counter, defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from newsletter.models import Delivery, SendSlot, Subscriber
from newsletter.services import planning
from newsletter.services.content import broadcast_create
from newsletter.services.subscribers import subscriber_confirm, subscriber_subscribe
from newsletter.tasks import newsletter_plan_due_slots_task
from newsletter.tokens import confirm_token_make, unsubscribe_token_make
from outbox.models import OutboundEmail
from outbox.services import email_send_batch
from tests.newsletter.factories import LessonFactory, SubscriberFactory

pytestmark = pytest.mark.django_db
TOKYO = ZoneInfo("Asia/Tokyo")
NEWSLETTER_KINDS = ("newsletter.lesson", "newsletter.broadcast")


def tokyo(*args) -> datetime:
    return datetime(*args, tzinfo=TOKYO)


def confirmed_subscriber(email: str) -> Subscriber:
    """Subscribes and confirms through the services, at the current (frozen) time."""
    subscriber = subscriber_subscribe(
        email=email, source="test", wording_version="2026-01", ip_address=None, user_agent=""
    )
    token = confirm_token_make(subscriber_id=subscriber.pk, consent_id=subscriber.consents.get().pk)
    return subscriber_confirm(token=token, ip_address=None)


def newsletter_received(email: str) -> list[tuple[datetime, str]]:
    rows = OutboundEmail.objects.filter(
        recipient=email, kind__in=NEWSLETTER_KINDS, status=OutboundEmail.Status.SENT
    ).order_by("sent_at")
    return [(row.sent_at.astimezone(TOKYO), row.subject) for row in rows]


def test_three_simulated_weeks_of_slots_follow_the_course_and_broadcasts_replace_lessons(
    django_capture_on_commit_callbacks,
):
    lessons = [LessonFactory(subject=f"第{n}回") for n in range(1, 6)]
    assert [lesson.position for lesson in lessons] == sorted(lesson.position for lesson in lessons)
    with (
        time_machine.travel(tokyo(2026, 3, 3, 10, 0), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):  # a Tuesday
        broadcast_create(
            subject="お知らせ1",
            body_markdown="講座のご案内",
            send_at=tokyo(2026, 3, 13, 7),
            status="scheduled",
        )
        broadcast_create(
            subject="お知らせ2", body_markdown="夏の講座", send_at=tokyo(2026, 3, 20, 7), status="scheduled"
        )
        confirmed_subscriber("tuesday@example.com")
        confirmed_subscriber("leaver@example.com")
    with (
        time_machine.travel(tokyo(2026, 3, 4, 7, 30), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):  # just after Wednesday's slot
        confirmed_subscriber("wednesday@example.com")

    slots = [tokyo(2026, 3, day, 7) for day in (4, 6, 9, 11, 13, 16, 18, 20, 23)]
    counts_after_first_run = []
    for slot in slots:
        if slot.day == 7 + 2:  # Monday 9th: the leaver unsubscribed over the weekend
            Subscriber.objects.filter(email="leaver@example.com").update(
                status=Subscriber.Status.UNSUBSCRIBED
            )
        with time_machine.travel(slot, tick=False), django_capture_on_commit_callbacks(execute=True):
            newsletter_plan_due_slots_task.delay()
            counts_after_first_run.append((Delivery.objects.count(), OutboundEmail.objects.count()))
            newsletter_plan_due_slots_task.delay()  # the beat fires again: nothing new
            assert (Delivery.objects.count(), OutboundEmail.objects.count()) == counts_after_first_run[-1]
        with (
            time_machine.travel(slot + timedelta(minutes=5), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            newsletter_plan_due_slots_task.delay()
            assert (Delivery.objects.count(), OutboundEmail.objects.count()) == counts_after_first_run[-1]

    assert newsletter_received("tuesday@example.com") == [
        (tokyo(2026, 3, 4, 7), "第1回"),  # Wednesday
        (tokyo(2026, 3, 6, 7), "第2回"),  # Friday
        (tokyo(2026, 3, 9, 7), "第3回"),  # Monday
        (tokyo(2026, 3, 11, 7), "第4回"),
        (tokyo(2026, 3, 13, 7), "お知らせ1"),  # the broadcast replaces Friday's lesson…
        (tokyo(2026, 3, 16, 7), "第5回"),  # …which comes on Monday
        (tokyo(2026, 3, 20, 7), "お知らせ2"),  # after the last lesson, only broadcasts
    ]
    assert newsletter_received("wednesday@example.com") == [
        (tokyo(2026, 3, 6, 7), "第1回"),
        (tokyo(2026, 3, 9, 7), "第2回"),
        (tokyo(2026, 3, 11, 7), "第3回"),
        (tokyo(2026, 3, 13, 7), "お知らせ1"),
        (tokyo(2026, 3, 16, 7), "第4回"),
        (tokyo(2026, 3, 18, 7), "第5回"),
        (tokyo(2026, 3, 20, 7), "お知らせ2"),
    ]
    assert newsletter_received("leaver@example.com") == [
        (tokyo(2026, 3, 4, 7), "第1回"),
        (tokyo(2026, 3, 6, 7), "第2回"),
    ]

    # Nobody got two emails in one slot, or more than three in a week (the welcome email included).
    per_slot = Counter(
        (row.recipient, row.sent_at) for row in OutboundEmail.objects.filter(kind__in=NEWSLETTER_KINDS)
    )
    assert max(per_slot.values()) == 1
    per_week = defaultdict(int)
    for row in OutboundEmail.objects.filter(status=OutboundEmail.Status.SENT).exclude(
        kind="newsletter.confirm"
    ):
        per_week[(row.recipient, row.sent_at.astimezone(TOKYO).isocalendar()[:2])] += 1
    assert max(per_week.values()) == 3
    assert len(mail.outbox) == OutboundEmail.objects.filter(status=OutboundEmail.Status.SENT).count()
    assert SendSlot.objects.filter(completed_at__isnull=False).count() == len(slots)


def test_a_slot_missed_for_longer_than_the_catch_up_window_is_let_go(django_capture_on_commit_callbacks):
    LessonFactory()
    SubscriberFactory(confirmed_at=tokyo(2026, 3, 1, 12))

    with time_machine.travel(tokyo(2026, 3, 4, 13, 1), tick=False):  # Wednesday, six hours late
        assert newsletter_plan_due_slots_task.delay().get() == []
    with (
        time_machine.travel(tokyo(2026, 3, 4, 12, 59), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert len(newsletter_plan_due_slots_task.delay().get()) == 1
    assert Delivery.objects.count() == 1


def test_unsubscribing_after_deliveries_were_planned_but_before_sending_gets_that_address_nothing(
    api_client,
):
    LessonFactory()
    leaving, staying = (
        SubscriberFactory(confirmed_at=tokyo(2026, 3, 1)),
        SubscriberFactory(confirmed_at=tokyo(2026, 3, 1)),
    )
    with time_machine.travel(tokyo(2026, 3, 4, 7), tick=False):
        planning.slot_plan(starts_at=tokyo(2026, 3, 4, 7))  # not committed yet: nothing handed over
    assert Delivery.objects.count() == 2
    assert mail.outbox == []

    response = api_client.post(
        f"/newsletter/unsubscribe/{unsubscribe_token_make(subscriber_id=leaving.pk)}/",
        {"List-Unsubscribe": "One-Click"},
    )
    assert response.status_code == 200
    email_send_batch(email_ids=list(OutboundEmail.objects.values_list("pk", flat=True)))

    assert [message.to for message in mail.outbox] == [[staying.email]]
    assert OutboundEmail.objects.get(recipient=leaving.email).status == OutboundEmail.Status.SKIPPED


@pytest.mark.django_db(transaction=True)
def test_a_planner_that_dies_midway_resumes_and_sends_nobody_twice(settings, monkeypatch):
    settings.NEWSLETTER_PLAN_CHUNK_SIZE = 3
    settings.NEWSLETTER_SEND_BATCH_SIZE = 3
    LessonFactory()
    subscribers = SubscriberFactory.create_batch(8, confirmed_at=tokyo(2026, 3, 1))
    real_enqueue_rows = planning.email_enqueue_rows
    calls = []

    def dies_on_the_second_chunk(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return real_enqueue_rows(**kwargs)

    slot = tokyo(2026, 3, 4, 7)
    with time_machine.travel(slot, tick=False):
        monkeypatch.setattr(planning, "email_enqueue_rows", dies_on_the_second_chunk)
        with pytest.raises(RuntimeError):
            planning.slot_plan(starts_at=slot)
        assert Delivery.objects.count() == 3  # the first chunk committed, the second rolled back
        assert SendSlot.objects.get().completed_at is None
        assert len(mail.outbox) == 3

        monkeypatch.setattr(planning, "email_enqueue_rows", real_enqueue_rows)
        planning.slot_plan(starts_at=slot)
        planning.slot_plan(starts_at=slot)

    assert Delivery.objects.count() == 8
    assert sorted(message.to[0] for message in mail.outbox) == sorted(s.email for s in subscribers)
    assert SendSlot.objects.get().completed_at is not None


def test_replanning_a_slot_from_scratch_creates_nothing_new(django_capture_on_commit_callbacks):
    """Even with its checkpoint lost, the unique delivery and the outbox key stop every duplicate."""
    LessonFactory()
    SubscriberFactory.create_batch(4, confirmed_at=tokyo(2026, 3, 1))
    slot = tokyo(2026, 3, 4, 7)
    with time_machine.travel(slot, tick=False), django_capture_on_commit_callbacks(execute=True):
        planning.slot_plan(starts_at=slot)
        SendSlot.objects.update(last_subscriber_id=0, completed_at=None)
        planning.slot_plan(starts_at=slot)

    assert Delivery.objects.count() == OutboundEmail.objects.count() == 4
    assert len(mail.outbox) == 4


def test_batches_are_spaced_to_keep_under_the_rate_limit(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    from outbox import tasks

    settings.NEWSLETTER_PLAN_CHUNK_SIZE = 25
    settings.NEWSLETTER_SEND_BATCH_SIZE = 10
    settings.NEWSLETTER_SEND_RATE_PER_MINUTE = 60
    LessonFactory()
    SubscriberFactory.create_batch(30, confirmed_at=tokyo(2026, 3, 1))
    handed = []
    monkeypatch.setattr(
        tasks.email_send_batch_task,
        "apply_async",
        lambda args, eta, **_options: handed.append((args[0], eta)),
    )

    slot = tokyo(2026, 3, 4, 7)
    with time_machine.travel(slot, tick=False), django_capture_on_commit_callbacks(execute=True):
        planning.slot_plan(starts_at=slot)

    assert [len(ids) for ids, _eta in handed] == [10, 10, 5, 5]
    assert [(eta - slot).total_seconds() for _ids, eta in handed] == [0, 10, 20, 25]
    for ids, eta in handed:
        # The sweeper counts from the planned hand-over time, so it does not send these early.
        assert set(OutboundEmail.objects.filter(pk__in=ids).values_list("queued_at", flat=True)) == {eta}


def test_a_lesson_added_to_the_middle_of_the_course_is_sent_next_and_none_is_repeated(
    django_capture_on_commit_callbacks,
):
    first, second = LessonFactory(position=10, subject="A"), LessonFactory(position=30, subject="C")
    subscriber = SubscriberFactory(confirmed_at=tokyo(2026, 3, 1))
    for day in (4, 6):
        with (
            time_machine.travel(tokyo(2026, 3, day, 7), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            if day == 6:
                LessonFactory(position=20, subject="B")
            planning.slot_plan(starts_at=tokyo(2026, 3, day, 7))

    received = [
        d.lesson.subject for d in Delivery.objects.filter(subscriber=subscriber).order_by("slot__starts_at")
    ]
    assert received == ["A", "B"]
    assert second.deliveries.count() == 0 and first.deliveries.count() == 1


def test_planning_a_time_that_is_not_a_slot_is_refused():
    from core.exceptions import ApplicationError

    with pytest.raises(ApplicationError):
        planning.slot_plan(starts_at=tokyo(2026, 3, 3, 7))  # a Tuesday
    assert not SendSlot.objects.exists()


def _bulk_subscribers(count: int) -> None:
    confirmed = tokyo(2026, 3, 1)
    Subscriber.objects.bulk_create(
        Subscriber(email=f"bulk{n}@example.com", status=Subscriber.Status.ACTIVE, confirmed_at=confirmed)
        for n in range(count)
    )


def _planning_queries(settings, *, subscribers: int, chunk: int, batch: int, slot: datetime) -> int:
    settings.NEWSLETTER_PLAN_CHUNK_SIZE = chunk
    settings.NEWSLETTER_SEND_BATCH_SIZE = batch
    Subscriber.objects.all().delete()
    _bulk_subscribers(subscribers)
    with time_machine.travel(slot, tick=False), CaptureQueriesContext(connection) as queries:
        planning.slot_plan(starts_at=slot)
    assert Delivery.objects.filter(slot__starts_at=slot).count() == subscribers
    return len(queries)


def test_planning_5000_subscribers_takes_queries_in_proportion_to_chunks_not_subscribers(settings):
    LessonFactory.create_batch(3)

    small = _planning_queries(settings, subscribers=500, chunk=100, batch=50, slot=tokyo(2026, 3, 4, 7))
    large = _planning_queries(settings, subscribers=5000, chunk=1000, batch=500, slot=tokyo(2026, 3, 6, 7))

    # Five chunks of two batches each either way: the same number of queries for ten times the people.
    assert large == small
    # About a dozen per chunk (five, plus the empty one that ends the slot), none per subscriber.
    assert large <= 12 * 6


def test_a_subscriber_reactivated_while_a_chunk_is_planned_waits_for_the_next_slot(monkeypatch):
    LessonFactory()
    first, returning, last = SubscriberFactory.create_batch(3, confirmed_at=tokyo(2026, 3, 1))
    Subscriber.objects.filter(pk=returning.pk).update(status=Subscriber.Status.UNSUBSCRIBED)
    load_lessons = planning._Contents.load_lessons

    def reactivated_meanwhile(self, lesson_ids):
        Subscriber.objects.filter(pk=returning.pk).update(status=Subscriber.Status.ACTIVE)
        load_lessons(self, lesson_ids)

    monkeypatch.setattr(planning._Contents, "load_lessons", reactivated_meanwhile)
    slot = tokyo(2026, 3, 4, 7)
    with time_machine.travel(slot, tick=False):
        planning.slot_plan(starts_at=slot)

    assert sorted(OutboundEmail.objects.values_list("recipient", flat=True)) == sorted(
        [first.email, last.email]
    )
    assert set(Delivery.objects.values_list("subscriber_id", flat=True)) == {first.pk, last.pk}


def test_each_chunk_asks_its_own_subscribers_deliveries_not_every_delivery_of_the_slot(settings):
    """An anti-join, planned on statistics from before the slot's deliveries went in, sorted all of
    them for each chunk: planning grew with the square of the subscribers."""
    LessonFactory()
    settings.NEWSLETTER_PLAN_CHUNK_SIZE = 100
    _bulk_subscribers(300)
    slot = tokyo(2026, 3, 4, 7)
    with time_machine.travel(slot, tick=False), CaptureQueriesContext(connection) as queries:
        planning.slot_plan(starts_at=slot)
    *_, last_chunk = [query["sql"] for query in queries if query["sql"].startswith("INSERT INTO outbox")]

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {last_chunk}")
        plan = "\n".join(line for (line,) in cursor.fetchall())

    assert "Anti Join" not in plan
    assert "SubPlan" in plan and "newsletter_delivery" in plan
