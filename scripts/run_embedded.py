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


def main() -> int:
    os.chdir(ROOT)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    subprocess.run([PYTHON, "manage.py", "migrate", "--no-input", "-v", "0"], check=True)
    subprocess.run([PYTHON, "manage.py", "load_email_course"], check=True)
    subprocess.run([PYTHON, "manage.py", "seed_demo"], check=True)

    children = {name: subprocess.Popen(command) for name, command in PROCESSES.items()}
    print(f"\nRunning at http://{HOST}:{PORT}/  (API docs: /api/docs/, admin: /admin/). Ctrl-C stops all.\n")

    def stop(*_args):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    exit_code = 0
    try:
        while True:
            for name, child in children.items():
                if child.poll() is not None:
                    print(f"{name} exited with {child.returncode}; stopping the others.", file=sys.stderr)
                    exit_code = child.returncode or 1
                    raise KeyboardInterrupt
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for child in children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
