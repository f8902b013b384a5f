import pytest

from accounts.models import User

pytestmark = pytest.mark.django_db
REGISTER = "/api/v1/auth/register/"


def test_malformed_json_is_a_400_and_nothing_is_written(api_client):
    response = api_client.post(REGISTER, '{"email": "a@example.com",', content_type="application/json")
    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]
    assert not User.objects.exists()


def test_a_wrong_content_type_is_a_415(api_client):
    response = api_client.post(REGISTER, "email=a@example.com", content_type="text/plain")
    assert response.status_code == 415
    assert not User.objects.exists()


def test_an_oversized_body_is_refused_before_any_view_reads_it(api_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = '{"email": "a@example.com", "password": "%s", "display_name": "x"}' % ("x" * 2000)
    response = api_client.post(REGISTER, body, content_type="application/json")
    assert response.status_code == 413
    assert not User.objects.exists()


def test_a_nul_byte_in_a_string_is_a_400(api_client):
    response = api_client.post(
        REGISTER,
        {"email": "a@example.com", "password": "a-long-enough-secret", "display_name": "bad\x00name"},
        format="json",
    )
    assert response.status_code == 400
    assert "display_name" in response.json()
    assert not User.objects.exists()


def test_a_very_long_string_is_a_400_naming_the_field(api_client):
    response = api_client.post(
        REGISTER,
        {"email": "a@example.com", "password": "a-long-enough-secret", "display_name": "長" * 5000},
        format="json",
    )
    assert response.status_code == 400
    assert "display_name" in response.json()
    assert not User.objects.exists()


def test_admin_file_uploads_have_their_own_larger_limit(client, settings):
    from tests.accounts.factories import CounselorFactory

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    settings.ADMIN_UPLOAD_MAX_SIZE = 10 * 1024
    client.force_login(CounselorFactory(is_superuser=True))
    from django.core.files.uploadedfile import SimpleUploadedFile

    small = client.post(
        "/admin/newsletter/workbook/add/", {"file": SimpleUploadedFile("w.pdf", b"%PDF" * 1000)}
    )
    big = client.post(
        "/admin/newsletter/workbook/add/", {"file": SimpleUploadedFile("w.pdf", b"%PDF" * 5000)}
    )
    assert small.status_code != 413
    assert big.status_code == 413


@pytest.mark.parametrize("depth", [50_000, 100])
@pytest.mark.parametrize(
    ("path", "caller"),
    [(REGISTER, "anonymous"), ("/api/v1/newsletter/subscribe/", "anonymous"), ("/api/v1/me/", "client")],
)
def test_a_deeply_nested_json_body_is_a_400_not_a_500(api_client, client_user, depth, path, caller):
    if caller == "client":
        api_client.force_authenticate(client_user)
    body = '{"email": ' + "[" * depth + "]" * depth + "}"
    users_before = list(User.objects.values_list("email", "display_name"))

    send = api_client.patch if path == "/api/v1/me/" else api_client.post
    response = send(path, body, content_type="application/json")

    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]
    assert list(User.objects.values_list("email", "display_name")) == users_before
