"""eventhub.database: who commits (commit / atomic), the connection settings, the model hooks."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from config import TestingConfig
from eventhub import create_app
from eventhub.audit.models import AuditEntry
from eventhub.audit.services import record
from eventhub.database import atomic, commit
from eventhub.extensions import db
from eventhub.privacy.models import ConsentRecord
from eventhub.registration import services as registration
from tests.registration.support import KEYS, event_by_slug, person


def _entries() -> int:
    with db.engine.connect() as other:  # what another connection sees: only what was committed
        return other.scalar(select(func.count()).select_from(AuditEntry))


def test_commit_outside_atomic_commits_at_once(app_ctx):
    record(None, "test.one", "one")
    commit()
    assert _entries() == 1


def test_atomic_commits_once_at_its_end(app_ctx):
    with atomic():
        record(None, "test.one", "one")
        commit()  # a service's own commit, inside the block: it waits
        assert _entries() == 0
        with atomic():  # a nested block joins the outer one
            record(None, "test.two", "two")
            commit()
        assert _entries() == 0
    assert _entries() == 2


def test_an_error_inside_atomic_rolls_back_everything(app_ctx):
    with pytest.raises(ValueError), atomic():
        record(None, "test.one", "one")
        commit()
        raise ValueError("refused")
    assert _entries() == 0
    record(None, "test.after", "after")  # the session works afterwards, outside any block
    commit()
    assert _entries() == 1


def test_sqlite_connections_enforce_foreign_keys_wait_for_the_lock_and_know_swedish_lower_case(tmp_path):
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'settings.sqlite'}")
    with app.app_context():
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == 30000
        assert db.session.execute(text("SELECT eventhub_lower('ÅSA ÖBERG')")).scalar() == "åsa öberg"
        db.session.remove()
        db.engine.dispose()


def test_building_the_app_again_does_not_repeat_the_model_hooks(app, make_event):
    create_app(TestingConfig, SQLALCHEMY_DATABASE_URI="sqlite://")  # registers the hooks a second time, if it could
    slug = make_event(starts_at=datetime.now(UTC) + timedelta(days=3))
    with app.app_context():
        registration.register(event_by_slug(slug).id, person("anna@example.se"), datetime.now(UTC), KEYS)
        assert db.session.scalar(select(func.count()).select_from(ConsentRecord)) == 1  # the notice, once
