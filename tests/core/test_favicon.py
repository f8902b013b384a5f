from django.urls import reverse


def test_the_favicon_is_served_at_the_site_root(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert b"".join(response.streaming_content).startswith(b"\x00\x00\x01\x00")  # the ICO header
    assert "max-age" in response["Cache-Control"]


def test_every_page_links_the_favicon(client):
    assert f'<link rel="icon" href="{reverse("favicon")}">' in client.get("/").content.decode()
