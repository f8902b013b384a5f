"""One rate-limit mechanism for pages and the API, keyed on an address the client cannot choose."""

import pytest
from django.test import RequestFactory
from rest_framework.test import APIClient

from core.ratelimit import client_ip
from newsletter.consent import consent_version_current
from outbox.models import OutboundEmail
from tests.accounts.factories import PASSWORD, ClientFactory
from tests.newsletter.factories import SubscriberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def limits(settings):
    def set_rate(scope: str, rate: str) -> None:
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, scope: rate}

    return set_rate


def token_attempt(client, *, remote: str, forwarded: str, email="nobody@example.com", password="wrong-pw"):
    return client.post(
        "/api/v1/auth/token/",
        {"email": email, "password": password},
        format="json",
        REMOTE_ADDR=remote,
        HTTP_X_FORWARDED_FOR=forwarded,
    ).status_code


def test_a_new_forwarded_for_header_per_request_does_not_lift_the_api_limit(limits):
    limits("auth", "3/min")
    client = APIClient()
    codes = [token_attempt(client, remote="203.0.113.5", forwarded=f"198.51.100.{n}") for n in range(5)]
    assert codes == [400, 400, 400, 429, 429]


def test_without_trusted_proxies_the_client_address_is_the_socket_address():
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(request) == "203.0.113.5"


def test_behind_one_trusted_proxy_the_address_it_appended_counts_and_the_clients_own_entries_do_not(
    settings,
):
    settings.TRUSTED_PROXY_COUNT = 1
    forged_then_real = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.5"
    )
    assert client_ip(forged_then_real) == "203.0.113.5"
    assert client_ip(RequestFactory().get("/", REMOTE_ADDR="10.0.0.2")) == "10.0.0.2"


def test_behind_a_trusted_proxy_the_limit_follows_the_real_client_not_the_forged_entries(limits, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    limits("auth", "2/min")
    client = APIClient()

    def attempt(forged: str, real: str) -> int:
        return token_attempt(client, remote="10.0.0.2", forwarded=f"{forged}, {real}")

    assert [attempt(f"1.1.1.{n}", "203.0.113.5") for n in range(3)] == [400, 400, 429]
    assert attempt("1.1.1.9", "198.51.100.7") == 400


def test_the_login_lockout_keys_on_the_same_client_address_as_the_limits(settings):
    user = ClientFactory()
    client = APIClient()
    for n in range(5):
        token_attempt(client, remote="203.0.113.5", forwarded=f"198.51.100.{n}", email=user.email)
    # Rotating the forwarded header did not spread the failures over five addresses.
    locked = token_attempt(
        client, remote="203.0.113.5", forwarded="192.0.2.77", email=user.email, password=PASSWORD
    )
    assert locked == 429


MAIL_PAGES = [
    ("/accounts/register/", lambda n: {"email": f"victim{n}@example.com", "password": PASSWORD}),
    ("/accounts/password-reset/", lambda n: {"email": f"owner{n}@example.com"}),
    (
        "/newsletter/",
        lambda n: {
            "email": f"victim{n}@example.com",
            "consent": "on",
            "consent_version": consent_version_current(),
        },
    ),
    ("/newsletter/workbook/", lambda n: {"email": f"reader{n}@example.com"}),
]


@pytest.mark.parametrize(("path", "data"), MAIL_PAGES)
def test_a_page_that_sends_mail_answers_429_after_the_limit_from_one_address(client, limits, path, data):
    limits("mail", "3/hour")
    for n in range(6):
        ClientFactory(email=f"owner{n}@example.com")
        SubscriberFactory(email=f"reader{n}@example.com", status="active")
    mail_before = OutboundEmail.objects.count()

    codes = [client.post(path, data(n), REMOTE_ADDR="203.0.113.5").status_code for n in range(6)]

    assert all(code != 429 for code in codes[:3])
    assert codes[3:] == [429, 429, 429]
    assert OutboundEmail.objects.count() - mail_before <= 3
    refused = client.post(path, data(9), REMOTE_ADDR="203.0.113.5")
    assert refused["Retry-After"].isdigit()
    assert "しばらくたってから" in refused.content.decode()
    # Another address is not held back by the first one's posts.
    assert client.post(path, data(5), REMOTE_ADDR="198.51.100.7").status_code != 429


def test_the_page_and_its_api_twin_share_one_allowance(client, limits):
    limits("mail", "2/hour")
    api = APIClient()
    assert client.post("/accounts/password-reset/", {"email": "a@example.com"}).status_code == 200
    assert (
        api.post("/api/v1/auth/password-reset/", {"email": "b@example.com"}, format="json").status_code == 202
    )
    assert client.post("/accounts/password-reset/", {"email": "c@example.com"}).status_code == 429
    assert (
        api.post("/api/v1/auth/password-reset/", {"email": "d@example.com"}, format="json").status_code == 429
    )


def test_password_reset_mails_one_link_per_address_per_interval_whoever_asks(client, limits):
    limits("password_reset_address", "1/5min")
    owner = ClientFactory()
    for n in range(4):
        response = client.post(
            "/accounts/password-reset/", {"email": owner.email.upper()}, REMOTE_ADDR=f"198.51.100.{n}"
        )
        assert response.status_code == 200  # the same page, whatever happened
    assert OutboundEmail.objects.filter(kind="accounts.password_reset", recipient=owner.email).count() == 1


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/accounts/login/", {"email": "nobody@example.com", "password": "wrong-pw"}),
        ("/accounts/password-reset/confirm/", {"token": "forged", "password": "a-new-long-password"}),
    ],
)
def test_the_login_and_reset_pages_share_the_auth_limit_of_the_token_api(client, limits, path, data):
    limits("auth", "2/min")
    api = APIClient()

    first = token_attempt(api, remote="203.0.113.5", forwarded="")
    page = client.post(path, data, REMOTE_ADDR="203.0.113.5")
    refused = client.post(path, data, REMOTE_ADDR="203.0.113.5")

    assert first == 400 and page.status_code != 429
    assert refused.status_code == 429
    assert client.post(path, data, REMOTE_ADDR="198.51.100.7").status_code != 429
