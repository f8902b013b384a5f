"""Faults with the real services stopped and started again by the test, all on loopback."""

import json
import time
import urllib.error
import urllib.request
from datetime import date, timedelta
from datetime import time as dt_time

import pytest
from django.utils import timezone
from knox.models import AuthToken

from bench.processes import app_env, manage, start_web, start_worker, wait_until
from newsletter.schedule import slots_between
from outbox.models import OutboundEmail
from tests.accounts.factories import ClientFactory, CounselorFactory
from tests.counseling.factories import AvailabilityRuleFactory, IntakeFactory, SessionTypeFactory
from tests.courses.factories import CourseFactory
from tests.newsletter.factories import LessonFactory, SubscriberFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SWEEP_NOW = "from outbox.services import outbox_requeue_stale; print('requeued', outbox_requeue_stale())"


def request(
    method: str, url: str, body: dict | None = None, timeout: float = 15, headers: dict | None = None
) -> tuple[int, dict | list, float]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json", **(headers or {})}
    )
    started = time.monotonic()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            status, payload = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, payload = error.code, error.read()
    elapsed = time.monotonic() - started
    try:
        parsed = json.loads(payload or b"{}")
    except ValueError:
        parsed = {"raw": payload.decode(errors="replace")}
    return status, parsed, elapsed


def practice_ready_for_bookings_and_courses() -> dict:
    """A counselor with open hours every day, a client with an intake and a token, a published course."""
    counselor = CounselorFactory()
    for weekday in range(7):
        AvailabilityRuleFactory(
            counselor=counselor, weekday=weekday, start_time=dt_time(9), end_time=dt_time(18)
        )
    session_type = SessionTypeFactory(counselor=counselor)
    client = ClientFactory(email="booker@example.com")
    IntakeFactory(client=client)
    _instance, token = AuthToken.objects.create(user=client)
    course = CourseFactory(counselor=counselor)
    return {"session_type": session_type, "token": token, "course": course}


def test_with_redis_stopped_requests_succeed_and_the_mail_goes_out_once_it_is_back(
    tmp_path, test_database_url, redis_server, smtp_sink
):
    practice = practice_ready_for_bookings_and_courses()
    env = app_env(database_url=test_database_url, broker_url=redis_server.url, smtp_port=smtp_sink.port)
    web, base = start_web(env, tmp_path)
    worker = start_worker(env, tmp_path)
    try:
        redis_server.stop()

        status, body, _elapsed = request("GET", f"{base}/readyz")
        assert (status, body["broker"], body["database"]) == (503, "unavailable", "ok")

        answers = {
            "register": request(
                "POST",
                f"{base}/api/v1/auth/register/",
                {"email": "outage@example.com", "password": "a-long-enough-secret", "display_name": "停電"},
            ),
            "subscribe": request(
                "POST",
                f"{base}/api/v1/newsletter/subscribe/",
                {"email": "reader@example.com", "name": "読者", "consent": True},
            ),
            "enroll": request(
                "POST",
                f"{base}/api/v1/courses/{practice['course'].pk}/enroll/",
                {"name": "ゲスト", "email": "guest@example.com"},
            ),
        }
        slots = request(
            "GET",
            f"{base}/api/v1/availability/?session_type={practice['session_type'].pk}"
            f"&from={(date.today() + timedelta(days=3)).isoformat()}",
        )
        assert slots[0] == 200 and slots[1], slots
        answers["book"] = request(
            "POST",
            f"{base}/api/v1/bookings/",
            {"session_type": practice["session_type"].pk, "start": slots[1][0]["start"]},
            headers={"Authorization": f"Token {practice['token']}"},
        )
        statuses = {name: answer[0] for name, answer in answers.items()}
        assert statuses == {"register": 202, "subscribe": 202, "enroll": 201, "book": 201}, answers
        assert all(answer[2] < 10 for answer in answers.values())  # no hanging on the dead broker
        pending = OutboundEmail.objects.filter(status=OutboundEmail.Status.PENDING)
        expected = set(pending.values_list("recipient", flat=True))
        assert {
            "outage@example.com",
            "reader@example.com",
            "guest@example.com",
            "booker@example.com",
        } <= expected
        assert not OutboundEmail.objects.exclude(status=OutboundEmail.Status.PENDING).exists()

        waiting = pending.count()
        redis_server.start()
        assert wait_until(lambda: request("GET", f"{base}/readyz")[0] == 200, 30)
        sweep = manage({**env, "OUTBOX_STALE_AFTER_MINUTES": "0"}, "shell", "-c", SWEEP_NOW)
        assert f"requeued {waiting}" in sweep.stdout, sweep.stderr

        assert wait_until(lambda: expected <= set(smtp_sink.received), 60), worker.output()
        assert wait_until(lambda: not pending.exists(), 30)
        assert set(OutboundEmail.objects.values_list("status", flat=True)) == {OutboundEmail.Status.SENT}
        assert wait_until(lambda: smtp_sink.total() == OutboundEmail.objects.count(), 10)  # each row once
        print(f"redis outage: {len(answers)} requests succeeded; {waiting} emails waited and went out once")
    finally:
        worker.stop()
        web.stop()


def fan_out_of_a_thousand(test_database_url, redis_server, smtp_sink):
    """A due slot with 1,000 confirmed subscribers, and the environment its worker processes run in."""
    slot = slots_between(timezone.now() - timedelta(days=7), timezone.now())[-1]
    LessonFactory()
    subscribers = SubscriberFactory.create_batch(1000, confirmed_at=slot - timedelta(days=1))
    env = app_env(
        database_url=test_database_url,
        broker_url=redis_server.url,
        smtp_port=smtp_sink.port,
        OUTBOX_STALE_AFTER_MINUTES=0,
        NEWSLETTER_SEND_BATCH_SIZE=100,
        NEWSLETTER_SEND_RATE_PER_MINUTE=10_000_000,  # no spacing: the whole slot at once
    )
    return slot, subscribers, env


def plan_slot_in_another_process(env, slot) -> None:
    plan = manage(
        env,
        "shell",
        "-c",
        "from datetime import datetime; from newsletter.services.planning import slot_plan; "
        f"slot = slot_plan(starts_at=datetime.fromisoformat('{slot.isoformat()}')); "
        "print('queued', slot.queued_count)",
    )
    assert "queued 1000" in plan.stdout, plan.stderr


def test_a_worker_killed_mid_batch_loses_nothing_and_duplicates_at_most_the_message_on_the_wire(
    tmp_path, test_database_url, redis_server, smtp_sink
):
    slot, subscribers, env = fan_out_of_a_thousand(test_database_url, redis_server, smtp_sink)
    # One thread, so exactly one message can be on the wire when the worker dies.
    first = start_worker(env, tmp_path, name="first", concurrency=1)
    try:
        plan_slot_in_another_process(env, slot)
        assert wait_until(lambda: smtp_sink.total() >= 150, 60, interval=0.01), first.output()
        first.kill()
        delivered_at_kill = smtp_sink.total()
        assert delivered_at_kill < 1000, "the worker finished before it could be killed"

        second = start_worker(env, tmp_path, name="second")
        try:
            manage(env, "shell", "-c", SWEEP_NOW)
            assert wait_until(lambda: len(smtp_sink.received) == 1000, 120), second.output()
            assert wait_until(
                lambda: OutboundEmail.objects.filter(status=OutboundEmail.Status.SENT).count() == 1000, 30
            )
        finally:
            second.stop()
    finally:
        first.stop()

    duplicated = {recipient: count for recipient, count in smtp_sink.received.items() if count > 1}
    print(f"killed after {delivered_at_kill} of 1000 delivered; duplicates: {duplicated or 'none'}")
    assert set(smtp_sink.received) == {subscriber.email for subscriber in subscribers}  # nothing lost
    assert sum(count - 1 for count in duplicated.values()) <= 1, duplicated


@pytest.mark.parametrize("loss", ["flushed", "restarted"])
def test_redis_losing_everything_mid_fan_out_loses_no_message_and_the_duplicates_are_counted(
    loss, tmp_path, test_database_url, redis_server, smtp_sink
):
    import redis

    slot, subscribers, env = fan_out_of_a_thousand(test_database_url, redis_server, smtp_sink)
    worker = start_worker(env, tmp_path, name="survivor")
    try:
        plan_slot_in_another_process(env, slot)
        assert wait_until(lambda: smtp_sink.total() >= 150, 60, interval=0.01), worker.output()
        if loss == "flushed":
            redis.Redis.from_url(redis_server.url).flushall()
        else:  # no persistence: a restarted Redis has lost every queued task
            redis_server.stop()
            redis_server.start()
        delivered_at_loss = smtp_sink.total()
        assert delivered_at_loss < 1000, "the fan-out finished before Redis lost its tasks"

        manage(env, "shell", "-c", SWEEP_NOW)
        assert wait_until(lambda: len(smtp_sink.received) == 1000, 120), worker.output()
        assert wait_until(
            lambda: OutboundEmail.objects.filter(status=OutboundEmail.Status.SENT).count() == 1000, 30
        )
    finally:
        worker.stop()

    duplicates = sum(count - 1 for count in smtp_sink.received.values())
    print(f"Redis {loss} after {delivered_at_loss} of 1000 delivered; duplicates: {duplicates}")
    assert set(smtp_sink.received) == {subscriber.email for subscriber in subscribers}  # nothing lost
    assert OutboundEmail.objects.exclude(status=OutboundEmail.Status.SENT).count() == 0


def test_after_a_postgresql_restart_requests_fail_fast_with_503_then_recover_without_a_web_restart(
    tmp_path, postgres_server, redis_server
):
    env = app_env(database_url=postgres_server.url, broker_url=redis_server.url, CONN_MAX_AGE=60)
    migrate = manage(env, "migrate", "--no-input", "-v", "0")
    assert migrate.returncode == 0, migrate.stderr
    web, base = start_web(env, tmp_path)
    reset = ("POST", f"{base}/api/v1/auth/password-reset/", {"email": "someone@example.com"})
    try:
        assert request(*reset)[0] == 202

        postgres_server.stop()
        status, body, elapsed = request(*reset)
        assert status == 503, body
        assert elapsed < 5
        status, body, elapsed = request("GET", f"{base}/readyz")
        assert (status, body["database"]) == (503, "unavailable")
        assert elapsed < 5

        postgres_server.start()
        assert request(*reset)[0] == 202
        assert request("GET", f"{base}/readyz")[0] == 200
        assert web.process.poll() is None  # the same web process throughout
    finally:
        web.stop()
