"""What the organiser wrote is in the event's language, whatever language the page is in (WCAG 3.1.2,
language of parts): on an English page every Swedish title, description, place and name of a group sits
inside an element marked lang="sv", so a screen reader reads it as Swedish; on a Swedish page nothing is
marked twice. `templating.content_lang` is the one rule; these tests read the pages as HTML."""
from __future__ import annotations

import re

import pytest
from lxml import html as lxml_html
from sqlalchemy import select

from eventhub.events.models import Event
from eventhub.events.services import organiser_key
from eventhub.extensions import db
from eventhub.groups import services as groups
from eventhub.groups.models import DiscussionGroup
from eventhub.programme.models import ProgrammeItem
from tests.accounts.support import make_user, sign_in
from tests.registration.support import register, token_for

SLUG = "integration-i-arbetslivet"  # the hybrid demo event: Swedish content, groups, partners
NOT_READ = {"script", "style", "template", "textarea", "title"}  # not read out as the page's text


def swedish_texts(event: Event) -> set[str]:
    """What the organiser wrote for the event, as it appears on pages (plain text, not Markdown)."""
    texts = {event.title, event.summary, event.venue_name, event.organiser_name}
    texts |= {partner.name for partner in event.partners}
    texts |= {material.title for material in event.materials}
    for item in event.programme_items:
        texts |= {item.title, item.location}
        texts |= {group.title for group in item.groups} | {group.place for group in item.groups}
        texts |= {group.description.split("\n")[0] for group in item.groups}
        texts.add(item.description.split("\n")[0])
    texts.add(event.description.split("\n")[0])
    # Markdown's own marks are not in the page's text; a few words of plain prose are enough to find it.
    return {re.split(r"[*_\[\]`<>]", text)[0][:40].strip() for text in texts if text} - {""}


def unmarked(page: str, texts: set[str], language: str = "sv") -> list[str]:
    """The text nodes that hold one of ``texts`` but are not inside an element of ``language``."""
    root = lxml_html.document_fromstring(page)
    found = []
    for element in root.body.iter():
        if not isinstance(element.tag, str) or element.tag in NOT_READ:
            continue
        for text, owner in ((element.text, element), (element.tail, element.getparent())):
            if not text or owner is None or not any(wanted in text for wanted in texts):
                continue
            marked = owner.xpath("ancestor-or-self::*[@lang][1]/@lang")
            if not marked or marked[0] != language:
                found.append(f"<{owner.tag}> {' '.join(text.split())[:60]!r} is in {marked[0] if marked else None}")
    return found


@pytest.fixture
def english(app, client, demo):
    """The client, signed in as the event's organiser and speaking English, the URLs of the event's pages
    and its people's own (two who chose English: one on site in a group, one digital), and what the
    organiser wrote."""
    make_user(app, "olga@example.se", staff_of={SLUG: "organiser"})
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == SLUG))
        group = next(g for g in groups.choosable(event) if g.mode == "on_site")
        anna = register(SLUG, "anna@example.se", "on_site", group_id=group.id, language="en").registration
        register(SLUG, "bo@example.se", "digital", language="en")
        item = next(item for item in event.programme_items if item.groups)
        ids = {"key": organiser_key(event.organiser_name), "registration": anna.id, "item": item.id,
               "group": item.groups[0].id}
        texts = swedish_texts(event)
    ids |= {"anna": token_for(app, "anna@example.se"), "bo": token_for(app, "bo@example.se")}
    sign_in(client, "olga@example.se")
    client.set_cookie("lang", "en")
    return client, {name: url.format(**ids) for name, url in PAGES.items()}, texts


PAGES = {
    "front page": "/",
    "event page": f"/events/{SLUG}",
    "event page, digital": f"/events/{SLUG}?audience=digital",
    "registration form with the group choice": f"/events/{SLUG}/register",
    "privacy notice": f"/events/{SLUG}/privacy",
    "organiser's page": "/organisers/{key}",
    "personal page with the group choice": "/r/{anna}",
    "personal page, digital": "/r/{bo}",
    "cancelling": "/r/{anna}/cancel",
    "joining digitally": "/r/{bo}/join",
    "dashboard": "/manage/",
    "overview": f"/manage/events/{SLUG}",
    "programme builder": f"/manage/events/{SLUG}/programme/",
    "item with groups": f"/manage/events/{SLUG}/programme/items/{{item}}",
    "group": f"/manage/events/{SLUG}/programme/groups/{{group}}",
    "attendee list": f"/manage/events/{SLUG}/attendees",
    "attendee": f"/manage/events/{SLUG}/attendees/{{registration}}",
    "statistics": f"/manage/events/{SLUG}/statistics",
    "materials": f"/manage/events/{SLUG}/material",
    "door scanner": f"/checkin/{SLUG}",
    "preview": f"/manage/events/{SLUG}/preview",
    "personal page preview": f"/manage/events/{SLUG}/preview/personal?mode=on_site",
}


@pytest.mark.parametrize("name", PAGES)
def test_swedish_content_is_marked_swedish_on_english_pages(english, name):
    client, urls, texts = english
    response = client.get(urls[name])
    assert response.status_code in (200, 425), response.status_code  # 425: too early to join, said in a page
    page = response.get_data(as_text=True)
    assert '<html lang="en">' in page
    assert any(text in page for text in texts), "the page shows none of the event's content"
    problems = unmarked(page, texts)
    assert not problems, "\n".join(problems)


def own_lang(page: str, texts: set[str]) -> list[str]:
    """The text nodes holding one of ``texts`` that sit in an element with a lang of its own (below <html>)."""
    root = lxml_html.document_fromstring(page)
    found = []
    for element in root.body.iter():
        if not isinstance(element.tag, str) or element.tag in NOT_READ:
            continue
        for text, owner in ((element.text, element), (element.tail, element.getparent())):
            if text and owner is not None and any(wanted in text for wanted in texts):
                if owner.xpath("ancestor-or-self::*[@lang][1]")[0].tag != "html":
                    found.append(f"<{owner.tag}> {' '.join(text.split())[:60]!r}")
    return found


@pytest.mark.parametrize("name", ["event page", "registration form with the group choice",
                                  "personal page with the group choice", "programme builder", "attendee"])
def test_swedish_content_on_swedish_pages_is_not_marked_again(english, name):
    client, urls, texts = english
    client.set_cookie("lang", "sv")
    url = urls[name] + ("?lang=sv" if urls[name].startswith("/r/") else "")  # the person chose English
    page = client.get(url).get_data(as_text=True)
    assert '<html lang="sv">' in page
    assert any(text in page for text in texts)
    assert own_lang(page, texts) == []


@pytest.fixture
def english_event(app, make_event):
    """An event whose organiser wrote in English: its title, an item and a group to choose."""
    slug = make_event(title="Working life integration", language="en", group_choice_open=True, on_site_seats=10)
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == slug))
        item = ProgrammeItem(title="Group talks with experts", kind="group_session", starts_at=event.starts_at,
                             ends_at=event.ends_at, description="Talk with people who know the field.")
        item.groups.append(DiscussionGroup(title="Social enterprises as a way in", mode="on_site", seats=5,
                                           place="Room Lighthouse"))
        event.programme_items.append(item)
        db.session.commit()
    return slug, {"Working life integration", "Group talks with experts", "Social enterprises as a way in",
                  "Room Lighthouse", "Talk with people who know the field."}


@pytest.mark.parametrize("page_url", ["/events/{slug}", "/events/{slug}/register", "/"])
def test_english_content_is_marked_english_on_swedish_pages(client, english_event, page_url):
    slug, texts = english_event
    page = client.get(page_url.format(slug=slug)).get_data(as_text=True)
    assert '<html lang="sv">' in page
    assert any(text in page for text in texts)
    problems = unmarked(page, texts, language="en")
    assert not problems, "\n".join(problems)
