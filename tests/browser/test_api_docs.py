"""/api/docs/ renders Swagger UI from the site's own files, also under a self-only Content-Security-Policy."""

from urllib.parse import urlsplit

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SELF_ONLY = "default-src 'self'"


def test_the_api_docs_render_every_operation_from_our_own_host_under_a_self_only_policy(page, live_server):
    requested_hosts = set()
    page.on("request", lambda request: requested_hosts.add(urlsplit(request.url).netloc))
    refusals = []
    page.on(
        "console",
        lambda message: refusals.append(message.text) if "Content Security" in message.text else None,
    )

    def with_policy(route):
        response = route.fetch()
        route.fulfill(response=response, headers={**response.headers, "content-security-policy": SELF_ONLY})

    # The strictest policy a deployment could set: nothing but this host, no inline script or style.
    page.route("**/api/docs/", with_policy)
    page.goto("/api/docs/")
    page.locator(".opblock").first.wait_for()

    assert page.locator(".opblock").count() > 30
    page.get_by_text("/api/v1/auth/register/").first.wait_for()
    assert requested_hosts == {urlsplit(live_server.url).netloc}
    # Only Swagger UI's two inline SVG icons (data: images in its stylesheet) are refused: the
    # page's scripts and styles all come from files of this host.
    assert [text for text in refusals if not text.startswith("Loading the image 'data:image/svg+xml")] == []
