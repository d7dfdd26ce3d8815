"""Benchmark check-in scans under gunicorn, against a bare Flask route as the ceiling.

    .venv/bin/python bench/checkin.py                      # PostgreSQL at postgresql://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/checkin.py --database-url URL   # another PostgreSQL database
    .venv/bin/python bench/checkin.py --sqlite             # a SQLite file in a temporary directory

What it does, in one run:

1. Makes a fresh database: a private schema ``eventhub_bench_<random>`` in the PostgreSQL
   database (created here, dropped with CASCADE at the end; nothing else is touched), or a SQLite
   file. ``flask db upgrade`` makes the tables, then one event with 1,000 confirmed on-site
   registrations is bulk-inserted (one INSERT), with a host account to scan them.
2. Serves ``wsgi:app`` with ``gunicorn --workers 2`` on a free port of 127.0.0.1, with
   EVENTHUB_ENV=production, a random SECRET_KEY and RATELIMIT_ENABLED=0 (the per-host limit of
   300 scans a minute would otherwise answer 429: here one host account scans for sixteen phones).
   Signs in as the host, as the scanner does, and reads the CSRF token from the scanner page.
3. Drives POST /checkin/<slug>/api/scan with wrk (16 connections, one wrk thread, so the load
   generator takes little of the two cores) and a Lua script that sends the session cookie, the
   X-CSRFToken header and a distinct nonce in every request, and checks every answer's colour:
   - "first scans": the 1,000 tickets in order (every answer green), until the 1,000th green answer
     (a few repeats, amber, may go out while the last answers come);
   - "repeats and invalid": for ``--seconds``: half are tickets scanned again (amber), the
     other half invalid codes (red): forged QR secrets, unknown ids, and a share of mistyped short
     codes (``--typed-share``; a typed code is checked against the event's tickets, the costliest path).
4. Serves bench/bare_app.py (one route returning "ok") the same way and measures it with the same
   wrk settings: the ceiling of gunicorn + Flask on this machine, in the same run, for the ratio.

Prints scans/s, p50/p95/p99 latency, errors (socket errors, non-2xx, wrong colours) and the
server's CPU time per request, then checks the database holds exactly 1,000 check-ins. Exits
non-zero on errors, never because a target was missed. Needs ``wrk`` (``apt-get install -y wrk``).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench_support import BenchError, Browser, fresh_database, gunicorn, pids_cpu, process_tree_cpu, run_step, venv_bin

REPO = Path(__file__).resolve().parent.parent
BENCH_DIR = REPO / "bench"
DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/test"
SLUG = "bench-checkin"
TICKETS = 1000
HOST_EMAIL, HOST_PASSWORD = "vard@bench.invalid", "bench password, not secret"
USER_AGENT = "eventhub-bench-scanner"  # Flask-Login's strong session protection checks it stays the same
WORKERS = 2
TARGET_SCANS = 370.0
TARGET_P99_MS = 50.0
TARGET_CEILING_SHARE = 0.5

WRK_SCRIPT = r"""
-- Check-in scans for bench/checkin.py. Settings come from the environment.
local phase = os.getenv("BENCH_PHASE")
local run = os.getenv("BENCH_RUN")
local stop_after = tonumber(os.getenv("BENCH_STOP") or "0")
local typed_every = tonumber(os.getenv("BENCH_TYPED_EVERY") or "0")
local codes, forged, typed = {}, {}, {}
local threads = {}
sent, answered, green, amber, red, bad = 0, 0, 0, 0, 0, 0

local function lines(path)
  local list = {}
  for line in io.lines(path) do list[#list + 1] = line end
  return list
end

function setup(thread)
  threads[#threads + 1] = thread
end

function init(args)
  codes = lines(os.getenv("BENCH_CODES"))
  forged = lines(os.getenv("BENCH_FORGED"))
  typed = lines(os.getenv("BENCH_TYPED"))
  wrk.headers["User-Agent"] = os.getenv("BENCH_UA")
  if phase ~= "bare" then
    wrk.method = "POST"
    wrk.headers["Content-Type"] = "application/json"
    wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")
    wrk.headers["X-CSRFToken"] = os.getenv("BENCH_CSRF")
  end
end

local function pick(list, i)
  return list[((i - 1) % #list) + 1]
end

function request()
  sent = sent + 1
  if phase == "bare" then
    return wrk.format()
  end
  local code
  if phase == "first" then
    code = pick(codes, sent)  -- in order, round again until every ticket has been answered green
  elseif sent % 2 == 0 then
    code = pick(codes, sent / 2)  -- a ticket scanned again
  elseif typed_every > 0 and (sent - 1) / 2 % typed_every == 0 then
    code = pick(typed, sent)  -- a mistyped short code
  else
    code = pick(forged, sent)  -- a forged secret or an unknown id
  end
  return wrk.format(nil, nil, nil, '{"code":"' .. code .. '","nonce":"' .. run .. string.format("-%08d", sent) .. '"}')
end

function response(status, headers, body)
  answered = answered + 1
  if status ~= 200 then
    if bad == 0 then io.stderr:write("first non-200 answer: ", status, " ", body:sub(1, 300), "\n") end
    bad = bad + 1
  elseif phase == "bare" then
    green = green + 1
  elseif body:find('"colour":"green"', 1, true) then
    green = green + 1
  elseif body:find('"colour":"amber"', 1, true) then
    amber = amber + 1
  elseif body:find('"colour":"red"', 1, true) then
    red = red + 1
  else
    bad = bad + 1
  end
  if stop_after > 0 and green >= stop_after then
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local totals = {green = 0, amber = 0, red = 0, bad = 0}
  for _, thread in ipairs(threads) do
    for key in pairs(totals) do totals[key] = totals[key] + thread:get(key) end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,' ..
    '"p50_us":%d,"p95_us":%d,"p99_us":%d,"max_us":%d,"green":%d,"amber":%d,"red":%d,"bad":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    totals.green, totals.amber, totals.red, totals.bad))
end
"""

@dataclass
class Run:
    label: str
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    socket_errors: int
    non_2xx: int
    wrong: int  # an answer of the wrong colour for its code
    colours: dict[str, int]
    server_cpu_ms: float  # gunicorn's master and workers, CPU time per request
    command: str
    database_cpu_ms: float = 0.0  # the PostgreSQL backends serving the workers, per request

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def errors(self) -> int:
        return self.socket_errors + self.non_2xx + self.wrong


# ---------------------------------------------------------------- database


def seed(database_url: str, secret_key: str, workdir: Path) -> dict[str, Path]:
    """One event, TICKETS confirmed on-site registrations in one INSERT, a host; writes the codes wrk sends."""
    from sqlalchemy import insert, select

    from config import ProductionConfig, normalise_database_url
    from eventhub import create_app, keyring
    from eventhub.accounts import services as accounts
    from eventhub.events.models import Event
    from eventhub.extensions import db
    from eventhub.registration import tokens
    from eventhub.registration.models import Registration

    app = create_app(ProductionConfig, SQLALCHEMY_DATABASE_URI=normalise_database_url(database_url),
                     SECRET_KEY=secret_key)
    now = datetime.now(UTC)
    keys = keyring.of(app)
    with app.app_context():
        event = Event(slug=SLUG, title="Check-in benchmark", starts_at=now + timedelta(minutes=10),
                      ends_at=now + timedelta(hours=3), format="hybrid", status="published",
                      on_site_seats=TICKETS, on_site_taken=TICKETS)
        db.session.add(event)
        db.session.flush()
        rows = []
        for i in range(TICKETS):
            salt = tokens.new_salt()
            rows.append(dict(
                event_id=event.id, name=f"Deltagare {i:04d}", email=f"person{i:04d}@bench.invalid",
                organisation=f"Organisation {i % 40}", role_title="", sector="public", mode="on_site",
                status="confirmed", language="sv", dietary_needs="", accessibility_needs="",
                privacy_accepted_at=now, photo_consent=False, token_salt=salt,
                token_hash=tokens.token_hash(tokens.manage_token(keys, salt)), ticket_version=1,
                confirmed_at=now, created_at=now, updated_at=now,
            ))
        db.session.execute(insert(Registration), rows)
        user, _ = accounts.create_user(HOST_EMAIL, "Bench Värd", "host", now, password=HOST_PASSWORD)
        accounts.add_staff(event.id, user.id, "host", None)
        db.session.commit()
        people = list(db.session.scalars(select(Registration).order_by(Registration.id)))
        codes = [tokens.ticket_payload(keys, person) for person in people]
        top_id = people[-1].id
        forged = []
        for i, person in enumerate(people[:200]):
            real = tokens.ticket_secret(keys, person.token_salt, 1)
            fake = secrets.token_hex(20)[:len(real)].upper()
            # Half forge the secret of a real ticket, half name an id that does not exist.
            forged.append(f"EH1:{person.id}-1-{fake}" if i % 2 else f"EH1:{top_id + 1000 + i}-1-{real}")
        typed = []
        for person in people[:100]:  # a real short code with one character wrong, typed in lower case
            code = tokens.short_code(keys, person.token_salt, 1)
            wrong = "Z" if code[-1] != "Z" else "Y"
            typed.append((code[:-1] + wrong).lower().replace("-", " "))
        db.session.remove()
        db.engine.dispose()
    files = {"codes": codes, "forged": forged, "typed": typed}
    paths = {}
    for name, lines in files.items():
        paths[name] = workdir / f"{name}.txt"
        paths[name].write_text("\n".join(lines) + "\n")
    return paths


def first_scans_window(database_url: str) -> float:
    """Seconds from the first check-in to the last, by the server's clock (CheckIn.recorded_at).

    wrk stops counting at the last ticket but idles out its whole -d before it reports, so its own
    rate for a fixed number of requests is useless; the server's timestamps are exact.
    """
    from sqlalchemy import create_engine, func, select

    from config import normalise_database_url
    from eventhub.checkin.models import CheckIn

    engine = create_engine(normalise_database_url(database_url))
    try:
        with engine.connect() as conn:
            first, last = conn.execute(select(func.min(CheckIn.recorded_at), func.max(CheckIn.recorded_at))
                                       .where(CheckIn.outcome == "checked_in")).one()
    finally:
        engine.dispose()
    if first is None:
        raise BenchError("no ticket was checked in")
    return (last - first).total_seconds()


def wait_for_check_ins(database_url: str, expected: int, timeout: float = 60) -> None:
    """wrk stops at the last ticket's green answer, so all are in; this is a check, and a pause for the
    forged codes still queued (sync workers leave connections in the listen backlog)."""
    deadline = time.monotonic() + timeout
    while (arrived := count_check_ins(database_url)[0]) < expected:
        if time.monotonic() > deadline:
            raise BenchError(f"only {arrived} of {expected} tickets checked in after the first scans")
        time.sleep(0.2)
    time.sleep(0.5)  # the forged codes still queued


def backend_pids(database_url: str, application_name: str) -> list[int]:
    """The PostgreSQL backends the server's workers are connected through (none for SQLite)."""
    if database_url.startswith("sqlite"):
        return []
    from sqlalchemy import create_engine, text

    from config import normalise_database_url

    engine = create_engine(normalise_database_url(database_url))
    try:
        with engine.connect() as conn:
            return list(conn.scalars(text("SELECT pid FROM pg_stat_activity WHERE application_name = :name"),
                                     {"name": application_name}))
    finally:
        engine.dispose()


def count_check_ins(database_url: str) -> tuple[int, dict[str, int]]:
    from sqlalchemy import create_engine, func, select

    from config import normalise_database_url
    from eventhub.checkin.models import CheckIn
    from eventhub.registration.models import Registration

    engine = create_engine(normalise_database_url(database_url))
    try:
        with engine.connect() as conn:
            arrived = conn.scalar(select(func.count(Registration.checked_in_at)))
            outcomes = dict(conn.execute(select(CheckIn.outcome, func.count()).group_by(CheckIn.outcome)).all())
    finally:
        engine.dispose()
    return arrived, outcomes


# ---------------------------------------------------------------- server


def sign_in(port: int) -> tuple[str, str]:
    """Sign in as the host and open the scanner; returns the Cookie header and the page's CSRF token."""
    from urllib.parse import urlencode

    browser = Browser(port, USER_AGENT)
    status, page, _ = browser.request("GET", "/account/login")
    token = re.search(rb'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
    if status != 200 or not token:
        raise BenchError(f"login page gave {status}")
    form = urlencode({"csrf_token": token.group(1).decode(), "email": HOST_EMAIL, "password": HOST_PASSWORD})
    status, _, _ = browser.request("POST", "/account/login", form)
    if status != 303:
        raise BenchError(f"signing in gave {status}, not 303")
    status, page, _ = browser.request("GET", f"/checkin/{SLUG}")
    csrf = re.search(rb'<meta name="csrf-token" content="([^"]+)"', page)
    if status != 200 or not csrf:
        raise BenchError(f"scanner page gave {status}")
    status, body, _ = browser.request("GET", f"/checkin/{SLUG}/api/counters")
    if status != 200 or json.loads(body) != {"checked_in": 0, "expected": TICKETS}:
        raise BenchError(f"counters gave {status} {body[:200]}")
    status, body, _ = browser.request("POST", f"/checkin/{SLUG}/api/scan",
                                      json.dumps({"code": "EH1:0-1-AAAA", "nonce": "bench-probe-0"}).encode(),
                                      {"Content-Type": "application/json", "X-CSRFToken": csrf.group(1).decode()})
    if status != 200 or json.loads(body)["result"]["reason"] != "not_found":
        raise BenchError(f"a probe scan gave {status} {body[:200]}")
    return browser.cookie_header(), csrf.group(1).decode()


# ---------------------------------------------------------------- wrk


def wrk(label: str, url: str, env: dict[str, str], clients: int, seconds: int, server_pid: int,
        database_pids: list[int] = (), until: Callable[[], bool] | None = None) -> Run:
    """One wrk run; with ``until``, ended by SIGINT (wrk then reports as usual) as soon as it holds.

    The first scans end that way: once the Lua script has its 1,000th green answer it stops sending,
    but wrk would keep its connections open, idle, to the end of -d, and a sync worker that accepted
    one waits on it until gunicorn's worker timeout kills it (and its CPU time leaves the figures).
    """
    args = ["wrk", "-t1", f"-c{clients}", f"-d{seconds}s", "--timeout", "5s", "-s", env["BENCH_SCRIPT"], url]
    cpu_before, database_before = process_tree_cpu(server_pid), pids_cpu(database_pids)
    with subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          env={**os.environ, **env}) as process:
        if until is not None:
            deadline = time.monotonic() + seconds
            while process.poll() is None and time.monotonic() < deadline and not until():
                time.sleep(0.2)
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        try:
            stdout, stderr = process.communicate(timeout=seconds + 60)
        except subprocess.TimeoutExpired:
            process.kill()
            raise BenchError(f"{' '.join(args)} did not finish") from None
    server_cpu = process_tree_cpu(server_pid) - cpu_before
    database_cpu = pids_cpu(database_pids) - database_before
    line = next((line for line in stdout.splitlines() if line.startswith("BENCH ")), None)
    if process.returncode != 0 or line is None:
        raise BenchError(f"{' '.join(args)} failed ({process.returncode}):\n{stdout}{stderr}")
    data = json.loads(line[len("BENCH "):])
    if data["bad"] and stderr.strip():
        print(f"  wrk: {stderr.strip()[:500]}")
    colours = {key: data[key] for key in ("green", "amber", "red")}
    phase = env["BENCH_PHASE"]
    expected = {"first": {"green"}, "mixed": {"amber", "red"}, "bare": {"green"}}[phase]
    wrong = data["bad"] - data["status"] + sum(n for colour, n in colours.items() if colour not in expected)
    if phase == "first":  # the second round starts while the last tickets of the first are answered
        wrong -= colours["amber"]
    return Run(
        label=label, requests=data["requests"], seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000, p95_ms=data["p95_us"] / 1000, p99_ms=data["p99_us"] / 1000,
        max_ms=data["max_us"] / 1000, socket_errors=sum(data[k] for k in ("connect", "read", "write", "timeout")),
        non_2xx=data["status"], wrong=max(wrong, 0), colours=colours,
        server_cpu_ms=1000 * server_cpu / max(data["requests"], 1), command=" ".join(args),
        database_cpu_ms=1000 * database_cpu / max(data["requests"], 1),
    )


def print_run(run: Run) -> None:
    colours = ", ".join(f"{n} {colour}" for colour, n in run.colours.items() if n)
    print(f"  {run.label:<22} {run.requests:>6} in {run.seconds:5.1f} s = {run.rps:7.1f}/s  p50 {run.p50_ms:6.2f}  "
          f"p95 {run.p95_ms:6.2f}  p99 {run.p99_ms:6.2f} ms  errors {run.errors}  "
          f"CPU {run.server_cpu_ms:.2f}{f' + db {run.database_cpu_ms:.2f}' if run.database_cpu_ms else ''} ms/req  "
          f"({colours})", flush=True)


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--database-url", default=os.environ.get("EVENTHUB_BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
                       help=f"PostgreSQL URL; a private schema is made in it, dropped after ({DEFAULT_DATABASE_URL})")
    where.add_argument("--sqlite", action="store_true", help="a SQLite file in a temporary directory instead")
    parser.add_argument("--clients", type=int, default=16, help="concurrent connections (16)")
    parser.add_argument("--seconds", type=int, default=15, help="length of the repeats-and-invalid run (15)")
    parser.add_argument("--warmup", type=int, default=3, help="warm-up seconds before each server's runs (3)")
    parser.add_argument("--typed-share", type=float, default=0.1,
                        help="share of the invalid codes that are mistyped short codes (0.1)")
    parser.add_argument("--threads", type=int, default=0,
                        help="gunicorn --threads per worker (0: the default sync workers, as in the README)")
    args = parser.parse_args(argv)

    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install -y wrk", file=sys.stderr)
        return 2
    sys.path.insert(0, str(REPO))
    print(f"{datetime.now().astimezone():%Y-%m-%d %H:%M %Z}  cores: {os.cpu_count()}  load average before: "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}  gunicorn workers: {WORKERS}"
          f"{f' x {args.threads} threads' if args.threads else ' (sync)'}")
    extra = ["--threads", str(args.threads)] if args.threads else []
    try:
        with tempfile.TemporaryDirectory(prefix="eventhub-bench-") as tmp:
            workdir = Path(tmp)
            script = workdir / "scan.lua"
            script.write_text(WRK_SCRIPT)
            with fresh_database(None if args.sqlite else args.database_url, workdir) as database_url:
                secret_key = secrets.token_hex(32)
                # The server's connections carry a name, so their backends' CPU time can be counted too.
                app_name = f"eventhub-bench-{secrets.token_hex(4)}"
                server_url = database_url
                if not args.sqlite:
                    from sqlalchemy import make_url

                    server_url = make_url(database_url).update_query_dict({"application_name": app_name}) \
                        .render_as_string(hide_password=False)
                env = {
                    **os.environ, "FLASK_APP": "wsgi.py", "EVENTHUB_ENV": "production", "SECRET_KEY": secret_key,
                    "DATABASE_URL": server_url, "EVENTHUB_INSTANCE": str(workdir / "instance"),
                    "RATELIMIT_ENABLED": "0", "MAIL_BACKEND": "folder",
                }
                print(f"database: {database_url.split('@')[-1] if '@' in database_url else database_url}")
                run_step([venv_bin("flask"), "db", "upgrade"], env)
                started = time.monotonic()
                files = seed(database_url, secret_key, workdir)
                print(f"seeded {TICKETS} confirmed on-site registrations in {time.monotonic() - started:.1f} s")
                typed_every = round(1 / args.typed_share) if args.typed_share > 0 else 0
                wrk_env = {"BENCH_SCRIPT": str(script), "BENCH_CODES": str(files["codes"]),
                           "BENCH_FORGED": str(files["forged"]), "BENCH_TYPED": str(files["typed"]),
                           "BENCH_UA": USER_AGENT, "BENCH_TYPED_EVERY": str(typed_every)}

                print("check-in scans, POST /checkin/<slug>/api/scan (RATELIMIT_ENABLED=0):", flush=True)
                with gunicorn("wsgi:app", env, workdir, name="checkin", workers=WORKERS, extra=extra) as served:
                    port, pid = served.port, served.pid
                    cookie, csrf = sign_in(port)
                    url = f"http://127.0.0.1:{port}/checkin/{SLUG}/api/scan"
                    run_id = secrets.token_hex(4)  # nonces: this prefix, the run's letter, a counter

                    def scans(phase: str, letter: str, **more: str) -> dict[str, str]:
                        return {**wrk_env, "BENCH_COOKIE": cookie, "BENCH_CSRF": csrf, "BENCH_PHASE": phase,
                                "BENCH_RUN": f"{run_id}{letter}", **more}

                    warm = wrk("warm-up (invalid)", url, scans("mixed", "w", BENCH_CODES=str(files["forged"])),
                               args.clients, args.warmup, pid)
                    backends = backend_pids(database_url, app_name)
                    # Long enough for the 1,000 tickets at a sixth of the warm-up's rate (wrk stops at the last).
                    budget = min(180, max(20, round(6 * TICKETS / max(warm.rps, 1))))
                    first = wrk("first scans", url, scans("first", "f", BENCH_STOP=str(TICKETS)), args.clients,
                                budget, pid, backends, until=lambda: count_check_ins(database_url)[0] >= TICKETS)
                    if first.colours["green"] < TICKETS or first.errors:
                        print(f"  first scans incomplete after {budget} s: {first}")
                    wait_for_check_ins(database_url, TICKETS)
                    first.seconds = first_scans_window(database_url)
                    print_run(first)
                    mixed = wrk("repeats and invalid", url, scans("mixed", "m"), args.clients, args.seconds, pid,
                                backends)
                    print_run(mixed)
                arrived, outcomes = count_check_ins(database_url)

                print("bare Flask route, GET / (bench/bare_app.py):", flush=True)
                bare_env = {key: value for key, value in env.items() if key != "FLASK_APP"}
                with gunicorn("bare_app:app", bare_env, workdir, name="bare", workers=WORKERS,
                              extra=["--pythonpath", str(BENCH_DIR), *extra]) as served:
                    port, pid = served.port, served.pid
                    url = f"http://127.0.0.1:{port}/"
                    bare_run_env = {**wrk_env, "BENCH_PHASE": "bare", "BENCH_RUN": "b"}
                    wrk("warm-up", url, bare_run_env, args.clients, args.warmup, pid)
                    bare = wrk("bare Flask route", url, bare_run_env, args.clients, args.seconds, pid)
                    print_run(bare)
    except BenchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1

    return report(first, mixed, bare, arrived, outcomes, args)


def report(first: Run, mixed: Run, bare: Run, arrived: int, outcomes: dict[str, int], args) -> int:
    scans = first.requests + mixed.requests
    seconds = first.seconds + mixed.seconds
    print()
    print(f"all scans: {scans} in {seconds:.1f} s = {scans / seconds:.1f} scans/s; bare route {bare.rps:.1f} req/s; "
          f"ratio {scans / seconds / bare.rps:.1%}")
    print(f"database after: {arrived} registrations checked in, check-in rows {outcomes}")
    cores = os.cpu_count() or 1
    for run in (first, mixed, bare):
        per_request = run.server_cpu_ms + run.database_cpu_ms
        print(f"CPU bound, {run.label}: {per_request:.2f} ms of CPU per request (gunicorn {run.server_cpu_ms:.2f}"
              f" + database {run.database_cpu_ms:.2f}) = at most {cores * 1000 / per_request:.0f}/s on {cores} "
              f"idle cores (no wrk, no other processes)")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print()
    for run in (first, mixed):
        share = run.rps / bare.rps
        verdicts = [
            f"scans/s {run.rps:.0f} {'>=' if run.rps >= TARGET_SCANS else '<'} {TARGET_SCANS:.0f}",
            f"p99 {run.p99_ms:.1f} ms {'<=' if run.p99_ms <= TARGET_P99_MS else '>'} {TARGET_P99_MS:.0f}",
            f"{share:.0%} of the bare route {'>=' if share >= TARGET_CEILING_SHARE else '<'} "
            f"{TARGET_CEILING_SHARE:.0%}",
            f"errors {run.errors}",
        ]
        met = run.rps >= TARGET_SCANS and run.p99_ms <= TARGET_P99_MS and share >= TARGET_CEILING_SHARE \
            and not run.errors
        print(f"{run.label:<22} {'targets met' if met else 'TARGETS MISSED'}: {'; '.join(verdicts)}")
    print(f"\nwrk: {first.command}\n     {bare.command}")
    problems = [run for run in (first, mixed, bare) if run.errors]
    for run in problems:
        print(f"error: {run.label}: {run.socket_errors} socket errors, {run.non_2xx} non-2xx, "
              f"{run.wrong} answers of the wrong colour", file=sys.stderr)
    if arrived != TICKETS or outcomes.get("checked_in") != TICKETS:
        print(f"error: expected {TICKETS} check-ins, the database has {arrived} ({outcomes})", file=sys.stderr)
        return 1
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
