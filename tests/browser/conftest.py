"""Browser tests: Playwright driving Debian's Chromium against the live test server.

`make test` installs Chromium and a Japanese font where missing (scripts/ensure_browser.sh).
Each test saves a screenshot under var/screenshots/failures/ when it fails.
"""

import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from config.env import VAR_DIR

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
FAILURE_DIR = VAR_DIR / "screenshots" / "failures"


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium is missing at {CHROMIUM}; scripts/ensure_browser.sh installs it.")
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (run scripts/ensure_browser.sh as root)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API refuses to run inside an event loop; Django's async-unsafe guard must
    # not mistake its thread for one.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from django.db import connections

    saved = {alias: getattr(connections[alias], "_test_serialized_contents", None) for alias in connections}
    with sync_playwright() as playwright:
        # Playwright's sync API runs the tests in a new context, where Django's context-local
        # connection handler hands out new connection objects; they must keep the serialized
        # database that transactional tests restore (the patterns and templates migrations load).
        for alias, contents in saved.items():
            if contents is not None and not hasattr(connections[alias], "_test_serialized_contents"):
                connections[alias]._test_serialized_contents = contents
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.stash.setdefault(_REPORTS, {})["call"] = report
    return report


_REPORTS = pytest.StashKey[dict]()


def open_page(browser, live_server, requested: list[str], violations: list[str]):
    """A fresh browser context at phone width (its own cookies: another person) and its page.

    Every request it makes is appended to ``requested`` (the tests fail on any host but the app's),
    and whatever the Content-Security-Policy refuses to ``violations``.
    """
    context = browser.new_context(
        locale="ja-JP", viewport={"width": 390, "height": 844}, base_url=live_server.url
    )
    context.on("request", lambda request: requested.append(request.url))
    csp_violations(context, violations)
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def csp_violations(context, found: list[str] | None = None) -> list[str]:
    """Collects what Chromium reports as refused by the Content-Security-Policy, on every page,
    into ``found`` (a new list unless given), which it returns."""
    found = [] if found is None else found

    def on_console(message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            found.append(f"{message.page.url if message.page else ''}: {message.text}")

    context.on("console", on_console)
    return found


def foreign_requests(urls: list[str], own: str) -> list[str]:
    """The requested URLs whose origin is not the app's (data: and blob: URLs stay in the page)."""
    host = urlsplit(own).netloc
    return [
        url
        for url in urls
        if urlsplit(url).scheme in ("http", "https", "ws", "wss") and urlsplit(url).netloc != host
    ]


@pytest.fixture
def requested() -> list[str]:
    """Every URL the test's browser contexts asked for."""
    return []


@pytest.fixture
def violations() -> list[str]:
    """Everything the Content-Security-Policy refused in the test's browser contexts."""
    return []


@pytest.fixture
def page(request, browser, live_server, requested, violations):
    page = open_page(browser, live_server, requested, violations)
    yield page
    report = request.node.stash.get(_REPORTS, {}).get("call")
    if report is not None and report.failed:
        FAILURE_DIR.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(FAILURE_DIR / f"{request.node.name}.png"), full_page=True)
    page.context.close()
    foreign = foreign_requests(requested, live_server.url)
    assert not foreign, "requests to another host:\n" + "\n".join(foreign)
    # Anything the Content-Security-Policy refused (an inline script, a file from another host)
    # fails the test that met it: pages must work under the policy production sends.
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)


@pytest.fixture
def second_page(browser, live_server, requested, violations):
    """Another person's browser, beside ``page``."""
    page = open_page(browser, live_server, requested, violations)
    yield page
    page.context.close()


def assert_fits_width(page) -> None:
    """Nothing wider than the viewport (390 px in these tests): no horizontal scrolling."""
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


def assert_accessible(page) -> None:
    """axe-core in the page: no serious or critical violation."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    serious = [
        f"{violation['id']}: {violation['help']} ({len(violation['nodes'])} nodes)"
        for violation in results.response["violations"]
        if violation.get("impact") in ("serious", "critical")
    ]
    assert not serious, "accessibility violations:\n" + "\n".join(serious)
