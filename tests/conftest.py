import threading

import pytest
from django.core import mail
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.services import counselor_group_ensure
from bench.processes import SmtpSink
from tests.accounts.factories import ClientFactory, CounselorFactory


@pytest.fixture(autouse=True)
def _clear_cache_and_mail():
    from django.core.cache import cache

    cache.clear()
    mail.outbox = []
    yield


class SmtpServer(SmtpSink):
    """A real SMTP server on loopback that keeps what it accepts; ``on_data`` runs as each message's
    data arrives, in a thread of its own (the server's is an event loop's, where Django refuses
    database work)."""

    def __init__(self):
        super().__init__()
        self.on_data = None

    async def handle_DATA(self, server, session, envelope):
        answer = await super().handle_DATA(server, session, envelope)
        if self.on_data is not None:
            action = threading.Thread(target=self.on_data, args=(envelope.rcpt_tos[0],))
            action.start()
            action.join()
        return answer


@pytest.fixture
def smtp_server(settings):
    """Django's SMTP backend pointed at a real server; the worker's mail connection dropped after."""
    from outbox import services

    server = SmtpServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield server
    services._mail_connection_drop()
    server.stop()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


def authenticated_client(user) -> APIClient:
    """An API client that sends a real token, as a phone app or the portal would."""
    client = APIClient()
    _instance, token = AuthToken.objects.create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.fixture
def client_user(db):
    return ClientFactory()


@pytest.fixture
def counselor(db):
    return CounselorFactory()


@pytest.fixture
def counselor_admin(client, counselor):
    """The Django admin, logged in as a counselor of the counselors' group."""
    counselor.groups.add(counselor_group_ensure())
    client.force_login(counselor)
    return client


@pytest.fixture
def client_api(client_user) -> APIClient:
    return authenticated_client(client_user)


@pytest.fixture
def counselor_api(counselor) -> APIClient:
    return authenticated_client(counselor)


def pytest_collection_modifyitems(items):
    """Transactional tests restore the data that migrations load (patterns, templates).

    Their teardown empties every table; without the restore, the next test would find no patterns,
    and a mix of restoring and non-restoring tests would load content types twice.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker and marker.kwargs.get("transaction") and not marker.kwargs.get("serialized_rollback"):
            item.add_marker(
                pytest.mark.django_db(*marker.args, **marker.kwargs, serialized_rollback=True), append=False
            )
