"""Each benchmark script still runs end to end, in a tiny configuration (no timing is asserted here)."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from bench.common import database_drop

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def _require(program: str) -> None:
    if shutil.which(program) or Path(f"/usr/sbin/{program}").exists():
        return
    message = f"{program} is missing: bench/setup.sh installs it"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def bench_database_url():
    """Benchmark databases of the suite's own (not those `make bench` uses), dropped afterwards."""
    db = settings.DATABASES["default"]
    base = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}_tests_bench"
    yield base
    for suffix in ("fanout", "api", "connections", "bulk"):
        database_drop(f"{base}_{suffix}")


def run_benchmark(module: str, results: Path, database_url: str, *options: str) -> dict:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    environment["BENCH_DATABASE_URL"] = database_url
    completed = subprocess.run(
        [sys.executable, "-m", f"bench.{module}", "--rounds", "1", "--results", str(results), *options],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return json.loads(results.read_text())


def test_the_fanout_benchmark_delivers_one_message_to_each_subscriber_and_measures_both_limits(
    tmp_path, bench_database_url
):
    _require("smtp-sink")
    figures = run_benchmark(
        "fanout", tmp_path / "fanout.json", bench_database_url, "--n", "200", "--memory-n", "50"
    )

    (round_figures,) = figures["rounds"]
    assert round_figures["ours"]["received"] == 200
    assert all(round_figures[side]["messages_per_s"] > 0 for side in ("ours", "transport", "render"))
    assert figures["median"]["ratio_ours_to_transport"] > 0
    assert figures["median"]["ratio_ours_to_transport_by_round"] == pytest.approx(
        round_figures["ours"]["messages_per_s"] / round_figures["transport"]["messages_per_s"]
    )
    # The timed rounds run as production does; the step round alone runs the step timer.
    assert round_figures["ours"]["step_ms_per_message"] == {}
    assert figures["step_round"]["received"] == 200
    assert figures["step_round"]["step_ms_per_message"]["smtp"] > 0
    assert figures["memory_small_n"]["received"] == 50
    assert figures["memory_large_n"]["pool_process_peak_rss_mib"] > 0


def test_the_api_benchmark_compares_both_endpoints_with_their_bare_views(tmp_path, bench_database_url):
    _require("wrk")
    _require("loadtest")
    figures = run_benchmark(
        "api",
        tmp_path / "api.json",
        bench_database_url,
        *("--duration", "1", "--connections", "4", "--open-loop-duration", "2", "--cpu-requests", "2"),
    )

    assert set(figures["median"]) == {"availability", "courses"}
    for name, entry in figures["median"].items():
        assert entry["ours_requests_per_s"] > 0
        assert entry["bare_requests_per_s"] > 0
        # The fixed rate is half the bare view's capacity of the same round, for both sides.
        (round_figures,) = figures["rounds_figures"][name]
        assert round_figures["ours_fixed_rate"]["rate_per_s"] == max(
            round(round_figures["bare"]["requests_per_s"] / 2), 1
        )
        assert (
            round_figures["bare_fixed_rate"]["rate_per_s"] == round_figures["ours_fixed_rate"]["rate_per_s"]
        )
        assert round_figures["ours_fixed_rate"]["answered"] > 0
        assert entry["ours_fixed_rate_p99_ms"] >= entry["ours_fixed_rate_p50_ms"] >= 0
        assert figures["cpu_ms_per_request"][name]["ours"] > 0
        assert figures["cpu_ms_per_request"][name]["bare"] > 0
        # None only where /proc does not show PostgreSQL's process; the suite's server is on this machine.
        assert all(value is not None for value in figures["postgres_cpu_ms_per_request"][name].values())
    assert figures["response_bytes"]["availability"] > 1000  # 60 days of free slots, not an empty list


def test_the_connection_benchmark_serves_the_endpoint_in_each_mode(tmp_path, bench_database_url):
    _require("wrk")
    figures = run_benchmark(
        "connections",
        tmp_path / "connections.json",
        bench_database_url,
        "--duration",
        "1",
        "--connections",
        "4",
    )

    assert set(figures["median"]) == {"conn_max_age_0", "psycopg_pool", "persistent_60"}
    assert all(entry["requests_per_s"] > 0 for entry in figures["median"].values())


def test_the_bulk_write_benchmark_writes_the_same_rows_both_ways(tmp_path, bench_database_url):
    figures = run_benchmark("bulk_writes", tmp_path / "bulk.json", bench_database_url, "--n", "600")

    assert figures["n"] == 600
    assert figures["median"]["ours"] > 0
    assert figures["median"]["copy"] > 0


def test_the_registration_timing_measures_both_branches(tmp_path):
    results = tmp_path / "registration_timing.json"
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    completed = subprocess.run(
        [sys.executable, "-m", "bench.registration_timing", "--requests", "2", "--results", str(results)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=240,
    )

    assert completed.returncode == 0, completed.stdout + completed.stderr
    figures = json.loads(results.read_text())
    assert figures["hasher"].endswith("Argon2PasswordHasher")
    assert figures["median_ms"]["taken"] > 0
    assert figures["median_ms"]["new"] > 0
