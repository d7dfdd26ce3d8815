"""Benchmark a registration rush: many people registering at once for too few seats.

    .venv/bin/python bench/registration_rush.py                      # SQLite file in a temporary directory
    .venv/bin/python bench/registration_rush.py --database-url postgresql://postgres@127.0.0.1:5432/test

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

Also prints the gunicorn processes' CPU time per POST and the load average. Exits non-zero on
errors (a 5xx, a socket error, a seat count other than exactly 100 confirmed and 400
waitlisted), never because a speed target was missed.
"""
from __future__ import annotations

import argparse
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
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

from bench_support import (
    BenchError,
    code_version,
    fresh_database,
    gunicorn,
    http_request,
    load_average,
    machine_busy,
    process_tree_cpu,
    run_step,
    venv_bin,
)

REPO = Path(__file__).resolve().parent.parent
SLUG = "bench-rush"
WORKERS = 2
TARGET_RPS = 190.0
TARGET_P99_MS = 250.0
CSRF_FIELD = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


# ---------------------------------------------------------------- tools


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# ---------------------------------------------------------------- database


def bench_app(database_url: str, secret_key: str):
    from config import ProductionConfig, normalise_database_url
    from eventhub import create_app

    return create_app(ProductionConfig, SQLALCHEMY_DATABASE_URI=normalise_database_url(database_url),
                      SECRET_KEY=secret_key)


def create_event(database_url: str, secret_key: str, seats: int) -> None:
    """One published hybrid event, registration open, ``seats`` seats on site, digital unlimited."""
    from eventhub.events.models import Event
    from eventhub.extensions import db

    app = bench_app(database_url, secret_key)
    now = datetime.now(UTC)
    with app.app_context():
        db.session.add(Event(
            slug=SLUG, title="Registreringsrusning", summary="Benchmark", starts_at=now + timedelta(days=30),
            ends_at=now + timedelta(days=30, hours=3), format="hybrid", status="published",
            venue_name="Aulan", venue_address="Storgatan 1, Stockholm", platform_name="Zoom",
            on_site_seats=seats, digital_seats=None, registration_opens_at=now - timedelta(days=1),
            registration_closes_at=now + timedelta(days=29),
        ))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def count_outcome(database_url: str, secret_key: str) -> dict[str, int]:
    from sqlalchemy import func, select

    from eventhub.events.models import Event
    from eventhub.extensions import db
    from eventhub.registration.models import Registration

    app = bench_app(database_url, secret_key)
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == SLUG))
        rows = db.session.execute(
            select(Registration.status, Registration.mode, func.count())
            .where(Registration.event_id == event.id).group_by(Registration.status, Registration.mode)
        ).all()
        outcome = {f"{status} {mode}": n for status, mode, n in rows}
        outcome["on_site_taken"] = event.on_site_taken
        db.session.remove()
        db.engine.dispose()
    return outcome


# ---------------------------------------------------------------- server


# ---------------------------------------------------------------- visitors


def prepare_visitor(port: int) -> tuple[str, str]:
    """GET the form as a new visitor: returns the Cookie header and the form's CSRF token."""
    status, headers, body = http_request(port, "GET", f"/events/{SLUG}/register")
    token = CSRF_FIELD.search(body.decode())
    cookies = [value.split(";", 1)[0] for name, value in headers if name.lower() == "set-cookie"]
    if status != 200 or not token or not any(c.startswith("session=") for c in cookies):
        raise BenchError(f"GET /events/{SLUG}/register gave {status} without a form token and a session")
    return "; ".join(cookies), token.group(1)


def post_registration(port: int, number: int, cookie: str, token: str) -> tuple[int, float, str]:
    form = urlencode({
        "csrf_token": token, "name": f"Deltagare {number:04d}", "email": f"person{number:04d}@rush.example.org",
        "mode": "on_site", "sector": ("business", "academia", "public")[number % 3], "language": "sv",
        "privacy": "y",
    }).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    started = time.perf_counter()
    try:
        status, response_headers, _body = http_request(port, "POST", f"/events/{SLUG}/register", form, headers)
    except OSError as error:
        return 0, (time.perf_counter() - started) * 1000, type(error).__name__
    location = dict((k.lower(), v) for k, v in response_headers).get("location", "")
    return status, (time.perf_counter() - started) * 1000, location


def rush(port: int, visitors: list[tuple[str, str]], clients: int) -> tuple[list[tuple[int, float, str]], float]:
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL URL; a private schema is created in it and dropped after")
    parser.add_argument("--attempts", type=int, default=500, help="registrations, one POST each (500)")
    parser.add_argument("--seats", type=int, default=100, help="on-site seats of the event (100)")
    parser.add_argument("--clients", type=int, default=50, help="concurrent client threads (50)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO))

    print(f"{datetime.now().astimezone():%Y-%m-%d %H:%M %Z}  cores: {os.cpu_count()}  "
          f"load average before: {load_average()}  gunicorn workers: {WORKERS}")
    print(f"code: {code_version()}")
    errors: list[str] = []
    try:
        with tempfile.TemporaryDirectory(prefix="eventhub-bench-") as tmp:
            workdir = Path(tmp)
            with fresh_database(args.database_url, workdir) as database_url:
                secret_key = secrets.token_hex(32)
                env = {
                    **os.environ, "FLASK_APP": "wsgi.py", "EVENTHUB_ENV": "production", "SECRET_KEY": secret_key,
                    "DATABASE_URL": database_url, "EVENTHUB_INSTANCE": str(workdir / "instance"),
                    "RATELIMIT_ENABLED": "0", "MAIL_BACKEND": "folder", "MAIL_FOLDER": str(workdir / "mail"),
                }
                print(f"database: {database_url.split('@')[-1] if '@' in database_url else database_url}")
                run_step([venv_bin("flask"), "db", "upgrade"], env)
                create_event(database_url, secret_key, args.seats)
                print(f"event {SLUG}: hybrid, published, {args.seats} seats on site, registration open")

                with gunicorn("wsgi:app", env, workdir, workers=WORKERS) as served:
                    port, pid, log_path = served.port, served.pid, served.log_path
                    started = time.perf_counter()
                    with ThreadPoolExecutor(args.clients) as pool:
                        visitors = list(pool.map(lambda _: prepare_visitor(port), range(args.attempts)))
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
                outcome = count_outcome(database_url, secret_key)
    except BenchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1

    n = len(results)
    statuses = Counter(status for status, _, _ in results)
    latencies = sorted(ms for _, ms, _ in results)
    rps = n / elapsed
    p50, p95, p99 = (percentile(latencies, p) for p in (50, 95, 99))
    confirmed = outcome.get("confirmed on_site", 0)
    waitlisted = outcome.get("waitlisted on_site", 0)
    cores = os.cpu_count() or 1
    print()
    print(f"timed phase: {n} POSTs by {args.clients} threads in {elapsed:.2f} s")
    print(f"throughput:  {rps:.1f} POSTs/s")
    print(f"latency:     p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms, max {latencies[-1]:.1f} ms")
    print(f"answers:     {statuses.get(303, 0)} × 303, others: "
          f"{dict((k, v) for k, v in sorted(statuses.items()) if k != 303) or 'none'}")
    print(f"server CPU:  {1000 * server / n:.2f} ms per POST (gunicorn master + workers); client threads "
          f"{1000 * clients_cpu / n:.2f} ms per POST; other processes {max(0.0, others) / (elapsed * cores):.0%} "
          f"of the {cores} cores")
    print(f"load average before the rush: {load_before}, after: {load_after}")
    print(f"database:    {confirmed} confirmed, {waitlisted} waitlisted (on site), on_site_taken "
          f"{outcome['on_site_taken']}; all rows {dict((k, v) for k, v in outcome.items() if k != 'on_site_taken')}")

    expected_waitlist = args.attempts - args.seats
    if confirmed != args.seats or waitlisted != expected_waitlist or outcome["on_site_taken"] != args.seats:
        errors.append(f"expected exactly {args.seats} confirmed, {expected_waitlist} waitlisted and on_site_taken "
                      f"{args.seats}")
    bad = {k: v for k, v in statuses.items() if k != 303}
    if bad:
        errors.append(f"answers other than 303: {bad}; first: "
                      f"{next(r for r in results if r[0] != 303)}")
        tail = [line for line in server_log.splitlines() if "Error" in line or "Traceback" in line]
        if tail:
            errors.append("server log: " + " | ".join(tail[:5]))
    if any(r[0] == 303 and f"/events/{SLUG}/registered" not in r[2] for r in results):
        errors.append("a 303 did not lead to the registered page")

    print()
    rps_gap = rps / TARGET_RPS - 1
    print(f"target >= {TARGET_RPS:.0f} POSTs/s: {'met' if rps_gap >= 0 else 'MISSED'} ({rps:.1f}, {rps_gap:+.0%})")
    p99_gap = p99 / TARGET_P99_MS - 1
    print(f"target p99 < {TARGET_P99_MS:.0f} ms: {'met' if p99 < TARGET_P99_MS else 'MISSED'} "
          f"({p99:.1f} ms, {p99_gap:+.0%})")
    print(f"target exactly {args.seats} confirmed: {'met' if confirmed == args.seats else 'MISSED'} ({confirmed})")
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
