"""Booking API under gunicorn with wrk on loopback, against bare Django views of the same JSON.

Ours: ``GET /api/v1/availability/?session_type=&from=&to=`` over 60 days and ``GET /api/v1/courses/``
(first page), served by gunicorn (2 workers, 4 threads each) on production settings. Baseline: a bare
Django view per endpoint (``bench/bare_views.py``) answering the same JSON from the same queries with
``.values()`` and no serializer, in the same server process, through the same middleware. Both answers
are compared before any load.

Each round runs wrk against the bare view and ours at the same connection count (closed loop: each side
as fast as it goes, p99 at that load), then ours again paced at half the bare view's rate (the goal's
throughput), for its p99 at a fixed offered load.

    python -m bench.api [--rounds 3] [--duration 6] [--connections 16]
"""

import json
import secrets
import shutil
import subprocess
import urllib.request
from datetime import time, timedelta
from pathlib import Path

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


def wrk(url: str, *, duration: float, connections: int, threads: int = 2, delay_ms: float = 0) -> dict:
    binary = shutil.which("wrk")
    if binary is None:
        raise SystemExit("wrk is not installed: run bench/setup.sh (Debian package wrk)")
    if not url.startswith("http://127.0.0.1:"):
        raise SystemExit(f"refusing to load anything but loopback: {url}")
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
        env={"WRK_DELAY_MS": f"{max(delay_ms, 0):.0f}", "PATH": "/usr/bin:/bin"},
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


def wrk_paced(url: str, *, rate: float, duration: float, connections: int) -> dict:
    """wrk offering about ``rate`` requests a second: a short run measures the latency to subtract."""
    interval_ms = connections * 1000 / rate
    probe = wrk(url, duration=1, connections=connections, delay_ms=interval_ms)
    figures = wrk(url, duration=duration, connections=connections, delay_ms=interval_ms - probe["mean_ms"])
    return {**figures, "target_per_s": rate}


def warm_up(base: str, paths: list[str]) -> None:
    for path in paths:
        wrk(base + path, duration=1, connections=4)


# --- The run ---------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> dict:
    parser = argument_parser(__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=6, help="seconds of each wrk run (default 6)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (default 16)")
    parser.add_argument(
        "--paced-fraction",
        type=float,
        default=0.5,
        help="ours paced at this fraction of the bare view's rate, for p99 at a fixed load (default 0.5)",
    )
    args = parser.parse_args(argv)

    services = BenchServices.start("api")
    figures: dict = {
        "rounds": args.rounds,
        "duration_s": args.duration,
        "connections": args.connections,
        "gunicorn": {"workers": 2, "threads": 4},
    }
    try:
        query = seed()
        paths = endpoints(query)
        web, base = start_gunicorn(services.env, services.log_dir, workers=2, threads=4)
        try:
            figures["response_bytes"] = {name: check_same_answer(base, pair) for name, pair in paths.items()}
            warm_up(base, [path for pair in paths.values() for path in pair.values()])
            results: dict[str, list[dict]] = {name: [] for name in paths}
            for number in range(1, args.rounds + 1):
                for name, pair in paths.items():
                    load = {"duration": args.duration, "connections": args.connections}
                    bare = wrk(base + pair["bare"], **load)
                    ours = wrk(base + pair["ours"], **load)
                    paced = wrk_paced(
                        base + pair["ours"], rate=bare["requests_per_s"] * args.paced_fraction, **load
                    )
                    results[name].append({"bare": bare, "ours": ours, "ours_paced": paced})
                    say(
                        f"  round {number} {name}: ours {ours['requests_per_s']:.0f} req/s "
                        f"p99 {ours['p99_ms']:.1f} ms, bare {bare['requests_per_s']:.0f} req/s "
                        f"p99 {bare['p99_ms']:.1f} ms; ours at {paced['requests_per_s']:.0f} req/s "
                        f"p99 {paced['p99_ms']:.1f} ms"
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
            "ours_p99_ms": middle("ours", "p99_ms"),
            "bare_p99_ms": middle("bare", "p99_ms"),
            "ours_paced_requests_per_s": middle("ours_paced", "requests_per_s"),
            "ours_paced_p99_ms": middle("ours_paced", "p99_ms"),
        }
        summary[name]["ratio"] = ratio(
            summary[name]["ours_requests_per_s"], summary[name]["bare_requests_per_s"]
        )
    figures.update(paths=paths, rounds_figures=results, median=summary)
    return finish("api", figures, args.results, report)


def report(figures: dict) -> list[str]:
    return [
        f"{name}: ours {entry['ours_requests_per_s']:.0f} req/s p99 {entry['ours_p99_ms']:.1f} ms, "
        f"bare {entry['bare_requests_per_s']:.0f} req/s p99 {entry['bare_p99_ms']:.1f} ms (medians), "
        f"ratio {entry['ratio']:.2f} (goal >= 0.5); ours at {entry['ours_paced_requests_per_s']:.0f} "
        f"req/s: p99 {entry['ours_paced_p99_ms']:.1f} ms (goal < 50)"
        for name, entry in figures["median"].items()
    ]


if __name__ == "__main__":
    main()
