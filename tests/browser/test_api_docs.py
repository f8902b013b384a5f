"""/api/docs/ renders Swagger UI from the site's own files, under the site's self-only CSP."""

from urllib.parse import urlsplit

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_render_every_operation_from_our_own_host_under_a_self_only_policy(page, live_server):
    requested_hosts = set()
    page.on("request", lambda request: requested_hosts.add(urlsplit(request.url).netloc))

    response = page.goto("/api/docs/")
    page.locator(".opblock").first.wait_for()

    # The policy the site sends: nothing but this host, no inline script or style; only Swagger UI's
    # two stylesheet icons may come from data: URLs on this page.
    policy = response.headers["content-security-policy"]
    # Directives come in no fixed order: read them by name.
    directives = dict(part.strip().partition(" ")[::2] for part in policy.split(";") if part.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in policy
    assert page.locator(".opblock").count() > 30
    page.get_by_text("/api/v1/auth/register/").first.wait_for()
    assert requested_hosts == {urlsplit(live_server.url).netloc}
    # Whatever the policy refused would fail this test in the page fixture's teardown.
