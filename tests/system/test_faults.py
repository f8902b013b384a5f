"""Faults with the real services stopped and started again by the test, all on loopback."""

import json
import time
import urllib.error
import urllib.request

import pytest

from outbox.models import OutboundEmail
from outbox.services import email_enqueue
from tests.system.services import manage, start_web, start_worker, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SWEEP_NOW = "from outbox.services import outbox_requeue_stale; print('requeued', outbox_requeue_stale())"


def request(method: str, url: str, body: dict | None = None, timeout: float = 15) -> tuple[int, dict, float]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
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


def test_with_redis_stopped_requests_succeed_and_the_mail_goes_out_once_it_is_back(
    tmp_path, test_database_url, redis_server, smtp_sink
):
    from tests.system.services import app_env

    env = app_env(database_url=test_database_url, broker_url=redis_server.url, smtp_port=smtp_sink.port)
    web, base = start_web(env, tmp_path)
    worker = start_worker(env, tmp_path)
    try:
        redis_server.stop()

        status, body, _elapsed = request("GET", f"{base}/readyz")
        assert (status, body["broker"], body["database"]) == (503, "unavailable", "ok")

        status, _body, elapsed = request(
            "POST",
            f"{base}/api/v1/auth/register/",
            {"email": "outage@example.com", "password": "a-long-enough-secret", "display_name": "停電"},
        )
        assert status == 202
        assert elapsed < 10
        assert OutboundEmail.objects.get().status == OutboundEmail.Status.PENDING

        redis_server.start()
        assert wait_until(lambda: request("GET", f"{base}/readyz")[0] == 200, 30)
        sweep = manage({**env, "OUTBOX_STALE_AFTER_MINUTES": "0"}, "shell", "-c", SWEEP_NOW)
        assert "requeued 1" in sweep.stdout, sweep.stderr

        assert wait_until(lambda: smtp_sink.received["outage@example.com"] == 1, 60), worker.output()
        assert OutboundEmail.objects.get().status == OutboundEmail.Status.SENT
    finally:
        worker.stop()
        web.stop()


def test_a_worker_killed_mid_batch_loses_nothing_and_duplicates_at_most_the_message_on_the_wire(
    tmp_path, test_database_url, redis_server, smtp_sink
):
    from tests.system.services import app_env

    recipients = [f"reader{n:04d}@example.com" for n in range(1000)]
    for recipient in recipients:
        email_enqueue(
            kind="newsletter.fault-drill",
            recipient=recipient,
            key="drill",
            subject="講座",
            text="本文",
            send=False,
        )
    env = app_env(
        database_url=test_database_url,
        broker_url=redis_server.url,
        smtp_port=smtp_sink.port,
        OUTBOX_STALE_AFTER_MINUTES=0,
        OUTBOX_BATCH_SIZE=100,
    )
    # One thread, so exactly one message can be on the wire when the worker dies.
    first = start_worker(env, tmp_path, name="first", concurrency=1)
    try:
        assert "requeued 1000" in manage(env, "shell", "-c", SWEEP_NOW).stdout
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
    assert set(smtp_sink.received) == set(recipients)  # nothing lost
    assert sum(count - 1 for count in duplicated.values()) <= 1, duplicated


def test_after_a_postgresql_restart_requests_fail_fast_with_503_then_recover_without_a_web_restart(
    tmp_path, postgres_server, redis_server
):
    from tests.system.services import app_env

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
