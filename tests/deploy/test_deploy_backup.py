"""Backup and restore as docs/operations.md describes it, done for real.

PostgreSQL: a database migrated and loaded as in production (``flask db upgrade``, ``flask load-demo``),
``pg_dump -Fc``, a fresh database made with ``createdb``, ``pg_restore`` into it, and the app started
on the copy serves the same events. SQLite: the online ``.backup`` of a database the app has open.
"""
from __future__ import annotations

import io
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from config import TestingConfig, normalise_database_url
from eventhub import create_app
from eventhub.accounts import services as accounts
from eventhub.events.models import Event
from eventhub.extensions import db
from eventhub.materials import services as materials
from eventhub.types import utcnow
from tests.conftest import require_or_skip
from tests.deploy.support import private_database

ROOT = Path(__file__).resolve().parents[2]
FLASK = Path(sys.executable).parent / "flask"
DEMO_SLUGS = {"integration-i-arbetslivet", "fast-kunskapsseminarium", "snabbspar-utbytesworkshop"}
PAST_EVENT = "fast-kunskapsseminarium"  # its material is public
PDF = b"%PDF-1.4\n%% slides kept in the database, so in the dump\n%%EOF\n"


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        require_or_skip(f"{name} is not installed (Debian package postgresql-client)")
    return path


def _flask(database_url: str, *arguments: str, instance: Path) -> str:
    env = {key: value for key, value in os.environ.items() if key != "EVENTHUB_ENV"}
    env.update(DATABASE_URL=database_url, SECRET_KEY="backup-test-key", EVENTHUB_INSTANCE=str(instance))
    result = subprocess.run([str(FLASK), "--app", "wsgi.py", *arguments], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=180)
    assert result.returncode == 0, f"flask {' '.join(arguments)}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _run(*command: str, password: str | None = None) -> None:
    env = {**os.environ, "PGPASSWORD": password} if password else None  # createdb takes no URL
    result = subprocess.run(command, capture_output=True, text=True, timeout=180, env=env)
    assert result.returncode == 0, f"{' '.join(command)}:\n{result.stdout}\n{result.stderr}"


def _upload_slides(database_url: str) -> str:
    """An organiser's uploaded file on the past demo event; returns its download path."""
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=normalise_database_url(database_url))
    try:
        with app.app_context():
            user, _ = accounts.create_user("org@example.se", "Org", "organiser", utcnow(), password=None)
            event_id = db.session.scalar(select(Event.id).where(Event.slug == PAST_EVENT))
            material = materials.store_upload(event_id, io.BytesIO(PDF), "bilder.pdf", "Bilder", "slides", user.id,
                                              1_000_000)
            return f"/events/{PAST_EVENT}/material/{material.id}"
    finally:
        _dispose(app)


def _dispose(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@contextmanager
def _served(database_url: str):
    """The app on that database; yields a client."""
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=normalise_database_url(database_url))
    try:
        yield app.test_client()
    finally:
        _dispose(app)


def _what_the_public_sees(client) -> dict:
    listing = client.get("/api/v1/events")
    assert listing.status_code == 200
    events = listing.json["upcoming"] + listing.json["past"]
    pages = {}
    for event in events:
        page = client.get(f"/events/{event['slug']}")
        assert page.status_code == 200, event["slug"]
        assert event["title"] in page.get_data(as_text=True)
        detail = client.get(f"/api/v1/events/{event['slug']}")
        pages[event["slug"]] = detail.json
    return {"listing": listing.json, "details": pages}


def _schema_version(url: str) -> str | None:
    engine = create_engine(normalise_database_url(url))
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()


def _drop(url: str) -> None:
    parts = make_url(normalise_database_url(url))
    admin = create_engine(parts.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{parts.database}" WITH (FORCE)'))
    finally:
        admin.dispose()


def test_pg_dump_restored_into_a_fresh_database_serves_the_same_events(tmp_path):
    pg_dump, pg_restore, createdb = _tool("pg_dump"), _tool("pg_restore"), _tool("createdb")
    with private_database("eventhub_backup") as source:
        _flask(source, "db", "upgrade", instance=tmp_path / "instance")
        loaded = _flask(source, "load-demo", instance=tmp_path / "instance")
        assert loaded.count("created ") == len(DEMO_SLUGS)
        slides = _upload_slides(source)
        with _served(source) as client:
            before = _what_the_public_sees(client)
            assert client.get(slides).data == PDF
        assert set(before["details"]) == DEMO_SLUGS

        # The procedure of docs/operations.md, step by step.
        dump = tmp_path / "eventhub.dump"
        _run(pg_dump, "--format=custom", f"--file={dump}", source)
        target = make_url(source).set(database=f"eventhub_restore_{secrets.token_hex(4)}")
        restored = target.render_as_string(hide_password=False)
        _run(createdb, f"--host={target.host}", f"--port={target.port or 5432}", f"--username={target.username}",
             target.database, password=target.password)
        try:
            _run(pg_restore, "--no-owner", "--exit-on-error", f"--dbname={restored}", str(dump))
            with _served(restored) as client:
                after = _what_the_public_sees(client)
                download = client.get(slides)
            assert after == before
            assert (download.status_code, download.data) == (200, PDF)  # the uploaded file came back with the rest
            # The copy knows its schema version: the next release's migrations start from the right place.
            assert _schema_version(restored) == _schema_version(source) is not None
        finally:
            _drop(restored)


def test_sqlite_backup_of_an_open_database_serves_the_same_events(tmp_path, sqlite_template):
    live = tmp_path / "eventhub.sqlite"
    shutil.copyfile(sqlite_template, live)
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{live}")
    copy = tmp_path / "backup.sqlite"
    try:
        _flask(f"sqlite:///{live}", "load-demo", instance=tmp_path / "instance")
        client = app.test_client()
        before = _what_the_public_sees(client)  # the app holds the database open (WAL) while it is copied
        sqlite3_cli = shutil.which("sqlite3")
        if sqlite3_cli:
            _run(sqlite3_cli, str(live), f".backup '{copy}'")
        else:  # the same online backup, through Python's sqlite3 module
            with sqlite3.connect(live) as source, sqlite3.connect(copy) as target:
                source.backup(target)
            source.close()
            target.close()
    finally:
        with app.app_context():
            db.engine.dispose()
    live.unlink()
    with _served(f"sqlite:///{copy}") as client:
        assert _what_the_public_sees(client) == before
