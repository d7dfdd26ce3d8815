
"""The public pages load in a fixed number of SQL queries, however long the programme or list."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from eventhub import caching
from eventhub.extensions import db

NOW = datetime.now(UTC)
# Nothing kept: the row 1; the row again with partners, material, items with speakers, groups with leaders 5;
# the form's groups and their leaders 2; the privacy notice 1. That is 9, and room for 3.
MAX_EVENT_PAGE_QUERIES = 12
KEPT_EVENT_PAGE_QUERIES = 1  # kept: the event's row, which says its versions and seats
MAX_INDEX_QUERIES = 3


def _event_with_programme(app, make_event, n_items: int) -> str:
    """An event with n items, each with two speakers and one group per mode with a leader."""
    from eventhub.events.models import Event, Partner
    from eventhub.groups.models import DiscussionGroup, GroupLeader
    from eventhub.materials.models import EventMaterial
    from eventhub.programme.models import ItemSpeaker, Person, ProgrammeItem

    # Group choice open: the registration form then lists every group with its leaders.
    slug = make_event(starts_at=NOW + timedelta(days=5), group_choice_open=True)
    with app.app_context():
        event = db.session.scalar(db.select(Event).where(Event.slug == slug))
        event.partners = [Partner(name=f"Partner {i}", position=i) for i in range(2)]
        event.materials = [EventMaterial(kind="slides", title="Bilder", url="https://example.org/s.pdf")]
        for i in range(n_items):
            starts_at = event.starts_at + timedelta(minutes=5 * i)
            item = ProgrammeItem(
                title=f"Punkt {i}", starts_at=starts_at, ends_at=starts_at + timedelta(minutes=5),
                audience=("everyone", "on_site", "digital")[i % 3], position=i, kind="group_session",
            )
            item.speakers = [
                ItemSpeaker(person=Person(name=f"Talare {slug} {i}-{j}", title="t", organisation="o"),
                            role="speaker", position=j)
                for j in range(2)
            ]
            item.groups = [
                DiscussionGroup(
                    title=f"Grupp {i} {mode}", mode=mode, position=0,
                    leaders=[GroupLeader(person=Person(name=f"Ledare {slug} {i} {mode}"))],
                )
                for mode in ("on_site", "digital")
            ]
            event.programme_items.append(item)
        db.session.commit()
    return slug


def _count(client, count_queries, path: str) -> int:
    with count_queries() as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


def _forget(app) -> None:
    with app.app_context():
        caching.clear()


def test_event_page_query_count_does_not_grow_with_programme(app, client, make_event, count_queries):
    small = _event_with_programme(app, make_event, 3)
    large = _event_with_programme(app, make_event, 40)
    client.get(f"/events/{small}")  # warm up: connection set-up is not the page's cost

    _forget(app)  # measure the page as a first visitor after a change sees it
    small_count = _count(client, count_queries, f"/events/{small}")
    large_count = _count(client, count_queries, f"/events/{large}")
    assert small_count == large_count
    assert 0 < large_count <= MAX_EVENT_PAGE_QUERIES
    # Afterwards the public parts are kept: the event's row alone, for both.
    assert _count(client, count_queries, f"/events/{small}") == KEPT_EVENT_PAGE_QUERIES
    assert _count(client, count_queries, f"/events/{large}") == KEPT_EVENT_PAGE_QUERIES
    # The large page really did render all 40 items with their people.
    body = client.get(f"/events/{large}").get_data(as_text=True)
    assert "Punkt 39" in body and f"Talare {large} 39-1" in body and f"Ledare {large} 39 digital" in body


def test_event_page_query_count_same_for_one_audience(app, client, make_event, count_queries):
    slug = _event_with_programme(app, make_event, 12)
    client.get(f"/events/{slug}")
    _forget(app)
    whole = _count(client, count_queries, f"/events/{slug}")
    _forget(app)
    assert _count(client, count_queries, f"/events/{slug}?audience=digital") == whole
    _forget(app)
    assert _count(client, count_queries, f"/events/{slug}?audience=nonsense") == whole
    assert _count(client, count_queries, f"/events/{slug}?audience=nonsense") == KEPT_EVENT_PAGE_QUERIES


def test_event_page_programme_cache_follows_changes(app, client, make_event, make_item):
    from eventhub.programme.models import ProgrammeItem

    slug = make_event()
    item_id = make_item(slug, title="Första versionen")
    assert "Första versionen" in client.get(f"/events/{slug}").get_data(as_text=True)
    assert "Första versionen" in client.get(f"/events/{slug}").get_data(as_text=True)  # now cached
    with app.app_context():
        db.session.get(ProgrammeItem, item_id).title = "Andra versionen"
        db.session.commit()
    body = client.get(f"/events/{slug}").get_data(as_text=True)
    assert "Andra versionen" in body and "Första versionen" not in body


def test_event_json_query_count_does_not_grow_with_programme(app, client, make_event, count_queries):
    small = _event_with_programme(app, make_event, 3)
    large = _event_with_programme(app, make_event, 40)
    client.get(f"/api/v1/events/{small}")
    small_count = _count(client, count_queries, f"/api/v1/events/{small}")
    assert _count(client, count_queries, f"/api/v1/events/{large}") == small_count
    assert small_count <= MAX_EVENT_PAGE_QUERIES


def _events(make_event, n: int, prefix: str) -> None:
    for i in range(n):
        days = i + 1 if i % 2 else -(i + 1)  # half upcoming, half past
        make_event(title=f"{prefix} {i}", starts_at=NOW + timedelta(days=days),
                   recording_url="https://example.org/rec" if days < 0 else None)


def test_index_query_count_does_not_grow_with_events(client, make_event, count_queries):
    _events(make_event, 2, "Few")
    client.get("/")
    few = _count(client, count_queries, "/")
    _events(make_event, 18, "Many")
    many = _count(client, count_queries, "/")
    assert few == many
    assert 0 < many <= MAX_INDEX_QUERIES
    body = client.get("/").get_data(as_text=True)
    assert "Many 17" in body and "Few 1" in body


def test_event_list_json_query_count_does_not_grow_with_events(client, make_event, count_queries):
    _events(make_event, 2, "Few")
    client.get("/api/v1/events")
    few = _count(client, count_queries, "/api/v1/events")
    _events(make_event, 18, "Many")
    assert _count(client, count_queries, "/api/v1/events") == few
