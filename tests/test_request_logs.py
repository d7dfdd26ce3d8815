"""Structured logs: one JSON line per request, and no secret token in it or in gunicorn's access log."""
from __future__ import annotations

import json
import logging
import time

import pytest
import requests

from eventhub.logs import JsonFormatter, redact_path
from tests.live_gunicorn import serve
from tests.registration.support import register, token_for

FAKE_TOKEN = "Zq8hSecretToken4711xYz"  # shaped like a real one: logged paths must not carry it


@pytest.fixture
def request_log(caplog):
    caplog.set_level(logging.INFO, logger="eventhub.requests")
    return caplog


def _requests(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "eventhub.requests"]


def test_a_personal_link_is_logged_without_its_token_or_query(app, client, make_event, request_log):
    slug = make_event()
    with app.app_context():
        register(slug, "anna@example.se")
    token = token_for(app, "anna@example.se")

    paths = [f"/r/{token}", f"/r/{token}/calendar.ics", f"/r/{token}/join?lang=en",
             f"/account/password/{FAKE_TOKEN}?next=/manage/", f"/events/{slug}?q=anna@example.se"]
    statuses = [client.get(path).status_code for path in paths]
    records = _requests(request_log)
    lines = [json.loads(JsonFormatter().format(record)) for record in records]

    assert statuses[:2] == [200, 200]
    assert [line["path"] for line in lines] == ["/r/<token>", "/r/<token>/calendar.ics", "/r/<token>/join",
                                                "/account/password/<token>", f"/events/{slug}"]
    assert [line["status"] for line in lines] == statuses
    for line in lines:
        assert line["logger"] == "eventhub.requests" and line["method"] == "GET"
        assert line["duration_ms"] >= 0 and len(line["request_id"]) >= 8
    logged = request_log.text + "\n".join(JsonFormatter().format(record) for record in records)
    for secret in (token, FAKE_TOKEN, "anna@example.se", "next="):
        assert secret not in logged


def test_the_request_id_comes_from_the_proxy_or_is_made_and_is_sent_back(client, request_log):
    given = client.get("/", headers={"X-Request-ID": "abc123def456"})
    forged = client.get("/", headers={"X-Request-ID": 'x", "level": "CRITICAL'})

    ids = [record.request_id for record in _requests(request_log)]

    assert given.headers["X-Request-ID"] == ids[0] == "abc123def456"
    assert forged.headers["X-Request-ID"] == ids[1] and '"' not in ids[1] and len(ids[1]) == 16


def test_every_route_with_a_token_has_it_redacted(app):
    rules = [rule for rule in app.url_map.iter_rules() if "token" in rule.arguments]
    assert rules
    for rule in rules:
        path = rule.rule.replace("<token>", FAKE_TOKEN)
        assert FAKE_TOKEN not in redact_path(path), rule.rule


def test_gunicorn_access_log_holds_no_token(app, database, tmp_path):
    paths = [f"/r/{FAKE_TOKEN}/join?lang=en", f"/account/password/{FAKE_TOKEN}?next=/manage/",
             "/events/?q=anna@example.se"]
    with serve(database, tmp_path, workers=1, threads=2) as server:
        for path in paths:
            requests.get(server.url + path, timeout=30,
                         headers={"Referer": f"{server.url}/r/{FAKE_TOKEN}?x=1", "X-Request-ID": "req-00000001"})
        # gunicorn writes a request's access line after its answer has gone: wait for the last one.
        deadline = time.monotonic() + 10
        while (log := server.log.read_text()).count("req-00000001\n") < 3 and time.monotonic() < deadline:
            time.sleep(0.05)

    access = [line for line in log.splitlines() if '"GET /' in line and "req-00000001" in line]
    app_lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    assert len(access) == 3, log  # gunicorn's access log (gunicorn.conf.py): one line each
    # Each line is written by the worker thread that answered, so their order is not the requests' order.
    assert any('"GET /r/<token>/join HTTP/1.1"' in line for line in access)
    assert any('"GET /account/password/<token> HTTP/1.1"' in line for line in access)
    assert {"/r/<token>/join", "/account/password/<token>"} <= {line.get("path") for line in app_lines}
    for secret in (FAKE_TOKEN, "anna@example.se", "next=", "lang="):
        assert secret not in log
