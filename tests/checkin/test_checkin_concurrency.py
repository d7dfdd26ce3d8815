"""Check-in under real parallel load: gunicorn (2 workers x 8 threads) on SQLite and PostgreSQL.

Every thread has its own ``requests.Session``, signed in as one of several host accounts, with
the CSRF token its scanner page carries, as a phone at the door would. Threads meet at a
barrier so that their scans leave at the same moment; then the database is counted.
"""
from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
import requests
from sqlalchemy import select

from eventhub.checkin.models import CheckIn
from eventhub.extensions import db
from eventhub.registration.models import Registration
from tests.attendees.support import PASSWORD, seed_registrations, staff_member
from tests.checkin.support import META_CSRF, Ticket, iso, nonce, ticket_for
from tests.live_gunicorn import Gunicorn, serve
from tests.registration.support import csrf_token

pytestmark = pytest.mark.slow

REQUEST_TIMEOUT = 60
HOSTS = 4


@pytest.fixture
def server(app, database, tmp_path):
    # Two processes are enough for races between workers, and boot twice as fast as four.
    with serve(database, tmp_path, workers=2, threads=8) as served:
        yield served


def _door(app, make_event, count: int) -> tuple[str, list[Ticket], list[str]]:
    """An event with ``count`` confirmed on-site registrations and HOSTS host accounts."""
    slug = make_event(on_site_seats=None)
    hosts = [f"vard{i}@example.se" for i in range(HOSTS)]
    with app.app_context():
        seed_registrations(slug, count, mode="on_site")
        tickets = [ticket_for(r) for r in db.session.scalars(select(Registration).order_by(Registration.id))]
    for email in hosts:
        staff_member(app, slug, email, "host")
    return slug, tickets, hosts


class Phone:
    """One host's scanner over HTTP: a signed-in session and its page's CSRF token."""

    def __init__(self, server: Gunicorn, slug: str, email: str):
        self.session = requests.Session()
        self.api = f"{server.url}/checkin/{slug}/api"
        login = self.session.get(f"{server.url}/account/login", timeout=REQUEST_TIMEOUT)
        signed_in = self.session.post(f"{server.url}/account/login", allow_redirects=False, timeout=REQUEST_TIMEOUT,
                                      data={"csrf_token": csrf_token(login.text), "email": email,
                                            "password": PASSWORD})
        assert signed_in.status_code == 303, signed_in.status_code
        page = self.session.get(f"{server.url}/checkin/{slug}", timeout=REQUEST_TIMEOUT)
        assert page.status_code == 200, page.status_code
        self.csrf = META_CSRF.search(page.text).group(1)

    def post(self, path: str, body: dict) -> requests.Response:
        return self.session.post(f"{self.api}/{path}", json=body, headers={"X-CSRFToken": self.csrf},
                                 timeout=REQUEST_TIMEOUT)


def _phones(server: Gunicorn, slug: str, emails: list[str]) -> list[Phone]:
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(lambda email: Phone(server, slug, email), emails))


def _all_at_once(function, count: int) -> list:
    """Run ``function(i)`` in ``count`` threads that start together."""
    barrier = threading.Barrier(count)

    def run(i):
        barrier.wait(timeout=60)
        return function(i)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def _check_ok(responses: list[requests.Response], server: Gunicorn) -> None:
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {200: len(responses)}, f"{statuses}\n{server.log_tail()}"


def _rows(app) -> list[CheckIn]:
    with app.app_context():
        rows = list(db.session.scalars(select(CheckIn).order_by(CheckIn.id)))
        db.session.expunge_all()
        return rows


def _arrivals(app) -> dict[int, datetime | None]:
    with app.app_context():
        return dict(db.session.execute(select(Registration.id, Registration.checked_in_at)).all())


def test_same_ticket_scanned_by_20_phones_at_once_is_one_green_and_19_amber(app, make_event, server):
    slug, [ticket], hosts = _door(app, make_event, 1)
    phones = _phones(server, slug, [hosts[i % HOSTS] for i in range(20)])

    responses = _all_at_once(lambda i: phones[i].post("scan", {"code": ticket.payload, "nonce": nonce()}), 20)

    _check_ok(responses, server)
    results = [r.json()["result"] for r in responses]
    assert Counter(r["colour"] for r in results) == {"green": 1, "amber": 19}
    [green] = [r for r in results if r["colour"] == "green"]
    ambers = [r for r in results if r["colour"] == "amber"]
    assert {(r["reason"], r["checked_in_at"], r["checked_in_by"]) for r in ambers} == {
        ("already", green["checked_in_at"], green["checked_in_by"])}
    rows = _rows(app)
    assert Counter(r.outcome for r in rows) == {"checked_in": 1, "duplicate": 19}
    assert len({r.nonce for r in rows}) == 20
    assert _arrivals(app)[ticket.id] == datetime.fromisoformat(green["checked_in_at"])


def test_100_tickets_scanned_in_parallel_by_16_phones_are_100_green(app, make_event, server):
    slug, tickets, hosts = _door(app, make_event, 100)
    phones = _phones(server, slug, [hosts[i % HOSTS] for i in range(16)])

    def scan_share(i):
        return [phones[i].post("scan", {"code": t.payload if n % 2 else t.code.lower(), "nonce": nonce()})
                for n, t in enumerate(tickets[i::16])]

    responses = [r for share in _all_at_once(scan_share, 16) for r in share]

    _check_ok(responses, server)
    results = [r.json()["result"] for r in responses]
    assert Counter(r["colour"] for r in results) == {"green": 100}
    assert sorted(r["registration_id"] for r in results) == sorted(t.id for t in tickets)
    counters = phones[0].session.get(f"{phones[0].api}/counters", timeout=REQUEST_TIMEOUT).json()
    assert counters == {"checked_in": 100, "expected": 100}
    # Each answer's counters are read in its own transaction: they count its own scan and every
    # one committed before, but may miss scans committing at the same instant on PostgreSQL (the
    # scanner reads the counters again after a pause). They never run ahead.
    seen = [r.json()["counters"]["checked_in"] for r in responses]
    assert all(1 <= n <= 100 for n in seen) and max(seen) >= 100 - 15  # at most 15 other phones in flight
    rows = _rows(app)
    assert Counter(r.outcome for r in rows) == {"checked_in": 100}
    assert all(_arrivals(app).values())


def test_two_phones_syncing_overlapping_offline_queues_check_each_ticket_in_once(app, make_event, server):
    slug, tickets, hosts = _door(app, make_event, 100)
    phones = _phones(server, slug, hosts[:2])
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=30)
    queues = [tickets[30:70] + tickets[:30], tickets[30:70] + tickets[70:]]  # 40 tickets scanned on both

    def queue_items(device: int) -> list[dict]:
        return [{"code": t.payload, "nonce": nonce(), "offline": True,
                 "scanned_at": iso(start + timedelta(seconds=10 * n + device))}
                for n, t in enumerate(queues[device])]

    items = [queue_items(0), queue_items(1)]

    def sync(device: int) -> list[requests.Response]:
        return [phones[device].post("sync", {"items": items[device][n:n + 5]}) for n in range(0, 70, 5)]

    responses = [r for device in _all_at_once(sync, 2) for r in device]

    _check_ok(responses, server)
    results = [result for r in responses for result in r.json()["results"]]
    assert len(results) == 140
    greens = Counter(r["registration_id"] for r in results if r["colour"] == "green")
    assert greens == {t.id: 1 for t in tickets}  # each ticket checked in once, by one phone or the other
    ambers = [r for r in results if r["colour"] == "amber"]
    assert len(ambers) == 40 and all(r["duplicate"] for r in ambers)
    assert {r["registration_id"] for r in ambers} == {t.id for t in tickets[30:70]}
    rows = _rows(app)
    assert Counter(r.outcome for r in rows) == {"checked_in": 100, "duplicate": 40}
    assert all(r.offline for r in rows)
    assert {r.nonce for r in rows} == {item["nonce"] for queue in items for item in queue}
    arrivals = _arrivals(app)
    assert {r.registration_id: r.scanned_at for r in rows if r.outcome == "checked_in"} == arrivals
    earliest = {}
    for r in rows:
        earliest[r.registration_id] = min(r.scanned_at, earliest.get(r.registration_id, r.scanned_at))
    assert arrivals == earliest  # whichever phone synced first, the earlier scan is the arrival


@pytest.mark.parametrize("email", ["", "gast@example.se"], ids=["no-email", "email"])
def test_same_walk_in_sent_by_10_phones_at_once_registers_one_person(app, make_event, server, email):
    slug, _tickets, hosts = _door(app, make_event, 0)
    phones = _phones(server, slug, [hosts[i % HOSTS] for i in range(10)])
    walk_in = {"name": "Gäst Utan Biljett", "email": email, "nonce": nonce()}  # one walk-in, resent

    responses = _all_at_once(lambda i: phones[i].post("walk-in", walk_in), 10)

    _check_ok(responses, server)
    results = [r.json()["result"] for r in responses]
    assert {(r["colour"], r["reason"]) for r in results} == {("green", "checked_in")}
    assert len({r["registration_id"] for r in results}) == 1
    with app.app_context():
        people = db.session.scalars(select(Registration).where(Registration.name == walk_in["name"])).all()
        assert len(people) == 1 and people[0].checked_in_at is not None
    [row] = _rows(app)
    assert (row.method, row.outcome, row.nonce) == ("walk_in", "checked_in", walk_in["nonce"])


def test_undo_racing_an_earlier_offline_sync_leaves_arrivals_consistent(app, make_event, server):
    slug, tickets, hosts = _door(app, make_event, 20)
    phones = _phones(server, slug, hosts[:2])
    earlier = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=30)
    later = [phones[0].post("sync", {"items": [{"code": t.payload, "nonce": nonce(), "offline": True,
                                                "scanned_at": iso(earlier + timedelta(minutes=4))}]})
             for t in tickets]
    counted = [r.json()["results"][0]["check_in_id"] for r in later]

    def act(i: int) -> requests.Response:
        if i < 20:  # the first phone undoes its check-in ...
            return phones[0].post("undo", {"check_in_id": counted[i]})
        # ... while the second phone syncs the same person's earlier scan
        return phones[1].post("sync", {"items": [{"code": tickets[i - 20].payload, "nonce": nonce(),
                                                  "offline": True, "scanned_at": iso(earlier)}]})

    responses = _all_at_once(act, 40)

    _check_ok(responses, server)  # no deadlock, no 5xx
    rows = _rows(app)
    arrivals = _arrivals(app)
    for ticket in tickets:
        counting = [r for r in rows if r.registration_id == ticket.id and r.outcome == "checked_in"
                    and r.undone_at is None]
        # Whoever came first, the registration's arrival is exactly the check-in that counts, if any.
        assert len(counting) <= 1
        assert arrivals[ticket.id] == (counting[0].scanned_at if counting else None), ticket.id
