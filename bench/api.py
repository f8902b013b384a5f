"""Booking API under gunicorn on loopback, against bare Django views of the same JSON.

Ours: ``GET /api/v1/availability/?session_type=&from=&to=`` over 60 days and ``GET /api/v1/courses/``
(first page), served by gunicorn (2 workers, 4 threads each) on production settings. Baseline: a bare
Django view per endpoint (``bench/bare_views.py``) answering the same JSON from the same queries with
no DRF and no serializer, in the same server process, through the same middleware. Both answers are
compared before any load.

Each round measures, for each endpoint, both sides' capacity with wrk (closed loop: a fixed number of
connections, each sending its next request when the last is answered), then both sides' latency at a
fixed rate of half the bare view's capacity just measured, with loadtest (open loop: requests leave on
schedule whether or not earlier ones were answered, so a slow answer is counted in full instead of
delaying the requests behind it). Before any load, the CPU a request costs each side is measured in
this process through Django's test client (steadier than the server figures on a shared machine).

    python -m bench.api [--rounds 3] [--duration 6] [--connections 16] [--open-loop-duration 10]
"""

import json
import os
import re
import secrets
import shutil
import subprocess
import urllib.request
from datetime import time, timedelta
from pathlib import Path
from time import process_time

from bench.common import (
    BenchServices,
    argument_parser,
    finish,
    median,
    ratio,
    say,
    start_gunicorn,
)

WRK_SCRIPT = Path(__file__).with_name("wrk_report.lua")
AVAILABILITY_DAYS = 60
COURSES = 30  # more than a page, so both sides count and slice
BOOKED_STARTS = (time(10), time(14))


# --- Data ------------------------------------------------------------------------------------------


def seed() -> dict[str, str]:
    """A counselor with weekly hours, bookings and time off over the next 60 days, and 30 courses.

    Returns the query string of the availability request both sides answer.
    """
    from django.utils import timezone

    from accounts.models import User
    from accounts.services import counselor_create, user_create
    from core.localtime import local_date, local_datetime
    from counseling.models import Booking, Format
    from counseling.selectors.availability import slot_list
    from counseling.services.availability import (
        availability_rule_create,
        session_type_create,
        time_off_create,
    )
    from courses.models import Course
    from courses.services.enrollments import enrollment_create
    from courses.services.scheduling import course_create

    counselor = counselor_create(email="counselor@bench.example.jp", password=secrets.token_urlsafe(16))
    clients = [
        user_create(email=f"client{number}@bench.example.jp", password=None, role=User.Role.CLIENT)
        for number in range(5)
    ]
    session_type = session_type_create(
        counselor=counselor,
        name="オンラインカウンセリング",
        format=Format.ONLINE,
        duration_minutes=50,
        price_jpy=10000,
        buffer_minutes=10,
    )
    for weekday in range(6):
        availability_rule_create(
            counselor=counselor, weekday=weekday, start_time=time(10), end_time=time(18), format=Format.ONLINE
        )
    first_day = local_date(timezone.now()) + timedelta(days=2)
    last_day = first_day + timedelta(days=AVAILABILITY_DAYS - 1)
    for offset in (10, 31):
        day = first_day + timedelta(days=offset)
        time_off_create(
            counselor=counselor, start=local_datetime(day, time(0)), end=local_datetime(day, time(23, 59))
        )
    # Two sessions a day booked (10:00 and 14:00), about a quarter of the hours, as in a busy practice.
    for index, slot in enumerate(slot_list(session_type=session_type, date_from=first_day, date_to=last_day)):
        if timezone.localtime(slot.start).time() not in BOOKED_STARTS:
            continue
        Booking.objects.create(
            client=clients[index % len(clients)],
            counselor=counselor,
            session_type=session_type,
            start=slot.start,
            end=slot.end,
            buffer_end=slot.end + timedelta(minutes=session_type.buffer_minutes),
        )

    now = timezone.now()
    for number in range(COURSES):
        starts = now + timedelta(days=7 + number, hours=number % 5)
        venue = number % 2 == 0
        course = course_create(
            counselor=counselor,
            title=f"心理学講座 第{number + 1}期「見返りを求めない人間関係」",
            description="自分の価値を内側で認め、健全なギブアンドテイクを身につける全3回の講座です。" * 3,
            format=Course.Format.VENUE if venue else Course.Format.ONLINE,
            location="東京都千代田区丸の内1-1-1 こころの相談室"
            if venue
            else "https://meet.example.com/course",
            capacity=12,
            price_jpy=15000,
            status=Course.Status.PUBLISHED,
            sessions=[
                {
                    "starts_at": starts + timedelta(weeks=week),
                    "ends_at": starts + timedelta(weeks=week, hours=2),
                }
                for week in range(3)
            ],
        )
        for guest in range(number % 15):
            enrollment_create(
                course=course,
                guest_name=f"受講者{guest}",
                guest_email=f"guest{number}-{guest}@example.com",
            )
    return {"session_type": str(session_type.pk), "from": first_day.isoformat(), "to": last_day.isoformat()}


def endpoints(query: dict[str, str]) -> dict[str, dict[str, str]]:
    from urllib.parse import urlencode

    availability = urlencode(query)
    return {
        "availability": {
            "ours": f"/api/v1/availability/?{availability}",
            "bare": f"/bench/availability/?{availability}",
        },
        "courses": {"ours": "/api/v1/courses/", "bare": "/bench/courses/"},
    }


def fetch_json(url: str):
    # Only ever the benchmark's own server on loopback (see wrk()).
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return json.loads(response.read())


def check_same_answer(base: str, paths: dict[str, str]) -> int:
    """Both sides must answer the same JSON, or the comparison would mean nothing; returns its size."""
    ours, bare = fetch_json(base + paths["ours"]), fetch_json(base + paths["bare"])
    # Page links name each side's own path; everything else must be equal.
    bare_path, ours_path = paths["bare"].split("?")[0], paths["ours"].split("?")[0]
    bare = json.loads(json.dumps(bare, ensure_ascii=False).replace(bare_path, ours_path))
    if ours != bare:
        raise SystemExit(f"{paths['ours']} and {paths['bare']} answer different JSON")
    if not ours or (isinstance(ours, dict) and not ours["results"]):
        raise SystemExit(f"{paths['ours']} answers nothing: the seed data is missing")
    return len(json.dumps(ours, ensure_ascii=False).encode())


# --- Load ------------------------------------------------------------------------------------------


def wrk(url: str, *, duration: float, connections: int, threads: int = 2) -> dict:
    """Closed loop: each connection sends its next request when the last is answered."""
    binary = shutil.which("wrk")
    if binary is None:
        raise SystemExit("wrk is not installed: run bench/setup.sh (Debian package wrk)")
    _loopback_only(url)
    result = subprocess.run(
        [
            binary,
            f"-t{min(threads, connections)}",
            f"-c{connections}",
            f"-d{max(duration, 1):.0f}s",
            "--timeout",
            "10s",
            "-s",
            str(WRK_SCRIPT),
            url,
        ],
        capture_output=True,
        text=True,
        timeout=duration + 60,
        env={"PATH": "/usr/bin:/bin"},
        check=True,
    )
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    errors = sum(value for key, value in figures.items() if key.startswith("errors_"))
    if errors:
        raise SystemExit(f"wrk saw {errors} errors against {url}:\n{result.stdout}")
    seconds = figures["duration_us"] / 1e6
    return {
        "requests_per_s": figures["requests"] / seconds,
        "p50_ms": figures["latency_p50_us"] / 1000,
        "p99_ms": figures["latency_p99_us"] / 1000,
        "max_ms": figures["latency_max_us"] / 1000,
        "mean_ms": figures["latency_mean_us"] / 1000,
        "requests": figures["requests"],
        "connections": connections,
    }


def _loopback_only(url: str) -> None:
    if not url.startswith("http://127.0.0.1:"):
        raise SystemExit(f"refusing to load anything but loopback: {url}")


_LOADTEST_FIGURE = re.compile(
    r"^\s*(Completed requests|Total errors|Effective rps):\s*([\d.]+)", re.MULTILINE
)
_LOADTEST_PERCENTILE = re.compile(r"^\s*(\d+)%\s+(\d+) ms", re.MULTILINE)


def open_loop(url: str, *, rate: float, duration: float) -> dict:
    """Open loop at ``rate`` requests a second for ``duration`` seconds, with loadtest (npm, bench/setup.sh).

    loadtest's ``--rps`` sends each request at its scheduled time on a keep-alive connection that is
    free, opening another when none is, and times it from its departure: a slow answer delays nothing
    behind it, so it is counted in full (no coordinated omission, unlike wrk's closed loop). Its
    percentiles are whole milliseconds. Requests still unanswered when the time is up are not counted:
    ``answered`` below the offered count says the server fell behind and the percentiles flatter it.
    """
    binary = shutil.which("loadtest")
    if binary is None:
        raise SystemExit("loadtest is not installed: run bench/setup.sh (npm package loadtest)")
    _loopback_only(url)
    rps = max(round(rate), 1)
    seconds = f"{max(duration, 1):.0f}"
    # The product runs behind a TLS proxy that says so; without the header it would redirect to https.
    result = subprocess.run(
        [binary, "-k", "--rps", str(rps), "-t", seconds, "-d", "10000", "-H", "X-Forwarded-Proto:https", url],
        capture_output=True,
        text=True,
        timeout=duration + 60,
        check=True,
    )
    figures = {name: float(value) for name, value in _LOADTEST_FIGURE.findall(result.stdout)}
    percentiles = {int(share): float(ms) for share, ms in _LOADTEST_PERCENTILE.findall(result.stdout)}
    if figures.get("Total errors", 1) or 99 not in percentiles:
        raise SystemExit(f"loadtest failed against {url}:\n{result.stdout}{result.stderr}")
    offered = rps * max(duration, 1)
    return {
        "rate_per_s": rps,
        "requests_per_s": figures["Effective rps"],
        "answered": int(figures["Completed requests"]),
        "offered": int(offered),
        "answered_share": figures["Completed requests"] / offered,
        "p50_ms": percentiles[50],
        "p90_ms": percentiles[90],
        "p99_ms": percentiles[99],
        "max_ms": percentiles[100],
    }


def cpu_per_request(paths: dict[str, dict[str, str]], *, requests: int, rounds: int = 5) -> tuple[dict, dict]:
    """CPU milliseconds a request costs each side, in this process through Django's test client, and in
    the PostgreSQL process serving this process's connection.

    The same settings, middleware, data and URLs as the server, without the server and the machine's
    other load: steadier than throughput on a shared machine. Sides alternate within each round; this
    process's figure is the median of the rounds' means. PostgreSQL's is the CPU its process used over
    all rounds by the number of requests (the kernel counts in ticks of 10 ms, too coarse for a round);
    None where /proc does not show that process (a server on another machine or in a container).
    """
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    samples: dict[str, dict[str, list[float]]] = {name: {"ours": [], "bare": []} for name in paths}
    database: dict[str, dict[str, list[float]]] = {name: {"ours": [], "bare": []} for name in paths}
    for _ in range(rounds):
        for name, pair in paths.items():
            for side, path in pair.items():
                client.get(path)  # warm: imports, caches, the connection
                database_before = _database_cpu_s()
                started = process_time()
                for _ in range(requests):
                    response = client.get(path)
                    if response.status_code != 200:
                        raise SystemExit(f"{path} answered {response.status_code}")
                samples[name][side].append((process_time() - started) * 1000 / requests)
                database_after = _database_cpu_s()
                # The same server process before and after (a connection renewed between them is not).
                if database_before and database_after and database_before[0] == database_after[0]:
                    database[name][side].append(database_after[1] - database_before[1])
    in_process = {
        name: {side: median(values) for side, values in sides.items()} for name, sides in samples.items()
    }
    in_database = {
        name: {
            side: (sum(values) * 1000 / (len(values) * requests) if values else None)
            for side, values in sides.items()
        }
        for name, sides in database.items()
    }
    return in_process, in_database


def _database_cpu_s() -> tuple[int, float] | None:
    """The PostgreSQL process serving this process's connection, and the CPU seconds it has used."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        # Fields 14 and 15 of /proc/<pid>/stat (utime, stime), counted after the command's closing ")".
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return pid, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def warm_up(base: str, paths: list[str]) -> None:
    for path in paths:
        wrk(base + path, duration=1, connections=4)


# --- The run ---------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> dict:
    parser = argument_parser(__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=6, help="seconds of each wrk run (default 6)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (default 16)")
    parser.add_argument(
        "--open-loop-duration", type=float, default=10, help="seconds of each fixed-rate run (default 10)"
    )
    parser.add_argument(
        "--open-loop-fraction",
        type=float,
        default=0.5,
        help="the fixed rate, as a fraction of the bare view's capacity in the same round (default 0.5)",
    )
    parser.add_argument(
        "--cpu-requests",
        type=int,
        default=20,
        help="requests per side and round of the in-process CPU figure",
    )
    args = parser.parse_args(argv)

    services = BenchServices.start("api")
    figures: dict = {
        "rounds": args.rounds,
        "duration_s": args.duration,
        "connections": args.connections,
        "open_loop_duration_s": args.open_loop_duration,
        "open_loop_fraction": args.open_loop_fraction,
        "gunicorn": {"workers": 2, "threads": 4},
    }
    try:
        query = seed()
        paths = endpoints(query)
        figures["cpu_ms_per_request"], figures["postgres_cpu_ms_per_request"] = cpu_per_request(
            paths, requests=args.cpu_requests
        )
        for name, sides in figures["cpu_ms_per_request"].items():
            database = figures["postgres_cpu_ms_per_request"][name]
            say(
                f"  in-process CPU a request, {name}: "
                f"ours {sides['ours']:.1f} ms, bare {sides['bare']:.1f} ms; "
                f"PostgreSQL ours {_ms(database['ours'])}, bare {_ms(database['bare'])}"
            )
        web, base = start_gunicorn(services.env, services.log_dir, workers=2, threads=4)
        try:
            figures["response_bytes"] = {name: check_same_answer(base, pair) for name, pair in paths.items()}
            warm_up(base, [path for pair in paths.values() for path in pair.values()])
            results: dict[str, list[dict]] = {name: [] for name in paths}
            for number in range(1, args.rounds + 1):
                for name, pair in paths.items():
                    # Which side goes first alternates from round to round, so that neither always meets
                    # the moment's load from elsewhere on a shared machine first.
                    order = ("bare", "ours") if number % 2 else ("ours", "bare")
                    load = {"duration": args.duration, "connections": args.connections}
                    capacity = {side: wrk(base + pair[side], **load) for side in order}
                    bare, ours = capacity["bare"], capacity["ours"]
                    fixed = {
                        "rate": bare["requests_per_s"] * args.open_loop_fraction,
                        "duration": args.open_loop_duration,
                    }
                    at_fixed_rate = {side: open_loop(base + pair[side], **fixed) for side in order}
                    bare_fixed, ours_fixed = at_fixed_rate["bare"], at_fixed_rate["ours"]
                    results[name].append(
                        {
                            "bare": bare,
                            "ours": ours,
                            "bare_fixed_rate": bare_fixed,
                            "ours_fixed_rate": ours_fixed,
                            # The machine may be shared: how busy it was, for reading the round.
                            "load_average_1m": os.getloadavg()[0],
                        }
                    )
                    say(
                        f"  round {number} {name}: capacity ours {ours['requests_per_s']:.0f} req/s, "
                        f"bare {bare['requests_per_s']:.0f} req/s; at {ours_fixed['rate_per_s']} req/s "
                        f"p50/p99 ours {ours_fixed['p50_ms']:.0f}/{ours_fixed['p99_ms']:.0f} ms, "
                        f"bare {bare_fixed['p50_ms']:.0f}/{bare_fixed['p99_ms']:.0f} ms "
                        f"({ours_fixed['answered']}/{ours_fixed['offered']} answered; "
                        f"load average {os.getloadavg()[0]:.1f})"
                    )
        finally:
            web.stop()
    finally:
        services.stop()

    summary = {}
    for name, rounds in results.items():

        def middle(side: str, key: str, rounds=rounds) -> float:
            return median([entry[side][key] for entry in rounds])

        summary[name] = {
            "ours_requests_per_s": middle("ours", "requests_per_s"),
            "bare_requests_per_s": middle("bare", "requests_per_s"),
            "ratio": median(
                [ratio(entry["ours"]["requests_per_s"], entry["bare"]["requests_per_s"]) for entry in rounds]
            ),
            "ours_closed_loop_p99_ms": middle("ours", "p99_ms"),
            "bare_closed_loop_p99_ms": middle("bare", "p99_ms"),
            "fixed_rate_per_s": middle("ours_fixed_rate", "rate_per_s"),
            "ours_fixed_rate_p50_ms": middle("ours_fixed_rate", "p50_ms"),
            "ours_fixed_rate_p99_ms": middle("ours_fixed_rate", "p99_ms"),
            "bare_fixed_rate_p50_ms": middle("bare_fixed_rate", "p50_ms"),
            "bare_fixed_rate_p99_ms": middle("bare_fixed_rate", "p99_ms"),
            "ours_fixed_rate_answered_share": min(
                entry["ours_fixed_rate"]["answered_share"] for entry in rounds
            ),
        }
    figures.update(paths=paths, rounds_figures=results, median=summary)
    return finish("api", figures, args.results, report)


def report(figures: dict) -> list[str]:
    lines = []
    for name, entry in figures["median"].items():
        cpu = figures["cpu_ms_per_request"][name]
        database = figures["postgres_cpu_ms_per_request"][name]
        lines.append(
            f"{name}: capacity ours {entry['ours_requests_per_s']:.0f} req/s, bare "
            f"{entry['bare_requests_per_s']:.0f} req/s, ratio {entry['ratio']:.2f} (goal >= 0.5); "
            f"at a fixed {entry['fixed_rate_per_s']:.0f} req/s (half the bare capacity) p50/p99 ours "
            f"{entry['ours_fixed_rate_p50_ms']:.0f}/{entry['ours_fixed_rate_p99_ms']:.0f} ms "
            "(goal p99 < 50), "
            f"bare {entry['bare_fixed_rate_p50_ms']:.0f}/{entry['bare_fixed_rate_p99_ms']:.0f} ms; "
            f"CPU a request ours {cpu['ours']:.1f} ms, bare {cpu['bare']:.1f} ms, PostgreSQL's ours "
            f"{_ms(database['ours'])}, bare {_ms(database['bare'])} (medians of {figures['rounds']} rounds)"
        )
    return lines


def _ms(value: float | None) -> str:
    return "not measured" if value is None else f"{value:.1f} ms"


if __name__ == "__main__":
    main()
