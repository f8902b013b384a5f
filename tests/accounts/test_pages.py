import re

import pytest
from django.core import mail

from accounts.models import User
from tests.accounts.factories import PASSWORD, ClientFactory, CounselorFactory

pytestmark = pytest.mark.django_db


def test_login_page_logs_a_verified_user_in_and_goes_to_next(client):
    user = ClientFactory()
    assert client.get("/accounts/login/").status_code == 200

    response = client.post(
        "/accounts/login/", {"email": user.email, "password": PASSWORD, "next": "/courses/"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/courses/"
    assert client.session["_auth_user_id"] == str(user.pk)


def test_login_page_refuses_a_wrong_password_and_keeps_the_email(client):
    user = ClientFactory()
    response = client.post("/accounts/login/", {"email": user.email, "password": "wrong-password"})

    assert response.status_code == 400
    assert "正しくありません" in response.content.decode()
    assert f'value="{user.email}"' in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_page_never_redirects_to_another_site(client):
    user = ClientFactory()
    response = client.post(
        "/accounts/login/", {"email": user.email, "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/portal/"


def test_login_without_next_takes_a_client_to_the_portal_and_a_counselor_to_the_dashboard(client):
    client_user, counselor = ClientFactory(), CounselorFactory()

    to_portal = client.post("/accounts/login/", {"email": client_user.email, "password": PASSWORD})
    client.logout()
    to_dashboard = client.post("/accounts/login/", {"email": counselor.email, "password": PASSWORD})

    assert to_portal["Location"] == "/portal/"
    assert to_dashboard["Location"] == "/counselor/"


def test_register_page_then_the_emailed_link_verifies(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/register/",
            {"display_name": "花子", "email": "page@example.com", "password": "a-long-enough-secret"},
        )
    assert response.status_code == 200
    assert "確認メールをお送りしました" in response.content.decode()
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/verify-email/" in line)

    page = client.get(link.replace("http://127.0.0.1:8000", ""))

    assert page.status_code == 200
    assert "確認が完了しました" in page.content.decode()
    assert User.objects.get(email="page@example.com").email_verified


def test_register_page_shows_password_errors_next_to_the_field(client):
    response = client.post(
        "/accounts/register/", {"display_name": "花", "email": "x@example.com", "password": "short"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_password_error"' in body
    # The input points at its error message, so a screen reader reads it with the field.
    assert 'aria-describedby="id_password_error"' in body
    assert not User.objects.exists()


def test_password_reset_pages_work_end_to_end(client, django_capture_on_commit_callbacks):
    user = ClientFactory()
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post("/accounts/password-reset/", {"email": user.email})
    unknown = client.post("/accounts/password-reset/", {"email": "nobody@example.com"})
    assert _without_csrf_token(sent) == _without_csrf_token(unknown)
    link = next(
        line for line in mail.outbox[0].body.splitlines() if "/accounts/password-reset/confirm/" in line
    )
    token = link.split("token=")[1]

    form = client.get(link.replace("http://127.0.0.1:8000", ""))
    assert form.status_code == 200
    done = client.post(
        "/accounts/password-reset/confirm/", {"token": token, "password": "a-brand-new-secret"}
    )

    assert done.status_code == 200
    user.refresh_from_db()
    assert user.check_password("a-brand-new-secret")


def test_logout_needs_a_post(client):
    client.force_login(ClientFactory())
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_home_page_links_to_the_services(client):
    body = client.get("/").content.decode()
    assert "/newsletter/" in body and "/courses/" in body and "/accounts/login/" in body


def _without_csrf_token(response) -> str:
    # Every page's header carries a freshly masked CSRF token (the language switch posts); the rest
    # of the page must be byte for byte the same.
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())
