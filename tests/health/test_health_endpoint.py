"""GET /healthz: the database, the shared rate-limit store (Redis) and the outbox backlog, for monitors."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest

from config import TestingConfig
from eventhub import create_app
from eventhub.extensions import db
from eventhub.mail import services as mail
from eventhub.mail.models import OutboxMessage
from eventhub.types import utcnow
from tests.deploy.support import free_port, redis_server


@pytest.fixture
def app_with_store(database):
    """A client of an app whose rate limits are on and kept in the given store."""
    apps = []

    def configure(uri: str):
        apps.append(create_app(TestingConfig, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=uri, **database))
        return apps[-1].test_client()

    yield configure
    for app in apps:
        with app.app_context():
            db.engine.dispose()


def test_health_with_memory_limits_is_ok_and_says_redis_is_not_configured(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "redis": "not configured",
                             "outbox": {"due": 0, "retrying": 0, "oldest_due_age_seconds": None}}
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers


def test_health_counts_the_due_outbox_and_its_oldest_age_without_addresses(app, client):
    now = utcnow()
    with app.app_context():
        for minutes_ago, attempts, next_in in ((30, 0, 0), (5, 2, 0), (1, 1, 10)):
            message = mail.queue("anna.andersson@example.se", "Välkommen", "Hej Anna")
            message.created_at = now - timedelta(minutes=minutes_ago)
            message.attempts = attempts
            message.next_attempt_at = now + timedelta(minutes=next_in)
        sent = mail.queue("bo@example.se", "Skickat", "Hej")
        sent.created_at, sent.sent_at = now - timedelta(hours=2), now - timedelta(hours=1)
        db.session.commit()
        assert db.session.query(OutboxMessage).count() == 4
    response = client.get("/healthz")
    assert response.status_code == 200
    outbox = response.json["outbox"]
    # due now: the 30- and 5-minute-old ones; the third waits for its retry; the sent one is not counted
    assert outbox["due"] == 2
    assert outbox["retrying"] == 2
    assert 30 * 60 - 5 <= outbox["oldest_due_age_seconds"] <= 30 * 60 + 60
    body = response.get_data(as_text=True)
    assert "example.se" not in body and "Anna" not in body and "Välkommen" not in body


def test_health_with_redis_up_is_ok(app_with_store, tmp_path):
    with redis_server(tmp_path / "redis") as url:
        response = app_with_store(url).get("/healthz")
    assert response.status_code == 200, response.json
    assert response.json["redis"] == "ok"
    assert response.json["status"] == "ok"


def test_health_with_redis_down_is_503_and_not_an_error_page(app_with_store):
    closed = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    client = app_with_store(closed)
    responses = [client.get("/healthz") for _ in range(3)]  # a monitor polls; each answer is a check, not a 500
    for response in responses:
        assert response.status_code == 503
        assert response.json["status"] == "unavailable"
        assert response.json["redis"] == "down"
        assert response.json["database"] == "ok"


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_health_with_the_database_down_is_503(tmp_path, engine):
    if engine == "sqlite":
        url = f"sqlite:///{tmp_path / 'no-such-folder' / 'eventhub.sqlite'}"  # SQLite cannot open it there
    else:
        url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/eventhub"  # nothing listens there
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)
    try:
        response = app.test_client().get("/healthz")
        assert response.status_code == 503
        assert json.loads(response.get_data()) == {"status": "unavailable", "database": "down",
                                                   "redis": "not configured", "outbox": None}
    finally:
        with app.app_context():
            db.engine.dispose()
