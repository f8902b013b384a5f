"""The embedded default (`make run`): SQLite, file-system broker, mail as files — real processes."""

import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from bench.processes import manage

ROOT = Path(__file__).resolve().parents[2]
EMBEDDED_ONLY = ("DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "CACHE_URL", "EMAIL_URL", "EMAIL_BACKEND")


def embedded_env(var_dir: Path, **extra) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in EMBEDDED_ONLY}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.local", VAR_DIR=str(var_dir), **extra)
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except OSError:
            pass
        time.sleep(0.25)
    return False


def post_json(url: str, body: dict) -> int:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


def test_migrate_seed_demo_and_register_run_on_sqlite(tmp_path):
    env = embedded_env(tmp_path)
    for command in (["migrate", "--no-input", "-v", "0"], ["seed_demo"], ["seed_demo"]):
        result = manage(env, *command, timeout=180)
        assert result.returncode == 0, result.stderr
    assert "counselor@example.com" in result.stdout

    register = (
        "from django.test import Client; import json; "
        "r = Client(HTTP_HOST='localhost').post('/api/v1/auth/register/', "
        "json.dumps({'email': 'smoke@example.com', 'password': 'a-long-enough-secret', "
        "'display_name': 'スモーク'}), content_type='application/json'); "
        "print(r.status_code)"
    )
    result = manage(env, "shell", "-c", register, timeout=120)
    assert result.stdout.strip().splitlines()[-1] == "202", result.stderr
    # The course list reads its page with the ORM on SQLite (one PostgreSQL statement in production).
    courses = (
        "from django.test import Client; "
        "r = Client(HTTP_HOST='localhost').get('/api/v1/courses/'); "
        "print(r.status_code, r.json()['count'], [len(c['sessions']) for c in r.json()['results']])"
    )
    result = manage(env, "shell", "-c", courses, timeout=120)
    assert result.stdout.strip().splitlines()[-1] == "200 2 [2, 1]", result.stderr
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        users = db.execute("select email, role from accounts_user order by id").fetchall()
        emails = db.execute("select kind, recipient from outbox_outboundemail").fetchall()
    assert users == [
        ("counselor@example.com", "counselor"),
        ("client@example.com", "client"),
        ("smoke@example.com", "client"),
    ]
    assert emails == [("accounts.verify_email", "smoke@example.com")]

    # The batch sender (newsletter fan-out, the sweeper) works on SQLite too, which has no row locks.
    send_batch = (
        "from outbox.models import OutboundEmail; from outbox.services import email_send_batch; "
        "print(email_send_batch(email_ids=list(OutboundEmail.objects.values_list('pk', flat=True))))"
    )
    result = manage(env, "shell", "-c", send_batch, timeout=120)
    assert result.stdout.strip().splitlines()[-1] == "[]", result.stderr
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        assert db.execute("select status from outbox_outboundemail").fetchall() == [("sent",)]
    assert len(list((tmp_path / "mail").glob("*.eml"))) == 1


@pytest.mark.slow
def test_make_run_serves_restarts_a_dead_worker_sends_mail_and_stops_cleanly(tmp_path):
    port = free_port()
    output_file = tmp_path / "run.log"
    with open(output_file, "wb") as output:
        process = subprocess.Popen(
            [sys.executable, "scripts/run_embedded.py"],
            cwd=ROOT,
            env=embedded_env(tmp_path, RUN_PORT=str(port)),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"

    def started_workers() -> list[int]:
        return [int(pid) for pid in re.findall(r"worker started \(pid (\d+)\)", output_file.read_text())]

    try:
        assert wait_until(lambda: urllib.request.urlopen(f"{base}/healthz", timeout=2).status == 200, 120)
        # A worker that dies (as it did on a half-written broker file) is restarted; the site stays up.
        os.kill(started_workers()[0], signal.SIGKILL)
        assert wait_until(lambda: len(started_workers()) == 2, 30), output_file.read_text()
        assert urllib.request.urlopen(f"{base}/healthz", timeout=2).status == 200
        status = post_json(
            f"{base}/api/v1/auth/register/",
            {"email": "run@example.com", "password": "a-long-enough-secret", "display_name": "ラン"},
        )
        assert status == 202

        mail_dir = tmp_path / "mail"
        assert wait_until(lambda: any(mail_dir.glob("*.eml")), 60), "no .eml written by the worker"
        message = next(mail_dir.glob("*.eml")).read_bytes()
        assert b"To: run@example.com" in message
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            raise
    output = output_file.read_text(errors="replace")
    # All three processes have gone: nothing is left in the process group.
    time.sleep(0.5)
    with pytest.raises(ProcessLookupError):
        os.killpg(process.pid, 0)
    assert "Running at" in output
    assert "run_embedded: worker exited with -9; restarting it" in output
