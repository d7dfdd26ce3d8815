"""What search engines and link previews read: schema.org JSON-LD (checked against the vocabulary),
the meta description, Open Graph and Twitter tags, hreflang, icons, robots.txt and the sitemap."""
from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

import feedparser
import icalendar
import pytest
import vobject

from eventhub.events import operations
from eventhub.registration import services
from tests.attendees.support import sign_in, staff_member
from tests.events.schema_org import problems
from tests.registration.support import KEYS, event_by_slug, person

STOCKHOLM = ZoneInfo("Europe/Stockholm")
SOON = datetime.now(UTC).replace(microsecond=0) + timedelta(days=20)
LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def json_ld(client, slug: str, language: str = "sv") -> dict:
    body = client.get(f"/events/{slug}?lang={language}").get_data(as_text=True)
    (block,) = LD.findall(body)
    return json.loads(block)


def meta(body: str, key: str) -> str | None:
    match = re.search(rf'<meta (?:name|property)="{re.escape(key)}" content="([^"]*)">', body)
    return match.group(1) if match else None


@pytest.mark.parametrize(("event_format", "attendance", "locations"), [
    ("hybrid", "MixedEventAttendanceMode", ["Place", "VirtualLocation"]),
    ("on_site", "OfflineEventAttendanceMode", ["Place"]),
    ("digital", "OnlineEventAttendanceMode", ["VirtualLocation"]),
])
def test_json_ld_follows_the_participation_modes_and_fits_the_vocabulary(client, make_event, event_format,
                                                                         attendance, locations):
    slug = make_event(format=event_format, title="Integration i arbetslivet", starts_at=SOON,
                      summary="Forumträff om *integration* & arbete", venue_name="Navet", venue_address="Borås",
                      platform_name="Teams", join_url="https://teams.example/secret-join", organiser_name="Borås Stad")
    data = json_ld(client, slug)
    assert problems(data) == []
    assert data["eventAttendanceMode"] == f"https://schema.org/{attendance}"
    places = data["location"] if isinstance(data["location"], list) else [data["location"]]
    assert [place["@type"] for place in places] == locations
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["organizer"]["name"] == "Borås Stad"
    assert data["startDate"] == SOON.astimezone(STOCKHOLM).isoformat()  # with the event's own offset
    assert len(data["offers"]) == len(locations)
    assert "secret-join" not in json.dumps(data)  # the join link is for registered people only


def test_json_ld_of_the_demo_events_fits_the_vocabulary(client, demo):
    listing = client.get("/api/v1/events").get_json()
    slugs = [event["slug"] for event in listing["upcoming"] + listing["past"]]
    assert len(slugs) >= 3
    for slug in slugs:
        assert problems(json_ld(client, slug)) == [], slug


def test_json_ld_marks_a_cancelled_event(client, make_event):
    slug = make_event(status="cancelled", starts_at=SOON)
    data = json_ld(client, slug)
    assert data["eventStatus"] == "https://schema.org/EventCancelled"
    assert {offer["availability"] for offer in data["offers"]} == {"https://schema.org/Discontinued"}


def test_json_ld_marks_a_moved_event_with_the_start_first_published(app, client, make_event):
    slug = make_event(starts_at=SOON, published_at=SOON - timedelta(days=30))
    with app.app_context():
        operations.shift_programme(event_by_slug(slug).id, 30, None, KEYS, with_event=True)
    data = json_ld(client, slug)
    assert data["eventStatus"] == "https://schema.org/EventRescheduled"
    assert datetime.fromisoformat(data["previousStartDate"]) == SOON
    assert datetime.fromisoformat(data["startDate"]) == SOON + timedelta(minutes=30)
    assert problems(data) == []


def test_json_ld_offer_is_sold_out_when_a_mode_is_full(app, client, make_event):
    slug = make_event(starts_at=SOON, on_site_seats=1, digital_seats=50)
    with app.app_context():
        services.register(event_by_slug(slug).id, person("anna@example.se", "on_site"), datetime.now(UTC), KEYS)
    offers = {offer["name"]: offer["availability"] for offer in json_ld(client, slug, "en")["offers"]}
    assert offers == {"On site": "https://schema.org/SoldOut", "Digital": "https://schema.org/InStock"}


@pytest.mark.parametrize("language", ["sv", "en"])
def test_event_page_head_describes_it_for_previews_and_languages(client, make_event, language):
    slug = make_event(title="Forum & möte", summary="Om \"integration\" i <arbetslivet>", starts_at=SOON)
    body = client.get(f"/events/{slug}?lang={language}").get_data(as_text=True)
    assert meta(body, "description") == "Om &#34;integration&#34; i &lt;arbetslivet&gt;"
    assert meta(body, "og:title") == "Forum &amp; möte"
    assert meta(body, "og:url") == f"http://localhost/events/{slug}"
    assert meta(body, "og:locale") == {"sv": "sv_SE", "en": "en_GB"}[language]
    assert meta(body, "twitter:card") == "summary"
    assert meta(body, "og:image").startswith("http://localhost/static/img/icon-512.png")
    alternates = dict(re.findall(r'<link rel="alternate" hreflang="([\w-]+)" href="([^"]+)">', body))
    assert alternates == {"sv": f"http://localhost/events/{slug}?lang=sv",
                          "en": f"http://localhost/events/{slug}?lang=en",
                          "x-default": f"http://localhost/events/{slug}"}
    assert f'<link rel="canonical" href="http://localhost/events/{slug}">' in body


def test_description_falls_back_to_the_description_as_plain_text(client, make_event):
    slug = make_event(summary="", description="## Välkommen\n\nEn **eftermiddag** om [arbete](https://x.se).",
                      starts_at=SOON)
    body = client.get(f"/events/{slug}").get_data(as_text=True)
    assert meta(body, "description") == "Välkommen En eftermiddag om arbete."


def test_the_organisers_preview_is_not_for_search_engines(app, client, make_event):
    slug = make_event(status="draft", starts_at=SOON)
    staff_member(app, slug, "organiser@example.se", "organiser")
    sign_in(client, "organiser@example.se")
    body = client.get(f"/manage/events/{slug}/preview").get_data(as_text=True)
    assert '<meta name="robots" content="noindex">' in body
    assert not LD.findall(body)


def test_every_page_names_its_icons(client):
    body = client.get("/").get_data(as_text=True)
    for href in ("/favicon.ico", "/static/img/favicon.svg", "/static/img/apple-touch-icon.png"):
        assert f'href="{href}' in body
        response = client.get(href)
        assert response.status_code == 200 and response.mimetype.startswith("image/")


def test_robots_keep_crawlers_out_of_private_pages_and_name_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    for private in ("/manage/", "/r/", "/account/", "/checkin/"):
        assert f"Disallow: {private}\n" in text
    assert "Sitemap: http://localhost/sitemap.xml" in text


def test_sitemap_lists_the_public_events_with_their_languages(client, make_event):
    public = make_event(starts_at=SOON)
    cancelled = make_event(starts_at=SOON, status="cancelled")
    draft = make_event(starts_at=SOON, status="draft")
    response = client.get("/sitemap.xml")
    assert response.mimetype == "application/xml"
    root = ElementTree.fromstring(response.get_data())  # noqa: S314 (our own answer)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    locations = [url.findtext("s:loc", namespaces=ns) for url in root.findall("s:url", ns)]
    assert "http://localhost/" in locations
    assert f"http://localhost/events/{public}" in locations and f"http://localhost/events/{cancelled}" in locations
    assert f"http://localhost/events/{draft}" not in locations
    entry = next(url for url in root.findall("s:url", ns) if url.findtext("s:loc", namespaces=ns).endswith(public))
    assert entry.findtext("s:lastmod", namespaces=ns)
    assert {link.get("hreflang") for link in entry.findall("x:link", ns)} == {"sv", "en", "x-default"}


# --- an organiser's page and feeds ---------------------------------------------------------------

@pytest.fixture
def network(make_event):
    """Agenda 2030 i Väst's events (one past, one cancelled, one draft) and another organiser's."""
    return {
        "next": make_event(title="Integration i arbetslivet", organiser_name="Agenda 2030 i Väst", starts_at=SOON,
                           summary="Forumträff om arbete", published_at=SOON - timedelta(days=9)),
        "later": make_event(title="Cirkulär ekonomi", organiser_name="Agenda 2030 i Väst",
                            starts_at=SOON + timedelta(days=60), published_at=SOON - timedelta(days=2),
                            timezone="Europe/Helsinki"),
        "past": make_event(title="Forum i våras", organiser_name="Agenda 2030 i Väst",
                           starts_at=SOON - timedelta(days=200), published_at=SOON - timedelta(days=230)),
        "cancelled": make_event(title="Inställt forum", organiser_name="Agenda 2030 i Väst", status="cancelled",
                                starts_at=SOON + timedelta(days=5)),
        "draft": make_event(title="Hemligt utkast", organiser_name="Agenda 2030 i Väst", status="draft",
                            starts_at=SOON),
        "other": make_event(title="Annat forum", organiser_name="Borås Stad", starts_at=SOON),
    }


def test_organiser_page_lists_their_public_events_upcoming_and_past(client, network):
    event_page = client.get(f"/events/{network['next']}").get_data(as_text=True)
    assert 'href="/organisers/agenda-2030-i-vast"' in event_page
    response = client.get("/organisers/agenda-2030-i-vast?lang=en")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    upcoming, past = body.split('id="upcoming-heading"')[1].split('id="past-heading"')
    assert upcoming.index("Integration i arbetslivet") < upcoming.index("Cirkulär ekonomi")
    assert "Inställt forum" in upcoming and "Forum i våras" in past
    assert "Hemligt utkast" not in body and "Annat forum" not in body
    assert 'type="application/atom+xml" href="/organisers/agenda-2030-i-vast/feed.atom"' in body
    assert 'type="text/calendar" href="/organisers/agenda-2030-i-vast/events.ics"' in body


@pytest.mark.parametrize("path", ["/organisers/nobody", "/organisers/nobody/feed.atom",
                                  "/organisers/nobody/events.ics"])
def test_organiser_without_public_events_is_not_found(client, make_event, path):
    make_event(organiser_name="Nobody", status="draft")
    assert client.get(path).status_code == 404


def test_organiser_calendar_holds_each_public_event_in_its_own_zone(client, network):
    response = client.get("/organisers/agenda-2030-i-vast/events.ics")
    text = response.get_data(as_text=True)
    ical = icalendar.Calendar.from_ical(text)
    assert {str(e["summary"]) for e in ical.walk("VEVENT")} == {"Integration i arbetslivet", "Cirkulär ekonomi",
                                                                 "Forum i våras", "Inställt forum"}
    assert {str(z["tzid"]) for z in ical.walk("VTIMEZONE")} == {"Europe/Stockholm", "Europe/Helsinki"}
    assert ical.decoded("refresh-interval") == timedelta(hours=1)
    cancelled = next(e for e in ical.walk("VEVENT") if str(e["summary"]) == "Inställt forum")
    assert str(cancelled["status"]) == "CANCELLED"
    later = next(e for e in ical.walk("VEVENT") if str(e["summary"]) == "Cirkulär ekonomi")
    assert later.decoded("dtstart") == SOON + timedelta(days=60)
    vobject.readOne(text)  # a second reader takes it too


def test_organiser_atom_feed_has_the_newest_events_first(client, network):
    response = client.get("/organisers/agenda-2030-i-vast/feed.atom?lang=en")
    assert response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.get_data())
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.title == "New events from Agenda 2030 i Väst"
    assert [entry.title for entry in feed.entries] == ["Cirkulär ekonomi", "Cancelled: Inställt forum",
                                                       "Integration i arbetslivet", "Forum i våras"]
    first = feed.entries[0]
    assert first.link == f"http://localhost/events/{network['later']}"
    assert first.id.startswith("urn:uuid:")
    assert "Hemligt utkast" not in response.get_data(as_text=True)
