"""Requests answered under production settings (in a process of their own, as a server would run):
static files served by the app with hashed, compressed names; the Content-Security-Policy; JSON only
from the API."""

import json
import subprocess
import sys

import pytest

from tests.core.test_settings import ROOT, production_env

# Runs in the production process: collects the static files, then answers requests through Django's
# full middleware stack, as gunicorn would hand them over from the TLS proxy.
SCRIPT = r"""
import json, re, sys
import django
from django.core.management import call_command
django.setup()
call_command("collectstatic", "--no-input", "-v", "0")
from django.test import Client

client = Client(HTTP_HOST="counsel.example.jp", HTTP_X_FORWARDED_PROTO="https")
out = {}
page = client.get("/newsletter/", secure=True)
out["page_status"] = page.status_code
out["page_csp"] = page.get("Content-Security-Policy", "")
stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', page.content.decode())
out["stylesheet"] = stylesheet.group(1) if stylesheet else ""
if stylesheet:
    css = client.get(stylesheet.group(1), secure=True, HTTP_ACCEPT_ENCODING="gzip")
    out["css_status"] = css.status_code
    out["css_encoding"] = css.get("Content-Encoding", "")
    out["css_cache"] = css.get("Cache-Control", "")
    out["css_type"] = css.get("Content-Type", "")
docs = client.get("/api/docs/", secure=True)
out["docs_csp"] = docs.get("Content-Security-Policy", "")
roster = client.get("/api/v1/courses/1/roster/", {"format": "api"}, secure=True)
out["roster_status"] = roster.status_code
out["roster_type"] = roster.get("Content-Type", "")
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def production_answers(tmp_path_factory) -> dict:
    static_root = tmp_path_factory.mktemp("static")
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=production_env(STATIC_ROOT=str(static_root)),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_serves_the_stylesheet_under_a_hashed_name_compressed_and_cached_for_good(
    production_answers,
):
    assert production_answers["page_status"] == 200
    assert production_answers["stylesheet"]
    assert production_answers["css_status"] == 200
    assert production_answers["css_type"].startswith("text/css")
    assert production_answers["css_encoding"] == "gzip"
    assert "immutable" in production_answers["css_cache"]


def test_production_pages_allow_only_their_own_origin(production_answers):
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in production_answers["page_csp"].split(";")
        if directive
    )
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in production_answers["page_csp"]
    # The API docs page alone may show Swagger UI's data: icons; no inline code, nothing from elsewhere.
    assert "img-src 'self' data:" in production_answers["docs_csp"]
    assert "unsafe-inline" not in production_answers["docs_csp"]
    assert "http" not in production_answers["docs_csp"]


def test_production_never_answers_with_the_browsable_api(production_answers):
    assert production_answers["roster_status"] == 404
    assert production_answers["roster_type"] == "application/json"
