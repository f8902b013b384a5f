"""The embedded broker (core/broker.py): no half-written file is ever read, no message is taken twice."""

import collections
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from kombu import Connection, Exchange, Queue

from tests.core.test_embedded_smoke import ROOT, embedded_env, wait_until

PUBLISHERS = 3
TASKS = 20_000


def broker_connection(folder: Path) -> Connection:
    return Connection(
        "filesystem://",
        transport="core.broker:Transport",
        transport_options={
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "control_folder": str(folder / "control"),
        },
    )


def mail_queue() -> Queue:
    # kombu keeps declared bindings per process, whatever the folder: a new name for every test.
    name = f"mail-{uuid.uuid4().hex}"
    return Queue(name, Exchange(name, type="direct"), routing_key=name)


def drain(connection: Connection, queue: Queue) -> list:
    received = []
    with connection.Consumer(queue, callbacks=[lambda body, message: (received.append(body), message.ack())]):
        while True:
            try:
                connection.drain_events(timeout=0.2)
            except TimeoutError:
                return received


def test_a_message_is_delivered_whole_and_leaves_no_file_behind(tmp_path):
    queue = mail_queue()
    with broker_connection(tmp_path) as connection:
        connection.Producer().publish(
            {"text": "こんにちは"}, exchange=queue.exchange, routing_key=queue.routing_key, declare=[queue]
        )
        assert drain(connection, queue) == [{"text": "こんにちは"}]
    for folder in ("queue", "writing", "claimed", "unreadable"):
        assert list((tmp_path / folder).iterdir()) == [], folder
    assert (tmp_path / "control" / f"{queue.name}.exchange").is_file()


def test_an_unreadable_message_file_is_set_aside_and_the_next_one_is_delivered(tmp_path):
    queue = mail_queue()
    with broker_connection(tmp_path) as connection:
        connection.Producer().publish(
            {"n": 1}, exchange=queue.exchange, routing_key=queue.routing_key, declare=[queue]
        )
        # What kombu's own writer leaves for a moment (celery/kombu#1551): the file, still empty.
        (tmp_path / "queue" / f"0_half-written.{queue.name}.msg").write_bytes(b"")
        assert drain(connection, queue) == [{"n": 1}]
    assert [path.name for path in (tmp_path / "unreadable").iterdir()] == [f"0_half-written.{queue.name}.msg"]


def test_the_embedded_settings_keep_every_broker_folder_under_var(tmp_path):
    probe = (
        "from django.conf import settings; "
        "print(settings.CELERY_BROKER_TRANSPORT, sorted(settings.CELERY_BROKER_TRANSPORT_OPTIONS.values()))"
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {probe}"],
        cwd=ROOT,
        env=embedded_env(tmp_path),
        capture_output=True,
        text=True,
        check=True,
    )
    transport, folders = result.stdout.split(" ", 1)
    assert transport == "core.broker:Transport"
    assert folders.strip() == str(
        sorted(str(tmp_path / "broker" / name) for name in ("control", "queue", "queue"))
    )


@pytest.mark.slow
def test_a_worker_and_beat_run_every_task_of_three_concurrent_publishers_exactly_once(tmp_path):
    record = tmp_path / "runs.txt"
    env = embedded_env(tmp_path, SOAK_RECORD=str(record))
    celery = str(Path(sys.executable).with_name("celery"))
    app = ["-A", "tests.core.soak_celery"]
    logs = {name: open(tmp_path / f"{name}.log", "w") for name in ("worker", "beat")}  # noqa: SIM115
    consumers = {
        # The worker as `make run` starts it.
        "worker": [celery, *app, "worker", "--loglevel=WARNING", "--pool=solo", "--without-heartbeat"],
        "beat": [celery, *app, "beat", "--loglevel=INFO", "-s", str(tmp_path / "beat-schedule")],
    }
    processes = {
        name: subprocess.Popen(command, cwd=ROOT, env=env, stdout=logs[name], stderr=subprocess.STDOUT)
        for name, command in consumers.items()
    }

    def runs() -> list[list[str]]:
        return [line.split() for line in record.read_text().splitlines()] if record.exists() else []

    try:
        # Worker and beat are both up once a tick of beat has been run by the worker.
        assert wait_until(lambda: any(run[1] == "beat" for run in runs()), 90), "no beat tick was run"
        per_publisher = TASKS // PUBLISHERS + 1
        publishers = [
            subprocess.Popen(
                [sys.executable, "-m", "tests.core.soak_celery", f"p{n}", str(per_publisher)],
                cwd=ROOT,
                env=env,
            )
            for n in range(PUBLISHERS)
        ]
        assert [publisher.wait(timeout=240) for publisher in publishers] == [0] * PUBLISHERS
        published = per_publisher * PUBLISHERS
        assert wait_until(lambda: sum(run[1] != "beat" for run in runs()) >= published, 240)
        assert {name: process.poll() for name, process in processes.items()} == {"worker": None, "beat": None}
    finally:
        for process in processes.values():
            process.send_signal(signal.SIGTERM)
        for process in processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        for log in logs.values():
            log.close()

    worker_log = (tmp_path / "worker.log").read_text()
    assert processes["worker"].returncode == 0, worker_log[-3000:]
    assert "Traceback" not in worker_log, worker_log[-3000:]
    done = runs()
    task_ids = collections.Counter(run[0] for run in done)
    assert [task_id for task_id, count in task_ids.items() if count > 1] == []
    published_runs = collections.Counter((run[1], int(run[2])) for run in done if run[1] != "beat")
    expected = {(f"p{n}", seq) for n in range(PUBLISHERS) for seq in range(per_publisher)}
    assert set(published_runs) == expected
    assert set(published_runs.values()) == {1}
    assert list((tmp_path / "broker" / "unreadable").iterdir()) == []
    assert os.listdir(tmp_path / "broker" / "claimed") == []
    # Every file the broker wrote is under var/broker/: nothing in the working directory.
    assert not (ROOT / "control").exists()
