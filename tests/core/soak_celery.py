"""The project's Celery app with one cheap task that records each run, for the embedded broker's soak test.

Worker and beat run it as ``celery -A tests.core.soak_celery worker|beat``; publishers run this module:
``python -m tests.core.soak_celery PUBLISHER COUNT``.
"""

import os
import sys
from datetime import timedelta

from config.celery_app import app

# Beat publishes only the soak's tick: the practice's schedule would need a migrated database.
app.conf.beat_schedule = {
    "soak-tick": {"task": "soak.record", "schedule": timedelta(seconds=1), "args": ("beat", 0)},
}


@app.task(name="soak.record", bind=True)
def soak_record(self, publisher: str, seq: int) -> None:
    # One write on an O_APPEND file: lines from concurrent runs never interleave.
    line = f"{self.request.id} {publisher} {seq}\n".encode()
    fd = os.open(os.environ["SOAK_RECORD"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


def publish(publisher: str, count: int) -> None:
    with app.producer_or_acquire() as producer:
        for seq in range(count):
            soak_record.apply_async((publisher, seq), producer=producer)


if __name__ == "__main__":
    import django

    django.setup()
    publish(sys.argv[1], int(sys.argv[2]))
