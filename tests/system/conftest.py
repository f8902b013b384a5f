import os

import pytest
from django.conf import settings

from bench.processes import PostgresServer, RedisServer, SmtpSink


def _unavailable(reason: str):
    # In CI every service must be there: a missing one is a failure, not a skip.
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture
def test_database_url(transactional_db) -> str:
    """The test database, for processes the test starts (they see only committed data)."""
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture
def redis_server():
    server = RedisServer()
    try:
        server.start()
    except RuntimeError as error:
        _unavailable(str(error))
    yield server
    server.cleanup()


@pytest.fixture
def postgres_server():
    try:
        server = PostgresServer()
        server.start()
    except (RuntimeError, OSError) as error:
        _unavailable(f"cannot run a private PostgreSQL: {error}")
    yield server
    server.cleanup()


@pytest.fixture
def smtp_sink():
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()
