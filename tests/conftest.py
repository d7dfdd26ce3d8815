"""Shared fixtures: an app per test on SQLite and, when configured, on PostgreSQL.

Set EVENTHUB_TEST_DATABASE_URL to a PostgreSQL URL to run every database test on
both. With EVENTHUB_REQUIRE_ALL=1 (CI) a missing PostgreSQL URL or browser is an
error, not a skip.
"""
from __future__ import annotations

import os
import secrets
import threading
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, event, text
from werkzeug.serving import make_server

from config import TestingConfig, normalise_database_url
from eventhub import create_app
from eventhub.extensions import db

REQUIRE_ALL = os.environ.get("EVENTHUB_REQUIRE_ALL") == "1"
PG_URL = os.environ.get("EVENTHUB_TEST_DATABASE_URL")


def require_or_skip(reason: str) -> None:
    """Skip with a printed reason, or fail when CI demands everything runs."""
    if REQUIRE_ALL:
        pytest.fail(f"EVENTHUB_REQUIRE_ALL=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def pg_schema_url():
    """A private schema in the PostgreSQL database for this test run, dropped afterwards."""
    if not PG_URL:
        yield None
        return
    url = normalise_database_url(PG_URL)
    schema = f"eventhub_test_{secrets.token_hex(4)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield url, schema
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


DATABASES = ["sqlite", "postgresql"]


@pytest.fixture(params=DATABASES)
def database(request, tmp_path, pg_schema_url):
    """Connection settings for one test's database: a fresh SQLite file, or the run's PG schema."""
    if request.param == "sqlite":
        return {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.sqlite'}"}
    if pg_schema_url is None:
        require_or_skip("EVENTHUB_TEST_DATABASE_URL is not set, so the PostgreSQL variant is skipped")
    url, schema = pg_schema_url
    return {
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": f"-c search_path={schema}"}},
        "EVENTHUB_PG_SCHEMA": schema,
    }


@pytest.fixture
def app(database):
    app = create_app(TestingConfig, **database)
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield


@pytest.fixture
def count_queries(app):
    """``with count_queries() as queries:`` collects the SQL statements run inside the block."""

    @contextmanager
    def counter():
        statements: list[str] = []

        def before(_conn, _cursor, statement, *_args):
            statements.append(statement)

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return counter


@pytest.fixture
def demo(app):
    """The demo events loaded as the README's first command loads them."""
    from eventhub.demo.loader import load_demo

    with app.app_context():
        load_demo(datetime.now(UTC).date())


@pytest.fixture
def make_event(app):
    """Factory for an event; keyword arguments override the defaults."""
    from eventhub.events.models import Event

    def factory(**overrides):
        start = overrides.pop("starts_at", datetime.now(UTC) + timedelta(days=30))
        values = dict(
            slug=f"event-{secrets.token_hex(3)}",
            title="Forumträff",
            starts_at=start,
            ends_at=start + timedelta(hours=3),
            format="hybrid",
            status="published",
        )
        values.update(overrides)
        with app.app_context():
            event_obj = Event(**values)
            db.session.add(event_obj)
            db.session.commit()
            return event_obj.slug

    return factory


@pytest.fixture
def make_item(app):
    """Factory for a programme item on an event given by slug."""
    from sqlalchemy import select

    from eventhub.events.models import Event
    from eventhub.programme.models import ProgrammeItem

    def factory(slug, minutes_after_start=0, length=15, **overrides):
        with app.app_context():
            event_obj = db.session.scalar(select(Event).where(Event.slug == slug))
            starts_at = event_obj.starts_at + timedelta(minutes=minutes_after_start)
            values = dict(title="Föredrag", starts_at=starts_at, ends_at=starts_at + timedelta(minutes=length))
            values.update(overrides)
            item = ProgrammeItem(event_id=event_obj.id, **values)
            db.session.add(item)
            db.session.commit()
            return item.id

    return factory


class LiveServer:
    def __init__(self, app):
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._thread.join(timeout=5)


@pytest.fixture
def live_server(app):
    """The app served over real HTTP on 127.0.0.1 (for browsers and parallel requests)."""
    server = LiveServer(app).start()
    yield server
    server.stop()
