"""Shared fixtures: the app on a fresh database per test, SQLite and, when configured, PostgreSQL.

The schema is built once per run (per xdist worker) and each test starts with no rows: see
``database``. Set EVENTHUB_TEST_DATABASE_URL to a PostgreSQL URL to run every database test on
both. With EVENTHUB_REQUIRE_ALL=1 (CI) a missing PostgreSQL URL or browser is an
error, not a skip.
"""
from __future__ import annotations

import os
import secrets
import shutil
import threading
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, event, text
from werkzeug.serving import make_server

from config import TestingConfig, normalise_database_url
from eventhub import caching, create_app
from eventhub.extensions import db, limiter

REQUIRE_ALL = os.environ.get("EVENTHUB_REQUIRE_ALL") == "1"
PG_URL = os.environ.get("EVENTHUB_TEST_DATABASE_URL")


def require_or_skip(reason: str) -> None:
    """Skip with a printed reason, or fail when CI demands everything runs."""
    if REQUIRE_ALL:
        pytest.fail(f"EVENTHUB_REQUIRE_ALL=1 but {reason}")
    pytest.skip(reason)


class PostgresSchema:
    """This run's private schema in the PostgreSQL database, built once and emptied before each test.

    Emptying (DELETE from every table, sequences restarted) costs a few milliseconds where
    building the schema costs over a hundred. A test that dropped or changed the tables (the
    migration tests) leaves a schema that no longer matches the models: it is built again.
    """

    def __init__(self, url: str):
        self.url = normalise_database_url(url)
        self.name = f"eventhub_test_{secrets.token_hex(4)}"
        self.engine = create_engine(self.url, connect_args={"options": f"-c search_path={self.name}"})
        with self.engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{self.name}"'))
        self._reset_sql = ""

    def _tables(self, conn) -> set[str]:
        return set(conn.execute(text("SELECT table_name FROM information_schema.tables WHERE table_schema = :s"),
                                {"s": self.name}).scalars())

    def _build(self, conn) -> None:
        conn.execute(text(f'DROP SCHEMA "{self.name}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{self.name}"'))
        db.metadata.create_all(conn)
        sequences = conn.execute(text("SELECT sequence_name FROM information_schema.sequences "
                                      "WHERE sequence_schema = :s"), {"s": self.name}).scalars().all()
        self._reset_sql = "; ".join(
            [f'DELETE FROM "{table.name}"' for table in reversed(db.metadata.sorted_tables)]  # noqa: S608 (our table names)
            + [f'ALTER SEQUENCE "{sequence}" RESTART' for sequence in sequences])

    def reset(self) -> None:
        with self.engine.begin() as conn:
            if not self._reset_sql or self._tables(conn) != set(db.metadata.tables):
                self._build(conn)
            else:
                conn.exec_driver_sql(self._reset_sql)

    def settings(self) -> dict:
        return {
            "SQLALCHEMY_DATABASE_URI": self.url,
            "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": f"-c search_path={self.name}"}},
            "EVENTHUB_PG_SCHEMA": self.name,
        }

    def drop(self) -> None:
        with self.engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{self.name}" CASCADE'))
        self.engine.dispose()


@pytest.fixture(scope="session")
def pg_schema():
    """This run's PostgreSQL schema (see PostgresSchema), or None without EVENTHUB_TEST_DATABASE_URL."""
    if not PG_URL:
        yield None
        return
    create_app(TestingConfig, SQLALCHEMY_DATABASE_URI="sqlite://")  # imports every model into the metadata
    schema = PostgresSchema(PG_URL)
    yield schema
    schema.drop()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """A SQLite file with the whole schema, built once; each test's database is a copy of it."""
    path = tmp_path_factory.mktemp("schema") / "template.sqlite"
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}")
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    return path


@pytest.fixture(scope="session")
def sqlite_path(tmp_path_factory):
    """Where each test's SQLite database lives: one place, so that one app can serve every test."""
    return tmp_path_factory.mktemp("database") / "test.sqlite"


DATABASES = ["sqlite", "postgresql"]


@pytest.fixture(params=DATABASES)
def database(request, pg_schema):
    """Connection settings for one test's database, with the schema built and no rows:
    a fresh copy of the SQLite template, or the run's PostgreSQL schema emptied."""
    if request.param == "sqlite":
        path = request.getfixturevalue("sqlite_path")
        for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            leftover.unlink(missing_ok=True)
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"}
    if pg_schema is None:
        require_or_skip("EVENTHUB_TEST_DATABASE_URL is not set, so the PostgreSQL variant is skipped")
    pg_schema.reset()
    return pg_schema.settings()


_apps: dict[str, object] = {}


@pytest.fixture
def app(database):
    """The app on the test's database. Building one costs more than most tests (its URL rules and
    templates are compiled), so one app per database serves every test, its config put back after each."""
    app = _apps.get(database["SQLALCHEMY_DATABASE_URI"])
    if app is None:
        app = _apps[database["SQLALCHEMY_DATABASE_URI"]] = create_app(TestingConfig, **database)
    config = dict(app.config)
    # The limiter is one object for every app, and a test's own rate-limited app turns it on.
    limiter.init_app(app)
    with app.app_context():
        caching.clear()  # each test's database starts again from id 1: nothing kept from another's
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    app.config.clear()
    app.config.update(config)


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
        if values["status"] == "cancelled":
            values.setdefault("published_at", start - timedelta(days=10))  # cancelled after the public saw it
        with app.app_context():
            event_obj = Event(**values)
            db.session.add(event_obj)
            db.session.commit()
            return event_obj.slug

    return factory


@pytest.fixture
def hybrid(make_event):
    """A hybrid event, open for registration, with two seats per mode and group choice open."""
    return make_event(on_site_seats=2, digital_seats=2, group_choice_open=True)


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
