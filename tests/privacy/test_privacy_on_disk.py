"""Purged data leaves the disk: on SQLite an erased or purged person's name, address and answers are
in neither the database file nor its write-ahead log afterwards; PostgreSQL vacuums the tables it
purged, after the commit (VACUUM cannot run inside a transaction)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import event as sa_event
from sqlalchemy.exc import OperationalError

from eventhub import database
from eventhub.extensions import db
from eventhub.privacy import retention, services
from tests.privacy.conftest import ENDED
from tests.privacy.support import registered, row
from tests.registration.support import KEYS

NAME, EMAIL, DIETARY = "Zebulon Quxwellington", "zebulon@example.se", "Kosher utan quinoa"
PURGED_TABLES = {"registration", "consent_record", "outbox_message"}


def _on_disk(needle: str) -> list[str]:
    path = Path(db.engine.url.database)
    files = [path, path.with_name(path.name + "-wal")]
    return [file.name for file in files if file.exists() and needle.encode() in file.read_bytes()]


def _assert_gone_from_disk(action, needles: tuple[str, ...], tables: set[str]) -> None:
    """Run ``action``; then SQLite's files hold none of ``needles``, or PostgreSQL vacuumed ``tables``."""
    if db.engine.dialect.name == "sqlite":
        assert all(_on_disk(needle) for needle in needles)  # written (in the WAL at first)
        action()
        assert {needle: _on_disk(needle) for needle in needles} == {needle: [] for needle in needles}
        return
    statements = []
    listener = lambda _conn, _cursor, statement, *_: statements.append(statement)  # noqa: E731
    sa_event.listen(db.engine, "before_cursor_execute", listener)
    try:
        action()
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", listener)
    assert {statement.split()[1] for statement in statements if statement.startswith("VACUUM")} == tables


def test_an_erased_person_leaves_the_disk(app, upcoming):
    with app.app_context():
        registration_id = registered(upcoming, EMAIL, name=NAME)
        _assert_gone_from_disk(lambda: services.erase(registration_id, datetime.now(UTC), KEYS),
                               (NAME, EMAIL), PURGED_TABLES)


def test_purged_answers_leave_the_disk(app, past):
    with app.app_context():
        registered(past, EMAIL, name=NAME, dietary_needs=DIETARY, special_consent=True,
                   now=ENDED - timedelta(days=20))
        # Past the special-category period only: the answers go, the registration stays.
        _assert_gone_from_disk(lambda: retention.purge(ENDED + timedelta(days=40), KEYS), (DIETARY,),
                               {"registration"})


def test_purged_registrations_leave_the_disk(app, past):
    with app.app_context():
        registered(past, EMAIL, name=NAME, now=ENDED - timedelta(days=20))
        _assert_gone_from_disk(lambda: retention.purge(ENDED + timedelta(days=400), KEYS), (NAME, EMAIL),
                               PURGED_TABLES)


def test_an_erasure_stands_when_cleaning_the_files_fails(app, upcoming, monkeypatch, caplog):
    def fails(*_args):
        raise OperationalError("VACUUM", {}, Exception("database is locked"))

    monkeypatch.setattr(database, "_clean_files", fails)
    with app.app_context():
        registration_id = registered(upcoming, EMAIL, name=NAME)
        services.erase(registration_id, datetime.now(UTC), KEYS)
        assert row(registration_id).name == f"#{registration_id}"
    assert "could not clean the database files" in caplog.text


def test_an_erased_persons_row_in_an_attendance_report_leaves_the_disk(app, past):
    from eventhub.attendance import services as attendance
    from tests.registration.support import event_by_slug

    report = ("Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"
              f"{NAME} (Zebbe Q),{EMAIL},2026-03-10 12:05:00,2026-03-10 14:00:00,115,No\n").encode()
    with app.app_context():
        registration_id = registered(past, EMAIL, name="Zeb", now=ENDED - timedelta(days=20))
        attendance.import_report(event_by_slug(past).id, report, "zoom.csv", None, ENDED)
        _assert_gone_from_disk(lambda: services.erase(registration_id, ENDED + timedelta(days=1), KEYS),
                               (f"{NAME} (Zebbe Q)",), PURGED_TABLES | {"attendance_participant"})
