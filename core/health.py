"""Liveness and readiness probes for the orchestrator and the load balancer."""

import logging

from celery import current_app
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def database_is_reachable() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.warning("readiness: database unreachable", exc_info=True)
        # A half-open connection must not be reused by the next request.
        connection.close_if_unusable_or_obsolete()
        return False
    return True


def broker_is_reachable() -> bool:
    try:
        with current_app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=1, interval_start=0, timeout=2)
    except Exception:
        logger.warning("readiness: broker unreachable", exc_info=True)
        return False
    return True


@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    checks = {
        "database": "ok" if database_is_reachable() else "unavailable",
        "broker": "ok" if broker_is_reachable() else "unavailable",
    }
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if ready else "unavailable", **checks}, status=200 if ready else 503)
