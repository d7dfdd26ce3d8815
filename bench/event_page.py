"""Benchmark the public event page under gunicorn, against a bare Flask route as the ceiling.

    .venv/bin/python bench/event_page.py [--database-url postgresql://postgres@127.0.0.1:5432/test]
    .venv/bin/python bench/event_page.py --baseline ad2dd07 --rounds 2    # this code against another's

What it does, in one run:

1. Makes a fresh database: a SQLite file in a temporary directory, or, with ``--database-url``,
   a private schema ``eventhub_bench_<random>`` in that PostgreSQL database (created here,
   dropped with CASCADE at the end; no other schema is touched). Then ``flask db upgrade``
   and ``flask load-demo``, with EVENTHUB_ENV=production and a random SECRET_KEY.
2. Serves ``wsgi:app`` with ``gunicorn --workers 2`` on a free port of 127.0.0.1, checks that
   the event page answers 200 with the event's heading and its head tags (JSON-LD, Open Graph,
   hreflang), warms it up, then measures GET /events/integration-i-arbetslivet with wrk:
   16 concurrent clients, then 1 client.
3. Does the same for bench/bare_app.py (one route returning "ok"): the ceiling of
   gunicorn + Flask on this machine, measured in the same run so the ratio is fair.

With ``--baseline COMMIT`` the commit's tree is exported (``git archive``, no worktree) to the
temporary directory and served the same way with this venv, on its own fresh database (its own
migrations): every round measures both, in alternating order (baseline first in odd rounds, this
checkout first in even ones), so that a drift of the shared machine falls on both alike, then the
bare route. ``--rounds N`` repeats; the summary gives each side's rounds and medians and the ratio.

Prints a table. Exits non-zero only on errors (a failed step, a non-2xx response, a socket
error), never because a target was missed. Needs ``wrk`` (``apt-get install -y wrk``).
"""
from __future__ import annotations

import argparse
import os
import re
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bench_support import (
    BenchError,
    checkout,
    code_version,
    fresh_database,
    gunicorn,
    load_average,
    machine_busy,
    process_tree_cpu,
    resolve_commit,
    run_step,
    venv_bin,
)

REPO = Path(__file__).resolve().parent.parent
BENCH_DIR = REPO / "bench"
EVENT_PATH = "/events/integration-i-arbetslivet"
EVENT_MARKER = b'<h1 id="event-title"'
# The head tags search engines and link previews read: both sides of a comparison must carry them.
HEAD_MARKERS = (b'<script type="application/ld+json">', b'<meta property="og:title"', b'hreflang="en"')
TARGET_RPS = 300.0  # with 16 clients
TARGET_RATIO = 2.0  # this code's rate with 16 clients against the baseline's (--baseline)
TARGET_SINGLE_MS = 5.0  # median latency with 1 client
WORKERS = 2


@dataclass
class WrkResult:
    label: str
    clients: int
    seconds: int
    requests: int
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: dict[str, int]
    command: str
    server_cpu_ms: float = 0.0  # gunicorn master + workers, CPU time per request
    wrk_cpu_ms: float = 0.0  # the load generator's CPU time per request
    others_share: float = 0.0  # of all cores, the share busy with neither gunicorn nor wrk

    @property
    def errors(self) -> int:
        return self.non_2xx + sum(self.socket_errors.values())


# ---------------------------------------------------------------- tools


def fetch(url: str, timeout: float = 5.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


# ---------------------------------------------------------------- database


# ---------------------------------------------------------------- server


# ---------------------------------------------------------------- CPU accounting
# Other work on the machine makes requests/s swing from run to run. CPU time per request
# (of the gunicorn processes) hardly does, and the busy share of the other processes says
# how much of the machine the run really had.

def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# ---------------------------------------------------------------- wrk

UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not match:
        raise BenchError(f"cannot read wrk latency {text!r}")
    return float(match.group(1)) * UNIT_MS[match.group(2)]


def parse_wrk(output: str) -> dict:
    def find(pattern: str) -> re.Match:
        match = re.search(pattern, output, re.MULTILINE)
        if not match:
            raise BenchError(f"wrk output lacks {pattern!r}:\n{output}")
        return match

    percentiles = {
        int(p): _ms(value) for p, value in re.findall(r"^\s+(50|90|99)%\s+(\S+)\s*$", output, re.MULTILINE)
    }
    if set(percentiles) != {50, 90, 99}:
        raise BenchError(f"wrk output lacks the latency distribution (--latency):\n{output}")
    socket_errors = {}
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if errors:
        socket_errors = dict(zip(("connect", "read", "write", "timeout"), map(int, errors.groups()), strict=True))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "requests": int(find(r"^\s+(\d+) requests in").group(1)),
        "rps": float(find(r"^Requests/sec:\s+([\d.]+)").group(1)),
        "p50_ms": percentiles[50],
        "p90_ms": percentiles[90],
        "p99_ms": percentiles[99],
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": socket_errors,
    }


def wrk_args(url: str, clients: int, seconds: int) -> list[str]:
    # One wrk thread: enough for 16 connections here, and it leaves more of 2 cores to gunicorn.
    return ["wrk", "-t1", f"-c{clients}", f"-d{seconds}s", "--timeout", "5s", "--latency", url]


def wrk(label: str, url: str, clients: int, seconds: int, server_pid: int) -> WrkResult:
    args = wrk_args(url, clients, seconds)
    server_before, wrk_before, busy_before = process_tree_cpu(server_pid), children_cpu(), machine_busy()
    started = time.monotonic()
    result = subprocess.run(args, capture_output=True, text=True, timeout=seconds + 60)
    elapsed = time.monotonic() - started
    server = process_tree_cpu(server_pid) - server_before
    load_generator = children_cpu() - wrk_before
    others = machine_busy() - busy_before - server - load_generator
    if result.returncode != 0:
        raise BenchError(f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    parsed = parse_wrk(result.stdout)
    return WrkResult(
        label=label, clients=clients, seconds=seconds, command=" ".join(args), **parsed,
        server_cpu_ms=1000 * server / max(parsed["requests"], 1),
        wrk_cpu_ms=1000 * load_generator / max(parsed["requests"], 1),
        others_share=max(0.0, others / (elapsed * (os.cpu_count() or 1))),
    )


def measure(label: str, url: str, server_pid: int, args: argparse.Namespace) -> list[WrkResult]:
    wrk(f"{label} warm-up", url, args.clients, args.warmup, server_pid)
    results = [
        wrk(label, url, args.clients, args.seconds, server_pid),
        wrk(label, url, 1, args.single_seconds, server_pid),
    ]
    for r in results:
        print(f"  {r.clients:>2} client(s): {r.rps:8.1f} req/s, p50 {r.p50_ms:.2f} ms, "
              f"server CPU {r.server_cpu_ms:.2f} ms/req, other processes {r.others_share:.0%} of the CPUs", flush=True)
    return results


# ---------------------------------------------------------------- report


def print_table(results: list[WrkResult]) -> None:
    header = f"{'route':<17} {'clients':>7} {'secs':>4} {'requests':>8} {'req/s':>7} " \
             f"{'p50 ms':>7} {'p90 ms':>7} {'p99 ms':>7} {'errors':>6} {'srv CPU ms/req':>14} {'others':>6}"
    print()
    print(header)
    print("-" * len(header))
    for r in results:
        print(f"{r.label:<17} {r.clients:>7} {r.seconds:>4} {r.requests:>8} {r.rps:>7.1f} "
              f"{r.p50_ms:>7.2f} {r.p90_ms:>7.2f} {r.p99_ms:>7.2f} {r.errors:>6} {r.server_cpu_ms:>14.2f} "
              f"{r.others_share:>6.0%}")
    print("srv CPU: CPU time of the gunicorn processes per request; others: share of all cores busy with")
    print("processes other than gunicorn and wrk during the run (other work on the machine).")


def print_verdict(event_many: WrkResult, event_one: WrkResult, bare_many: WrkResult, bare_one: WrkResult) -> None:
    print()
    print(f"ceiling ratio, {event_many.clients} clients: event page {event_many.rps:.1f} / bare {bare_many.rps:.1f} "
          f"req/s = {event_many.rps / bare_many.rps:.1%}")
    print(f"ceiling ratio, 1 client: event page {event_one.rps:.1f} / bare {bare_one.rps:.1f} "
          f"req/s = {event_one.rps / bare_one.rps:.1%}; p50 {event_one.p50_ms:.2f} ms vs {bare_one.p50_ms:.2f} ms")
    cores = os.cpu_count() or 1
    for r in (event_many, bare_many):
        print(f"CPU bound, {r.label}: {r.server_cpu_ms:.2f} ms gunicorn + {r.wrk_cpu_ms:.2f} ms wrk CPU per request; "
              f"{cores} cores give at most {cores * 1000 / (r.server_cpu_ms + r.wrk_cpu_ms):.0f} req/s with wrk "
              f"on the machine, {cores * 1000 / r.server_cpu_ms:.0f} without (no other processes either way)")
    rps_gap = event_many.rps / TARGET_RPS - 1
    print(f"target >= {TARGET_RPS:.0f} req/s with {event_many.clients} clients: "
          f"{'met' if rps_gap >= 0 else 'MISSED'} ({event_many.rps:.1f} req/s, {rps_gap:+.0%})")
    single_gap = event_one.p50_ms / TARGET_SINGLE_MS - 1
    print(f"target <= {TARGET_SINGLE_MS:.0f} ms per page with 1 client (p50): "
          f"{'met' if single_gap <= 0 else 'MISSED'} ({event_one.p50_ms:.2f} ms, {single_gap:+.0%}; "
          f"p99 {event_one.p99_ms:.2f} ms)")


# ---------------------------------------------------------------- main


@dataclass
class Code:
    """What is served: this checkout, or another commit's tree for a side-by-side run."""

    name: str  # "this" or "baseline"
    description: str
    root: Path


def serve_and_measure(code: Code, workdir: Path, args: argparse.Namespace, tag: str) -> list[WrkResult]:
    """A fresh database for ``code`` (its own migrations and demo), gunicorn on it, the event page measured."""
    run_dir = workdir / tag
    run_dir.mkdir()
    with fresh_database(args.database_url, run_dir) as database_url:
        env = {
            **os.environ,
            "FLASK_APP": "wsgi.py",
            "EVENTHUB_ENV": "production",
            "SECRET_KEY": secrets.token_hex(32),
            "DATABASE_URL": database_url,
            "EVENTHUB_INSTANCE": str(run_dir / "instance"),
        }
        run_step([venv_bin("flask"), "db", "upgrade"], env, cwd=code.root)
        run_step([venv_bin("flask"), "load-demo"], env, cwd=code.root)
        print(f"event page {EVENT_PATH}, {code.name} ({code.description}):", flush=True)
        with gunicorn("wsgi:app", env, run_dir, name="event", workers=WORKERS, cwd=code.root) as served:
            status, body = fetch(served.url + EVENT_PATH)
            if status != 200 or EVENT_MARKER not in body:
                raise BenchError(f"GET {EVENT_PATH} gave {status}, not the event page")
            missing = [marker.decode() for marker in HEAD_MARKERS if marker not in body]
            if missing:  # the comparison is of the page with its head tags, on both sides
                raise BenchError(f"{code.name}: the event page lacks {', '.join(missing)}")
            return measure(f"event {code.name}", served.url + EVENT_PATH, served.pid, args)


def measure_bare(workdir: Path, args: argparse.Namespace, tag: str) -> list[WrkResult]:
    run_dir = workdir / tag
    run_dir.mkdir()
    env = {key: value for key, value in os.environ.items() if key != "FLASK_APP"}
    env.update({"EVENTHUB_ENV": "production", "SECRET_KEY": secrets.token_hex(32),
                "EVENTHUB_INSTANCE": str(run_dir / "instance")})
    print("bare Flask route (bench/bare_app.py):", flush=True)
    with gunicorn("bare_app:app", env, run_dir, name="bare", workers=WORKERS,
                  extra=["--pythonpath", str(BENCH_DIR)]) as served:
        status, body = fetch(served.url + "/")
        if status != 200 or body != b"ok":
            raise BenchError(f"bare route gave {status} {body[:100]!r}")
        return measure("bare Flask route", served.url + "/", served.pid, args)


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def print_comparison(runs: dict[str, list[list[WrkResult]]], codes: list[Code]) -> None:
    """Per code: the rounds' rates and single-client p50s, their medians, and this code against the baseline."""
    print()
    summary = {}
    for code in codes:
        many = [round_results[0] for round_results in runs[code.name]]
        one = [round_results[1] for round_results in runs[code.name]]
        summary[code.name] = (median([r.rps for r in many]), median([r.p50_ms for r in one]),
                              median([r.server_cpu_ms for r in many]))
        print(f"{code.name:<8} {code.description}: {WORKERS} workers, {many[0].clients} clients "
              f"{' / '.join(f'{r.rps:.1f}' for r in many)} req/s (median {summary[code.name][0]:.1f}); "
              f"1 client p50 {' / '.join(f'{r.p50_ms:.2f}' for r in one)} ms (median {summary[code.name][1]:.2f}); "
              f"server CPU {summary[code.name][2]:.2f} ms/page")
    if "baseline" in summary:
        rate, p50 = summary["this"][0] / summary["baseline"][0], summary["this"][1] / summary["baseline"][1]
        print(f"this / baseline: {rate:.2f}x the rate with {runs['this'][0][0].clients} clients "
              f"(target >= {TARGET_RATIO:.0f}x: {'met' if rate >= TARGET_RATIO else 'MISSED'}); "
              f"single-client p50 {p50:.0%} of the baseline's")
    single = summary["this"][1]
    print(f"target <= {TARGET_SINGLE_MS:.0f} ms per page with 1 client (p50, median of the rounds): "
          f"{'met' if single <= TARGET_SINGLE_MS else 'MISSED'} ({single:.2f} ms)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL URL; a private schema is created in it and dropped after")
    parser.add_argument("--baseline", metavar="COMMIT",
                        help="also serve this commit's code (git archive into a temporary folder, this venv), "
                             "alternating with this checkout's in the same run")
    parser.add_argument("--rounds", type=int, default=1,
                        help="rounds of measurements; with --baseline they alternate: B T, T B, ... (1)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients for the load run (16)")
    parser.add_argument("--seconds", type=int, default=15, help="length of the load run (15)")
    parser.add_argument("--single-seconds", type=int, default=10, help="length of the 1-client run (10)")
    parser.add_argument("--warmup", type=int, default=3, help="warm-up seconds before each route (3)")
    args = parser.parse_args(argv)

    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install -y wrk", file=sys.stderr)
        return 2
    started = datetime.now().astimezone()
    print(f"{started:%Y-%m-%d %H:%M %Z}  cores: {os.cpu_count()}  load average before: "
          f"{load_average()}  gunicorn workers: {WORKERS}")
    print(f"code: {code_version()}")
    runs: dict[str, list[list[WrkResult]]] = {"this": [], "baseline": []}
    bare: list[list[WrkResult]] = []
    try:
        with tempfile.TemporaryDirectory(prefix="eventhub-bench-") as tmp:
            workdir = Path(tmp)
            codes = [Code("this", code_version(), REPO)]
            if args.baseline:
                commit = resolve_commit(args.baseline)
                codes.insert(0, Code("baseline", commit[:7], checkout(commit, workdir / "baseline-code")))
                print(f"baseline: {commit[:7]} (exported to {workdir / 'baseline-code'})")
            for round_number in range(args.rounds):
                order = codes if round_number % 2 == 0 else list(reversed(codes))
                print(f"round {round_number + 1} of {args.rounds}", flush=True)
                for code in order:
                    runs[code.name].append(serve_and_measure(code, workdir, args, f"{code.name}-{round_number}"))
                bare.append(measure_bare(workdir, args, f"bare-{round_number}"))
    except BenchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1

    results = [r for code in codes for round_results in runs[code.name] for r in round_results]
    results += [r for round_results in bare for r in round_results]
    print_table(results)
    event_many, event_one = runs["this"][-1]
    print_verdict(event_many, event_one, *bare[-1])
    print_comparison(runs, codes)
    print(f"\nwrk: {event_many.command}\n     {event_one.command}")
    failed = [r for r in results if r.errors]
    for r in failed:
        print(f"error: {r.label} with {r.clients} client(s): {r.non_2xx} non-2xx responses, "
              f"socket errors {r.socket_errors}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
