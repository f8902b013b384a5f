"""Registration's answer time for a taken and for a new address, which must not tell them apart.

Posts the same strong password to ``POST /api/v1/auth/register/`` alternately for an address that
has an account and for a fresh one, through Django's full request stack with the production
password hasher (Argon2), and prints the median of each. A measurement, not a test: the suite
asserts the equal work itself (tests/accounts/test_registration.py).

    python -m bench.registration_timing [--requests 20] [--results var/bench/registration_timing.json]

It runs on a throw-away embedded database (SQLite under a temporary VAR_DIR), so it needs no
services and touches nothing else.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "a-strong-enough-secret"  # noqa: S105  (a sample password for the measurement)


def measure(requests: int) -> dict:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import override_settings

    from accounts.models import User

    call_command("migrate", verbosity=0)
    User.objects.create_user("taken@bench.example", "another-strong-secret")
    client = Client(REMOTE_ADDR="127.0.0.1", HTTP_HOST="127.0.0.1")
    times: dict[str, list[float]] = {"taken": [], "new": []}
    # The rate limits would stop the run long before it has enough samples.
    with override_settings(RATE_LIMITS=dict.fromkeys(settings.RATE_LIMITS, "1000000/min")):
        for number in range(requests + 1):  # the first pair warms up and is dropped
            for kind in ("taken", "new"):
                email = "taken@bench.example" if kind == "taken" else f"new{number}@bench.example"
                started = time.perf_counter()
                response = client.post(
                    "/api/v1/auth/register/",
                    {"email": email, "password": PASSWORD, "display_name": ""},
                    content_type="application/json",
                )
                elapsed_ms = (time.perf_counter() - started) * 1000
                if response.status_code != 202:
                    raise SystemExit(
                        f"registration answered {response.status_code}: {response.content[:200]}"
                    )
                if number:
                    times[kind].append(elapsed_ms)
    return {
        "requests": requests,
        "hasher": settings.PASSWORD_HASHERS[0],
        "median_ms": {kind: round(statistics.median(values), 1) for kind, values in times.items()},
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--results", type=Path, default=ROOT / "var" / "bench" / "registration_timing.json")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as var_dir:
        os.environ.update(DJANGO_SETTINGS_MODULE="config.settings.local", VAR_DIR=var_dir)
        for name in ("DATABASE_URL", "REDIS_URL", "CACHE_URL", "CELERY_BROKER_URL"):
            os.environ.pop(name, None)
        sys.path.insert(0, str(ROOT))
        figures = measure(args.requests)
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(figures, indent=2))
    medians = figures["median_ms"]
    print(
        f"registration, {figures['requests']} requests each: taken address {medians['taken']} ms, "
        f"new address {medians['new']} ms (medians, {figures['hasher'].rsplit('.', 1)[-1]})"
    )


if __name__ == "__main__":
    main()
