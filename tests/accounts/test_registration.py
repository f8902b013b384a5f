import re

import pytest
from django.contrib.auth.hashers import get_hasher
from django.core import mail
from knox.models import AuthToken

from accounts.models import User
from accounts.services import email_verification_token_make
from outbox.models import OutboundEmail
from tests.accounts.factories import PASSWORD, ClientFactory

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register/"


def register(api_client, email="hanako@example.com", password="a-long-enough-secret", name="花子"):
    return api_client.post(
        REGISTER, {"email": email, "password": password, "display_name": name}, format="json"
    )


def test_register_creates_an_unverified_client_and_queues_a_verification_email(api_client):
    response = register(api_client)

    assert response.status_code == 202
    user = User.objects.get(email="hanako@example.com")
    assert user.role == User.Role.CLIENT
    assert user.email_verified_at is None
    row = OutboundEmail.objects.get(kind="accounts.verify_email")
    assert row.recipient == "hanako@example.com"
    assert "/accounts/verify-email/?token=" in row.body_text


def test_register_with_a_taken_email_answers_exactly_like_a_new_one(api_client):
    ClientFactory(email="taken@example.com")

    new = register(api_client, email="fresh@example.com")
    taken = register(api_client, email="TAKEN@example.com")

    assert (taken.status_code, taken.json()) == (new.status_code, new.json())
    assert User.objects.filter(email__iexact="taken@example.com").count() == 1
    notice = OutboundEmail.objects.get(kind="accounts.register_existing")
    assert notice.recipient == "taken@example.com"


def test_register_rejects_a_weak_password_with_the_field_named(api_client):
    response = register(api_client, password="123")

    assert response.status_code == 400
    assert "password" in response.json()
    assert not User.objects.exists()


def test_email_is_unique_regardless_of_case(db):
    from django.db import IntegrityError

    ClientFactory(email="case@example.com")
    with pytest.raises(IntegrityError):
        User.objects.bulk_create([User(email="CASE@example.com", role="client")])


def test_full_flow_register_verify_token_me_export_logout(api_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert register(api_client).status_code == 202
    assert len(mail.outbox) == 1
    token = mail.outbox[0].body.split("確認コード: ")[1].split()[0]

    unverified = api_client.post(
        "/api/v1/auth/token/",
        {"email": "hanako@example.com", "password": "a-long-enough-secret"},
        format="json",
    )
    assert unverified.status_code == 400

    verified = api_client.post("/api/v1/auth/verify-email/", {"token": token}, format="json")
    assert verified.status_code == 200
    assert verified.json()["email_verified"] is True

    login = api_client.post(
        "/api/v1/auth/token/",
        {"email": "Hanako@Example.com", "password": "a-long-enough-secret"},
        format="json",
    )
    assert login.status_code == 200
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {login.json()['token']}")

    me = api_client.get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["display_name"] == "花子"
    assert api_client.patch("/api/v1/me/", {"display_name": "佐藤 花子"}, format="json").json()[
        "display_name"
    ] == ("佐藤 花子")

    export = api_client.get("/api/v1/me/export/")
    assert export.status_code == 200
    data = export.json()
    assert data["account"]["email"] == "hanako@example.com"
    assert data["account"]["display_name"] == "佐藤 花子"
    assert [row["kind"] for row in data["emails_sent_to_me"]] == ["accounts.verify_email"]

    assert api_client.post("/api/v1/auth/logout/").status_code == 204
    assert api_client.get("/api/v1/me/").status_code == 401
    assert not AuthToken.objects.exists()


def test_verification_token_for_another_email_is_refused(api_client):
    user = ClientFactory(email_verified_at=None)
    token = email_verification_token_make(user=user)
    user.email = "changed@example.com"
    user.save()

    response = api_client.post("/api/v1/auth/verify-email/", {"token": token}, format="json")

    assert response.status_code == 400
    assert "token" in response.json()


def test_forged_verification_token_is_refused(api_client):
    response = api_client.post("/api/v1/auth/verify-email/", {"token": "not-a-token"}, format="json")
    assert response.status_code == 400


def test_token_expires(api_client, client_user):
    import time_machine
    from django.utils import timezone

    login = api_client.post(
        "/api/v1/auth/token/", {"email": client_user.email, "password": PASSWORD}, format="json"
    )
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {login.json()['token']}")
    assert api_client.get("/api/v1/me/").status_code == 200

    with time_machine.travel(timezone.now() + timezone.timedelta(days=15)):
        assert api_client.get("/api/v1/me/").status_code == 401


def test_me_requires_authentication(api_client):
    assert api_client.get("/api/v1/me/").status_code == 401
    assert api_client.get("/api/v1/me/export/").status_code == 401


@pytest.mark.parametrize("surface", ["api", "page"])
def test_a_weak_password_is_refused_alike_for_a_taken_and_a_new_address(client, api_client, surface):
    ClientFactory(email="taken@example.com")

    def attempt(email: str):
        if surface == "api":
            response = register(api_client, email=email, password="123")
            return response.status_code, response.json()
        response = client.post("/accounts/register/", {"email": email, "password": "123", "display_name": ""})
        body = response.content.decode().replace(email, "EMAIL")
        return response.status_code, re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)

    taken, new = attempt("taken@example.com"), attempt("new@example.com")

    assert taken[0] == new[0] == 400
    assert taken[1] == new[1]
    assert not OutboundEmail.objects.exists()


def test_registration_hashes_the_password_for_a_taken_address_as_for_a_new_one(api_client, monkeypatch):
    ClientFactory(email="taken@example.com")
    hasher = type(get_hasher("default"))
    hashed: list[str] = []
    original = hasher.encode

    def counting_encode(self, password, salt, *args, **kwargs):
        hashed.append(password)
        return original(self, password, salt, *args, **kwargs)

    monkeypatch.setattr(hasher, "encode", counting_encode)

    assert register(api_client, email="new@example.com", password="strong-secret-one").status_code == 202
    assert register(api_client, email="taken@example.com", password="strong-secret-two").status_code == 202
    assert hashed == ["strong-secret-one", "strong-secret-two"]
