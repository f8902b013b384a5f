"""Enqueueing helpers: tasks go to the broker only after the transaction that needs them commits."""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue(task, *args, **kwargs) -> bool:
    """Sends a task now; a broker outage is logged, never raised (the caller's sweeper retries later)."""
    try:
        task.apply_async(args=args, kwargs=kwargs)
    except Exception:
        logger.warning("could not enqueue %s; it stays for the sweeper", task.name, exc_info=True)
        return False
    return True


def enqueue_on_commit(task, *args, **kwargs) -> None:
    transaction.on_commit(lambda: enqueue(task, *args, **kwargs))
