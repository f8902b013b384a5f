import pytest
from django.core.management import CommandError, call_command

from accounts.models import User


@pytest.mark.django_db
def test_create_counselor_makes_a_verified_staff_counselor_who_can_log_in(api_client):
    call_command(
        "create_counselor",
        "--email",
        "Sensei@Example.com",
        "--password",
        "a-strong-password-1",
        "--name",
        "山田",
    )

    user = User.objects.get(email="sensei@example.com")
    assert user.role == User.Role.COUNSELOR
    assert user.is_staff and not user.is_superuser
    assert user.display_name == "山田"
    assert user.groups.filter(name="カウンセラー").exists()
    response = api_client.post(
        "/api/v1/auth/token/",
        {"email": "sensei@example.com", "password": "a-strong-password-1"},
        format="json",
    )
    assert response.status_code == 200


@pytest.mark.django_db
def test_create_counselor_refuses_a_taken_email_and_a_weak_password():
    call_command("create_counselor", "--email", "sensei@example.com", "--password", "a-strong-password-1")
    with pytest.raises(CommandError, match="既に登録"):
        call_command("create_counselor", "--email", "SENSEI@example.com", "--password", "a-strong-password-1")
    with pytest.raises(CommandError, match="password"):
        call_command("create_counselor", "--email", "other@example.com", "--password", "123")
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_new_passwords_are_hashed_with_argon2(settings):
    from django.conf import settings as django_settings

    from config.settings import base

    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS
    assert django_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    call_command("create_counselor", "--email", "argon@example.com", "--password", "a-strong-password-1")
    assert User.objects.get(email="argon@example.com").password.startswith("argon2$")
