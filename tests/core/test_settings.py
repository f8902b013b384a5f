import os
import secrets
import subprocess
import sys
from pathlib import Path

import yaml
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]


def production_env(**extra) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE", "VAR_DIR"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="counsel.example.jp",
        DATABASE_URL="postgres://postgres:postgres@127.0.0.1:5432/counsel",
        NOTES_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        **extra,
    )
    return env


def test_check_deploy_prints_no_warning_under_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = production_env()
    del env["SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_cookies_and_transport_are_locked_down():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings as s; import django; django.setup(); "
            "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
            "s.SESSION_COOKIE_SAMESITE, s.SECURE_HSTS_SECONDS >= 31536000, s.DEBUG, s.PASSWORD_HASHERS[0])",
        ],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.split() == [
        "True",
        "True",
        "True",
        "Lax",
        "True",
        "False",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
    ], result.stderr


def test_compose_runs_the_five_services_with_health_checks_and_waits_for_healthy_stores():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]

    assert set(services) == {"db", "redis", "web", "worker", "beat"}
    assert services["db"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")
    for name, service in services.items():
        assert "healthcheck" in service, name
        assert service["healthcheck"]["test"], name
    for name in ("web", "worker", "beat"):
        service = services[name]
        assert service["build"] == "."
        assert service["depends_on"] == {
            "db": {"condition": "service_healthy"},
            "redis": {"condition": "service_healthy"},
        }
        assert service["environment"]["DATABASE_URL"].startswith("postgres://")
        assert service["environment"]["CELERY_BROKER_URL"].startswith("redis://")
    assert "gunicorn config.wsgi" in services["web"]["command"]
    assert services["worker"]["command"].startswith("celery -A config worker")
    assert services["beat"]["command"].startswith("celery -A config beat")
    assert "pgdata" in compose["volumes"]
    assert (ROOT / "Dockerfile").is_file()
    assert (ROOT / ".env.example").is_file()
