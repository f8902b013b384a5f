"""How Celery's workers are set up for the outbox: connections kept, the worker count from settings."""

from celery.fixups.django import DjangoWorkerFixup
from django.conf import settings
from django.db import connection

from config.celery_app import app


def test_the_workers_keep_their_database_connection_from_task_to_task(db):
    fixup = DjangoWorkerFixup(app)
    assert fixup.db_reuse_max == settings.CELERY_DB_REUSE_MAX >= 100
    connection.ensure_connection()
    before = connection.connection

    for _task in range(10):  # what Celery's fix-up does before and after each task
        fixup.close_database()
        fixup.close_database()

    assert connection.connection is before


def test_the_worker_count_is_a_setting():
    assert app.conf.worker_concurrency == settings.CELERY_WORKER_CONCURRENCY == 4
