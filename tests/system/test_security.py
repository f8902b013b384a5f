import pytest
from django.contrib.auth.hashers import make_password

from config.settings import base
from tests.accounts.factories import ClientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def production_hashers(settings):
    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS


def test_new_users_get_argon2_hashes(api_client, production_hashers):
    response = api_client.post(
        "/api/v1/auth/register/",
        {"email": "new@example.com", "password": "a-long-enough-secret", "display_name": "新"},
        format="json",
    )
    assert response.status_code == 202
    from accounts.models import User

    assert User.objects.get(email="new@example.com").password.startswith("argon2$")


def test_an_older_hash_is_upgraded_to_argon2_at_login(api_client, production_hashers):
    user = ClientFactory()
    user.password = make_password("an-old-password-1", hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])
    assert user.password.startswith("pbkdf2_sha256$")

    response = api_client.post(
        "/api/v1/auth/token/", {"email": user.email, "password": "an-old-password-1"}, format="json"
    )

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.password.startswith("argon2$")
    assert user.check_password("an-old-password-1")


def test_session_login_upgrades_an_older_hash_too(client, production_hashers):
    user = ClientFactory()
    user.password = make_password("an-old-password-1", hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])

    response = client.post("/accounts/login/", {"email": user.email, "password": "an-old-password-1"})

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$")
