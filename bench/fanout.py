"""Newsletter fan-out, end to end, against the machine's transport and render limits.

Ours: N confirmed subscribers, one send slot. The beat task that plans due slots is sent to real
Celery worker processes on Redis; they plan the slot (delivery and outbox rows, each message rendered),
then send every message through SMTP into Postfix's smtp-sink on loopback. The clock runs from
handing over the planning task until the sink has counted N messages; then the database must show
every subscriber's message sent exactly once (one attempt each, as many as the sink counted).

Baselines, in the same run, on the same subscribers and the same lesson:
- transport limit: one raw smtplib process per core, each over one connection, sending the same
  pre-rendered bytes to the same sink;
- render limit: one process per core building the same messages (HTML + text, headers, MIME bytes)
  in a loop, sending nothing.

Peak memory of a worker process (VmHWM) is taken for a second, smaller N with fresh workers, to show
that it does not grow with N: the planner streams subscribers in chunks.

The timed rounds run workers as production does. Where a message's CPU time goes, step by step
(``core.steptimer``), is measured in one more round of ours, with fresh workers that run the timer:
its clock reads cost the workers a few percent, which the timed rounds do not pay.

    python -m bench.fanout [--n 20000] [--memory-n 2000] [--rounds 3] [--concurrency 4]
"""

import atexit
import gc
import multiprocessing
import os
import shutil
import smtplib
import tempfile
import time
from datetime import datetime, timedelta
from email.utils import parseaddr
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.common import (
    BenchServices,
    argument_parser,
    child_pids,
    cpu_by_process,
    cpu_seconds,
    cpu_snapshot,
    finish,
    median,
    peak_rss_mib,
    ratio,
    say,
    seed_subscribers,
    start_celery_worker,
    wait_until,
)

ROOT = Path(__file__).resolve().parents[1]


def _send_time_just_passed() -> str:
    """A slot time two minutes ago, so that the beat task finds exactly one due slot today."""
    return (datetime.now(ZoneInfo("Asia/Tokyo")) - timedelta(minutes=2)).strftime("%H:%M")


def seed_lessons() -> None:
    from newsletter.services.course import email_course_load

    email_course_load()


def reset_sends() -> None:
    """Every round starts from the same state: no slot planned, no delivery, an empty outbox."""
    from django.db import connection

    from newsletter.models import Delivery, SendSlot
    from outbox.selectors import OutboundBody, OutboundEmail

    tables = ", ".join(model._meta.db_table for model in (Delivery, SendSlot, OutboundEmail, OutboundBody))
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables}")


# --- Ours -----------------------------------------------------------------------------------------------


def run_ours(services: BenchServices, n: int, worker, steps_directory: Path | None = None) -> dict:
    from django.db.models import Count, Sum

    from core import steptimer
    from newsletter.models import SendSlot
    from newsletter.tasks import newsletter_plan_due_slots_task
    from outbox.selectors import OutboundEmail

    reset_sends()
    sink = services.sink
    before = sink.count
    steps_before = steptimer.read(steps_directory) if steps_directory else {}
    processes = [worker.process.pid, *child_pids(worker.process.pid)]
    cpu_before = cpu_seconds(processes)
    everything_before = cpu_snapshot()
    started = time.monotonic()
    newsletter_plan_due_slots_task.delay()
    if not sink.wait_for(before + n):
        raise SystemExit(f"fan-out stalled at {sink.count - before} of {n} messages")
    elapsed = time.monotonic() - started
    everything_after = cpu_snapshot()

    # The sink counts a message when it is accepted; "sent" commits just after. Then nothing more
    # may arrive: every subscriber exactly one message.
    sent = OutboundEmail.objects.filter(status=OutboundEmail.Status.SENT)
    wait_until(lambda: sent.count() == n, 30)
    time.sleep(0.5)
    totals = sent.aggregate(
        rows=Count("pk"), recipients=Count("recipient", distinct=True), attempts=Sum("attempts")
    )
    received = sink.count - before
    pending = OutboundEmail.objects.exclude(status=OutboundEmail.Status.SENT).count()
    if not (received == totals["rows"] == totals["recipients"] == totals["attempts"] == n and pending == 0):
        raise SystemExit(
            f"not exactly one message per subscriber: sink {received}, rows {totals}, unsent {pending}"
        )
    slot = SendSlot.objects.get()
    steps_after = steptimer.read(steps_directory) if steps_directory else {}
    steps = {
        step: round((seconds - steps_before.get(step, 0.0)) * 1000 / n, 3)
        for step, seconds in sorted(steps_after.items())
    }
    return {
        # Worker CPU time a message by step, summed over the worker processes (core.steptimer); only
        # for a round whose workers run the step timer.
        "step_ms_per_message": steps,
        "seconds": elapsed,
        "messages_per_s": n / elapsed,
        "planning_seconds": (slot.completed_at - slot.planning_started_at).total_seconds(),
        # Planning and sending, in every worker process: what a message costs, whatever else runs.
        "worker_cpu_ms_per_message": (cpu_seconds(processes) - cpu_before) * 1000 / n,
        "received": received,
        # Every process's CPU over the run, by what it is (ms a message): the machine's whole cost.
        "cpu_ms_per_message_by_process": {
            group: round(seconds * 1000 / n, 3)
            for group, seconds in cpu_by_process(
                everything_before,
                everything_after,
                {
                    "workers": lambda pid, _name: pid in processes,
                    "postgres": lambda _pid, name: name.startswith("postgres"),
                    "redis": lambda _pid, name: name.startswith("redis"),
                    "sink": lambda _pid, name: name == "smtp-sink",
                    "bench": lambda pid, _name: pid == os.getpid(),
                },
            ).items()
        },
    }


# --- Baselines ------------------------------------------------------------------------------------------


def _message_bytes(content, subscriber: tuple[int, str, str], from_email: str) -> bytes:
    """The message our path sends to ``subscriber``, built the same way, as the bytes on the wire."""
    from django.core.mail import EmailMultiAlternatives

    from newsletter.rendering import list_unsubscribe_headers, unsubscribe_url
    from newsletter.services.content import issue_render

    subscriber_id, email, name = subscriber
    link = unsubscribe_url(subscriber_id)
    rendered = issue_render(content=content, unsubscribe_link=link, name=name)
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=from_email,
        to=[email],
        headers=list_unsubscribe_headers(link),
    )
    message.attach_alternative(rendered.html, "text/html")
    return message.message().as_bytes(linesep="\r\n")


def _render_child(content, subscribers, from_email, barrier, results) -> None:
    barrier.wait()
    started = time.monotonic()
    for subscriber in subscribers:
        _message_bytes(content, subscriber, from_email)
    results.put((started, time.monotonic()))


def _transport_child(port, messages, envelope_from, barrier, results) -> None:
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        smtp.ehlo()
        barrier.wait()
        started = time.monotonic()
        for recipient, data in messages:
            smtp.sendmail(envelope_from, [recipient], data)
        finished = time.monotonic()
    results.put((started, finished))


def _in_processes(target, shares: list[tuple]) -> float:
    """Runs ``target`` in one forked process per share, started together; returns the wall time."""
    from django.db import connections

    connections.close_all()  # a forked child must not share the parent's database socket
    # Objects inherited from the parent stay out of the children's garbage collections, which would
    # otherwise walk (and copy, page by page) everything the parent holds.
    gc.freeze()
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(len(shares))
    results = context.Queue()
    processes = [context.Process(target=target, args=(*share, barrier, results)) for share in shares]
    for process in processes:
        process.start()
    spans = [results.get(timeout=600) for _ in processes]
    for process in processes:
        process.join()
        if process.exitcode != 0:
            raise SystemExit(f"a baseline process failed with exit code {process.exitcode}")
    return max(end for _start, end in spans) - min(start for start, _end in spans)


def _split(items: list, parts: int) -> list[list]:
    return [items[index::parts] for index in range(parts)]


def run_render_limit(content, subscribers, from_email: str, processes: int) -> dict:
    seconds = _in_processes(
        _render_child, [(content, share, from_email) for share in _split(subscribers, processes)]
    )
    return {"seconds": seconds, "messages_per_s": len(subscribers) / seconds}


def run_transport_limit(services: BenchServices, messages: list[tuple[str, bytes]], processes: int) -> dict:
    from django.conf import settings

    sink = services.sink
    before = sink.count
    envelope_from = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    seconds = _in_processes(
        _transport_child, [(sink.port, share, envelope_from) for share in _split(messages, processes)]
    )
    if not sink.wait_for(before + len(messages), stall_timeout=10) or sink.count - before != len(messages):
        raise SystemExit(f"the sink counted {sink.count - before} of {len(messages)} raw messages")
    return {"seconds": seconds, "messages_per_s": len(messages) / seconds}


# --- The run --------------------------------------------------------------------------------------------


def worker_memory(worker) -> dict:
    pool = child_pids(worker.process.pid)
    return {
        "pool_process_peak_rss_mib": round(max(peak_rss_mib(pid) for pid in pool), 1),
        "main_process_peak_rss_mib": round(peak_rss_mib(worker.process.pid), 1),
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argument_parser(__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=20_000, help="confirmed subscribers (default 20,000)")
    parser.add_argument(
        "--memory-n", type=int, default=None, help="the smaller N for the memory comparison (default N/10)"
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=4,
        help="Celery pool processes (default 4, as docker-compose.yml runs)",
    )
    args = parser.parse_args(argv)
    n, memory_n = args.n, args.memory_n or max(args.n // 10, 1)
    processes = os.cpu_count() or 1
    # The run's own folder for the workers' step timers (core.steptimer), so that runs never mix.
    steps_directory = tempfile.mkdtemp(prefix="fanout-steps-")
    atexit.register(shutil.rmtree, steps_directory, ignore_errors=True)

    services = BenchServices.start(
        "fanout",
        sink=True,
        NEWSLETTER_SEND_WEEKDAYS="0,1,2,3,4,5,6",
        NEWSLETTER_SEND_TIME=_send_time_just_passed(),
        # The production default spreads a slot over an hour on purpose; here we want the ceiling.
        NEWSLETTER_SEND_RATE_PER_MINUTE=10**9,
        OUTBOX_STALE_AFTER_MINUTES=24 * 60,
    )
    # The step round's workers add up where their time goes (core.steptimer).
    steps_env = {**services.env, "STEP_TIMER_DIR": steps_directory}
    from django.conf import settings

    from newsletter.models import Lesson, Subscriber
    from newsletter.services.content import content_of

    figures: dict = {"n": n, "memory_n": memory_n, "rounds": args.rounds, "concurrency": args.concurrency}
    try:
        seed_lessons()
        say(f"fan-out: memory check with N={memory_n}, fresh workers")
        seed_subscribers(memory_n)
        worker = start_celery_worker(services.env, services.log_dir, concurrency=args.concurrency)
        try:
            small = run_ours(services, memory_n, worker)
            figures["memory_small_n"] = {"n": memory_n, **worker_memory(worker), **small}
        finally:
            worker.stop()

        say(f"fan-out: N={n}, {args.rounds} rounds, Celery prefork x{args.concurrency}")
        seed_subscribers(n)
        subscribers = list(
            Subscriber.objects.filter(status=Subscriber.Status.ACTIVE)
            .order_by("pk")
            .values_list("pk", "email", "name")
        )
        content = content_of(Lesson.objects.order_by("position").first())
        from_email = settings.DEFAULT_FROM_EMAIL
        messages = [
            (email, _message_bytes(content, (pk, email, name), from_email)) for pk, email, name in subscribers
        ]

        rounds: list[dict] = []
        worker = start_celery_worker(services.env, services.log_dir, concurrency=args.concurrency)
        try:
            for number in range(1, args.rounds + 1):
                ours = run_ours(services, n, worker)
                if number == 1:
                    figures["memory_large_n"] = {"n": n, **worker_memory(worker)}
                transport = run_transport_limit(services, messages, processes)
                render = run_render_limit(content, subscribers, from_email, processes)
                rounds.append({"ours": ours, "transport": transport, "render": render})
                say(
                    f"  round {number}: ours {ours['messages_per_s']:.0f} msg/s (planning "
                    f"{ours['planning_seconds']:.1f} s, worker CPU "
                    f"{ours['worker_cpu_ms_per_message']:.2f} ms a message), "
                    f"transport {transport['messages_per_s']:.0f} msg/s, "
                    f"render {render['messages_per_s']:.0f} msg/s; CPU ms a message by process "
                    + ", ".join(f"{k} {v:.2f}" for k, v in ours["cpu_ms_per_message_by_process"].items())
                )
            figures["memory_after_all_rounds"] = worker_memory(worker)
        finally:
            worker.stop()

        say("fan-out: one more round of ours, with the step timer on")
        worker = start_celery_worker(steps_env, services.log_dir, concurrency=args.concurrency)
        try:
            timed = run_ours(services, n, worker, Path(steps_directory))
        finally:
            worker.stop()
        figures["step_round"] = timed
        say(
            f"  step round: ours {timed['messages_per_s']:.0f} msg/s, worker CPU "
            f"{timed['worker_cpu_ms_per_message']:.2f} ms a message"
        )
    finally:
        services.stop()

    summary = {
        side: median([entry[side]["messages_per_s"] for entry in rounds])
        for side in ("ours", "transport", "render")
    }
    for key in ("planning_seconds", "worker_cpu_ms_per_message"):
        summary[key] = median([entry["ours"][key] for entry in rounds])
    summary["step_ms_per_message"] = figures["step_round"]["step_ms_per_message"]
    summary["ratio_ours_to_transport"] = ratio(summary["ours"], summary["transport"])
    # Beside it, the median of each round's own ratio: the two sides of a round run back to back,
    # while the medians above may come from different rounds.
    summary["ratio_ours_to_transport_by_round"] = median(
        [ratio(entry["ours"]["messages_per_s"], entry["transport"]["messages_per_s"]) for entry in rounds]
    )
    summary["ratio_ours_to_render"] = ratio(summary["ours"], summary["render"])
    figures.update(rounds=rounds, median=summary, baseline_processes=processes)
    return finish("fanout", figures, args.results, report)


def report(figures: dict) -> list[str]:
    summary, small, large = figures["median"], figures["memory_small_n"], figures["memory_large_n"]
    return [
        f"fan-out, N={figures['n']}: ours {summary['ours']:.0f} msg/s, transport limit "
        f"{summary['transport']:.0f} msg/s, render limit {summary['render']:.0f} msg/s (medians); "
        f"ours/transport {summary['ratio_ours_to_transport']:.2f} (goal >= 0.5; median of the rounds' "
        f"own ratios {summary['ratio_ours_to_transport_by_round']:.2f}), "
        f"ours/render {summary['ratio_ours_to_render']:.2f}; worker CPU "
        f"{summary['worker_cpu_ms_per_message']:.2f} ms a message",
        f"  worker peak RSS: {small['pool_process_peak_rss_mib']} MiB at N={small['n']}, "
        f"{large['pool_process_peak_rss_mib']} MiB at N={large['n']}",
        "  worker CPU ms a message by step (the step round): "
        + ", ".join(f"{step} {ms:.3f}" for step, ms in summary.get("step_ms_per_message", {}).items()),
    ]


if __name__ == "__main__":
    main()
