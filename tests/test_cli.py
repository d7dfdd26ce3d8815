"""``flask load-demo`` and ``flask clear-cache`` (eventhub.cli)."""
from __future__ import annotations

from sqlalchemy import func, select

from eventhub.extensions import db

DEMO_SLUGS = ["integration-i-arbetslivet", "fast-kunskapsseminarium", "snabbspar-utbytesworkshop"]


def _event_count(app) -> int:
    from eventhub.events.models import Event

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Event))


def test_load_demo_if_empty_loads_into_empty_database(app, runner):
    result = runner.invoke(args=["load-demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    for slug in DEMO_SLUGS:
        assert f"created {slug}" in result.output
    assert _event_count(app) == 3


def test_load_demo_if_empty_leaves_database_with_events_alone(app, runner, make_event):
    make_event(slug="own-event")
    result = runner.invoke(args=["load-demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "The database already has events; demo not loaded." in result.output
    assert _event_count(app) == 1


def test_load_demo_twice_reports_existing_events(app, runner):
    runner.invoke(args=["load-demo"])
    result = runner.invoke(args=["load-demo"])
    assert result.exit_code == 0, result.output
    assert "created" not in result.output
    for slug in DEMO_SLUGS:
        assert f"already there: {slug}" in result.output
    assert _event_count(app) == 3


def test_load_demo_without_flag_adds_to_database_with_events(app, runner, make_event):
    make_event(slug="own-event")
    result = runner.invoke(args=["load-demo"])
    assert result.exit_code == 0, result.output
    assert _event_count(app) == 4


def test_clear_cache_forgets_the_kept_event_page(app, runner, client, make_event, count_queries):
    slug = make_event()
    client.get(f"/events/{slug}")
    with count_queries() as kept:
        client.get(f"/events/{slug}")
    result = runner.invoke(args=["clear-cache"])
    assert result.exit_code == 0, result.output
    assert "forgotten" in result.output
    with count_queries() as rendered:
        assert client.get(f"/events/{slug}").status_code == 200
    assert len(kept) == 1 and len(rendered) > 1
