import json

import pytest

from tests.counseling.factories import IntakeFactory

pytestmark = pytest.mark.django_db


def test_the_client_downloads_all_their_data_as_json(client, client_user):
    IntakeFactory(client=client_user, concern="私の相談内容")
    client.force_login(client_user)

    page = client.get("/portal/my-data/")
    response = client.get("/portal/my-data/download/")

    assert "データをダウンロードする" in page.content.decode()
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="my-data.json"'
    assert response["Cache-Control"] == "no-store"
    data = json.loads(response.content)
    assert data["account"]["email"] == client_user.email
    assert "私の相談内容" in response.content.decode()
