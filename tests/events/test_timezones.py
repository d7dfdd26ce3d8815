"""Times are stored in UTC and shown in the event's own time zone, across a DST change.

Summer time ends in Europe/Stockholm on 25 October 2026: at 03:00 CEST clocks go back to 02:00 CET.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import text

from eventhub.extensions import db

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def _dst_event(make_event, make_item):
    """A two-day event over the change, with an item at 10:00 local on each day."""
    starts_at = datetime(2026, 10, 24, 9, 0, tzinfo=STOCKHOLM)
    slug = make_event(slug="dst-weekend", starts_at=starts_at, ends_at=datetime(2026, 10, 25, 17, 0, tzinfo=STOCKHOLM),
                      timezone="Europe/Stockholm")
    saturday = make_item(slug, 60, length=30, title="Lördag tio")  # 10:00 CEST
    sunday = make_item(slug, title="Söndag tio",
                       starts_at=datetime(2026, 10, 25, 10, 0, tzinfo=STOCKHOLM),
                       ends_at=datetime(2026, 10, 25, 10, 30, tzinfo=STOCKHOLM))
    return slug, saturday, sunday


def test_event_page_shows_ten_oclock_on_both_sides_of_dst_change(client, make_event, make_item):
    slug, _saturday, _sunday = _dst_event(make_event, make_item)
    body = client.get(f"/events/{slug}").get_data(as_text=True)
    assert '<time datetime="2026-10-24T10:00:00+02:00">10:00</time>' in body
    assert '<time datetime="2026-10-25T10:00:00+01:00">10:00</time>' in body
    assert "09:00" not in body.split('id="programme"')[1]  # not shifted by the changed offset
    assert "11:00" not in body.split('id="programme"')[1]


def test_event_json_gives_offsets_on_both_sides_of_dst_change(client, make_event, make_item):
    slug, _saturday, _sunday = _dst_event(make_event, make_item)
    data = client.get(f"/api/v1/events/{slug}").get_json()
    times = [(item["title"], item["starts_at"], item["ends_at"]) for item in data["programme"]]
    assert times == [
        ("Lördag tio", "2026-10-24T10:00:00+02:00", "2026-10-24T10:30:00+02:00"),
        ("Söndag tio", "2026-10-25T10:00:00+01:00", "2026-10-25T10:30:00+01:00"),
    ]
    assert data["starts_at"] == "2026-10-24T09:00:00+02:00"
    assert data["ends_at"] == "2026-10-25T17:00:00+01:00"


def test_items_on_both_sides_are_stored_in_utc(app, make_event, make_item):
    from eventhub.programme.models import ProgrammeItem

    _slug, saturday, sunday = _dst_event(make_event, make_item)
    with app.app_context():
        assert db.session.get(ProgrammeItem, saturday).starts_at == datetime(2026, 10, 24, 8, 0, tzinfo=UTC)
        assert db.session.get(ProgrammeItem, sunday).starts_at == datetime(2026, 10, 25, 9, 0, tzinfo=UTC)


def test_item_across_the_change_lasts_two_hours(app, client, make_event, make_item):
    from eventhub.programme.models import ProgrammeItem

    slug = make_event(starts_at=datetime(2026, 10, 25, 1, 0, tzinfo=STOCKHOLM),
                      ends_at=datetime(2026, 10, 25, 4, 0, tzinfo=STOCKHOLM))
    # 01:30 CEST, then 02:30 CET: the second 02:30 of the night (fold=1).
    starts_at = datetime(2026, 10, 25, 1, 30, tzinfo=STOCKHOLM)
    ends_at = datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=STOCKHOLM)
    assert ends_at.utcoffset() == timedelta(hours=1)
    item_id = make_item(slug, title="Nattpass", starts_at=starts_at, ends_at=ends_at)

    with app.app_context():
        item = db.session.get(ProgrammeItem, item_id)
        assert item.starts_at == datetime(2026, 10, 24, 23, 30, tzinfo=UTC)
        assert item.ends_at == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
        assert item.starts_at.utcoffset() == timedelta(0)
        assert item.ends_at - item.starts_at == timedelta(hours=2)
        raw = db.session.execute(
            text("SELECT starts_at, ends_at FROM programme_item WHERE id = :id"), {"id": item_id}
        ).one()
    if isinstance(raw.starts_at, str):  # SQLite keeps the UTC wall time as text
        assert raw.starts_at.startswith("2026-10-24 23:30:00")
        assert raw.ends_at.startswith("2026-10-25 01:30:00")
    else:  # PostgreSQL timestamptz
        assert raw.ends_at - raw.starts_at == timedelta(hours=2)
        assert raw.starts_at == datetime(2026, 10, 24, 23, 30, tzinfo=UTC)

    body = client.get(f"/events/{slug}").get_data(as_text=True)
    assert '<time datetime="2026-10-25T01:30:00+02:00">01:30</time>' in body
    assert '<time datetime="2026-10-25T02:30:00+01:00">02:30</time>' in body
    data = client.get(f"/api/v1/events/{slug}").get_json()
    assert data["programme"][0]["starts_at"] == "2026-10-25T01:30:00+02:00"
    assert data["programme"][0]["ends_at"] == "2026-10-25T02:30:00+01:00"


def test_event_in_another_time_zone_shows_its_own_local_time(client, make_event, make_item):
    slug = make_event(starts_at=datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("America/New_York")),
                      timezone="America/New_York")
    make_item(slug, 0, title="Morning")
    body = client.get(f"/events/{slug}").get_data(as_text=True)
    assert '<time datetime="2026-12-01T09:00:00-05:00">09:00</time>' in body
    assert "Tiderna anges i östnordamerikansk normaltid, UTC−5" in body  # the zone named for readers abroad
