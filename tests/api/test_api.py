"""The public JSON: /api/v1/events and /api/v1/events/<slug> (eventhub.api)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from eventhub.events.models import Event
from eventhub.extensions import db

BORAS = "integration-i-arbetslivet"
NOW = datetime.now(UTC)


def _aware(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    assert parsed.utcoffset() is not None, value
    return parsed


def _keys_anywhere(data) -> set[str]:
    if isinstance(data, dict):
        return set(data) | {key for value in data.values() for key in _keys_anywhere(value)}
    if isinstance(data, list):
        return {key for value in data for key in _keys_anywhere(value)}
    return set()


def test_event_list_has_upcoming_and_past(client, demo):
    response = client.get("/api/v1/events")
    assert response.status_code == 200
    assert response.is_json
    data = response.get_json()
    assert set(data) == {"upcoming", "past"}
    assert [e["slug"] for e in data["upcoming"]] == [BORAS]
    assert [e["slug"] for e in data["past"]] == ["fast-kunskapsseminarium", "snabbspar-utbytesworkshop"]


def test_event_list_orders_and_hides_drafts(client, make_event):
    make_event(slug="later", starts_at=NOW + timedelta(days=9))
    make_event(slug="sooner", starts_at=NOW + timedelta(days=1))
    make_event(slug="draft", status="draft", starts_at=NOW + timedelta(days=2))
    make_event(slug="cancelled", status="cancelled", starts_at=NOW + timedelta(days=3))
    make_event(slug="old", starts_at=NOW - timedelta(days=90))
    make_event(slug="recent", starts_at=NOW - timedelta(days=9))
    data = client.get("/api/v1/events").get_json()
    assert [e["slug"] for e in data["upcoming"]] == ["sooner", "cancelled", "later"]
    assert [e["slug"] for e in data["past"]] == ["recent", "old"]
    assert next(e for e in data["upcoming"] if e["slug"] == "cancelled")["status"] == "cancelled"


def test_event_summary_shape(client, demo):
    summary = client.get("/api/v1/events").get_json()["upcoming"][0]
    assert set(summary) == {
        "slug", "title", "summary", "language", "status", "format", "modes", "starts_at", "ends_at",
        "timezone", "organiser", "venue", "platform", "recording_url", "url", "api_url",
    }
    assert summary["title"] == "Integration i arbetslivet"
    assert summary["modes"] == ["on_site", "digital"]
    assert summary["timezone"] == "Europe/Stockholm"
    assert summary["venue"] == {"name": "DO-tank, Textile Fashion Center", "address": "Borås"}
    assert summary["url"].endswith(f"/events/{BORAS}") and summary["url"].startswith("http")
    assert summary["api_url"].endswith(f"/api/v1/events/{BORAS}")
    assert _aware(summary["starts_at"]).utcoffset() == timedelta(hours=2)  # 20 October is summer time
    assert summary["starts_at"].endswith("T13:00:00+02:00")


def test_event_detail_shape(client, demo):
    response = client.get(f"/api/v1/events/{BORAS}")
    assert response.status_code == 200
    data = response.get_json()
    assert {"description", "description_html", "partners", "contact", "seats", "registration", "materials",
            "programme"} <= set(data)
    assert [p["name"] for p in data["partners"]] == ["Högskolan i Borås", "Göteborgs Energi", "Göteborgs Stadsmission"]
    assert data["seats"] == {"on_site": 60, "digital": 60}
    assert data["registration"]["opens_at"] is None
    assert data["registration"]["closes_at"] == data["starts_at"]

    programme = data["programme"]
    assert len(programme) == 14
    first = programme[0]
    assert set(first) == {
        "id", "starts_at", "ends_at", "title", "description", "description_html", "kind", "audience", "location",
        "speakers", "groups",
    }
    assert first["starts_at"].endswith("T12:45:00+02:00") and first["ends_at"].endswith("T13:00:00+02:00")
    assert programme[-1]["title"] == "Avrundning av dagen" and programme[-1]["ends_at"] is None

    welcome = programme[1]
    assert welcome["speakers"] == [{
        "name": "Sofia Hedström", "title": "verksamhetsledare", "organisation": "Agenda 2030 i Väst", "role": "speaker",
    }]
    questions = next(item for item in programme if item["kind"] == "qa")
    assert {s["role"] for s in questions["speakers"]} == {"panellist"}
    assert [(i["audience"], i["title"]) for i in programme if i["starts_at"] == programme[2]["starts_at"]] == [
        ("on_site", "En väg in i sysselsättning"),
        ("digital", "Arbetsmarknadsintegration, tack vare i stället för trots allt"),
    ]

    session = next(item for item in programme if item["groups"])
    assert len(session["groups"]) == 6
    group = session["groups"][0]
    assert set(group) == {"id", "title", "description", "description_html", "mode", "seats", "place", "leaders"}
    assert group["mode"] == "on_site" and group["seats"] == 15
    assert group["leaders"] == [{
        "name": "Tina Arekvist Lundell", "title": "chef på arbetslivsförvaltningen", "organisation": "Borås stad",
    }]
    assert [g["mode"] for g in session["groups"]] == ["on_site"] * 3 + ["digital"] * 3

    for item in programme:
        _aware(item["starts_at"])
        if item["ends_at"]:
            assert _aware(item["ends_at"]) > _aware(item["starts_at"])


def test_event_detail_digital_event_has_materials_and_recording(client, demo):
    data = client.get("/api/v1/events/fast-kunskapsseminarium").get_json()
    assert data["format"] == "digital" and data["modes"] == ["digital"]
    assert data["seats"] == {"digital": None}
    assert data["venue"] is None
    assert data["recording_url"] == "https://example.org/fast-kunskapsseminarium/inspelning"
    assert data["materials"] == [{
        "kind": "slides", "title": "Presentationsbilder om FAST som visades på seminariet",
        "url": "https://example.org/fast-kunskapsseminarium/fast-presentation.pptx",
        "format": "PowerPoint", "size_bytes": 4_200_000,
    }]
    assert data["starts_at"] == "2023-03-14T09:00:00+01:00"  # winter time


def test_event_detail_digital_event_leaves_out_on_site_items(client, make_event, make_item):
    slug = make_event(format="digital")
    make_item(slug, 0, title="Shared")
    make_item(slug, 10, title="Room only", audience="on_site")
    titles = [item["title"] for item in client.get(f"/api/v1/events/{slug}").get_json()["programme"]]
    assert titles == ["Shared"]


def test_event_json_has_no_join_urls(client, demo):
    for path in ["/api/v1/events", f"/api/v1/events/{BORAS}", "/api/v1/events/fast-kunskapsseminarium"]:
        response = client.get(path)
        assert "join_url" not in _keys_anywhere(response.get_json())
        assert "meet.example.org" not in response.get_data(as_text=True)


MARKDOWN = "Läs **mer** på [sidan](https://example.org/) <script>alert(1)</script> [x](javascript:alert(1))"


def test_descriptions_come_as_markdown_and_as_the_pages_sanitised_html(app, client, make_event, make_item):
    from eventhub.groups.models import DiscussionGroup
    from eventhub.text import render_markdown

    slug = make_event(description=MARKDOWN)
    item_id = make_item(slug, description=MARKDOWN)
    with app.app_context():
        db.session.add(DiscussionGroup(item_id=item_id, title="Grupp", description=MARKDOWN, mode="on_site"))
        db.session.commit()
    data = client.get(f"/api/v1/events/{slug}").get_json()
    (item,) = data["programme"]
    (group,) = item["groups"]
    expected = str(render_markdown(MARKDOWN))
    for described in (data, item, group):
        assert described["description"] == MARKDOWN  # v1's field keeps the Markdown as written
        assert described["description_html"] == expected
    assert "<strong>mer</strong>" in expected and 'rel="noopener noreferrer nofollow"' in expected
    assert "<script" not in expected and "javascript:" not in expected


def test_an_empty_description_is_empty_html(client, make_event):
    data = client.get(f"/api/v1/events/{make_event(description='')}").get_json()
    assert data["description"] == "" and data["description_html"] == ""


def test_event_list_filters_by_organiser_key(client, make_event):
    make_event(slug="ours", organiser_name="Agenda 2030 i Väst")
    make_event(slug="theirs", organiser_name="Borås stad")
    make_event(slug="ours-past", organiser_name="Agenda 2030 i Väst", starts_at=NOW - timedelta(days=5))
    data = client.get("/api/v1/events?organiser=agenda-2030-i-vast").get_json()
    assert [e["slug"] for e in data["upcoming"]] == ["ours"] and [e["slug"] for e in data["past"]] == ["ours-past"]
    assert client.get("/api/v1/events?organiser=nobody").get_json() == {"upcoming": [], "past": []}


@pytest.mark.parametrize("limit, upcoming, past", [("1", ["a"], ["z"]), ("2", ["a", "b"], ["z", "y"]),
                                                   ("100", ["a", "b", "c"], ["z", "y"])])
def test_event_list_limit_caps_upcoming_and_past_each(client, make_event, limit, upcoming, past):
    for days, slug in [(1, "a"), (2, "b"), (3, "c"), (-2, "z"), (-3, "y")]:
        make_event(slug=slug, starts_at=NOW + timedelta(days=days))
    data = client.get(f"/api/v1/events?limit={limit}").get_json()
    assert [e["slug"] for e in data["upcoming"]] == upcoming and [e["slug"] for e in data["past"]] == past


def test_event_list_ignores_parameters_it_does_not_know(client, make_event):
    make_event(slug="a")
    assert client.get("/api/v1/events?_=1700000000&lang=en").status_code == 200  # cache busters, a page's ?lang=


@pytest.mark.parametrize("path", ["/api/v1/events", f"/api/v1/events/{BORAS}", "/api/v1/events/nope",
                                  "/api/v1/nothing-here", "/api/v1/openapi.json"])
def test_api_allows_embedding_from_any_origin(client, demo, path):
    response = client.get(path, headers={"Origin": "https://www.boras.se"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]  # so a script can revalidate


def test_api_answers_a_cors_preflight_for_if_none_match(client):
    response = client.options("/api/v1/events", headers={
        "Origin": "https://www.boras.se", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "if-none-match"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "If-None-Match" in response.headers["Access-Control-Allow-Headers"]
    assert "If-Modified-Since" in response.headers["Access-Control-Allow-Headers"]
    assert "GET" in response.headers["Access-Control-Allow-Methods"]


def test_html_pages_do_not_send_cors_header(client):
    assert "Access-Control-Allow-Origin" not in client.get("/").headers


def test_event_detail_links_stored_material_to_its_download_route(app, client, make_event):
    from eventhub.events.models import Event
    from eventhub.extensions import db
    from eventhub.materials.models import EventMaterial

    slug = make_event()
    with app.app_context():
        event = db.session.scalar(db.select(Event).where(Event.slug == slug))
        event.materials = [EventMaterial(kind="slides", title="Bilder", stored_name="abc.pdf", file_format="PDF")]
        db.session.commit()
        material_id = event.materials[0].id
    (material,) = client.get(f"/api/v1/events/{slug}").get_json()["materials"]
    assert material["url"].endswith(f"/events/{slug}/material/{material_id}")


@pytest.mark.parametrize("path", ["/api/v1/events", f"/api/v1/events/{BORAS}"])
def test_public_json_is_cacheable_and_answers_304_when_unchanged(client, demo, path):
    first = client.get(path)
    assert first.status_code == 200
    assert "Cookie" not in first.headers.get("Vary", "")  # the same for everyone, so caches may share it
    assert first.cache_control.public and first.cache_control.max_age == 60
    etag = first.headers["ETag"]
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert client.get(path, headers={"If-None-Match": '"something-else"'}).status_code == 200


def test_public_json_changes_its_etag_when_the_event_changes(app, client, demo):
    etag = client.get(f"/api/v1/events/{BORAS}").headers["ETag"]
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == BORAS))
        event.summary = "Ny sammanfattning"
        db.session.commit()
    assert client.get(f"/api/v1/events/{BORAS}", headers={"If-None-Match": etag}).status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/events", f"/api/v1/events/{BORAS}"])
def test_public_json_answers_304_to_if_modified_since_while_unchanged(client, demo, path):
    first = client.get(path)
    since = first.headers["Last-Modified"]
    assert first.last_modified is not None
    again = client.get(path, headers={"If-Modified-Since": since})
    assert again.status_code == 304 and again.get_data() == b""
    assert client.get(path).headers["Last-Modified"] == since  # the same answer keeps its date


def test_public_json_changed_within_the_second_gets_a_later_last_modified(app, client, demo):
    """Changed in the same second as it was first served, the answer still gets a later date."""
    first = client.get(f"/api/v1/events/{BORAS}")
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == BORAS))
        event.summary = "Ny sammanfattning"
        db.session.commit()
    changed = client.get(f"/api/v1/events/{BORAS}", headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert changed.status_code == 200
    assert changed.last_modified > first.last_modified


def test_html_pages_still_vary_by_cookie(client, demo):
    assert "Cookie" in client.get("/").headers.get("Vary", "")
