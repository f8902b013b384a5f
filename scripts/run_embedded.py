"""`make run`: migrate, load the email course and demo data, then web + Celery worker + beat until Ctrl-C.

Everything runs embedded (SQLite, file-system broker, mail as .eml files under var/mail/).
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CELERY = str(Path(PYTHON).with_name("celery"))
HOST = os.environ.get("RUN_HOST", "127.0.0.1")
PORT = os.environ.get("RUN_PORT", "8000")

PROCESSES = {
    "web": [PYTHON, "manage.py", "runserver", f"{HOST}:{PORT}", "--noreload"],
    # One process: SQLite takes one writer at a time, and the outbox needs no more here.
    "worker": [CELERY, "-A", "config", "worker", "--loglevel=INFO", "--pool=solo", "--without-heartbeat"],
    "beat": [CELERY, "-A", "config", "beat", "--loglevel=INFO"],
}


# Restarted when they exit (a crash must not take the site down); the web server's exit stops all.
RESTARTED = {"worker", "beat"}
# A process that exits sooner than this after its start is restarted after a growing pause
# (1 s, 2 s, 4 s … at most 30 s), so a process that cannot start does not spin; else after 1 s.
QUICK_EXIT = 10.0
MAX_PAUSE = 30.0


class Supervised:
    def __init__(self, name: str, command: list[str]):
        self.name = name
        self.command = command
        self.pause = 0.0
        self.restart_at: float | None = None
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(self.command)
        self.started_at = time.monotonic()
        self.restart_at = None
        log(f"{self.name} started (pid {self.process.pid})")

    def exited(self) -> bool:
        return self.restart_at is None and self.process.poll() is not None

    def schedule_restart(self) -> None:
        quick = time.monotonic() - self.started_at < QUICK_EXIT
        self.pause = min(max(self.pause * 2, 1.0), MAX_PAUSE) if quick else 1.0
        self.restart_at = time.monotonic() + self.pause
        log(f"{self.name} exited with {self.process.returncode}; restarting it in {self.pause:.0f} s")

    def restart_when_due(self) -> None:
        if self.restart_at is not None and time.monotonic() >= self.restart_at:
            self.start()


def log(message: str) -> None:
    print(f"run_embedded: {message}", file=sys.stderr, flush=True)


def main() -> int:
    os.chdir(ROOT)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    subprocess.run([PYTHON, "manage.py", "migrate", "--no-input", "-v", "0"], check=True)
    subprocess.run([PYTHON, "manage.py", "load_email_course"], check=True)
    subprocess.run([PYTHON, "manage.py", "seed_demo"], check=True)

    children = [Supervised(name, command) for name, command in PROCESSES.items()]
    print(f"\nRunning at http://{HOST}:{PORT}/  (API docs: /api/docs/, admin: /admin/). Ctrl-C stops all.\n")

    def stop(*_args):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    exit_code = 0
    try:
        while True:
            for child in children:
                if child.exited():
                    if child.name not in RESTARTED:
                        log(f"{child.name} exited with {child.process.returncode}; stopping the others.")
                        exit_code = child.process.returncode or 1
                        raise KeyboardInterrupt
                    child.schedule_restart()
                child.restart_when_due()
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        running = [child.process for child in children if child.process.poll() is None]
        for process in running:
            process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in running:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
