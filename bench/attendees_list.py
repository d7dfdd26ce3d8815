"""Benchmark the organisers' attendee list with 10,000 registrations in one event, under gunicorn.

    .venv/bin/python bench/attendees_list.py [--database-url postgresql://postgres@127.0.0.1:5432/test]
                                             [--registrations 10000] [--requests 200] [--clients 4]

What it does, in one run:

1. Makes a fresh database: a SQLite file in a temporary directory, or, with ``--database-url``,
   a private schema ``eventhub_bench_<random>`` in that PostgreSQL database (created here,
   dropped with CASCADE at the end; no other schema is touched). Runs ``flask db upgrade``.
2. Seeds one hybrid event with two discussion groups, an organiser account, and N registrations
   (default 10,000) with varied Swedish names, organisations, sectors, modes and statuses, in
   bulk INSERTs (a few seconds), a quarter of them in a group.
3. Serves ``wsgi:app`` with ``gunicorn --workers 2`` (EVENTHUB_ENV=production) on a free port,
   signs in as the organiser (CSRF token and session cookie, as a browser does), checks each
   page answers 200 with the expected count, then for each page: a warm-up, ``--requests``
   sequential requests (1 client) and the same number spread over ``--clients`` threads.
   Latency is measured per request around the whole HTTP exchange; p50 and p95 are exact
   (sorted samples), not estimated.
4. Times one full Excel CSV export of every registration (streamed).

Pages: the first page unfiltered, a search (``q=lind``, a surname fragment that matches
about 4 % of the people), a filtered page (mode + status + sector, page 3) and a deep page
(the last page, OFFSET near N). Prints a table; exits non-zero only when a step fails.
"""
from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

from bench_support import (
    BenchError,
    Browser,
    fresh_database,
    gunicorn,
    load_average,
    process_tree_cpu,
    run_step,
    venv_bin,
)

REPO = Path(__file__).resolve().parent.parent
SLUG = "bench-forumtraff"
EMAIL = "organiser@bench.invalid"
PASSWORD = secrets.token_urlsafe(16)
WORKERS = 2

FIRST = ["Anna", "Erik", "Maria", "Lars", "Karin", "Johan", "Eva", "Anders", "Sara", "Per", "Åsa", "Örjan",
         "Ingrid", "Mikael", "Elin", "Björn", "Lena", "Nils", "Emma", "Oskar"]
LAST = ["Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson", "Svensson",
        "Gustafsson", "Lindberg", "Lindqvist", "Åberg", "Öhman", "Bergström", "Sandberg", "Forsberg", "Holm",
        "Ekström", "Wallin", "Lind", "Hedlund", "Sjöberg", "Dahl", "Strand"]
ORGS = ["Borås Stad", "Högskolan i Borås", "Region Västra Götaland", "Västsvenska Handelskammaren",
        "Coompanion Sjuhärad", "Arbetsförmedlingen", "Textilhögskolan", "Ideell Arena", "Företagarna Borås",
        "Länsstyrelsen"]
SECTORS = ["business", "academia", "public", "non_profit", "other"]


@dataclass
class Result:
    label: str
    path: str
    clients: int
    samples: list[float]
    wall: float
    server_cpu_ms: float = 0.0  # CPU time of the gunicorn processes per request: steady under other load

    @property
    def p50(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, int(round(0.95 * len(ordered))) - 1)]

    @property
    def rps(self) -> float:
        return len(self.samples) / self.wall


SEED = r'''
import random, secrets, sys
from datetime import UTC, datetime, timedelta
from sqlalchemy import insert, select
from eventhub import create_app
from eventhub.accounts import services as accounts
from eventhub.events.models import Event
from eventhub.extensions import db
from eventhub.groups.models import DiscussionGroup, GroupMembership
from eventhub.programme.models import ProgrammeItem
from eventhub.registration.models import Registration

count, email, password, slug = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
first, last, orgs, sectors = (s.split("|") for s in sys.argv[5:9])
rng = random.Random(2026)
app = create_app()
with app.app_context():
    start = datetime.now(UTC) + timedelta(days=30)
    event = Event(slug=slug, title="Forumträff: bänk", starts_at=start, ends_at=start + timedelta(hours=4),
                  format="hybrid", status="published", on_site_seats=count, digital_seats=count)
    item = ProgrammeItem(title="Gruppsamtal", kind="group_session", starts_at=start + timedelta(hours=1),
                         ends_at=start + timedelta(hours=2))
    item.groups = [DiscussionGroup(title="Rum A", mode="on_site", position=0),
                   DiscussionGroup(title="Zoom 1", mode="digital", position=1)]
    event.programme_items.append(item)
    db.session.add(event)
    db.session.commit()
    user, _ = accounts.create_user(email, "Bänk Arrangör", "organiser", datetime.now(UTC), password=password)
    accounts.add_staff(event.id, user.id, "organiser", None)
    db.session.commit()
    created = datetime.now(UTC) - timedelta(days=20)
    rows, taken = [], {"on_site": 0, "digital": 0}
    for i in range(count):
        mode = "on_site" if rng.random() < 0.6 else "digital"
        status = rng.choices(["confirmed", "waitlisted", "cancelled"], [85, 8, 7])[0]
        taken[mode] += status == "confirmed"
        at = created + timedelta(seconds=i * 97)
        name = f"{rng.choice(first)} {rng.choice(last)}"
        rows.append(dict(event_id=event.id, name=name, email=f"p{i:05d}@example.se", organisation=rng.choice(orgs),
                         role_title="", sector=rng.choice(sectors), mode=mode, status=status, language="sv",
                         dietary_needs="", accessibility_needs="", privacy_accepted_at=at, photo_consent=False,
                         token_salt=secrets.token_hex(8), token_hash=secrets.token_hex(32), ticket_version=1,
                         confirmed_at=at if status == "confirmed" else None,
                         waitlisted_at=at if status == "waitlisted" else None,
                         cancelled_at=at if status == "cancelled" else None, created_at=at, updated_at=at))
    for batch in range(0, len(rows), 2000):
        db.session.execute(insert(Registration), rows[batch:batch + 2000])
    event.on_site_taken, event.digital_taken = taken["on_site"], taken["digital"]
    groups = {g.mode: g for g in item.groups}
    members = db.session.execute(select(Registration.id, Registration.mode).where(
        Registration.event_id == event.id, Registration.status == "confirmed")).all()
    memberships = [dict(registration_id=rid, group_id=groups[mode].id, item_id=item.id, status="confirmed",
                        created_at=created) for rid, mode in members[::4]]
    db.session.execute(insert(GroupMembership), memberships)
    for g in item.groups:
        g.taken = sum(1 for m in memberships if m["group_id"] == g.id)
    db.session.commit()
    print(f"seeded {count} registrations ({taken['on_site']} on site and {taken['digital']} digital confirmed), "
          f"{len(memberships)} group places")
'''


class Organiser(Browser):
    """One signed-in organiser."""

    def sign_in(self) -> None:
        status, page, _ = self.request("GET", "/account/login")
        token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page)
        if status != 200 or not token:
            raise BenchError(f"sign-in page: {status}")
        form = urlencode({"csrf_token": token.group(1).decode(), "email": EMAIL, "password": PASSWORD})
        status, _, _ = self.request("POST", "/account/login", form)
        if status != 303:
            raise BenchError(f"sign-in failed: {status}")


def measure(browser: Organiser, label: str, path: str, requests: int, clients: int, server_pid: int) -> Result:
    samples: list[float] = []
    lock = threading.Lock()
    errors: list[str] = []

    def worker(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", browser.port, timeout=30)  # keep-alive per client
        mine = []
        for _ in range(n):
            started = time.perf_counter()
            status, body, _ = browser.request("GET", path, conn=conn)
            mine.append((time.perf_counter() - started) * 1000)
            if status != 200:
                errors.append(f"{path}: {status}")
        conn.close()
        with lock:
            samples.extend(mine)

    per_client = [requests // clients + (1 if i < requests % clients else 0) for i in range(clients)]
    threads = [threading.Thread(target=worker, args=(n,)) for n in per_client]
    cpu_before = process_tree_cpu(server_pid)
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    cpu = process_tree_cpu(server_pid) - cpu_before
    if errors:
        raise BenchError(f"{len(errors)} failed requests, e.g. {errors[0]}")
    return Result(label, path, clients, samples, wall, server_cpu_ms=1000 * cpu / max(1, len(samples)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL URL; a private schema is created in it and dropped after")
    parser.add_argument("--registrations", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200, help="requests per page and run (200)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients in the second run (4)")
    args = parser.parse_args(argv)

    print(f"{datetime.now().astimezone():%Y-%m-%d %H:%M %Z}  cores: {os.cpu_count()}  load average before: "
          f"{load_average()}  gunicorn workers: {WORKERS}")
    try:
        with tempfile.TemporaryDirectory(prefix="eventhub-bench-") as tmp:
            workdir = Path(tmp)
            with fresh_database(args.database_url, workdir) as database_url:
                env = {**os.environ, "FLASK_APP": "wsgi.py", "EVENTHUB_ENV": "production",
                       "SECRET_KEY": secrets.token_hex(32), "DATABASE_URL": database_url,
                       "EVENTHUB_INSTANCE": str(workdir / "instance")}
                print(f"database: {database_url.split('@')[-1] if '@' in database_url else database_url}")
                run_step([venv_bin("flask"), "db", "upgrade"], env)
                started = time.perf_counter()
                print(run_step([sys.executable, "-c", SEED, str(args.registrations), EMAIL, PASSWORD, SLUG,
                                "|".join(FIRST), "|".join(LAST), "|".join(ORGS), "|".join(SECTORS)], env).strip(),
                      f"in {time.perf_counter() - started:.1f} s")
                results, export = serve_and_measure(env, workdir, args)
    except BenchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print()
    header = (f"{'page':<38} {'clients':>7} {'requests':>8} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} "
              f"{'req/s':>6} {'srv CPU ms/req':>14}")
    print(header)
    print("-" * len(header))
    for r in results:
        print(f"{r.label:<38} {r.clients:>7} {len(r.samples):>8} {r.p50:>7.1f} {r.p95:>7.1f} "
              f"{max(r.samples):>7.1f} {r.rps:>6.1f} {r.server_cpu_ms:>14.1f}")
    print("srv CPU: CPU time of the gunicorn processes per request (steadier than latency on a busy machine).")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print()
    for r in results[::2]:
        print(f"{r.label}: GET {r.path}")
    print(f"full Excel export of {args.registrations} registrations: {export[0]:.0f} ms, {export[1] / 1e6:.2f} MB")
    return 0


def serve_and_measure(env: dict[str, str], workdir: Path, args) -> tuple[list[Result], tuple[float, int]]:
    with gunicorn("wsgi:app", env, workdir, workers=WORKERS) as served:
        log_path = served.log_path
        browser = Organiser(served.port)
        browser.sign_in()
        base = f"/manage/events/{SLUG}"
        last_page = (args.registrations + 49) // 50
        pages = [
            ("first page, no filter", f"{base}/attendees"),
            ("search q=lind", f"{base}/attendees?q=lind"),
            ("filtered: on site, confirmed, public, p3", f"{base}/attendees?mode=on_site&status=confirmed&sector=public"
                                                      "&page=3"),
            (f"last page ({last_page}), no filter", f"{base}/attendees?page={last_page}"),
        ]
        results = []
        for label, path in pages:
            status, body, _ = browser.request("GET", path)
            if status != 200 or b'<table class="data-table attendee-table">' not in body:
                raise BenchError(f"GET {path} gave {status}, not the list:\n{log_path.read_text()[-3000:]}")
            shown = re.search(rb'<p class="result-count" id="result-count">([^<]*)</p>', body).group(1).decode()
            print(f"{label}: {' '.join(shown.split())}", flush=True)
            measure(browser, label, path, 20, 1, served.pid)  # warm-up
            for clients in (1, args.clients):
                result = measure(browser, label, path, args.requests, clients, served.pid)
                print(f"  {clients} client(s): p50 {result.p50:.1f} ms, p95 {result.p95:.1f} ms, "
                      f"{result.rps:.0f} req/s, server CPU {result.server_cpu_ms:.1f} ms/req", flush=True)
                results.append(result)
        started = time.perf_counter()
        status, body, headers = browser.request("GET", f"{base}/exports/attendees-excel.csv")
        elapsed = (time.perf_counter() - started) * 1000
        lines = body.count(b"\r\n")
        if status != 200 or lines != args.registrations + 1:
            raise BenchError(f"export gave {status} with {lines} lines")
        return results, (elapsed, len(body))


if __name__ == "__main__":
    sys.exit(main())
