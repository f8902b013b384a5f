"""Where a send path's CPU time goes, step by step, for the fan-out benchmark only.

Off unless the process starts with ``STEP_TIMER_DIR`` set: then ``ON`` is True and the callers'
``if steptimer.ON:`` lines add each step's time to this process's totals, which ``flush`` writes to
``<STEP_TIMER_DIR>/<pid>.json`` (cumulative; the benchmark takes differences). Off, a step costs the
caller one global lookup and a branch.

    if steptimer.ON:
        steptimer.lap("build")   # the time since the previous lap goes to "build"
"""

import json
import os
import time
from pathlib import Path

_DIRECTORY = os.environ.get("STEP_TIMER_DIR", "")
ON = bool(_DIRECTORY)

_totals: dict[str, float] = {}
_counts: dict[str, int] = {}
_last = 0.0


def start() -> None:
    """Starts the clock of the next lap."""
    global _last
    _last = time.process_time()


def lap(step: str, *, count: int = 0) -> None:
    """Adds the time since the previous lap (or ``start``) to ``step``; ``count`` messages it covered."""
    global _last
    now = time.process_time()
    _totals[step] = _totals.get(step, 0.0) + (now - _last)
    if count:
        _counts[step] = _counts.get(step, 0) + count
    _last = now


def count(step: str, messages: int) -> None:
    _counts[step] = _counts.get(step, 0) + messages


def flush() -> None:
    """Writes this process's cumulative totals (seconds) and counts."""
    path = Path(_DIRECTORY) / f"{os.getpid()}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"seconds": _totals, "counts": _counts}))


def read(directory: Path) -> dict[str, float]:
    """Seconds per step, summed over every process that wrote to ``directory``."""
    totals: dict[str, float] = {}
    for path in directory.glob("*.json"):
        for step, seconds in json.loads(path.read_text())["seconds"].items():
            totals[step] = totals.get(step, 0.0) + seconds
    return totals


def instrument_mail() -> None:
    """Splits Django's ``EmailMessage.send()`` into glue, build and SMTP laps (the send path before
    it built its own bytes)."""
    import smtplib

    from django.core.mail import EmailMessage

    build, sendmail = EmailMessage.message, smtplib.SMTP.sendmail

    def timed_message(self, *args, **kwargs):
        lap("glue")
        return build(self, *args, **kwargs)

    def timed_sendmail(self, *args, **kwargs):
        lap("build")
        try:
            return sendmail(self, *args, **kwargs)
        finally:
            lap("smtp")

    EmailMessage.message = timed_message  # type: ignore[method-assign]
    smtplib.SMTP.sendmail = timed_sendmail  # type: ignore[method-assign]
