"""The browser enforces the Content-Security-Policy our pages send, and the suite notices breaches."""

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.browser.conftest import csp_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_injected_inline_script_is_refused_and_reported(browser, live_server):
    context = browser.new_context(locale="ja-JP", base_url=live_server.url)
    violations = csp_violations(context)
    page = context.new_page()
    page.goto("/newsletter/")

    with pytest.raises(PlaywrightError, match=r"Content Security Policy|violates"):
        page.add_script_tag(content="window.injected = true;")
    page.evaluate(
        "() => { const img = new Image(); img.src = 'https://evil.example/x.png'; "
        "document.body.appendChild(img); }"
    )
    page.wait_for_timeout(300)

    assert page.evaluate("() => window.injected") is None
    assert len(violations) >= 2
    context.close()
