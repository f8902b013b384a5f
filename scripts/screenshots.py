"""`make screenshots`: one PNG of every page people see, from a fresh embedded demo.

Runs migrate + seed_demo on a throw-away SQLite under var/screenshots/site/, serves it, and has
Debian's Chromium (through Playwright) save var/screenshots/<name>.png, logging in where a page
needs it. Emailed links (confirmation, workbook, cancel) are taken from the outbox.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "screenshots"
SITE = OUT / "site"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def site_env() -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL")}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.local", VAR_DIR=str(SITE), DEBUG="true")
    return env


def manage(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=site_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def django_shell(code: str) -> str:
    return manage("shell", "-c", code).strip()


def main() -> int:
    from playwright.sync_api import sync_playwright

    shutil.rmtree(SITE, ignore_errors=True)
    SITE.mkdir(parents=True)
    manage("migrate", "--no-input", "-v", "0")
    manage("load_email_course")
    manage("seed_demo")
    sys.path.insert(0, str(ROOT))
    from scripts.screenshot_pages import pages  # the list of pages, kept beside this script

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=site_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    written: list[str] = []
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)  # noqa: S310  (loopback)
                break
            except OSError:
                time.sleep(0.25)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            for name, visit in pages(django_shell):
                context = browser.new_context(
                    locale="ja-JP", viewport={"width": 390, "height": 844}, base_url=base
                )
                page = context.new_page()
                visit(page)
                path = OUT / f"{name}.png"
                page.screenshot(path=str(path), full_page=True)
                written.append(str(path.relative_to(ROOT)))
                context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=15)
    print("\n".join(written))
    return 0


if __name__ == "__main__":
    sys.exit(main())
