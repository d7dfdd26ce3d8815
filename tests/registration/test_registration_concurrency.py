"""Seats under real parallel load: gunicorn (4 workers x 4 threads) on SQLite and PostgreSQL.

Each test starts gunicorn on the test's own database, fires requests from 64 threads, each with
its own ``requests.Session`` (so its own CSRF token, fetched from the form as a browser would),
and then counts what the database holds. These are the slow tests of the suite; they always run.
"""
from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
import requests

from eventhub.events.models import Event
from eventhub.extensions import db
from eventhub.groups.models import DiscussionGroup
from eventhub.registration import tokens
from eventhub.registration.models import Registration
from tests.live_gunicorn import Gunicorn, serve
from tests.registration.support import (
    KEYS,
    add_group_session,
    csrf_token,
    event_by_slug,
    memberships,
    outbox,
    register_many,
    registrations,
)

pytestmark = pytest.mark.slow

THREADS = 64
REQUEST_TIMEOUT = 60


@pytest.fixture
def server(app, database, tmp_path):
    """gunicorn serving wsgi:app on this test's database (tables made by the app fixture)."""
    with serve(database, tmp_path) as served:
        yield served


def _post_form(session: requests.Session, form_url: str, post_url: str, data: dict) -> tuple[int, int]:
    """GET the page for this session's CSRF token, then POST; returns both status codes."""
    page = session.get(form_url, timeout=REQUEST_TIMEOUT)
    if page.status_code != 200:
        return page.status_code, 0
    response = session.post(post_url, data={**data, "csrf_token": csrf_token(page.text)},
                            allow_redirects=False, timeout=REQUEST_TIMEOUT)
    return page.status_code, response.status_code


def _in_parallel(function, arguments) -> list[tuple[int, int]]:
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return list(pool.map(function, arguments))


def _check_statuses(results, server: Gunicorn) -> Counter:
    statuses = Counter(code for pair in results for code in pair)
    assert not [code for code in statuses if code >= 500], f"{statuses}\n{server.log_tail()}"
    assert set(statuses) == {200, 303}, f"{statuses}\n{server.log_tail()}"
    return statuses


def _manage_token(registration: Registration) -> str:
    return tokens.manage_token(KEYS, registration.token_salt)


def test_parallel_registrations_fill_exactly_the_seats(app, make_event, server):
    slug = make_event(on_site_seats=50, digital_seats=10)
    people = 220

    def register_one(i):
        with requests.Session() as session:
            return _post_form(session, f"{server.url}/events/{slug}/register", f"{server.url}/events/{slug}/register",
                              dict(name=f"Person {i}", email=f"person{i:03d}@example.se", mode="on_site",
                                   sector="public", language="sv", privacy="y"))

    results = _in_parallel(register_one, range(people))

    statuses = _check_statuses(results, server)
    assert statuses[303] == people
    with app.app_context():
        confirmed = registrations(slug, "confirmed")
        waitlisted = registrations(slug, "waitlisted")
        assert len(confirmed) == 50
        assert len(waitlisted) == people - 50
        assert {r.mode for r in confirmed + waitlisted} == {"on_site"}
        event = event_by_slug(slug)
        assert (event.on_site_taken, event.digital_taken) == (50, 0)
        subjects = Counter(message.subject for message in outbox())
        assert subjects == {"Du är anmäld: Forumträff": 50, "Du står på reservlistan: Forumträff": people - 50}


def test_parallel_group_choices_fill_exactly_the_group(app, make_event, server):
    slug = make_event(on_site_seats=None, group_choice_open=True)
    people = 200
    with app.app_context():
        group_id, _other = add_group_session(slug, [("Samverkan", "on_site", 10), ("Annan grupp", "on_site", 10)])
        register_many(slug, people)
        manage_tokens = [_manage_token(r) for r in registrations(slug, "confirmed")]
    assert len(manage_tokens) == people

    def choose(token):
        with requests.Session() as session:
            return _post_form(session, f"{server.url}/r/{token}", f"{server.url}/r/{token}/group",
                              {"group": str(group_id)})

    results = _in_parallel(choose, manage_tokens)

    _check_statuses(results, server)
    with app.app_context():
        assert len(memberships(group_id, "confirmed")) == 10
        assert len(memberships(group_id, "waitlisted")) == people - 10
        assert len({m.registration_id for m in memberships(group_id)}) == people  # one membership each
        db.session.expire_all()
        assert db.session.get(DiscussionGroup, group_id).taken == 10
        assert db.session.get(DiscussionGroup, _other).taken == 0
        group_subjects = Counter(m.subject for m in outbox() if m.subject.startswith("Din samtalsgrupp"))
        assert sum(group_subjects.values()) == people


def test_parallel_cancellations_promote_in_waitlist_order(app, make_event, server):
    slug = make_event(on_site_seats=50)
    with app.app_context():
        ids = register_many(slug, 100, start=datetime.now(UTC) - timedelta(hours=1))
        by_id = {r.id: r for r in registrations(slug)}
        confirmed, waitlist = ids[:50], ids[50:]
        assert {by_id[rid].status for rid in confirmed} == {"confirmed"}
        assert {by_id[rid].status for rid in waitlist} == {"waitlisted"}
        leaving = confirmed[::2][:15] + confirmed[1::2][:15]  # 30 people spread over the list
        leaving_tokens = [_manage_token(by_id[rid]) for rid in leaving]
        emails = {rid: by_id[rid].email for rid in ids}

    def cancel(token):
        with requests.Session() as session:
            return _post_form(session, f"{server.url}/r/{token}/cancel", f"{server.url}/r/{token}/cancel", {})

    results = _in_parallel(cancel, leaving_tokens)

    _check_statuses(results, server)
    with app.app_context():
        db.session.expire_all()
        status = {r.id: r.status for r in registrations(slug)}
        assert {rid for rid in leaving if status[rid] == "cancelled"} == set(leaving)
        now_confirmed = {rid for rid, value in status.items() if value == "confirmed"}
        assert len(now_confirmed) == 50
        assert now_confirmed == (set(confirmed) - set(leaving)) | set(waitlist[:30])  # first 30 in line
        assert [status[rid] for rid in waitlist[30:]] == ["waitlisted"] * 20
        event = db.session.get(Event, event_by_slug(slug).id)
        assert event.on_site_taken == 50
        promoted_mail = Counter(m.to_address for m in outbox() if m.subject == "Du har fått en plats: Forumträff")
        assert promoted_mail == {emails[rid]: 1 for rid in waitlist[:30]}  # nobody promoted twice
        cancelled_mail = Counter(m.to_address for m in outbox() if m.subject == "Avanmäld: Forumträff")
        assert cancelled_mail == {emails[rid]: 1 for rid in leaving}
