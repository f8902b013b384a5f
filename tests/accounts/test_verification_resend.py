"""An unverified account has a way back: a new verification link from the login page, the expired-link
page, or by registering again, limited per address and per client address, and the same answer for
every address."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.models import User
from tests.accounts.factories import PASSWORD, ClientFactory

pytestmark = pytest.mark.django_db

RESEND = "/accounts/verify-email/resend/"


@pytest.fixture
def unverified(db):
    return ClientFactory(email="waiting@example.com", email_verified_at=None)


def _link(message) -> str:
    return re.search(r"http://\S+(/accounts/verify-email/\?token=\S+)", message.body).group(1)


def _page(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def test_the_login_refusal_offers_a_new_link_that_verifies_the_account(
    client, unverified, django_capture_on_commit_callbacks
):
    refused = client.post("/accounts/login/", {"email": unverified.email, "password": PASSWORD})
    body = refused.content.decode()
    assert refused.status_code == 400
    assert "確認が済んでいません" in body
    assert f'action="{RESEND}"' in body and f'value="{unverified.email}"' in body

    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(RESEND, {"email": unverified.email})

    assert sent.status_code == 200
    (message,) = mail.outbox
    assert message.to == [unverified.email]
    assert "確認が完了しました" in client.get(_link(message)).content.decode()
    unverified.refresh_from_db()
    assert unverified.email_verified


def test_a_wrong_password_for_an_unverified_account_offers_nothing(client, unverified):
    refused = client.post("/accounts/login/", {"email": unverified.email, "password": "wrong-password"})

    assert RESEND not in refused.content.decode()


def test_the_expired_link_page_offers_a_new_link(client, unverified, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(RESEND, {"email": unverified.email})
    old_link = _link(mail.outbox[0])

    with time_machine.travel(timezone.now() + timedelta(days=4)):
        expired = client.get(old_link)
        assert expired.status_code == 400
        assert f'action="{RESEND}"' in expired.content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            client.post(RESEND, {"email": unverified.email})
        assert "確認が完了しました" in client.get(_link(mail.outbox[-1])).content.decode()

    assert len(mail.outbox) == 2


def test_the_answer_is_the_same_for_unverified_verified_and_unknown_addresses(
    unverified, django_capture_on_commit_callbacks
):
    ClientFactory(email="verified@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        pages = [
            Client().post(RESEND, {"email": email})
            for email in ("waiting@example.com", "verified@example.com", "nobody@example.com")
        ]

    assert {page.status_code for page in pages} == {200}
    assert len({_page(page) for page in pages}) == 1
    assert [message.to for message in mail.outbox] == [["waiting@example.com"]]


def test_one_new_link_per_address_and_window_whoever_asks(
    unverified, django_capture_on_commit_callbacks, settings
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "verification_address": "1/5min"}

    with django_capture_on_commit_callbacks(execute=True):
        first = Client(REMOTE_ADDR="203.0.113.1").post(RESEND, {"email": unverified.email})
        second = Client(REMOTE_ADDR="203.0.113.2").post(RESEND, {"email": "WAITING@example.com"})

    assert _page(first) == _page(second)
    assert "5分に1回まで" in _page(first)
    assert len(mail.outbox) == 1


def test_asking_from_one_client_address_is_limited(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "mail": "3/hour"}
    client = Client(REMOTE_ADDR="203.0.113.9")

    codes = [client.post(RESEND, {"email": f"someone{n}@example.com"}).status_code for n in range(5)]

    assert codes == [200, 200, 200, 429, 429]


def test_registering_again_with_an_unverified_address_sends_a_new_link_with_the_same_answer(
    client, unverified, django_capture_on_commit_callbacks
):
    form = {"display_name": "花子", "password": "a-long-enough-secret"}

    with django_capture_on_commit_callbacks(execute=True):
        again = client.post("/accounts/register/", {**form, "email": "Waiting@example.com"})
        new = client.post("/accounts/register/", {**form, "email": "new@example.com"})

    assert again.status_code == new.status_code == 200
    assert f'href="{RESEND}"' in _page(new)
    assert _page(again).replace("Waiting@example.com", "X") == _page(new).replace("new@example.com", "X")
    assert "既にアカウントをお持ちです" not in mail.outbox[0].body
    assert mail.outbox[0].to == ["waiting@example.com"]
    assert "確認が完了しました" in client.get(_link(mail.outbox[0])).content.decode()
    assert User.objects.filter(email__iexact="waiting@example.com").count() == 1
    unverified.refresh_from_db()
    assert unverified.check_password(PASSWORD)  # registering again never sets someone's password


def test_registering_again_with_a_verified_address_still_gets_the_existing_account_notice(
    api_client, django_capture_on_commit_callbacks
):
    ClientFactory(email="known@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            "/api/v1/auth/register/",
            {"email": "known@example.com", "password": "a-long-enough-secret", "display_name": "x"},
            format="json",
        )

    assert response.status_code == 202
    assert "既にアカウントをお持ちです" in mail.outbox[0].body
