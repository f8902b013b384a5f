"""What every benchmark needs: its own database and services on loopback, rounds, medians, results.

Each benchmark gets a fresh PostgreSQL database named after ``BENCH_DATABASE_URL`` (default
``counsel_bench``) plus a suffix, and starts its own Redis, SMTP sink and app processes on free
loopback ports, so a run disturbs nothing else on the machine and nothing leaves it.
"""

import argparse
import atexit
import base64
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench.processes import (
    AppProcess,
    RedisServer,
    app_env,
    free_port,
    port_open,
    start_web,
    wait_until,
)

ROOT = Path(__file__).resolve().parents[1]
RESULTS_DIR = ROOT / "var" / "bench"
DEFAULT_DATABASE_URL = "postgres://postgres:postgres@127.0.0.1:5432/counsel_bench"


def argument_parser(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--rounds", type=int, default=3, help="measurements of each side (default 3)")
    parser.add_argument(
        "--results",
        type=Path,
        default=None,
        help="where to write the figures as JSON (default var/bench/<benchmark>.json)",
    )
    return parser


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def ratio(ours: float, baseline: float) -> float:
    return ours / baseline if baseline else float("nan")


def machine() -> dict:
    """Cores and memory, as `nproc` and `free -g` would tell them."""
    memory_kib = 0
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                memory_kib = int(line.split()[1])
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kib / 1024 / 1024, 1),
        "python": platform.python_version(),
        "kernel": platform.release(),
    }


def write_results(name: str, figures: dict, path: Path | None = None) -> Path:
    path = path or RESULTS_DIR / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "benchmark": name,
        "command": " ".join([Path(sys.executable).name, "-m", f"bench.{name}", *sys.argv[1:]]),
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": machine(),
        **figures,
    }
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    return path


def say(message: str) -> None:
    print(message, flush=True)


def finish(name: str, figures: dict, path: Path | None, report) -> dict:
    """Writes the figures, prints the benchmark's closing lines (``report(figures)``), returns them."""
    written = write_results(name, figures, path)
    for line in report(figures):
        say(line)
    say(f"  figures in {written}")
    return figures


def seed_subscribers(total: int) -> None:
    """Confirmed newsletter subscribers up to ``total`` (adds only the missing ones)."""
    from django.db import connection
    from django.utils import timezone

    from newsletter.models import Subscriber

    have = Subscriber.objects.count()
    confirmed_at = timezone.now() - timedelta(days=30)
    Subscriber.objects.bulk_create(
        (
            Subscriber(
                email=f"reader{number:06d}@example.com",
                name=f"読者{number}",
                status=Subscriber.Status.ACTIVE,
                confirmed_at=confirmed_at,
            )
            for number in range(have, total)
        ),
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {Subscriber._meta.db_table}")


# --- Database -------------------------------------------------------------------------------------


def database_url(suffix: str) -> str:
    """``BENCH_DATABASE_URL`` with ``_<suffix>`` added to the database name."""
    base = urlsplit(os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    return urlunsplit(base._replace(path=f"{base.path.rstrip('/')}_{suffix}"))


def _admin_connection(url: str):
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username,
        password=parts.password,
        dbname="postgres",
        autocommit=True,
    )


def database_recreate(url: str) -> None:
    """Drops and creates the benchmark's database; the name must say it is a benchmark's."""
    from psycopg import sql

    name = urlsplit(url).path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(f"refusing to drop {name!r}: a benchmark database's name contains 'bench'")
    with _admin_connection(url) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def database_drop(url: str) -> None:
    from psycopg import sql

    name = urlsplit(url).path.lstrip("/")
    with _admin_connection(url) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


# --- Services and the benchmark's own Django ----------------------------------------------------------


class PostfixSink:
    """Postfix's ``smtp-sink``: accepts and discards mail, printing a running count on stdout.

    A Python sink saturates near 400 messages/s on two cores and would measure itself, not us.
    The count (``mesg=N``, updated as each message's final "." is received) is what the benchmark
    reads; it never resets, so callers take differences.
    """

    _COUNT = re.compile(rb"mesg=(\d+)")

    def __init__(self):
        self.port = free_port()
        self._count = 0
        self._lock = threading.Lock()
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        binary = shutil.which("smtp-sink") or "/usr/sbin/smtp-sink"
        if not Path(binary).exists():
            raise SystemExit("smtp-sink is not installed: run bench/setup.sh (Debian package postfix)")
        command = [binary, "-c", f"127.0.0.1:{self.port}", "1000"]
        if os.geteuid() == 0:
            command[1:1] = ["-u", "nobody"]  # it refuses to run as root without a user to switch to
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        threading.Thread(target=self._read_counts, daemon=True).start()
        if not wait_until(lambda: port_open(self.port), 10):
            raise RuntimeError("smtp-sink did not start")

    def _read_counts(self) -> None:
        pending = b""
        while True:
            chunk = self.process.stdout.read1(65536)
            if not chunk:
                return
            pending += chunk
            *complete, pending = pending.split(b"\r")
            for line in reversed(complete):
                match = self._COUNT.search(line)
                if match:
                    with self._lock:
                        self._count = int(match.group(1))
                    break

    @property
    def count(self) -> int:
        with self._lock:
            return self._count

    def wait_for(self, target: int, *, stall_timeout: float = 60) -> bool:
        """Waits until ``target`` messages have arrived; False if none arrive for ``stall_timeout`` s."""
        last, last_change = self.count, time.monotonic()
        while True:
            current = self.count
            if current >= target:
                return True
            if current != last:
                last, last_change = current, time.monotonic()
            elif time.monotonic() - last_change > stall_timeout:
                return False
            time.sleep(0.005)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@dataclass
class BenchServices:
    """A database, a Redis and optionally an SMTP sink of the benchmark's own, and Django set up on them."""

    name: str
    database_url: str
    redis: RedisServer
    sink: PostfixSink | None
    env: dict
    log_dir: Path

    @classmethod
    def start(cls, name: str, *, sink: bool = False, **settings) -> "BenchServices":
        # SIGTERM ends the run like Ctrl-C does: through the ``finally`` blocks that stop its processes.
        signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))
        url = database_url(name)
        database_recreate(url)
        redis = RedisServer()
        # Whatever ends the run (an error, Ctrl-C), the servers it started end with it.
        atexit.register(redis.cleanup)
        redis.start()
        postfix = PostfixSink() if sink else None
        if postfix is not None:
            atexit.register(postfix.stop)
            postfix.start()
        log_dir = RESULTS_DIR / "logs" / name
        log_dir.mkdir(parents=True, exist_ok=True)
        extra = {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "SECRET_KEY": secrets.token_urlsafe(50),
            # A Fernet key: production refuses to start without one for session notes.
            "NOTES_ENCRYPTION_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LOG_LEVEL": "WARNING",
            **settings,
        }
        if postfix is not None:
            extra["EMAIL_URL"] = f"smtp://127.0.0.1:{postfix.port}"
        env = app_env(database_url=url, broker_url=redis.url, **extra)
        env["PYTHONPATH"] = str(ROOT)
        services = cls(name=name, database_url=url, redis=redis, sink=postfix, env=env, log_dir=log_dir)
        services.setup_django()
        return services

    def setup_django(self) -> None:
        """This process runs on the same settings as the processes it starts."""
        os.environ.update(self.env)
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0, interactive=False)

    def stop(self) -> None:
        from django.db import connections

        connections.close_all()
        if self.sink is not None:
            self.sink.stop()
        self.redis.cleanup()


def start_celery_worker(env: dict, log_dir: Path, *, concurrency: int, name: str = "worker") -> AppProcess:
    """A Celery worker as production runs it: prefork processes, one task at a time each."""
    from config.celery_app import app

    celery = str(Path(sys.executable).with_name("celery"))
    node = f"{name}-{free_port()}@{socket.gethostname()}"
    worker = AppProcess(
        name,
        [
            celery,
            "-A",
            "config",
            "worker",
            "--pool=prefork",
            f"--concurrency={concurrency}",
            "--loglevel=WARNING",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-n",
            node,
        ],
        env,
        log_dir,
    )
    # Ready once it answers on the broker: a benchmark's clock must not run while a worker starts.
    if not wait_until(lambda: app.control.ping(destination=[node], timeout=0.5), 60):
        raise RuntimeError("the Celery worker did not start:\n" + worker.output())
    return worker


def start_gunicorn(env: dict, log_dir: Path, *, workers: int = 2, threads: int = 4) -> tuple[AppProcess, str]:
    """gunicorn as production runs it (docker-compose.yml: 2 workers, 4 threads each)."""
    log_dir.mkdir(parents=True, exist_ok=True)
    return start_web(env, log_dir, workers=workers, threads=threads)


# --- Processes' memory ----------------------------------------------------------------------------------


def child_pids(pid: int) -> list[int]:
    children: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            children += [int(child) for child in (task / "children").read_text().split()]
    except (FileNotFoundError, ProcessLookupError):
        return []
    return children


def cpu_seconds(pids: list[int]) -> float:
    """User plus system CPU time the processes have used so far."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def cpu_snapshot() -> dict[int, tuple[str, int]]:
    """Every process's name and CPU ticks (user plus system) so far, by pid."""
    snapshot: dict[int, tuple[str, int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            head, tail = (entry / "stat").read_text().rsplit(")", 1)
        except (FileNotFoundError, ProcessLookupError):
            continue
        fields = tail.split()
        snapshot[int(entry.name)] = (head.split("(", 1)[1], int(fields[11]) + int(fields[12]))
    return snapshot


def cpu_by_process(
    before: dict[int, tuple[str, int]], after: dict[int, tuple[str, int]], groups: dict
) -> dict:
    """CPU seconds used between two snapshots, summed by group: ``groups`` maps a group's name to a
    predicate on (pid, process name); processes that match none count as "other". A process that
    started and ended between the snapshots is not seen."""
    totals = {name: 0 for name in groups} | {"other": 0}
    for pid, (name, ticks) in after.items():
        used = ticks - before[pid][1] if pid in before and before[pid][0] == name else ticks
        group = next((key for key, matches in groups.items() if matches(pid, name)), "other")
        totals[group] += used
    return {name: ticks / os.sysconf("SC_CLK_TCK") for name, ticks in totals.items()}


def peak_rss_mib(pid: int) -> float:
    """The process's high-water mark of resident memory (VmHWM), in MiB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except FileNotFoundError:
        pass
    return float("nan")
