"""UTCDateTime: aware datetimes in, aware UTC datetimes out, naive ones refused; wall_clock, a typed local time."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import StatementError

from eventhub.extensions import db
from eventhub.types import NoSuchLocalTime, UTCDateTime, utcnow, wall_clock

STOCKHOLM = ZoneInfo("Europe/Stockholm")


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.dialect()], ids=["sqlite", "postgresql"])
def test_utc_datetime_refuses_naive_value(dialect):
    with pytest.raises(ValueError, match="naive"):
        UTCDateTime().process_bind_param(datetime(2026, 10, 20, 13, 0), dialect)


def test_utc_datetime_binds_utc_naive_for_sqlite_and_aware_for_postgresql():
    value = datetime(2026, 10, 20, 13, 0, tzinfo=STOCKHOLM)
    assert UTCDateTime().process_bind_param(value, sqlite.dialect()) == datetime(2026, 10, 20, 11, 0)
    bound = UTCDateTime().process_bind_param(value, postgresql.dialect())
    assert bound == datetime(2026, 10, 20, 11, 0, tzinfo=UTC)
    assert bound.utcoffset() == timedelta(0)


def test_utc_datetime_result_is_always_aware_utc():
    naive = UTCDateTime().process_result_value(datetime(2026, 10, 20, 11, 0), sqlite.dialect())
    assert naive == datetime(2026, 10, 20, 11, 0, tzinfo=UTC) and naive.tzinfo is UTC
    aware = UTCDateTime().process_result_value(datetime(2026, 10, 20, 13, 0, tzinfo=STOCKHOLM), postgresql.dialect())
    assert aware.tzinfo is UTC and aware.hour == 11


def test_utc_datetime_none_passes_through():
    assert UTCDateTime().process_bind_param(None, sqlite.dialect()) is None
    assert UTCDateTime().process_result_value(None, sqlite.dialect()) is None


def test_utcnow_is_aware_utc():
    assert utcnow().utcoffset() == timedelta(0)


def test_naive_datetime_is_refused_when_saving(app, make_event):
    from eventhub.events.models import Event

    with app.app_context():
        db.session.add(Event(slug="naive", title="Naiv", starts_at=datetime(2026, 10, 20, 13, 0),
                             ends_at=datetime(2026, 10, 20, 16, 0), format="hybrid", status="published"))
        with pytest.raises(StatementError, match="naive datetime"):
            db.session.commit()
        db.session.rollback()
        assert db.session.scalar(db.select(db.func.count()).select_from(Event)) == 0


def test_naive_datetime_is_refused_in_a_query(app):
    from eventhub.events.models import Event

    with app.app_context(), pytest.raises(StatementError, match="naive datetime"):
        db.session.scalars(db.select(Event).where(Event.starts_at > datetime(2026, 1, 1))).all()


@pytest.mark.parametrize(("typed", "utc_hour"), [
    (datetime(2027, 10, 31, 2, 30), 0),   # happens twice: the first, in summer time (RFC 5545's reading)
    (datetime(2027, 10, 31, 3, 30), 2),
    (datetime(2027, 3, 28, 3, 0), 1),     # the first minute of summer time
])
def test_wall_clock_reads_a_local_time_in_the_zone(typed, utc_hour):
    assert wall_clock(typed, "Europe/Stockholm").astimezone(UTC).hour == utc_hour


@pytest.mark.parametrize("typed", [datetime(2027, 3, 28, 2, 0), datetime(2027, 3, 28, 2, 59)])
def test_wall_clock_refuses_a_time_the_clocks_skip(typed):
    with pytest.raises(NoSuchLocalTime):
        wall_clock(typed, "Europe/Stockholm")
