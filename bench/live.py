"""Benchmark the live channel: many open personal pages of one event, announcements reaching them all.

    .venv/bin/python bench/live.py                       # 1,000 streams, SQLite, gunicorn gthread, Redis fan-out
    .venv/bin/python bench/live.py --streams 200 --rounds 3
    .venv/bin/python bench/live.py --database-url postgresql://postgres@127.0.0.1:5432/test

What it does, in one run:

1. A fresh database (a SQLite file, or a private schema in PostgreSQL), ``flask db upgrade``, one hybrid
   event that is on now (begun ten minutes ago) with a programme item, six discussion groups (three on site,
   three digital) and group choice open, ``--streams`` people with a place (half on site, half digital, each
   with their secret link), and a signed-in organiser.
2. Serves ``wsgi:app`` as production does (docs/operations.md, "The live channel"): gunicorn
   ``--worker-class gthread`` with ``--workers`` processes of ``--threads`` threads, ``LIVE_MAX_STREAMS``
   streams per process (``--threads`` less a reserve for pages), the fan-out through Redis pub/sub
   (``LIVE_REDIS_URL``, a prefix of its own), EVENTHUB_ENV=production, RATELIMIT_ENABLED=0 (every request
   comes from 127.0.0.1).
3. A second process holds the streams (asyncio, one TCP connection each, ``GET /r/<token>/live``, as a
   browser's EventSource does), opened 100 a second, and notes the time (CLOCK_MONOTONIC, the same clock in
   both processes) at which each stream gets each message.
4. Timed, while all streams are open: ``--rounds`` rounds, one every ``--gap`` seconds, each either an
   announcement to everyone (the organiser's form, POST) or a seat change (a person chooses a group on their
   page, POST: the groups' ``seats`` state message reaches every page that may choose it). Meanwhile
   ``--pages-per-second`` ordinary pages (the event page and personal pages, in turn) are fetched on new
   connections and timed, and, when the live questions exist, ``--questions-per-second`` question
   submissions and upvotes are POSTed by people from their pages.
5. Reports, per kind of round, the delay from just before the POST to each stream's arrival (p50, p99,
   max) and how many streams got it; the ordinary pages' and the questions' latency (p50, p99); the
   server's CPU and the load average. Exits non-zero on errors (a stream not opened, a message that did not
   reach every stream it is for within 10 s, an answer other than the expected), never because a target
   (p99 <= 1 s for the messages, p99 < 100 ms for pages) was missed: the summary says whether it was.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import re
import secrets
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from bench_support import (
    BenchError,
    Browser,
    code_version,
    fresh_database,
    gunicorn,
    load_average,
    machine_busy,
    process_tree_cpu,
    run_step,
    venv_bin,
)

REPO = Path(__file__).resolve().parent.parent
SLUG = "bench-live"
EMAIL, PASSWORD = "live-bench@example.se", "ett-langt-losenord-for-bank"
REDIS_URL = "redis://127.0.0.1:6379/3"
CSRF = re.compile(rb'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
MESSAGE_P99_MS, PAGE_P99_MS = 1000.0, 100.0

SEED = r'''
import json, secrets, sys
from datetime import UTC, datetime, timedelta
from sqlalchemy import insert, select
from eventhub import create_app
from eventhub.accounts import services as accounts
from eventhub.events.models import Event
from eventhub.extensions import db
from eventhub.groups.models import DiscussionGroup
from eventhub.keyring import Keyring
from eventhub.live.models import LiveQuestion
from eventhub.programme.models import ItemSpeaker, Person, ProgrammeItem
from eventhub.registration.models import Registration
from eventhub.registration.tokens import manage_token, token_hash

count, email, password, slug, secret = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
keys = Keyring(secret)
app = create_app()
with app.app_context():
    now = datetime.now(UTC)
    start = now - timedelta(minutes=10)
    event = Event(slug=slug, title="Forumträff: live", starts_at=start, ends_at=start + timedelta(hours=4),
                  format="hybrid", status="published", venue_name="Textile Fashion Center",
                  join_url="https://meet.example.org/forum", on_site_seats=count, digital_seats=count,
                  group_choice_open=True)
    talk = ProgrammeItem(title="Frågor till talarna", kind="talk", starts_at=start + timedelta(minutes=20),
                         ends_at=start + timedelta(minutes=50))
    pitch = ProgrammeItem(title="Gruppsamtal", kind="group_session", starts_at=start + timedelta(hours=1),
                          ends_at=start + timedelta(hours=2))
    pitch.groups = [DiscussionGroup(title=f"{'Sal' if mode == 'on_site' else 'Zoom'} {n}", mode=mode,
                                    seats=count, position=i)
                    for i, (mode, n) in enumerate([(m, n) for m in ("on_site", "digital") for n in (1, 2, 3)])]
    event.programme_items.extend([talk, pitch])
    db.session.add(event)
    db.session.commit()
    speaker = Person(name="Talare Bänk", added_in_event_id=event.id)
    db.session.add(speaker)
    db.session.flush()
    db.session.add(ItemSpeaker(item_id=talk.id, person_id=speaker.id))
    user, _ = accounts.create_user(email, "Live Arrangör", "organiser", now, password=password)
    accounts.add_staff(event.id, user.id, "organiser", None)
    rows, people = [], []
    for i in range(count):
        mode = "on_site" if i % 2 == 0 else "digital"
        salt = secrets.token_hex(8)
        token = manage_token(keys, salt)
        at = now - timedelta(days=3, seconds=-i)
        rows.append(dict(event_id=event.id, name=f"Person {i}", email=f"p{i:05d}@example.se", organisation="",
                         role_title="", sector="public", mode=mode, status="confirmed", language="sv",
                         dietary_needs="", accessibility_needs="", privacy_accepted_at=at, photo_consent=False,
                         token_salt=salt, token_hash=token_hash(token), ticket_version=1, confirmed_at=at,
                         created_at=at, updated_at=at))
        people.append({"token": token, "mode": mode})
    db.session.execute(insert(Registration), rows)
    event.on_site_taken = event.digital_taken = count // 2
    db.session.commit()
    askers = db.session.execute(select(Registration.id, Registration.mode).where(Registration.event_id == event.id)
                                .order_by(Registration.id).limit(20)).all()
    questions = [LiveQuestion(event_id=event.id, item_id=talk.id, registration_id=rid, mode=mode, state="approved",
                              text=f"Godkänd fråga {n}: hur når vi fler?", created_at=now, decided_at=now)
                 for n, (rid, mode) in enumerate(askers)]
    db.session.add_all(questions)
    db.session.commit()
    groups = [{"id": g.id, "mode": g.mode} for g in pitch.groups]
    seeded = {"people": people, "groups": groups, "item": talk.id, "questions": [q.id for q in questions]}
print(json.dumps(seeded))
'''


# ---------------------------------------------------------------- the streams (a process of their own)

async def _hold(port: int, path: str, index: int, arrivals: dict, ready: list, failures: list, stop: asyncio.Event):
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=2 ** 20)
        writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/event-stream\r\n"
                     "Cache-Control: no-cache\r\n\r\n".encode())
        await writer.drain()
        status = await reader.readline()
        if b" 200 " not in status:
            failures.append(f"stream {index}: {status.decode(errors='replace').strip()}")
            writer.close()
            return
        event = None
        while not stop.is_set():
            line = await reader.readline()
            if not line:
                failures.append(f"stream {index}: closed by the server")
                return
            line = line.rstrip(b"\r\n")
            if line.startswith(b"event: "):
                event = line[7:].decode()
                if event == "hello":
                    ready[index] = True
            elif line.startswith(b"data: ") and event in ("announcement", "state"):
                data = json.loads(line[6:])
                if event == "announcement":
                    key = f"a{data['id']}"
                elif data.get("kind") == "seats":
                    key = f"s{data.get('kind')}:{_seats_key(data)}"
                else:
                    continue
                arrivals.setdefault(key, []).append(time.monotonic())
    except (OSError, asyncio.IncompleteReadError, ValueError) as error:
        failures.append(f"stream {index}: {type(error).__name__}: {error}")


def _seats_key(data: dict) -> str:
    """A seat change is told by the event's seats version (``seats``), which rises with each change."""
    return str(data.get("version", ""))


def hold_streams(port: int, paths: list[str], conn) -> None:
    """Open every stream (100 a second), tell the parent when all said hello, hold them until told to
    stop, then send back the arrival times."""
    async def main():
        arrivals: dict[str, list[float]] = {}
        ready = [False] * len(paths)
        failures: list[str] = []
        stop = asyncio.Event()
        tasks = []
        for index, path in enumerate(paths):
            tasks.append(asyncio.create_task(_hold(port, path, index, arrivals, ready, failures, stop)))
            if index % 10 == 9:
                await asyncio.sleep(0.1)
        deadline = time.monotonic() + 60
        while sum(ready) + len(failures) < len(paths) and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        conn.send({"ready": sum(ready), "failures": failures[:20], "failed": len(failures)})
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, conn.recv)  # the parent says stop
        stop.set()
        for task in tasks:
            task.cancel()
        conn.send({"arrivals": arrivals, "failures": failures[:20], "failed": len(failures)})

    asyncio.run(main())


# ---------------------------------------------------------------- the timed side

def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(p / 100 * len(ordered))) - 1))]


@dataclass
class Load:
    """Requests made while the rounds run: their latencies (ms) and what did not go as expected."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    slowest: list[tuple[float, float, str]] = field(default_factory=list)  # (when it began, ms, what)


def csrf_of(browser: Browser, path: str) -> str:
    status, page, _ = browser.request("GET", path)
    token = CSRF.search(page)
    if status != 200 or not token:
        raise BenchError(f"GET {path}: {status}, no CSRF token")
    return token.group(1).decode()


def sign_in(port: int) -> Browser:
    organiser = Browser(port)
    token = csrf_of(organiser, "/account/login")
    status, _, _ = organiser.request("POST", "/account/login",
                                     urlencode({"csrf_token": token, "email": EMAIL, "password": PASSWORD}))
    if status != 303:
        raise BenchError(f"sign-in failed: {status}")
    return organiser


def pages_load(port: int, people: list[dict], per_second: float, stop: threading.Event, load: Load) -> None:
    """Ordinary pages on new connections, at a steady rate: the event page and personal pages in turn."""
    lock = threading.Lock()

    def one(n: int) -> None:
        path = f"/events/{SLUG}" if n % 2 == 0 else f"/r/{people[n % len(people)]['token']}"
        started = time.perf_counter()
        status, _, _ = Browser(port).request("GET", path)
        ms = 1000 * (time.perf_counter() - started)
        with lock:
            load.latencies.setdefault("event page" if n % 2 == 0 else "personal page", []).append(ms)
            load.slowest.append((started, ms, "event page" if n % 2 == 0 else "personal page"))
            load.statuses[f"GET {status}"] += 1
            if status != 200:
                load.errors.append(f"GET {path}: {status}")

    _steady(one, per_second, stop, load, "pages")


CLIENT_THREADS = 64  # at most this many requests of one kind in flight: a slow server is measured, not flooded


def _steady(call, per_second: float, stop: threading.Event, load: Load | None = None, label: str = "") -> None:
    """``call(n)`` ``per_second`` times a second on a pool of ``CLIENT_THREADS`` threads, until ``stop``.
    A request that cannot start within a second of its time (every thread still waiting on the server)
    is not sent and is counted as such, so that the client never grows without bound."""
    if per_second <= 0:
        return
    slots = threading.BoundedSemaphore(CLIENT_THREADS)
    skipped = 0

    failed: list[str] = []

    def run(n: int) -> None:
        try:
            call(n)
        except OSError as error:  # a timeout, a refused connection: the server did not answer
            failed.append(f"{type(error).__name__}: {error}")
        finally:
            slots.release()

    with ThreadPoolExecutor(CLIENT_THREADS) as pool:
        n, start = 0, time.monotonic()
        while not stop.is_set():
            due = start + n / per_second
            if (wait := due - time.monotonic()) > 0:
                time.sleep(wait)
            if slots.acquire(timeout=1.0):
                pool.submit(run, n)
            else:
                skipped += 1
            n += 1
    if failed and load is not None:
        load.errors.append(f"{label}: {len(failed)} requests failed, e.g. {failed[0]}")
        load.statuses[f"{label} failed"] += len(failed)
    if skipped and load is not None:
        load.errors.append(f"{label}: {skipped} requests not sent, the client's {CLIENT_THREADS} threads all "
                           "waiting on the server")
        load.statuses[f"{label} not sent"] += skipped


def prepare_people(port: int, people: list[dict]) -> None:
    """Untimed: each person's own page once, for their session cookie and CSRF token (as their open page
    has them when they ask or upvote)."""
    def one(person: dict) -> None:
        browser = Browser(port)
        person["csrf"] = csrf_of(browser, f"/r/{person['token']}")
        person["cookie"] = browser.cookie_header()

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(one, people))


def questions_load(port: int, people: list[dict], per_second: float, stop: threading.Event, load: Load,
                   item_id: int | None, question_ids: list[int]) -> None:
    """People asking (half) and upvoting (half) from their open pages, at a steady rate: each question by
    the next person in turn (within the limits: never three waiting), each upvote on one of the approved
    questions."""
    if not item_id or not question_ids:
        print("questions:   this code has no live questions; none sent")
        return
    lock = threading.Lock()

    def one(n: int) -> None:
        person = people[(n // 2) % len(people)]
        headers = {"Cookie": person["cookie"]}
        if n % 2 == 0:
            path = f"/r/{person['token']}/ask"
            body = urlencode({"csrf_token": person["csrf"], "item": str(item_id),
                              "text": f"Fråga {n}: hur når vi de som inte är här i dag?"})
            label = "question asked"
        else:
            path = f"/r/{person['token']}/ask/{question_ids[n % len(question_ids)]}/vote"
            body = urlencode({"csrf_token": person["csrf"]})
            label = "upvote"
        started = time.perf_counter()
        status, _, _ = Browser(port).request("POST", path, body, headers=headers)
        ms = 1000 * (time.perf_counter() - started)
        with lock:
            load.latencies.setdefault(label, []).append(ms)
            load.statuses[f"POST {status}"] += 1
            if status not in (200, 303):
                load.errors.append(f"POST {path}: {status}")

    _steady(one, per_second, stop, load, "questions")


def announce(organiser: Browser, n: int, rounds: list) -> None:
    token = csrf_of(organiser, f"/manage/events/{SLUG}/announcements")
    rounds.append(("announcement", time.monotonic()))
    status, _, _ = organiser.request("POST", f"/manage/events/{SLUG}/announcements", urlencode(
        {"csrf_token": token, "audience": "all", "text_sv": f"Tillbaka i stora salen om fem minuter ({n})",
         "text_en": ""}))
    if status != 303:
        raise BenchError(f"announcement {n}: {status}")
    print(f"  announcement {n}: POST answered in {1000 * (time.monotonic() - rounds[-1][1]):.0f} ms")


def choose(port: int, person: dict, group_id: int, rounds: list) -> None:
    browser = Browser(port)
    token = csrf_of(browser, f"/r/{person['token']}")
    rounds.append(("seat change", time.monotonic()))
    status, _, _ = browser.request("POST", f"/r/{person['token']}/group",
                                   urlencode({"csrf_token": token, "group": str(group_id)}))
    if status != 303:
        raise BenchError(f"choosing a group: {status}")
    print(f"  seat change: POST answered in {1000 * (time.monotonic() - rounds[-1][1]):.0f} ms")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=6, help="announcements and seat changes, in turn")
    parser.add_argument("--gap", type=float, default=4.0, help="seconds between rounds")
    parser.add_argument("--workers", type=int, default=4, help="the streams' gunicorn workers")
    parser.add_argument("--threads", type=int, default=440, help="threads per worker of the streams' server")
    parser.add_argument("--reserve", type=int, default=40, help="threads per worker kept for pages")
    parser.add_argument("--layout", choices=("one", "split", "both"), default="both",
                        help="one server for everything, the streams on a server of their own, or both in turn")
    parser.add_argument("--pages-per-second", type=float, default=20)
    parser.add_argument("--questions-per-second", type=float, default=100)
    parser.add_argument("--database-url", help="PostgreSQL URL (a private schema is made); default SQLite")
    args = parser.parse_args(argv)
    max_streams = args.threads - args.reserve
    if args.streams > args.workers * max_streams:
        raise BenchError(f"{args.streams} streams need more than {args.workers} × {max_streams} stream threads")
    layouts = ("one", "split") if args.layout == "both" else (args.layout,)
    failed = 0
    for layout in layouts:
        failed += measure(args, layout, max_streams)
    return 1 if failed else 0


LAYOUTS = {
    "one": "one gunicorn server for the streams and the pages",
    "split": "the streams on a gunicorn server of their own with gevent workers (the proxy sends "
             "/r/<token>/live there), the pages on a gthread server",
}


def measure(args, layout: str, max_streams: int) -> int:
    with tempfile.TemporaryDirectory(prefix="eventhub-live-bench-") as tmp, \
            fresh_database(args.database_url, Path(tmp)) as database_url:
        workdir = Path(tmp)
        secret = secrets.token_hex(32)
        env = {**os.environ, "FLASK_APP": "wsgi.py", "EVENTHUB_ENV": "production", "SECRET_KEY": secret,
               "DATABASE_URL": database_url, "EVENTHUB_INSTANCE": str(workdir / "instance"),
               "RATELIMIT_ENABLED": "0", "MAIL_BACKEND": "folder", "MAIL_FOLDER": str(workdir / "mail"),
               "LIVE_REDIS_URL": REDIS_URL, "LIVE_CHANNEL_PREFIX": f"eventhub-bench:{uuid.uuid4().hex}:",
               "LIVE_MAX_STREAMS": str(max_streams), "LIVE_STREAM_SECONDS": "900", "LIVE_HEARTBEAT_SECONDS": "15"}
        run_step([venv_bin("flask"), "db", "upgrade"], env)
        seeded = json.loads(run_step([sys.executable, "-c", SEED, str(args.streams), EMAIL, PASSWORD, SLUG,
                                      secret], env).strip().splitlines()[-1])
        people, groups = seeded["people"], seeded["groups"]
        item_id, question_ids = seeded.get("item"), seeded.get("questions", [])
        streams_server = ("--worker-class", "gthread", "--threads", str(args.threads), "--timeout", "120") \
            if layout == "one" else ("--worker-class", "gevent", "--worker-connections", str(2 * args.streams),
                                     "--timeout", "120")
        pages_server = ("--worker-class", "gthread", "--threads", "32", "--timeout", "120")
        print(f"\n== {LAYOUTS[layout]}\ncode {code_version()}; {args.streams} people with a place, "
              f"{len(groups)} groups; streams: gunicorn --workers {args.workers} {' '.join(streams_server)}, "
              f"LIVE_MAX_STREAMS={max_streams}"
              + (", pages: gunicorn --workers 2 " + " ".join(pages_server) if layout == "split" else "")
              + f"; fan-out through Redis; database {'PostgreSQL' if args.database_url else 'SQLite'}")
        with ExitStack() as servers:
            streaming = servers.enter_context(gunicorn("wsgi:app", env, workdir, name="streams",
                                                       workers=args.workers, extra=streams_server))
            serving = streaming if layout == "one" else servers.enter_context(
                gunicorn("wsgi:app", env, workdir, name="pages", workers=2, extra=pages_server))
            pids = [streaming.pid] + ([serving.pid] if serving is not streaming else [])
            outcome = run_rounds(args, people, groups, streaming.port, serving.port, pids, item_id, question_ids)
    return report(args, people, *outcome)


def run_rounds(args, people: list[dict], groups: list[dict], stream_port: int, port: int, pids: list[int],
               item_id: int | None, question_ids: list[int]):
    organiser = sign_in(port)
    started = time.monotonic()
    prepare_people(port, people)
    print(f"prepared {len(people)} people (their page, cookie and CSRF token) in {time.monotonic() - started:.1f} s, "
          "untimed")
    parent, child = multiprocessing.Pipe()
    holder = multiprocessing.Process(target=hold_streams, daemon=True, args=(
        stream_port, [f"/r/{p['token']}/live" for p in people], child))
    started = time.monotonic()
    holder.start()
    opened = parent.recv()
    print(f"streams:     {opened['ready']} of {args.streams} open in {time.monotonic() - started:.1f} s"
          + (f"; {opened['failed']} failed: {opened['failures'][:3]}" if opened["failed"] else ""))
    if opened["ready"] < args.streams:
        parent.send("stop")
        raise BenchError("not every stream opened")
    # Untimed: each worker's first pages (its caches, its first connections), as on any day.
    for n in range(8 * args.workers):
        Browser(port).request("GET", f"/events/{SLUG}" if n % 2 else f"/r/{people[n]['token']}")
    time.sleep(2)

    load, stop = Load(), threading.Event()
    background = [threading.Thread(target=pages_load, args=(port, people, args.pages_per_second, stop, load),
                                   daemon=True),
                  threading.Thread(target=questions_load, args=(port, people, args.questions_per_second, stop,
                                                                load, item_id, question_ids), daemon=True)]
    cpu_before = sum(process_tree_cpu(pid) for pid in pids)
    busy_before, load_before = machine_busy(), load_average()
    phase_started = time.monotonic()
    for thread in background:
        thread.start()
    rounds: list[tuple[str, float]] = []  # (kind, the moment just before its POST)
    choosers = iter(range(0, len(people)))
    for n in range(args.rounds):
        time.sleep(args.gap)
        if n % 2 == 0:
            announce(organiser, n, rounds)
        else:
            person = people[next(choosers)]
            group = next(g for g in groups if g["mode"] == person["mode"])
            choose(port, person, group["id"], rounds)
    time.sleep(min(10.0, args.gap + 3))
    stop.set()
    for thread in background:
        thread.join(60)
    phase = time.monotonic() - phase_started
    cpu = sum(process_tree_cpu(pid) for pid in pids) - cpu_before
    busy = machine_busy() - busy_before
    load_after = load_average()
    parent.send("stop")
    result = parent.recv()
    holder.join(10)
    return rounds, result, load, cpu, busy, phase, load_before, load_after


def report(args, people, rounds, result, load: Load, cpu: float, busy: float, phase: float,
           load_before: str, load_after: str) -> int:
    arrivals: dict[str, list[float]] = result["arrivals"]
    announcement_keys = sorted((k for k in arrivals if k.startswith("a")), key=lambda k: int(k[1:]))
    seat_keys = [k for k in arrivals if k.startswith("s")]
    seat_keys.sort(key=lambda k: int(k.rsplit(":", 1)[1] or 0))  # by the seats version: round by round
    errors: list[str] = list(load.errors[:5])
    delays: dict[str, list[float]] = {}
    announcement_rounds = [at for kind, at in rounds if kind == "announcement"]
    seat_rounds = [at for kind, at in rounds if kind == "seat change"]
    print(f"\nrounds ({len(rounds)}, one every {args.gap:g} s), delay from just before the POST to each stream:")
    for kind, keys, moments, expected in (("announcement", announcement_keys, announcement_rounds, len(people)),
                                          ("seat change", seat_keys, seat_rounds, None)):
        if len(keys) < len(moments):
            errors.append(f"{kind}: {len(moments)} sent, {len(keys)} arrived anywhere")
        for key, at in zip(keys, moments, strict=False):
            times = arrivals[key]
            ms = [1000 * (t - at) for t in times]
            delays.setdefault(kind, []).extend(ms)
            reach = expected or len(times)
            print(f"  {kind:13} {key:14} reached {len(times):5} streams: p50 {percentile(ms, 50):7.1f} ms, "
                  f"p99 {percentile(ms, 99):7.1f} ms, max {max(ms):7.1f} ms")
            if expected and len(times) < reach:
                errors.append(f"{kind} {key} reached {len(times)} of {expected} streams")
    print("\nall rounds together:")
    for kind, ms in delays.items():
        verdict = "meets" if percentile(ms, 99) <= MESSAGE_P99_MS else "misses"
        print(f"  {kind:13} {len(ms):6} deliveries: p50 {percentile(ms, 50):7.1f} ms, p99 "
              f"{percentile(ms, 99):7.1f} ms, max {max(ms):7.1f} ms ({verdict} p99 <= {MESSAGE_P99_MS:g} ms)")
    print("\nmeanwhile:")
    for label, ms in load.latencies.items():
        rate = len(ms) / phase
        target = f" ({'meets' if percentile(ms, 99) < PAGE_P99_MS else 'misses'} p99 < {PAGE_P99_MS:g} ms)" \
            if "page" in label else ""
        print(f"  {label:18} {len(ms):6} ({rate:5.1f}/s): p50 {statistics.median(ms):7.1f} ms, "
              f"p99 {percentile(ms, 99):7.1f} ms{target}")
    print(f"  answers: {dict(load.statuses)}")
    if load.slowest:
        # When the slow pages began, against the rounds: do they queue behind a message's fan-out?
        perf_to_mono = time.monotonic() - time.perf_counter()
        marks = [(kind, at) for kind, at in rounds]
        print("  the slowest pages, and the round before each:")
        for began, ms, label in sorted(load.slowest, key=lambda x: -x[1])[:5]:
            at = began + perf_to_mono
            before = [(kind, at - t) for kind, t in marks if t <= at]
            after = f"{before[-1][1]:.2f} s after the {before[-1][0]}" if before else "before the first round"
            print(f"    {label:14} {ms:7.1f} ms, began {after}")
    cores = os.cpu_count() or 1
    print(f"\nserver CPU {cpu:.1f} s in {phase:.1f} s ({cpu / (phase * cores):.0%} of the {cores} cores); "
          f"machine busy {busy / (phase * cores):.0%}; load average before {load_before}, after {load_after}")
    if result["failed"]:
        errors.append(f"{result['failed']} streams failed: {result['failures'][:3]}")
    for error in errors:
        print("ERROR:", error)
    return 1 if errors else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as error:
        print("ERROR:", error)
        sys.exit(1)
