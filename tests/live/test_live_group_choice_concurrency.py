"""The pitch's rush: a hundred people choosing their groups at once, against gunicorn (4 workers x 4
threads) on SQLite and PostgreSQL, the live channel fanned out through Redis as in production.

Each person GETs their own page (their CSRF token, as a browser would) and POSTs their choice from
one of 64 threads. Then: no group over its seats, everyone in exactly one group or its waitlist, and
the seats left the workers published (the newest by seats version) equal what the database holds.
"""
from __future__ import annotations

import json
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
import requests
from sqlalchemy import func, select

from eventhub.extensions import db
from eventhub.groups.models import DiscussionGroup, GroupMembership
from eventhub.registration import tokens
from tests.conftest import require_or_skip
from tests.live_gunicorn import serve
from tests.registration.support import KEYS, add_group_session, csrf_token, event_by_slug, register, registrations

pytestmark = pytest.mark.slow

REDIS_URL = "redis://127.0.0.1:6379/15"
PEOPLE = 100
THREADS = 64
TIMEOUT = 60
# Three groups on site, three digital, as at the pitch in Borås (seed 001): some fill, some do not.
GROUPS = [("Kompetensförsörjning", "on_site", 8), ("Mentorskap", "on_site", 20), ("Språkpraktik", "on_site", 30),
          ("Digital rekrytering", "digital", 6), ("Validering", "digital", 15), ("Nätverk", "digital", 40)]


@pytest.fixture
def prefix():
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        require_or_skip("no Redis at 127.0.0.1:6379, so the workers' fan-out is not tested")
    return f"eventhub-test:{uuid.uuid4().hex}:"


class Heard:
    """Every message the workers publish on the event's channel, collected from Redis."""

    def __init__(self, prefix: str, event_id: int):
        self.messages: list[dict] = []
        self._pubsub = redis.Redis.from_url(REDIS_URL).pubsub(ignore_subscribe_messages=True)
        self._pubsub.subscribe(f"{prefix}{event_id}")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._listen, daemon=True)
        self._thread.start()

    def _listen(self):
        while not self._stop.is_set():
            message = self._pubsub.get_message(timeout=0.2)
            if message and message["type"] == "message":
                self.messages.append(json.loads(message["data"]))

    def quiet(self, seconds: float = 1.5, limit: float = 20) -> None:
        """Wait until nothing new has come for ``seconds``."""
        deadline, count = time.monotonic() + limit, -1
        while count != len(self.messages) and time.monotonic() < deadline:
            count = len(self.messages)
            time.sleep(seconds)

    def close(self):
        self._stop.set()
        self._thread.join(timeout=2)
        self._pubsub.close()


def test_a_hundred_people_choosing_at_once_get_every_seat_right_and_the_screens_the_truth(
        app, make_event, database, tmp_path, prefix):
    slug = make_event(on_site_seats=60, digital_seats=60, group_choice_open=True)
    with app.app_context():
        ids = add_group_session(slug, GROUPS)
        for i in range(PEOPLE):
            register(slug, f"person{i:03d}@example.se", mode="on_site" if i % 2 == 0 else "digital")
        people = [(tokens.manage_token(KEYS, r.token_salt), r.mode) for r in registrations(slug, "confirmed")]
        event_id = event_by_slug(slug).id
    assert len(people) == PEOPLE
    by_mode = {"on_site": ids[:3], "digital": ids[3:]}
    wanted = {token: by_mode[mode][n % 3] for n, (token, mode) in enumerate(people)}

    with serve(database, tmp_path, LIVE_REDIS_URL=REDIS_URL, LIVE_CHANNEL_PREFIX=prefix) as server:
        heard = Heard(prefix, event_id)
        try:
            def choose(token):
                with requests.Session() as session:
                    page = session.get(f"{server.url}/r/{token}", timeout=TIMEOUT)
                    if page.status_code != 200:
                        return page.status_code, 0
                    answer = session.post(f"{server.url}/r/{token}/group", allow_redirects=False, timeout=TIMEOUT,
                                          data={"group": str(wanted[token]), "csrf_token": csrf_token(page.text)})
                    return page.status_code, answer.status_code

            with ThreadPoolExecutor(max_workers=THREADS) as pool:
                results = list(pool.map(choose, wanted))
            heard.quiet()
        finally:
            heard.close()
        statuses = Counter(code for pair in results for code in pair)
        assert set(statuses) == {200, 303}, f"{statuses}\n{server.log_tail()}"

    with app.app_context():
        db.session.expire_all()
        groups = {g.id: g for g in db.session.scalars(select(DiscussionGroup).where(DiscussionGroup.id.in_(ids)))}
        counts = Counter(db.session.execute(select(GroupMembership.group_id, GroupMembership.status)).all())
        per_person = db.session.execute(select(GroupMembership.registration_id, func.count())
                                        .group_by(GroupMembership.registration_id)).all()
        for group_id, (title, _mode, seats) in zip(ids, GROUPS, strict=True):
            wanting = sum(1 for target in wanted.values() if target == group_id)
            confirmed, waiting = counts[(group_id, "confirmed")], counts[(group_id, "waitlisted")]
            assert groups[group_id].taken == confirmed == min(seats, wanting), title  # never over its seats
            assert waiting == wanting - confirmed, title
        assert len(per_person) == PEOPLE and {n for _, n in per_person} == {1}  # each in one group or its line
        truth = {str(group_id): max(0, group.seats - group.taken) for group_id, group in groups.items()}
        version = event_by_slug(slug).seats_version

    seats = [m for m in heard.messages if m.get("kind") == "seats"]
    assert seats, "no seats message was published"
    newest = max(seats, key=lambda m: m["version"])
    assert newest["version"] == version
    assert newest["seats"] == truth
    assert all(m["seats"] == newest["seats"] for m in seats if m["version"] == version)
