"""The public pages: the front page, an event's page, errors, languages (eventhub.events.views)."""
from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from eventhub.demo.loader import event_date
from eventhub.extensions import db
from tests.registration.support import add_group_session

NOW = datetime.now(UTC)
BORAS = "integration-i-arbetslivet"


def page_text(response) -> str:
    """The page's text as a reader sees it: tags dropped, entities decoded, spaces collapsed."""
    body = re.sub(r"<[^>]+>", "", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", html.unescape(body))


def body_of(response) -> str:
    return response.get_data(as_text=True)


def _positions(text: str, needles: list[str]) -> list[int]:
    positions = [text.find(needle) for needle in needles]
    assert -1 not in positions, dict(zip(needles, positions, strict=True))
    return positions


def _add_person_parts(app, item_id, speakers=(), groups=()):
    """Speakers ``(name, role, title, organisation)`` and groups ``(title, mode, leader, join_url)``."""
    from eventhub.groups.models import DiscussionGroup, GroupLeader
    from eventhub.programme.models import ItemSpeaker, Person, ProgrammeItem

    with app.app_context():
        item = db.session.get(ProgrammeItem, item_id)
        for i, (name, role, title, organisation) in enumerate(speakers):
            person = Person(name=name, title=title, organisation=organisation)
            item.speakers.append(ItemSpeaker(person=person, role=role, position=i))
        for i, (title, mode, leader, join_url) in enumerate(groups):
            group = DiscussionGroup(title=title, mode=mode, position=i, join_url=join_url)
            group.leaders.append(GroupLeader(person=Person(name=leader, title="", organisation="")))
            item.groups.append(group)
        db.session.commit()


# --- the front page ------------------------------------------------------------------------


def test_index_lists_upcoming_soonest_first_then_past_latest_first(client, make_event):
    make_event(title="Later upcoming", starts_at=NOW + timedelta(days=20))
    make_event(title="Soon upcoming", starts_at=NOW + timedelta(days=2))
    make_event(title="Long ago", starts_at=NOW - timedelta(days=200))
    make_event(title="Recently past", starts_at=NOW - timedelta(days=5))
    text = page_text(client.get("/"))
    positions = _positions(text, [
        "Kommande evenemang", "Soon upcoming", "Later upcoming",
        "Tidigare evenemang", "Recently past", "Long ago",
    ])
    assert positions == sorted(positions)


def test_index_event_in_progress_counts_as_upcoming(client, make_event):
    make_event(title="Happening now", starts_at=NOW - timedelta(hours=1))
    text = page_text(client.get("/"))
    assert text.index("Happening now") < text.index("Tidigare evenemang")


def test_index_hides_drafts(client, make_event):
    make_event(title="Secret draft", status="draft", starts_at=NOW + timedelta(days=3))
    make_event(title="Public one", starts_at=NOW + timedelta(days=4))
    response = client.get("/")
    assert response.status_code == 200
    assert "Public one" in page_text(response)
    assert "Secret draft" not in page_text(response)


def test_index_shows_cancelled_event_marked(client, make_event):
    slug = make_event(title="Called off", status="cancelled", starts_at=NOW + timedelta(days=3))
    body = body_of(client.get("/"))
    card = re.search(r'<li class="event-card is-cancelled">(.*?)</li>', body, re.S)
    assert card is not None
    assert f"/events/{slug}" in card.group(1)
    assert "Inställt" in card.group(1)


def test_index_past_event_shows_recording_link(client, make_event):
    make_event(title="Recorded seminar", starts_at=NOW - timedelta(days=10),
               recording_url="https://video.example/recording-42")
    make_event(title="Future with recording", starts_at=NOW + timedelta(days=10),
               recording_url="https://video.example/not-yet")
    body = body_of(client.get("/"))
    assert 'href="https://video.example/recording-42"' in body
    assert "Se inspelningen" in body
    assert "https://video.example/not-yet" not in body  # no recording before the event took place


def test_index_empty_database_says_nothing_is_published(client):
    text = page_text(client.get("/"))
    assert "Just nu finns inga kommande evenemang publicerade." in text
    assert "Inga tidigare evenemang ännu." in text


# --- an event's page -----------------------------------------------------------------------


def test_event_page_shows_title_times_venue_and_partners(client, demo):
    response = client.get(f"/events/{BORAS}")
    assert response.status_code == 200
    text = page_text(response)
    year = event_date("next-10-20", datetime.now(UTC).date()).year
    assert "<h1" in body_of(response) and "Integration i arbetslivet" in text
    assert f"20 oktober {year}, 13:00–16:00" in text
    assert "DO-tank, Textile Fashion Center, Borås" in text
    assert "I samarbete med Högskolan i Borås, Göteborgs Energi, Göteborgs Stadsmission" in text
    assert "Tiderna anges i centraleuropeisk sommartid, UTC+2, där evenemanget hålls." in text
    # Items in local time, including the closing item printed without an end.
    for printed in ("12:45–13:00 Registrering & digital check-in", "13:50–14:00 PAUS", "16:00 Avrundning av dagen"):
        assert printed in text


def test_event_page_shows_speakers_with_role_and_organisation(client, demo):
    text = page_text(client.get(f"/events/{BORAS}"))
    assert "Välkommen Sofia Hedström, verksamhetsledare, Agenda 2030 i Väst" in text
    assert "Paneldeltagare: Eric Zinn, Hållbarhetschef, Göteborgs Energi" in text
    assert "Paneldeltagare: Tina Arekvist Lundell, chef på arbetslivsförvaltningen, Borås stad" in text


def test_event_page_moderator_role_is_labelled(client, demo):
    text = page_text(client.get("/events/snabbspar-utbytesworkshop"))
    assert "Moderator: Elisabet Sundén Ingeström, Arbetsgivarverket" in text
    assert "Alexandra Sjöberg, utvecklingsledare för snabbspår, Arbetsförmedlingen" in text


def test_event_page_labels_parallel_items_by_audience_in_text(client, demo):
    text = page_text(client.get(f"/events/{BORAS}"))
    assert "Parallellt: 13:15–13:30 På plats En väg in i sysselsättning" in text
    assert "13:15–13:30 Digitalt Arbetsmarknadsintegration, tack vare i stället för trots allt" in text
    # Items for everyone carry no audience label.
    assert "13:00–13:15 Välkommen" in text


def test_event_page_lists_groups_by_mode_with_leaders(client, demo):
    text = page_text(client.get(f"/events/{BORAS}"))
    on_site = [
        ("Samverkan för ökad social hållbarhet", "Tina Arekvist Lundell"),
        ("Breddade perspektiv ger fler arbetstillfällen", "Ziyad Tarek"),
        ("Arbetsintegrerande sociala företag som verktyg för att nå fler", "Pernilla Svebo"),
    ]
    digital = [
        ("Utmaningar med att organisera integrering i projektform", "Hanna Hellgren"),
        ("Arbetsmarknadsintegration tack vare snarare än trots allt", "Patrik Zapata"),
        ("Arbetsintegrerande sociala företag som verktyg för att nå fler", "Maria Norbäck"),
    ]
    groups_start = text.index("Samtalsgrupper: Gruppsamtal med sakkunniga")
    section = text[groups_start:]
    on_site_at, digital_at = _positions(section, ["Samtalsgrupper på plats", "Digitala samtalsgrupper"])
    assert on_site_at < digital_at
    for title, leader in on_site:
        assert f"{title} På plats Samtalsledare: {leader}" in section[on_site_at:digital_at]
    for title, leader in digital:
        assert f"{title} Digitalt Samtalsledare: {leader}" in section[digital_at:]


def test_event_page_digital_audience_hides_on_site_items_and_groups(client, demo):
    response = client.get(f"/events/{BORAS}?audience=digital")
    assert response.status_code == 200
    text = page_text(response)
    assert "Programmet visas för er som deltar digitalt." in text
    assert "Arbetsmarknadsintegration, tack vare i stället för trots allt" in text
    assert "Utmaningar med att organisera integrering i projektform" in text
    assert "Hållbar arbetsmarknadsintegration" in text  # for everyone
    assert "En väg in i sysselsättning" not in text
    assert "Samtalsgrupper på plats" not in text
    assert "Samverkan för ökad social hållbarhet" not in text
    assert "Ziyad Tarek" not in text  # on-site talk and on-site group only
    assert "Pernilla Svebo" not in text
    assert "Parallellt:" not in text


def test_event_page_on_site_audience_hides_digital_items_but_shows_the_groups_it_may_join(client, demo):
    # Seed 001 had computers on site, so on-site people may join the digital groups: the on-site view
    # shows them (with their leaders); the digital-only talk stays out. Read the programme only.
    text = page_text(client.get(f"/events/{BORAS}?audience=on_site"))
    text = text[text.index("Programmet visas"):text.index("Anmälan")]
    assert "Programmet visas för er som deltar på plats." in text
    assert "En väg in i sysselsättning" in text
    assert "Samverkan för ökad social hållbarhet" in text
    assert "Digitala samtalsgrupper" in text
    assert "Hanna Hellgren" in text and "Maria Norbäck" in text  # leaders of digital groups
    assert "Arbetsmarknadsintegration, tack vare i stället för trots allt" not in text  # the digital-only talk


def test_event_page_on_site_audience_hides_digital_groups_where_the_event_does_not_allow_them(client, make_event,
                                                                                            app):
    slug = make_event(on_site_seats=10, digital_seats=10, on_site_may_join_digital_groups=False)
    with app.app_context():
        add_group_session(slug, [("Rumsgruppen", "on_site", 5), ("Skärmgruppen", "digital", 5)])

    text = page_text(client.get(f"/events/{slug}?audience=on_site"))

    assert "Rumsgruppen" in text and "Skärmgruppen" not in text


@pytest.mark.parametrize("value", ["everybody", "ON_SITE", "on-site", "%3Cscript%3E"])
def test_event_page_bad_audience_shows_notice_and_whole_programme(client, demo, value):
    response = client.get(f"/events/{BORAS}?audience={value}")
    assert response.status_code == 200
    text = page_text(response)
    assert "Den publiken finns inte; hela programmet visas." in text
    assert "En väg in i sysselsättning" in text
    assert "Arbetsmarknadsintegration, tack vare i stället för trots allt" in text
    assert "<script>" not in body_of(response)


def test_event_page_audience_not_offered_shows_notice_and_whole_programme(client, demo):
    response = client.get("/events/fast-kunskapsseminarium?audience=on_site")
    assert response.status_code == 200
    text = page_text(response)
    assert "Det här evenemanget har inga deltagare på plats; hela programmet visas." in text
    assert "Insatser mot rasism på arbetsmarknaden" in text


def test_event_page_digital_only_event_hides_on_site_items(client, make_event, make_item):
    slug = make_event(format="digital")
    make_item(slug, 0, title="Shared talk")
    make_item(slug, 15, title="Room-only tour", audience="on_site")
    text = page_text(client.get(f"/events/{slug}"))
    assert "Shared talk" in text
    assert "Room-only tour" not in text


def test_event_page_past_event_shows_recording_and_slides(client, demo):
    body = body_of(client.get("/events/fast-kunskapsseminarium"))
    assert 'href="https://example.org/fast-kunskapsseminarium/inspelning"' in body
    assert "Presentationsbilder om FAST som visades på seminariet" in body
    assert "(PowerPoint, 4,2 MB)" in page_text(client.get("/events/fast-kunskapsseminarium"))


def test_event_page_cancelled_event_says_so(client, make_event):
    slug = make_event(title="Inställd träff", status="cancelled")
    text = page_text(client.get(f"/events/{slug}"))
    assert "Evenemanget är inställt." in text
    assert "Evenemanget är inställt, så anmälan är stängd." in text


@pytest.mark.parametrize("path", ["/events/no-such-event", "/events/draft"])
def test_event_page_unknown_or_draft_is_404_in_swedish_layout(client, make_event, path):
    make_event(slug="draft", title="Hemligt utkast", status="draft")
    response = client.get(path)
    assert response.status_code == 404
    body = body_of(response)
    assert '<html lang="sv">' in body
    assert "Sidan finns inte" in body
    assert "Hoppa till innehållet" in body  # the site layout
    assert 'class="brand"' in body
    assert "Hemligt utkast" not in body


def test_event_page_draft_is_404_in_english_with_lang(client, make_event):
    make_event(slug="draft", title="Hemligt utkast", status="draft")
    response = client.get("/events/draft?lang=en")
    assert response.status_code == 404
    body = body_of(response)
    assert '<html lang="en">' in body
    assert "Page not found" in body
    assert "Skip to content" in body
    assert "Hemligt utkast" not in body


def test_unknown_path_is_404_page_and_wrong_method_is_405(client):
    assert "Sidan finns inte" in body_of(client.get("/no/such/page"))
    response = client.post("/")
    assert response.status_code == 405
    assert "Inte tillåtet" in body_of(response)


# --- languages -----------------------------------------------------------------------------


def test_index_renders_in_swedish_by_default(client, demo):
    response = client.get("/")
    body = body_of(response)
    assert '<html lang="sv">' in body
    for word in ("Kommande evenemang", "Tidigare evenemang", "Forumträffar och seminarier", "På plats och digitalt"):
        assert word in body
    assert "Upcoming events" not in body
    assert ">English<" in body  # the switch offers the other language


def test_index_renders_in_english_with_lang(client, demo):
    body = body_of(client.get("/?lang=en"))
    assert '<html lang="en">' in body
    for word in ("Upcoming events", "Past events", "Forum meetings and seminars", "On site and digital"):
        assert word in body
    assert "Kommande evenemang" not in body
    assert ">Svenska<" in body


def test_event_page_renders_in_both_languages(client, demo):
    sv = page_text(client.get(f"/events/{BORAS}"))
    en = page_text(client.get(f"/events/{BORAS}?lang=en"))
    for word in ("Programmet som PDF", "I samarbete med", "Samtalsledare:", "oktober", "Parallellt:"):
        assert word in sv
    for word in ("Programme as PDF", "In collaboration with", "Group leader:", "October", "In parallel:"):
        assert word in en
    # Organisers' content stays in its own language.
    assert "Gruppsamtal med sakkunniga" in en


def test_unsupported_lang_falls_back_to_swedish(client):
    assert '<html lang="sv">' in body_of(client.get("/?lang=de"))


def test_language_switch_sets_cookie_and_returns_to_page(client):
    response = client.get("/language/en?next=/events/some-slug")
    assert response.status_code == 302
    assert response.headers["Location"] == "/events/some-slug"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("lang=en;")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    # The cookie now chooses the language.
    assert '<html lang="en">' in body_of(client.get("/"))
    client.get("/language/sv?next=/")
    assert '<html lang="sv">' in body_of(client.get("/"))


def test_language_switch_unknown_language_sets_no_cookie(client):
    response = client.get("/language/xx?next=/")
    assert response.status_code == 302
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize("target", [
    "//evil.example",
    "//evil.example/events",
    "https://evil.example",
    "http:/evil.example",
    "javascript:alert(1)",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",  # browsers drop tabs and newlines: this would become //evil.example
    "/\n/evil.example",
    "/\r\n/evil.example",
    "evil.example",
    "",
])
def test_language_switch_refuses_off_site_next(client, target):
    response = client.get("/language/en", query_string={"next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert response.headers["Set-Cookie"].startswith("lang=en;")


def test_language_switch_link_keeps_current_page(client, demo):
    body = body_of(client.get(f"/events/{BORAS}?audience=digital&lang=sv"))
    link = re.search(r'href="(/language/en\?next=[^"]+)"', body)
    assert link is not None
    location = client.get(html.unescape(link.group(1))).headers["Location"]
    assert location == f"/events/{BORAS}?audience=digital"


# --- organiser text and secrets ------------------------------------------------------------


def test_event_page_sanitises_organiser_markdown(client, make_event, make_item, app):
    description = (
        "Intro with **bold** text.\n\n"
        "<script>alert('x')</script>\n\n"
        "[Click me](javascript:alert('y')) and [safe](https://example.org/ok)\n\n"
        '<img src="x" onerror="alert(1)"> <a href="javascript:alert(2)">raw</a>'
    )
    slug = make_event(description=description)
    item_id = make_item(slug, 0, title="Item", description="Item *em* <script>bad()</script>")
    _add_person_parts(app, item_id, groups=[("Group", "on_site", "Leader", None)])
    from eventhub.groups.models import DiscussionGroup

    with app.app_context():
        group = db.session.scalar(select(DiscussionGroup))
        group.description = "Group <b>text</b> <script>worse()</script> [x](javascript:void(0))"
        db.session.commit()
    body = body_of(client.get(f"/events/{slug}"))
    assert "<strong>bold</strong>" in body
    assert "<em>em</em>" in body
    assert "<b>text</b>" in body
    assert "<script>worse" not in body and "&lt;script&gt;worse" not in body
    assert "javascript:" not in body
    assert "onerror" not in body
    assert "<img" not in body
    assert 'href="https://example.org/ok"' in body


def test_join_urls_never_appear_on_public_pages_or_json(client, app, make_event, make_item, demo):
    slug = make_event(title="Hybrid med länkar", join_url="https://meet.example/event-secret-123")
    item_id = make_item(slug, 0, title="Grupper", kind="group_session")
    _add_person_parts(app, item_id, groups=[
        ("Digital grupp", "digital", "Ledare Ett", "https://meet.example/group-secret-456"),
        ("Grupp i rummet", "on_site", "Ledare Två", "https://meet.example/group-secret-789"),
    ])
    from eventhub.events.models import Event

    with app.app_context():
        slugs = list(db.session.scalars(select(Event.slug)))
        secrets = [url for url in db.session.scalars(select(Event.join_url)) if url]
    secrets += ["https://meet.example/group-secret-456", "https://meet.example/group-secret-789"]
    assert len(secrets) >= 4  # the demo's own join URLs are included
    assert "Digital grupp" in body_of(client.get(f"/events/{slug}"))  # the groups themselves are shown

    paths = ["/", "/?lang=en", "/api/v1/events"]
    for each in slugs:
        paths += [f"/events/{each}", f"/events/{each}?audience=digital", f"/events/{each}?audience=on_site",
                  f"/events/{each}?lang=en", f"/api/v1/events/{each}"]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        body = body_of(response)
        for secret in secrets:
            assert secret not in body, (path, secret)
        assert "join_url" not in body, path


def test_event_page_links_its_json(client, make_event):
    slug = make_event()
    assert f'href="/api/v1/events/{slug}"' in body_of(client.get(f"/events/{slug}"))
