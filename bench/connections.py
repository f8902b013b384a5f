"""Database connection mode: one endpoint under three ways of reaching PostgreSQL.

The availability endpoint of ``bench.api`` (60 days), served by gunicorn (2 workers, 4 threads) with
- ``CONN_MAX_AGE=0``: a new connection for every request, closed at its end;
- Django's psycopg pool (``DATABASE_POOL=true``: ``OPTIONS["pool"]``, Django 5.1+);
- persistent connections (``CONN_MAX_AGE=60``): one kept connection per thread.
All three keep CONN_HEALTH_CHECKS on, as production does. The three servers run side by side and are
measured in turn, round after round, with wrk at the same connection count.

    python -m bench.connections [--rounds 3] [--duration 6] [--connections 16]
"""

from bench.api import check_same_answer, endpoints, seed, warm_up, wrk
from bench.common import BenchServices, argument_parser, finish, median, say, start_gunicorn

MODES = {
    "conn_max_age_0": {"CONN_MAX_AGE": "0"},
    "psycopg_pool": {"DATABASE_POOL": "true"},
    "persistent_60": {"CONN_MAX_AGE": "60"},
}


def main(argv: list[str] | None = None) -> dict:
    parser = argument_parser(__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=6, help="seconds of each wrk run (default 6)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (default 16)")
    args = parser.parse_args(argv)

    services = BenchServices.start("connections")
    results: dict[str, list[dict]] = {mode: [] for mode in MODES}
    servers = {}
    try:
        pair = endpoints(seed())["availability"]
        for mode, overrides in MODES.items():
            servers[mode] = start_gunicorn({**services.env, **overrides}, services.log_dir / mode)
        for _web, base in servers.values():
            check_same_answer(base, pair)
            warm_up(base, [pair["ours"]])
        for number in range(1, args.rounds + 1):
            for mode, (_web, base) in servers.items():
                results[mode].append(
                    wrk(base + pair["ours"], duration=args.duration, connections=args.connections)
                )
            say(
                f"  round {number}: "
                + ", ".join(
                    f"{mode} {runs[-1]['requests_per_s']:.0f} req/s p99 {runs[-1]['p99_ms']:.1f} ms"
                    for mode, runs in results.items()
                )
            )
    finally:
        for web, _base in servers.values():
            web.stop()
        services.stop()

    summary = {
        mode: {
            "requests_per_s": median([run["requests_per_s"] for run in runs]),
            "p50_ms": median([run["p50_ms"] for run in runs]),
            "p99_ms": median([run["p99_ms"] for run in runs]),
        }
        for mode, runs in results.items()
    }
    fastest = max(summary, key=lambda mode: summary[mode]["requests_per_s"])
    for entry in summary.values():
        entry["ratio_to_fastest"] = entry["requests_per_s"] / summary[fastest]["requests_per_s"]
    figures = {
        "rounds": args.rounds,
        "duration_s": args.duration,
        "connections": args.connections,
        "path": pair["ours"],
        "modes": MODES,
        "rounds_figures": results,
        "median": summary,
        "fastest": fastest,
    }
    return finish("connections", figures, args.results, report)


def report(figures: dict) -> list[str]:
    return [
        f"{mode}: {entry['requests_per_s']:.0f} req/s, p50 {entry['p50_ms']:.1f} ms, "
        f"p99 {entry['p99_ms']:.1f} ms ({entry['ratio_to_fastest']:.2f} of the fastest, medians)"
        for mode, entry in figures["median"].items()
    ]


if __name__ == "__main__":
    main()
