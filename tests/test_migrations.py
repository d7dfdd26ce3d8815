"""The Alembic migrations build exactly the models' schema, on SQLite and PostgreSQL."""
from __future__ import annotations

import logging
from datetime import UTC, date, datetime

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, Table, func, insert, inspect, select, table, text
from sqlalchemy.exc import IntegrityError

from config import TestingConfig
from eventhub import create_app, keyring
from eventhub.demo.loader import load_demo
from eventhub.events.models import Event
from eventhub.extensions import db
from eventhub.registration import services as registration


def _version_table_gone() -> None:
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture
def empty_app(database):
    """An app on an empty database: no create_all, so only the migrations build the schema."""
    # migrations/env.py runs logging.config.fileConfig, which reconfigures logging for the
    # whole process; put it back afterwards so later tests see the logging they expect.
    root = logging.getLogger()
    saved_root = (root.level, list(root.handlers))
    saved_disabled = {
        name: logger.disabled
        for name, logger in logging.Logger.manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    }
    app = create_app(TestingConfig, **database)
    with app.app_context():
        db.drop_all()
        _version_table_gone()
        assert inspect(db.engine).get_table_names() == []
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        _version_table_gone()
        db.engine.dispose()
    root.setLevel(saved_root[0])
    root.handlers[:] = saved_root[1]
    for name, disabled in saved_disabled.items():
        logging.getLogger(name).disabled = disabled


def _schema_differences() -> list:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
        return compare_metadata(context, db.metadata)


def test_upgrade_on_empty_database_creates_every_table(empty_app):
    with empty_app.app_context():
        flask_migrate.upgrade()
        tables = set(inspect(db.engine).get_table_names())
        heads = db.session.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    assert tables == set(db.metadata.tables) | {"alembic_version"}
    assert len(heads) == 1


def test_upgrade_matches_models_with_no_autogenerate_difference(empty_app):
    with empty_app.app_context():
        flask_migrate.upgrade()
        differences = _schema_differences()
    assert differences == []


def test_migrated_schema_enforces_constraints(empty_app):
    start = datetime(2026, 10, 20, 11, 0, tzinfo=UTC)
    with empty_app.app_context():
        flask_migrate.upgrade()
        db.session.add(Event(slug="ok", title="OK", starts_at=start, ends_at=start.replace(hour=14),
                             format="hybrid", status="published"))
        db.session.commit()
        db.session.add(Event(slug="backwards", title="Bakvänd", starts_at=start, ends_at=start.replace(hour=10),
                             format="hybrid", status="published"))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        db.session.add(Event(slug="ok", title="Dubblett", starts_at=start, ends_at=start.replace(hour=14),
                             format="hybrid", status="published"))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_downgrade_to_base_removes_every_table(empty_app):
    with empty_app.app_context():
        flask_migrate.upgrade()
        flask_migrate.downgrade(revision="base")
        tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        versions = db.session.execute(text("SELECT count(*) FROM alembic_version")).scalar()
    assert tables == set()
    assert versions == 0


def test_upgrade_after_downgrade_builds_the_schema_again(empty_app):
    with empty_app.app_context():
        flask_migrate.upgrade()
        flask_migrate.downgrade(revision="base")
        flask_migrate.upgrade()
        assert _schema_differences() == []


def test_demo_loads_into_migrated_database(empty_app):
    with empty_app.app_context():
        flask_migrate.upgrade()
        report = load_demo(date(2026, 11, 1))
        assert len(report.created) == 3
        db.session.remove()


def _row_then(model, **values) -> int:
    """A row in the table as an older revision made it: only the columns it has, each given what the
    model would give it (later revisions added columns the model now writes), and none of the ORM's
    hooks (they keep columns of later revisions)."""
    now = model.__table__
    then = Table(now.name, MetaData(), autoload_with=db.session.connection())
    row = {}
    for column in then.columns:
        default = now.c[column.name].default if column.name in now.c else None
        if column.name in values:
            row[column.name] = values[column.name]
        elif default is not None and default.is_scalar:
            row[column.name] = default.arg
        elif default is not None and default.is_callable:
            row[column.name] = default.arg(None)
    return db.session.execute(insert(then).values(row).returning(then.c.id)).scalar_one()


def test_material_files_on_disk_move_into_the_database(empty_app, tmp_path):
    from eventhub.materials.models import EventMaterial, MaterialChunk

    empty_app.config["MATERIAL_FOLDER"] = str(tmp_path / "materials")
    start = datetime(2026, 10, 20, 11, 0, tzinfo=UTC)
    content = b"%PDF-1.4\n" + bytes(range(256)) * 5000  # over one piece of the table
    with empty_app.app_context():
        flask_migrate.upgrade(revision="d2b8e4f0a513")  # the last revision with files on disk
        event_id = _row_then(Event, slug="seminarium", title="Seminarium", starts_at=start,
                             ends_at=start.replace(hour=14), format="hybrid", status="published")
        kept_id, lost_id = (_row_then(EventMaterial, event_id=event_id, title=title, stored_name=f"{char * 32}.pdf",
                                      size_bytes=size, original_filename="bilder.pdf", content_type="application/pdf")
                            for title, char, size in (("Bilder", "a", len(content)), ("Borttappad", "b", 10)))
        db.session.commit()
        folder = tmp_path / "materials" / str(event_id)
        folder.mkdir(parents=True)
        name = "a" * 32 + ".pdf"
        (folder / name).write_bytes(content)
        db.session.remove()

        flask_migrate.upgrade()

        def pieces(material_id):
            return db.session.scalars(db.select(MaterialChunk.data).where(MaterialChunk.material_id == material_id)
                                      .order_by(MaterialChunk.number)).all()

        assert len(pieces(kept_id)) == 2 and b"".join(pieces(kept_id)) == content
        assert pieces(lost_id) == []  # reported, and its download answers 404
        db.session.remove()
        (folder / name).unlink()

        flask_migrate.downgrade(revision="c41f8e2b9d07")  # back on disk
        assert (folder / name).read_bytes() == content


# Tables whose rows the revisions between here and the head create or move (dropped on the way down).
_MADE_AFTER_CALENDAR_UID = {"attendance_import", "attendance_participant", "material_chunk", "reminder",
                            "reminder_delivery", "alembic_version", "event_documentation", "event_photo",
                            "photo_chunk", "group_key_points", "group_leader_link"}


def test_migrating_down_and_up_across_event_rebuilds_keeps_every_row(empty_app, tmp_path):
    """SQLite rebuilds a table to change a column (copy, drop, rename): with foreign keys on, the
    drop of ``event`` deleted every registration and programme item that points at it."""
    empty_app.config["MATERIAL_FOLDER"] = str(tmp_path / "materials")
    with empty_app.app_context():
        flask_migrate.upgrade()
        load_demo(date(2026, 11, 1))
        event = db.session.scalars(db.select(Event).where(Event.status == "published")).first()
        registration.register(event.id, registration.RegistrationInput(
            name="Åsa Öhman", email="asa@example.se", mode="on_site", sector="public", privacy_accepted=True),
            datetime.now(UTC), keyring.of(empty_app))
        db.session.remove()

        def counts():
            tables = set(inspect(db.engine).get_table_names()) - _MADE_AFTER_CALENDAR_UID
            with db.engine.connect() as conn:
                return {name: conn.execute(select(func.count()).select_from(table(name))).scalar()
                        for name in tables}

        before = counts()
        assert before["registration"] > 0 and before["programme_item"] > 0
        flask_migrate.downgrade(revision="d5a7c3e9f102")  # below the two revisions that rebuild ``event``
        flask_migrate.upgrade()
        assert counts() == before
