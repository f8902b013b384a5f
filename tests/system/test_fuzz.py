"""Schemathesis over every operation of the OpenAPI schema, in-process, as three kinds of caller:
no 5xx, and every status, content type and body as the schema documents it.

Valid and invalid inputs (positive and negative generation), seeded and bounded; `make fuzz` runs
the same with many more examples (FUZZ_EXAMPLES). A failure names each operation that broke.
"""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from knox.models import AuthToken
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.accounts.factories import ClientFactory, CounselorFactory

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
pytestmark = [pytest.mark.slow, pytest.mark.django_db]
# Every answer is a documented status, with a documented content type and body.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

fuzz_settings = hypothesis_settings(
    max_examples=EXAMPLES,
    derandomize=True,  # the same cases on every run: a failure here is reproducible
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    database=None,
)


@pytest.fixture(autouse=True)
def _keep_the_test_connection_open():
    """Requests go through the real WSGI handler, whose request signals would close the test's
    connection (and its transaction); Django's own test client detaches them the same way."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(scope="session")
def api_schema(django_db_setup, django_db_blocker):
    from config.wsgi import application

    # The schema request runs Django's request signals, which look at any open connection.
    with django_db_blocker.unblock():
        return schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


def fuzz_every_operation(api_schema, headers: dict) -> int:
    failures: list[str] = []
    calls = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @fuzz_settings
            def run(case):
                nonlocal calls
                calls += 1
                response = case.call(headers=headers)
                case.validate_response(response, checks=CHECKS)

            try:
                run()
            except Unsatisfiable:
                # An operation without parameters or body has no invalid input to generate.
                assert mode is GenerationMode.NEGATIVE, operation.label
            except Exception as error:
                failures.append(f"{operation.label} ({mode.value}): {str(error)[:1500]}")
    assert not failures, "\n\n".join(failures)
    print(f"fuzz: {calls} calls over every operation")
    return calls


def token_headers(user) -> dict:
    _instance, token = AuthToken.objects.create(user=user)
    return {"Authorization": f"Token {token}"}


def test_anonymous_callers_never_get_a_5xx_or_a_response_that_breaks_the_schema(api_schema):
    assert fuzz_every_operation(api_schema, {}) > 0


def test_clients_never_get_a_5xx_or_a_response_that_breaks_the_schema(api_schema):
    assert fuzz_every_operation(api_schema, token_headers(ClientFactory())) > 0


def test_counselors_never_get_a_5xx_or_a_response_that_breaks_the_schema(api_schema):
    assert fuzz_every_operation(api_schema, token_headers(CounselorFactory())) > 0
