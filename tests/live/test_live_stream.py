"""The live channel: the stream's format, resuming with Last-Event-ID, heartbeats, polling, and fan-out
in one process and through Redis between two app instances."""
from __future__ import annotations

import json
import threading
import time
import urllib.request
import uuid
from datetime import UTC, datetime

import pytest
import redis

from config import TestingConfig
from eventhub import create_app
from eventhub.live import channel, services
from tests.accounts.support import make_user, sign_in
from tests.conftest import LiveServer, require_or_skip
from tests.registration.support import KEYS

REDIS_URL = "redis://127.0.0.1:6379/15"


def _send(app, forum, key="all", text="Tillbaka i stora salen om fem minuter"):
    with app.app_context():
        return services.send(forum.event_id, key, text, "", False, None, KEYS, datetime.now(UTC),
                             channel.of(app)).id


def _messages(body: str) -> list[dict]:
    """The stream's messages as fields (comments as {"comment": ...})."""
    result = []
    for block in body.split("\n\n"):
        if not block:
            continue
        fields: dict = {}
        for line in block.split("\n"):
            name, _, value = line.partition(": ") if not line.startswith(":") else ("comment", "", line[2:])
            fields[name] = json.loads(value) if name == "data" else value
        result.append(fields)
    return result


def test_the_stream_sends_what_the_person_may_see_as_server_sent_events(app, client, forum):
    first = _send(app, forum, "all", "Välkomna <alla>")
    _send(app, forum, "on_site", "Bara för salen")
    response = client.get(f"/r/{forum.tokens['cecilia']}/live")
    assert response.status_code == 200
    assert response.mimetype == "text/event-stream"
    assert response.headers["Cache-Control"] == "private, no-store" and response.headers["X-Accel-Buffering"] == "no"
    hello, announcement, bye = _messages(response.get_data(as_text=True))
    assert hello["event"] == "hello" and hello["retry"] == "3000"
    assert announcement["event"] == "announcement" and announcement["id"] == str(first)
    assert announcement["data"]["id"] == first
    html = announcement["data"]["html"]
    assert "Välkomna &lt;alla&gt;" in html and f"/r/{forum.tokens['cecilia']}/join" in html
    assert bye["event"] == "bye" and bye["data"] == {"last": first}  # the on-site one is not Cecilia's


def test_a_reconnecting_stream_gets_only_what_came_after_its_last_event_id(app, client, forum):
    first = _send(app, forum, "all", "Ett")
    second = _send(app, forum, "all", "Två")
    response = client.get(f"/r/{forum.tokens['anna']}/live", headers={"Last-Event-ID": str(first)})
    ids = [message["id"] for message in _messages(response.get_data(as_text=True)) if "id" in message]
    assert ids == [str(second)]
    response = client.get(f"/r/{forum.tokens['anna']}/live?after={second}")
    assert [m for m in _messages(response.get_data(as_text=True)) if m.get("event") == "announcement"] == []


def test_a_waiting_stream_sends_heartbeats_and_ends_in_time(app, client, forum):
    app.config.update(LIVE_STREAM_SECONDS=0.35, LIVE_HEARTBEAT_SECONDS=0.1)
    started = time.monotonic()
    response = client.get(f"/r/{forum.tokens['anna']}/live")
    body = response.get_data(as_text=True)
    assert 0.3 < time.monotonic() - started < 3
    assert body.count(": heartbeat\n\n") >= 2
    assert _messages(body)[-1]["event"] == "bye"
    assert channel.of(app).open_streams == 0  # its place given back


def test_a_full_server_turns_the_stream_away_so_that_the_page_polls(app, client, forum):
    hub = channel.of(app)
    held = 0
    while hub.admit():
        held += 1
    try:
        response = client.get(f"/r/{forum.tokens['anna']}/live")
        assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    finally:
        for _ in range(held):
            hub.release()


def test_polling_gives_the_same_after_an_id_with_the_next_item(app, client, forum):
    first = _send(app, forum, "all", "Ett")
    second = _send(app, forum, "digital", "Två")
    data = client.get(f"/r/{forum.tokens['cecilia']}/live.json?after={first}").get_json()
    assert [item["id"] for item in data["announcements"]] == [second] and data["last_id"] == second
    assert "Bara digitalt" in data["next"]
    data = client.get(f"/r/{forum.tokens['anna']}/live.json?after={first}").get_json()
    assert data["announcements"] == [] and data["last_id"] == first and "Pitch" in data["next"]
    assert client.get("/r/not-a-token/live.json").status_code == 404


def _read_stream(url: str, found: list, until: int, ready: threading.Event):
    """Read a stream over HTTP until ``until`` announcements came (or it ends)."""
    with urllib.request.urlopen(url, timeout=10) as stream:
        block = []
        for raw in stream:
            line = raw.decode().rstrip("\n")
            if line.startswith("event: hello"):
                ready.set()
            if line.startswith("data: ") and block and block[-1] == "event: announcement":
                found.append(json.loads(line[6:])["id"])
                if len(found) >= until:
                    return
            block.append(line)


def test_an_announcement_reaches_an_open_stream_at_once(app, forum):
    app.config.update(LIVE_STREAM_SECONDS=10, LIVE_HEARTBEAT_SECONDS=1)
    server = LiveServer(app).start()
    try:
        found, ready = [], threading.Event()
        reader = threading.Thread(target=_read_stream, args=(f"{server.url}/r/{forum.tokens['anna']}/live", found, 1,
                                                             ready))
        reader.start()
        assert ready.wait(5)
        time.sleep(0.2)  # past its backlog
        sent_at = time.monotonic()
        announcement = _send(app, forum, "on_site", "Tillbaka i stora salen")
        reader.join(5)
        assert found == [announcement] and time.monotonic() - sent_at < 2
    finally:
        server.stop()


@pytest.fixture
def redis_prefix():
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        require_or_skip("no Redis at 127.0.0.1:6379, so the fan-out through Redis is not tested")
    return f"eventhub-test:{uuid.uuid4().hex}:"


def test_two_app_instances_deliver_through_redis(app, database, forum, redis_prefix):
    """An announcement sent through one app (a worker or server) reaches a stream held by another."""
    settings = dict(database, LIVE_REDIS_URL=REDIS_URL,
                    LIVE_CHANNEL_PREFIX=redis_prefix, LIVE_STREAM_SECONDS=10, LIVE_HEARTBEAT_SECONDS=1)
    sender, holder = create_app(TestingConfig, **settings), create_app(TestingConfig, **settings)
    assert channel.of(sender).kind == "redis" and channel.of(holder) is not channel.of(sender)
    server = LiveServer(holder).start()
    try:
        found, ready = [], threading.Event()
        reader = threading.Thread(target=_read_stream, args=(f"{server.url}/r/{forum.tokens['cecilia']}/live", found,
                                                             2, ready))
        reader.start()
        assert ready.wait(5)
        time.sleep(0.2)
        _send(sender, forum, "on_site", "Bara för salen")  # not Cecilia's: the holder's stream skips it
        ids = [_send(sender, forum, "digital", "Länken har ändrats"), _send(sender, forum, "all", "Paus")]
        reader.join(5)
        assert found == ids
    finally:
        server.stop()
        for one in (sender, holder):
            channel.of(one).close()


def test_the_redis_hub_tells_its_streams_to_read_again_after_losing_redis(redis_prefix):
    hub = channel.RedisHub(REDIS_URL, redis_prefix)
    try:
        subscription = hub.subscribe(7)
        hub.publish(7, {"id": 1})
        assert subscription.get(timeout=2) == {"id": 1}
        hub.resync_all()
        assert subscription.get(timeout=1) == channel.RESYNC
        subscription.close()
        hub.publish(7, {"id": 2})
        assert subscription.get(timeout=0.3) is None  # closed: no longer delivered to
    finally:
        hub.close()


@pytest.fixture
def seats_view(monkeypatch):
    """A part's state messages as a person sees them: here only those of their own way of taking part."""
    def view(message, viewer):
        return {"left": message["left"][viewer.mode]} if viewer.mode in message["left"] else None
    monkeypatch.setitem(services.STATE_VIEWS, "test-seats", view)


def test_a_state_message_reaches_the_streams_it_is_for_as_the_part_shows_it(app, client, forum, seats_view):
    app.config.update(LIVE_STREAM_SECONDS=0.3, LIVE_HEARTBEAT_SECONDS=0.1)

    def states_seen_by(name):
        response = client.get(f"/r/{forum.tokens[name]}/live")  # subscribed; its body is read below
        with app.app_context():
            services.publish_state(channel.of(app), forum.event_id, "test-seats", left={"on_site": 3})
            services.publish_state(channel.of(app), forum.event_id, "nobody-shows-this", secret="x")
        return [m for m in _messages(response.get_data(as_text=True)) if m.get("event") == "state"]

    on_site = states_seen_by("anna")
    assert [m["data"] for m in on_site] == [{"kind": "test-seats", "left": 3}] and "id" not in on_site[0]
    assert states_seen_by("cecilia") == []


def test_the_organisers_stream_gets_every_state_message_and_announcement(app, client, forum, seats_view):
    make_user(app, "host@example.se", staff_of={forum.slug: "host"})
    assert client.get(f"/manage/events/{forum.slug}/live/stream").status_code in (302, 401)
    sign_in(client, "host@example.se")
    app.config.update(LIVE_STREAM_SECONDS=0.3, LIVE_HEARTBEAT_SECONDS=0.1)
    response = client.get(f"/manage/events/{forum.slug}/live/stream")
    assert response.status_code == 200 and response.mimetype == "text/event-stream"
    with app.app_context():
        services.publish_state(channel.of(app), forum.event_id, "test-seats", left={"digital": 1})
    announcement = _send(app, forum, "on_site", "Bara för salen")
    messages = [m for m in _messages(response.get_data(as_text=True)) if "comment" not in m]
    assert [(m["event"], m["data"]) for m in messages] == [
        ("hello", {}), ("state", {"kind": "test-seats", "left": {"digital": 1}}),
        ("announcement", {"id": announcement}), ("bye", {})]
