"""The documentation page as a visitor reads it: the event page once the event is over, with the
organiser's summary, the groups' key points, photos, the recording and slides, and the programme
still below; marked in the content's language on English pages; its head (JSON-LD, link preview)
right for a past event; a fixed number of queries however many groups and photos. And the
organiser's side: the summary saved, the preview before the event, the overview of the groups."""
from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from eventhub.audit.models import AuditEntry
from eventhub.documentation.models import EventDocumentation
from eventhub.extensions import db
from eventhub.materials.models import EventMaterial
from tests.accounts.support import make_user, post, sign_in
from tests.documentation.support import PAST, add_photo, past_event_with_groups, write_key_points
from tests.registration.support import event_by_slug, page_text

SUMMARY = "Ett sextiotal deltagare från **fyra sektorer**.\n\n### Nästa steg\n\n- Fler vägar in\n\n<script>x()</script>"


def body(response) -> str:
    return response.get_data(as_text=True)


def json_ld(response) -> dict:
    return json.loads(re.search(r'<script type="application/ld\+json">(.+?)</script>', body(response)).group(1))


@pytest.fixture
def documented(app, make_event):
    """A past hybrid event with a summary, key points for one of its two groups, two photos and slides."""
    slug, (first, second) = past_event_with_groups(app, make_event, recording_url="https://example.org/inspelning")
    with app.app_context():
        event = event_by_slug(slug)
        db.session.add(EventDocumentation(event_id=event.id, summary=SUMMARY))
        event.materials.append(EventMaterial(kind="slides", title="Bilderna från seminariet", url="https://example.org/b.pdf",
                                             file_format="PDF", size_bytes=1_200_000))
        db.session.commit()
        write_key_points(first, "- Samverkan över sektorsgränser\n- Sociala företag når fler")
        photos = [add_photo(slug, alt="Deltagare vid runda bord", alt_en="People at round tables",
                            caption="Inledningen").id, add_photo(slug, alt="Panelen på scenen").id]
    return {"slug": slug, "groups": (first, second), "photos": photos}


def test_a_past_events_page_is_its_documentation_with_the_programme_below(client, documented):
    response = client.get(f"/events/{documented['slug']}")

    assert response.status_code == 200
    text, html = page_text(response), body(response)
    assert "Evenemanget har ägt rum." in text
    order = [html.index(f'id="{heading}-heading"') for heading in ("summary", "materials", "key-points", "photos",
                                                                  "programme")]
    assert order == sorted(order)
    assert "<strong>fyra sektorer</strong>" in html and "<h3>Nästa steg</h3>" in html
    assert "<script>x()" not in html
    assert "Samverkan Samtalsgrupp" not in text  # a group title is a heading of its own
    assert "<li>Samverkan över sektorsgränser</li>" in html
    assert "Projektform" in text  # in the programme, without key points of its own on the page
    assert html.count('class="group-points group-') == 1
    assert 'href="https://example.org/inspelning"' in html and "Bilderna från seminariet" in text
    assert 'id="programme"' in html and 'id="registration"' not in html


def test_the_documentation_headings_follow_one_outline(client, documented):
    html = body(client.get(f"/events/{documented['slug']}"))
    headings = re.findall(r"<h([1-6])[^>]*>", html)
    assert headings[0] == "1" and headings.count("1") == 1
    levels = [int(level) for level in headings]
    assert all(after - before <= 1 for before, after in zip(levels, levels[1:], strict=False))


def test_photos_are_described_in_the_pages_language_or_marked_in_the_events(client, documented):
    first, second = documented["photos"]
    swedish = body(client.get(f"/events/{documented['slug']}"))
    english = body(client.get(f"/events/{documented['slug']}?lang=en"))

    assert f'src="/events/{documented["slug"]}/photos/{first}/small" alt="Deltagare vid runda bord" width=' in swedish
    assert 'alt="People at round tables" width=' in english
    assert 'alt="Panelen på scenen" lang="sv"' in english  # no English text given: the Swedish, marked
    assert f'href="/events/{documented["slug"]}/photos/{first}"' in english
    assert '<figcaption lang="sv">Inledningen</figcaption>' in english
    assert 'class="prose" lang="sv"' in english  # the summary and the key points
    assert 'class="prose">' in swedish and 'lang="sv"' not in swedish.split("<main", 1)[1]


def test_the_head_of_a_past_event_shows_its_photos_and_offers_nothing_to_buy(client, documented):
    response = client.get(f"/events/{documented['slug']}?lang=en")
    data, html = json_ld(response), body(response)

    first, second = documented["photos"]
    assert data["image"] == [f"http://localhost/events/{documented['slug']}/photos/{first}",
                             f"http://localhost/events/{documented['slug']}/photos/{second}"]
    assert {offer["availability"] for offer in data["offers"]} == {"https://schema.org/Discontinued"}
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert f'<meta property="og:image" content="http://localhost/events/{documented["slug"]}/photos/{first}">' in html
    assert '<meta property="og:image:alt" content="People at round tables">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert f'<link rel="canonical" href="http://localhost/events/{documented["slug"]}">' in html


def test_the_page_keeps_its_queries_however_many_groups_and_photos(app, client, make_event, count_queries):
    def queries(groups: int) -> int:
        slug, ids = past_event_with_groups(app, make_event, groups=[(f"Grupp {n}", "on_site") for n in range(groups)])
        with app.app_context():
            db.session.add(EventDocumentation(event_id=event_by_slug(slug).id, summary="Sammanfattning"))
            db.session.commit()
            for group_id in ids:
                write_key_points(group_id, f"Punkter {group_id}")
            for n in range(groups):
                add_photo(slug, alt=f"Foto {n}")
        client.get(f"/events/{slug}")  # the programme's fragment is cached by its version: warm it
        with count_queries() as statements:
            response = client.get(f"/events/{slug}")
        assert response.status_code == 200 and f"Punkter {ids[-1]}" in page_text(response)
        return len(statements)

    assert queries(1) == queries(4)


@pytest.mark.parametrize(("overrides", "status"), [
    ({"starts_at": datetime.now(UTC) + timedelta(days=5)}, 200),
    ({"starts_at": PAST, "status": "draft"}, 404),
], ids=["upcoming", "draft"])
def test_before_the_event_or_unpublished_no_documentation_is_shown(app, client, make_event, overrides, status):
    slug = make_event(**overrides)
    with app.app_context():
        db.session.add(EventDocumentation(event_id=event_by_slug(slug).id, summary="Hemlig sammanfattning"))
        db.session.commit()

    response = client.get(f"/events/{slug}")

    assert response.status_code == status
    assert "Hemlig sammanfattning" not in page_text(response)


def test_a_past_event_with_nothing_to_document_keeps_its_page(client, make_event):
    slug = make_event(starts_at=PAST)
    text = page_text(client.get(f"/events/{slug}"))
    assert "Evenemanget har ägt rum." in text and "Anmälan" in text
    assert "På den här sidan" not in text


def test_the_demos_past_events_show_their_articles_as_documentation(client, demo):
    workshop = page_text(client.get("/events/snabbspar-utbytesworkshop"))
    fast = page_text(client.get("/events/fast-kunskapsseminarium"))

    assert "Från samtalsgrupperna Varje grupps huvudpunkter" in workshop
    assert "Några mer motiverade än de nyanlända finns inte." in workshop
    assert "Samverkan, samverkan, samverkan." in workshop
    assert "Sammanfattning Kompetensförsörjning, inkludering och rekrytering diskuterades den 14 mars" in fast
    assert "Inspelning och presentationsbilder Se inspelningen" in fast


# --- the organiser's side ------------------------------------------------------------------------

@pytest.fixture
def organiser(app, client, documented):
    make_user(app, "org@example.se", staff_of={documented["slug"]: "organiser"})
    client.set_cookie("lang", "en")
    sign_in(client, "org@example.se")
    return client


def test_the_organiser_saves_the_summary_and_too_long_a_one_is_refused_kept(app, organiser, documented):
    url = f"/manage/events/{documented['slug']}/documentation"

    saved = post(organiser, url, {"summary": "  Ny sammanfattning  "})
    refused = post(organiser, url, {"summary": "x" * 20_001})

    assert saved.status_code == 303 and saved.headers["Location"].endswith("#summary-result")
    assert refused.status_code == 422 and "x" * 20_001 in body(refused)
    assert "At most 20000 characters." in page_text(refused)
    with app.app_context():
        assert db.session.get(EventDocumentation, event_by_slug(documented["slug"]).id).summary == "Ny sammanfattning"
        assert db.session.scalar(select(AuditEntry.action).where(
            AuditEntry.action == "documentation.summary_saved")) is not None


def test_the_overview_lists_every_group_with_its_key_points_and_link(organiser, documented):
    text = page_text(organiser.get(f"/manage/events/{documented['slug']}/documentation"))
    assert "Samverkan On site" in text and "Written by the group leader" in text
    assert "Projektform Digital" in text and "None yet" in text
    assert "2 photos are on the page." in text


def test_the_organiser_writes_a_groups_key_points(app, organiser, client, documented):
    _first, second = documented["groups"]
    url = f"/manage/events/{documented['slug']}/documentation/groups/{second}"

    response = post(organiser, url, {"key_points": "- Projekt tar slut, behoven finns kvar", "version": "0"})

    assert response.status_code == 303
    assert "Projekt tar slut, behoven finns kvar" in page_text(client.get(f"/events/{documented['slug']}"))


def test_the_preview_shows_the_documentation_before_the_event_is_over(app, client, make_event):
    slug = make_event()
    make_user(app, "org@example.se", staff_of={slug: "organiser"})
    sign_in(client, "org@example.se")
    with app.app_context():
        db.session.add(EventDocumentation(event_id=event_by_slug(slug).id, summary="Förberedd sammanfattning"))
        db.session.commit()

    after = page_text(client.get(f"/manage/events/{slug}/preview?after=1"))
    before = page_text(client.get(f"/manage/events/{slug}/preview"))

    assert "Förberedd sammanfattning" in after and "Evenemanget har ägt rum." in after
    assert "Förberedd sammanfattning" not in before and "Förberedd sammanfattning" not in page_text(
        client.get(f"/events/{slug}"))


def test_a_cancelled_event_that_would_have_been_over_shows_no_documentation(app, client, make_event):
    slug = make_event(starts_at=PAST, status="cancelled", recording_url="https://example.org/inspelning")
    with app.app_context():
        db.session.add(EventDocumentation(event_id=event_by_slug(slug).id, summary="Aldrig hållen"))
        db.session.commit()
    text = page_text(client.get(f"/events/{slug}"))
    assert "Evenemanget är inställt." in text
    assert "Aldrig hållen" not in text and "Evenemanget har ägt rum." not in text
