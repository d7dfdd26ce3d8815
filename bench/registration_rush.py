"""Benchmark a registration rush: many people registering at once for too few seats.

    .venv/bin/python bench/registration_rush.py                      # SQLite file in a temporary directory
    .venv/bin/python bench/registration_rush.py --database-url postgresql://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/registration_rush.py --questions 5 --vs main   # today's code beside this one

What it does, in one run:

1. Makes a fresh database: a SQLite file in a temporary directory, or, with ``--database-url``,
   a private schema ``eventhub_bench_<random>`` in that PostgreSQL database (created here,
   dropped with CASCADE at the end; no other schema is touched). ``flask db upgrade`` makes the
   tables, then one published hybrid event with 100 on-site seats (digital unlimited) and
   registration open is created with the app's models.
2. Serves ``wsgi:app`` with ``gunicorn --workers 2`` on a free port of 127.0.0.1, with
   EVENTHUB_ENV=production, a random SECRET_KEY, RATELIMIT_ENABLED=0 (the per-address limit
   would answer 429: here every attempt comes from 127.0.0.1) and MAIL_BACKEND=folder in a
   temporary directory.
3. Prepares, untimed, 500 visitors: each GETs the registration form once and keeps its own
   session cookie and CSRF token (cookies by hand: production's cookies are Secure, and this is
   plain HTTP on 127.0.0.1).
4. Timed: 50 client threads, released together, POST the 500 registrations (distinct emails,
   mode on site, one POST each) as fast as the server answers. Each latency is one whole HTTP
   request (connect, send, read the answer); the rate is 500 / the wall time of the phase.
5. Counts the answers (303 expected for everyone, confirmed or waitlisted), then reads the
   database: confirmed and waitlisted registrations and Event.on_site_taken.

With ``--questions N`` the event also has N of the organiser's own registration questions (short text,
one choice, several choices, yes/no, number, in turn), answered in every POST. With ``--vs COMMIT``
that commit's tree is exported (``git archive``) and measured in the same run, before this code, on
its own fresh database with no questions (the code before the questions has none): the summary
gives both rates and this code's against it. This code is then measured with 0 and with N questions.

Also prints the gunicorn processes' CPU time per POST and the load average. Exits non-zero on
errors (a 5xx, a socket error, a seat count other than exactly 100 confirmed and 400
waitlisted), never because a speed target was missed.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import secrets
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

from bench_support import (
    BenchError,
    checkout,
    code_version,
    fresh_database,
    gunicorn,
    http_request,
    load_average,
    machine_busy,
    process_tree_cpu,
    resolve_commit,
    run_step,
    venv_bin,
)

REPO = Path(__file__).resolve().parent.parent
SLUG = "bench-rush"
WORKERS = 2
TARGET_RPS = 190.0
TARGET_P99_MS = 250.0
CSRF_FIELD = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
QUESTION_FIELD = re.compile(r'name="(q\d+)" (?:type="(\w+)" )?')
# The questions --questions adds, in turn: (kind, label, choices) and the answer every POST gives.
QUESTION_KINDS = (
    ("short_text", "Kommun", [], "Borås"),
    ("one_choice", "Lunch", ["Kött", "Vegetariskt"], "c2"),
    ("choices", "Ämnen", ["Rekrytering", "Språk", "Mentorskap"], ["c1", "c3"]),
    ("yes_no", "Får vi dela din kontakt?", [], "yes"),
    ("number", "Antal anställda", [], "12"),
)


# ---------------------------------------------------------------- tools


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# ---------------------------------------------------------------- database


MAKE_EVENT = """
import json, os, sys
from datetime import UTC, datetime, timedelta
from config import ProductionConfig, normalise_database_url
from eventhub import create_app
from eventhub.events.models import Event
from eventhub.extensions import db
spec = json.loads(sys.argv[1])
app = create_app(ProductionConfig, SQLALCHEMY_DATABASE_URI=normalise_database_url(os.environ["DATABASE_URL"]),
                 SECRET_KEY=os.environ["SECRET_KEY"])
now = datetime.now(UTC)
with app.app_context():
    event = Event(slug=spec["slug"], title="Registreringsrusning", summary="Benchmark",
                  starts_at=now + timedelta(days=30), ends_at=now + timedelta(days=30, hours=3), format="hybrid",
                  status="published", venue_name="Aulan",
                  venue_address="Storgatan 1, Stockholm", platform_name="Zoom", on_site_seats=spec["seats"],
                  digital_seats=None, registration_opens_at=now - timedelta(days=1),
                  registration_closes_at=now + timedelta(days=29))
    db.session.add(event)
    db.session.commit()
    if spec["questions"]:
        from eventhub.questions import services
        for kind, label, choices in spec["questions"]:
            services.add(event.id, services.QuestionData(kind, label, choices=[
                services.ChoiceEdit(None, choice) for choice in choices]), None)
"""


def create_event(env: dict[str, str], code: Path, seats: int, questions: int) -> None:
    """One published hybrid event, registration open, ``seats`` seats on site, digital unlimited, with
    ``questions`` of the organiser's own; made by the served code itself (its models, its tables)."""
    spec = {"slug": SLUG, "seats": seats, "questions": [
        QUESTION_KINDS[i % len(QUESTION_KINDS)][:3] for i in range(questions)]}
    run_step([sys.executable, "-c", MAKE_EVENT, json.dumps(spec)], env, cwd=code)


def count_outcome(database_url: str) -> dict[str, int]:
    """The registrations by status and mode, and the event's on-site seats taken (plain SQL: any code's tables)."""
    from sqlalchemy import create_engine, text

    from config import normalise_database_url

    engine = create_engine(normalise_database_url(database_url))
    with engine.connect() as conn:
        event_id, taken = conn.execute(text("SELECT id, on_site_taken FROM event WHERE slug = :slug"),
                                       {"slug": SLUG}).one()
        rows = conn.execute(text("SELECT status, mode, count(*) FROM registration WHERE event_id = :id "
                                 "GROUP BY status, mode"), {"id": event_id}).all()
        answers = conn.execute(text("SELECT count(*) FROM registration_answer")).scalar() if conn.dialect.has_table(
            conn, "registration_answer") else 0
    engine.dispose()
    outcome = {f"{status} {mode}": n for status, mode, n in rows}
    outcome["on_site_taken"] = taken
    outcome["answers"] = answers
    return outcome


# ---------------------------------------------------------------- server


# ---------------------------------------------------------------- visitors


def prepare_visitor(port: int) -> tuple[str, str, list[str]]:
    """GET the form as a new visitor: returns the Cookie header, the form's CSRF token and its questions' fields."""
    status, headers, body = http_request(port, "GET", f"/events/{SLUG}/register")
    page = body.decode()
    token = CSRF_FIELD.search(page)
    cookies = [value.split(";", 1)[0] for name, value in headers if name.lower() == "set-cookie"]
    if status != 200 or not token or not any(c.startswith("session=") for c in cookies):
        raise BenchError(f"GET /events/{SLUG}/register gave {status} without a form token and a session")
    fields = list(dict.fromkeys(name for name, _type in QUESTION_FIELD.findall(page)))
    return "; ".join(cookies), token.group(1), fields


def post_registration(port: int, number: int, cookie: str, token: str, fields: list[str]) -> tuple[int, float, str]:
    form = [
        ("csrf_token", token), ("name", f"Deltagare {number:04d}"), ("email", f"person{number:04d}@rush.example.org"),
        ("mode", "on_site"), ("sector", ("business", "academia", "public")[number % 3]), ("language", "sv"),
        ("privacy", "y"),
    ]
    for index, name in enumerate(fields):
        answer = QUESTION_KINDS[index % len(QUESTION_KINDS)][3]
        form += [(name, value) for value in (answer if isinstance(answer, list) else [answer])]
    body = urlencode(form).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    started = time.perf_counter()
    try:
        status, response_headers, _body = http_request(port, "POST", f"/events/{SLUG}/register", body, headers)
    except OSError as error:
        return 0, (time.perf_counter() - started) * 1000, type(error).__name__
    location = dict((k.lower(), v) for k, v in response_headers).get("location", "")
    return status, (time.perf_counter() - started) * 1000, location


def rush(port: int, visitors: list[tuple[str, str, list[str]]],
         clients: int) -> tuple[list[tuple[int, float, str]], float]:
    """All threads wait at a barrier, then take the next visitor until none is left."""
    results: list[tuple[int, float, str] | None] = [None] * len(visitors)
    next_index = iter(range(len(visitors)))
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)

    def client() -> None:
        barrier.wait()
        while True:
            with lock:
                i = next(next_index, None)
            if i is None:
                return
            results[i] = post_registration(port, i, *visitors[i])

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - started


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    rank = max(1, -(-len(sorted_values) * p // 100))
    return sorted_values[int(rank) - 1]


# ---------------------------------------------------------------- main


@dataclass
class Run:
    name: str  # "this" or "baseline"
    label: str
    questions: int
    rps: float = 0.0
    p50: float = 0.0
    p99: float = 0.0
    server_ms: float = 0.0
    load: str = ""
    errors: list[str] = field(default_factory=list)


def measure(run: Run, code: Path, args, workdir: Path) -> Run:
    """One code with ``run.questions`` questions: a fresh database, gunicorn, the prepared visitors, the rush."""
    with fresh_database(args.database_url, workdir / f"{run.name}-{run.questions}") as database_url:
        secret_key = secrets.token_hex(32)
        home = workdir / f"{run.name}-{run.questions}"
        home.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ, "FLASK_APP": "wsgi.py", "EVENTHUB_ENV": "production", "SECRET_KEY": secret_key,
            "DATABASE_URL": database_url, "EVENTHUB_INSTANCE": str(home / "instance"),
            "RATELIMIT_ENABLED": "0", "MAIL_BACKEND": "folder", "MAIL_FOLDER": str(home / "mail"),
            "PYTHONPATH": str(code),
        }
        run_step([venv_bin("flask"), "db", "upgrade"], env, cwd=code)
        create_event(env, code, args.seats, run.questions)
        print(f"\n== {run.label}, {run.questions} questions: event {SLUG}, hybrid, {args.seats} seats on site")
        with gunicorn("wsgi:app", env, home, workers=WORKERS, cwd=code) as served:
            port, pid, log_path = served.port, served.pid, served.log_path
            started = time.perf_counter()
            with ThreadPoolExecutor(args.clients) as pool:
                visitors = list(pool.map(lambda _: prepare_visitor(port), range(args.attempts)))
            if len(visitors[0][2]) != run.questions:
                raise BenchError(f"the form has {len(visitors[0][2])} questions, not {run.questions}")
            print(f"prepared {len(visitors)} visitors (form GET, session cookie, CSRF token) in "
                  f"{time.perf_counter() - started:.1f} s, untimed")
            time.sleep(1)
            load_before = load_average()
            server_before, own_before, busy_before = process_tree_cpu(pid), own_cpu(), machine_busy()
            results, elapsed = rush(port, visitors, args.clients)
            server = process_tree_cpu(pid) - server_before
            clients_cpu = own_cpu() - own_before
            others = machine_busy() - busy_before - server - clients_cpu
            load_after = load_average()
            server_log = log_path.read_text()
        outcome = count_outcome(database_url)

    n = len(results)
    statuses = Counter(status for status, _, _ in results)
    latencies = sorted(ms for _, ms, _ in results)
    run.rps = n / elapsed
    run.p50, p95, run.p99 = (percentile(latencies, p) for p in (50, 95, 99))
    run.server_ms = 1000 * server / n
    run.load = f"{load_before} / {load_after}"
    confirmed = outcome.get("confirmed on_site", 0)
    waitlisted = outcome.get("waitlisted on_site", 0)
    cores = os.cpu_count() or 1
    print(f"timed phase: {n} POSTs by {args.clients} threads in {elapsed:.2f} s")
    print(f"throughput:  {run.rps:.1f} POSTs/s")
    print(f"latency:     p50 {run.p50:.1f} ms, p95 {p95:.1f} ms, p99 {run.p99:.1f} ms, max {latencies[-1]:.1f} ms")
    print(f"answers:     {statuses.get(303, 0)} × 303, others: "
          f"{dict((k, v) for k, v in sorted(statuses.items()) if k != 303) or 'none'}")
    print(f"server CPU:  {run.server_ms:.2f} ms per POST (gunicorn master + workers); client threads "
          f"{1000 * clients_cpu / n:.2f} ms per POST; other processes {max(0.0, others) / (elapsed * cores):.0%} "
          f"of the {cores} cores")
    print(f"load average before the rush: {load_before}, after: {load_after}")
    print(f"database:    {confirmed} confirmed, {waitlisted} waitlisted (on site), on_site_taken "
          f"{outcome['on_site_taken']}, {outcome['answers']} answers to questions")

    expected_waitlist = args.attempts - args.seats
    if confirmed != args.seats or waitlisted != expected_waitlist or outcome["on_site_taken"] != args.seats:
        run.errors.append(f"expected exactly {args.seats} confirmed, {expected_waitlist} waitlisted and "
                          f"on_site_taken {args.seats}")
    if outcome["answers"] != args.attempts * run.questions:
        run.errors.append(f"expected {args.attempts * run.questions} answers, found {outcome['answers']}")
    bad = {k: v for k, v in statuses.items() if k != 303}
    if bad:
        run.errors.append(f"answers other than 303: {bad}; first: {next(r for r in results if r[0] != 303)}")
        tail = [line for line in server_log.splitlines() if "Error" in line or "Traceback" in line]
        if tail:
            run.errors.append("server log: " + " | ".join(tail[:5]))
    if any(r[0] == 303 and f"/events/{SLUG}/registered" not in r[2] for r in results):
        run.errors.append("a 303 did not lead to the registered page")
    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL URL; a private schema is created in it and dropped after")
    parser.add_argument("--attempts", type=int, default=500, help="registrations, one POST each (500)")
    parser.add_argument("--seats", type=int, default=100, help="on-site seats of the event (100)")
    parser.add_argument("--clients", type=int, default=50, help="concurrent client threads (50)")
    parser.add_argument("--questions", type=int, default=0,
                        help="the organiser's own questions on the form, answered in every POST (0)")
    parser.add_argument("--vs", metavar="COMMIT", help="also measure this commit's code (0 questions), in the same run")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO))

    print(f"{datetime.now().astimezone():%Y-%m-%d %H:%M %Z}  cores: {os.cpu_count()}  "
          f"load average before: {load_average()}  gunicorn workers: {WORKERS}")
    print(f"code: {code_version()}")
    runs: list[Run] = []
    try:
        with tempfile.TemporaryDirectory(prefix="eventhub-bench-") as tmp:
            workdir = Path(tmp)
            plan: list[tuple[Run, Path]] = []
            if args.vs:
                commit = resolve_commit(args.vs)
                plan.append((Run("baseline", f"baseline {commit[:7]}", 0), checkout(commit, workdir / "baseline-code")))
            this = Run("this", "this code", 0)
            plan.append((this, REPO))
            if args.questions:
                plan.append((Run("this", "this code", args.questions), REPO))
            for run, code in plan:
                runs.append(measure(run, code, args, workdir))
    except BenchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1

    print("\n| code | questions | POSTs/s | p50 ms | p99 ms | server CPU ms/POST | load average before / after |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for run in runs:
        print(f"| {run.label} | {run.questions} | {run.rps:.1f} | {run.p50:.1f} | {run.p99:.1f} | "
              f"{run.server_ms:.2f} | {run.load} |")
    reference = runs[0]
    for run in runs[1:]:
        print(f"{run.label} with {run.questions} questions: {run.rps / reference.rps:.0%} of {reference.label}'s rate "
              f"({run.rps / reference.rps - 1:+.1%}), server CPU {run.server_ms / reference.server_ms:.0%}")
    rps_gap = runs[-1].rps / TARGET_RPS - 1
    print(f"target >= {TARGET_RPS:.0f} POSTs/s: {'met' if rps_gap >= 0 else 'MISSED'} ({runs[-1].rps:.1f}, "
          f"{rps_gap:+.0%})")
    if args.vs and args.questions:
        within = runs[-1].rps >= 0.9 * reference.rps
        print(f"target: with {args.questions} questions within 10 % of {reference.label}'s rate: "
              f"{'met' if within else 'MISSED'}")
    errors = [f"{run.label} ({run.questions} questions): {error}" for run in runs for error in run.errors]
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
