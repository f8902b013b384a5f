"""/api/docs/ loads Swagger UI from the site's own static files, with no inline script."""

import re

from django.conf import settings


def test_the_api_docs_page_loads_every_file_from_this_site_and_has_no_inline_script(client):
    html = client.get("/api/docs/").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources, html
    assert all(source.startswith((settings.STATIC_URL, "/")) and "//" not in source for source in sources)
    assert f"{settings.STATIC_URL}drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in sources
    # Every <script> has a src: the set-up script is a second request to the page.
    assert re.findall(r"<script(?![^>]*\ssrc=)[^>]*>", html) == []
    assert "<style" not in html


def test_the_api_docs_set_up_script_points_swagger_ui_at_our_schema(client):
    response = client.get("/api/docs/?script=")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert '"/api/schema/"' in response.content.decode()
