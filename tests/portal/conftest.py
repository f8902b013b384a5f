"""The counseling tests' fixed week: Monday 2025-06-02 09:00 Tokyo, online slots on Wednesday 10–12."""

import pytest

from tests.counseling.conftest import frozen_now, session_type  # noqa: F401  (fixtures shared with counseling)
from tests.counseling.factories import IntakeFactory


@pytest.fixture
def portal(client, client_user):
    """The Django test client, logged in as a client who has handed in an intake."""
    IntakeFactory(client=client_user)
    client.force_login(client_user)
    return client
