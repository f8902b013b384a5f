"""The outbox with a real Celery worker consuming from Redis, not eager mode."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from config.celery_app import app as celery_app
from outbox.models import OutboundEmail


@pytest.fixture
def real_worker(settings):
    celery_app.conf.task_always_eager = False
    celery_app.control.purge()
    try:
        with start_worker(
            celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=20
        ):
            yield
    finally:
        celery_app.conf.task_always_eager = True


def wait_until(condition, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_registration_email_is_sent_by_a_real_worker_then_the_whole_account_flow_works(
    real_worker, api_client
):
    response = api_client.post(
        "/api/v1/auth/register/",
        {"email": "worker@example.com", "password": "a-long-enough-secret", "display_name": "ワーカー"},
        format="json",
    )
    assert response.status_code == 202

    assert wait_until(lambda: OutboundEmail.objects.filter(status=OutboundEmail.Status.SENT).exists())
    row = OutboundEmail.objects.get()
    assert (row.kind, row.recipient, row.attempts) == ("accounts.verify_email", "worker@example.com", 1)
    assert len(mail.outbox) == 1
    token = mail.outbox[0].body.split("確認コード: ")[1].split()[0]

    assert api_client.post("/api/v1/auth/verify-email/", {"token": token}, format="json").status_code == 200
    login = api_client.post(
        "/api/v1/auth/token/",
        {"email": "worker@example.com", "password": "a-long-enough-secret"},
        format="json",
    )
    assert login.status_code == 200
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {login.json()['token']}")
    assert api_client.get("/api/v1/me/").json()["email"] == "worker@example.com"
    assert api_client.get("/api/v1/me/export/").json()["account"]["email"] == "worker@example.com"
    assert api_client.post("/api/v1/auth/logout/").status_code == 204
    assert api_client.get("/api/v1/me/").status_code == 401
