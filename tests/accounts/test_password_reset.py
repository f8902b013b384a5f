import pytest
from django.core import mail
from knox.models import AuthToken

from tests.accounts.factories import ClientFactory

pytestmark = pytest.mark.django_db

RESET = "/api/v1/auth/password-reset/"


def test_reset_for_unknown_and_known_email_gives_the_same_answer(api_client):
    ClientFactory(email="known@example.com")

    known = api_client.post(RESET, {"email": "known@example.com"}, format="json")
    unknown = api_client.post(RESET, {"email": "nobody@example.com"}, format="json")

    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()


def test_reset_link_sets_a_new_password_once_and_revokes_tokens(
    api_client, django_capture_on_commit_callbacks
):
    user = ClientFactory(email="known@example.com")
    AuthToken.objects.create(user=user)
    with django_capture_on_commit_callbacks(execute=True):
        api_client.post(RESET, {"email": "known@example.com"}, format="json")
    token = mail.outbox[0].body.split("再設定コード: ")[1].split()[0]

    confirm = api_client.post(
        f"{RESET}confirm/", {"token": token, "password": "brand-new-password-42"}, format="json"
    )
    again = api_client.post(
        f"{RESET}confirm/", {"token": token, "password": "another-password-43"}, format="json"
    )

    assert confirm.status_code == 202
    assert again.status_code == 400
    user.refresh_from_db()
    assert user.check_password("brand-new-password-42")
    assert not AuthToken.objects.filter(user=user).exists()


def test_reset_confirm_with_a_forged_token_changes_nothing(api_client):
    user = ClientFactory()
    response = api_client.post(
        f"{RESET}confirm/", {"token": "forged", "password": "brand-new-password-42"}, format="json"
    )
    assert response.status_code == 400
    user.refresh_from_db()
    assert not user.check_password("brand-new-password-42")
