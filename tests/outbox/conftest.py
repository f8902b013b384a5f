"""What the outbox's tests share."""

import psycopg
import pytest
from django.db import connection

from outbox import services


@pytest.fixture
def other_session():
    """A second PostgreSQL session, as another worker's, and its name as claims write it."""
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        password=settings["PASSWORD"],
        dbname=settings["NAME"],
        autocommit=True,
    ) as other:
        yield other, other.execute(services._SESSION).fetchone()[0]
