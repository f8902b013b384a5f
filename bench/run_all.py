"""`make bench`: the four benchmarks one after another, then their ratios side by side.

Each runs in its own process (each sets Django up on its own database); their figures are in
var/bench/<benchmark>.json and the summary printed here is what docs/BENCHMARKS.md records.

    python -m bench.run_all [--rounds 3]
"""

import argparse
import importlib
import json
import subprocess
import sys
import time

from bench.common import RESULTS_DIR, ROOT, machine

BENCHMARKS = ("fanout", "api", "connections", "bulk_writes")


def summary() -> list[str]:
    """Each benchmark's closing lines, from the JSON files they wrote."""
    lines = []
    for name in BENCHMARKS:
        module = importlib.import_module(f"bench.{name}")
        lines += module.report(json.loads((RESULTS_DIR / f"{name}.json").read_text()))
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)

    started = time.monotonic()
    for name in BENCHMARKS:
        print(f"== bench.{name}", flush=True)
        subprocess.run(
            [sys.executable, "-m", f"bench.{name}", "--rounds", str(args.rounds)], cwd=ROOT, check=True
        )
    about = machine()
    elapsed = time.monotonic() - started
    print(f"\n== summary: {about['cores']} cores, {about['memory_gib']} GiB of memory, {elapsed:.0f} s")
    for line in summary():
        print(line)


if __name__ == "__main__":
    main()
