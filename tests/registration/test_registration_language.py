"""A person's language, chosen once, followed everywhere that speaks to them: the form, their emails,
their page, their documents and calendar, and the links in them."""
from __future__ import annotations

import re

import pytest

from eventhub.extensions import db
from eventhub.registration.models import Registration
from tests.registration.support import (
    html_of,
    outbox,
    page_text,
    post_manage,
    post_registration,
    token_for,
)

CHECKED = re.compile(r'<input[^>]*name="language"[^>]*value="(\w+)"[^>]*checked|'
                     r'<input[^>]*checked[^>]*name="language"[^>]*value="(\w+)"')


def preselected_language(response) -> str:
    found = {a or b for a, b in CHECKED.findall(html_of(response))}
    assert len(found) == 1, found
    return found.pop()


def html_lang(response) -> str:
    return re.search(r'<html lang="(\w+)"', html_of(response)).group(1)


@pytest.mark.parametrize(("url", "cookie", "expected"), [
    ("/events/{slug}/register?lang=en", None, "en"),
    ("/events/{slug}?lang=en", None, "en"),
    ("/events/{slug}/register", "en", "en"),
    ("/events/{slug}/register", None, "sv"),
    ("/events/{slug}?lang=sv", "en", "sv"),
])
def test_registration_form_preselects_the_language_of_its_page(client, make_event, url, cookie, expected):
    slug = make_event()
    if cookie:
        client.set_cookie("lang", cookie)

    assert preselected_language(client.get(url.format(slug=slug))) == expected


def test_registering_from_the_english_page_gives_english_email_page_and_links(app, client, make_event):
    slug = make_event()
    form = client.get(f"/events/{slug}/register?lang=en")
    assert preselected_language(form) == "en"

    # A person who reads English sends the form as it stood, without touching the language choice.
    post_registration(client, slug, language="en")

    with app.app_context():
        [message] = outbox("anna@example.se")
    assert message.subject == "You are registered: Forumträff"
    assert re.search(r"/r/[\w-]+\?lang=en", message.body_text)
    assert "Central European" in message.body_text  # the time names its zone
    token = token_for(app, "anna@example.se")
    fresh_browser = app.test_client()  # no language cookie: the page follows the registration
    page = fresh_browser.get(f"/r/{token}")
    assert html_lang(page) == "en"
    assert "You have a place on site." in page_text(page)


def test_personal_pages_follow_the_registration_not_the_browser_cookie(app, client, make_event):
    slug = make_event()
    post_registration(client, slug, language="en")
    token = token_for(app, "anna@example.se")
    client.set_cookie("lang", "sv")

    assert html_lang(client.get(f"/r/{token}")) == "en"
    assert html_lang(client.get(f"/r/{token}/cancel")) == "en"
    assert html_lang(client.get(f"/r/{token}?lang=sv")) == "sv"  # an explicit ?lang= still wins for that view


def test_person_changes_their_language_on_their_page(app, client, make_event):
    slug = make_event()
    post_registration(client, slug, language="sv")
    token = token_for(app, "anna@example.se")

    page = client.get(f"/r/{token}")
    assert "In English" in page_text(page)
    response = post_manage(client, token, "language", language="en", next=f"/r/{token}")

    assert response.status_code == 303
    assert response.headers["Location"] == f"/r/{token}"
    page = client.get(response.headers["Location"])
    assert html_lang(page) == "en"
    assert "From now on your emails and your page are in this language." in page_text(page)
    with app.app_context():
        registration = db.session.scalar(db.select(Registration).where(Registration.email == "anna@example.se"))
        assert registration.language == "en"


def test_header_language_switch_on_a_personal_page_changes_the_registration(app, client, make_event):
    slug = make_event()
    post_registration(client, slug, language="sv")
    token = token_for(app, "anna@example.se")

    page = html_of(client.get(f"/r/{token}"))

    header = page[page.index('class="language-switch"'):page.index("</nav>", page.index('class="language-switch"'))]
    assert f'action="/r/{token}/language"' in header
    assert "/language/en" not in header  # not the cookie switch, which the registration would override


@pytest.mark.parametrize(("language", "next_page", "lands_on"), [
    ("fr", "/r/{token}", "/r/{token}"),  # not a language we speak: nothing changes, and the person is told
    ("en", "https://evil.example/", "/r/{token}"),  # never away from the person's own pages
    ("en", "/manage/events", "/r/{token}"),
    ("en", "/r/{token}/cancel", "/r/{token}/cancel"),
])
def test_change_language_refuses_bad_input_and_stays_on_own_pages(app, client, make_event, language, next_page,
                                                                 lands_on):
    slug = make_event()
    post_registration(client, slug, language="sv")
    token = token_for(app, "anna@example.se")

    response = post_manage(client, token, "language", language=language, next=next_page.format(token=token))

    assert response.headers["Location"] == lands_on.format(token=token)
    with app.app_context():
        registration = db.session.scalar(db.select(Registration).where(Registration.email == "anna@example.se"))
        assert registration.language == ("sv" if language == "fr" else language)
    if language == "fr":
        assert "Välj ett av språken som erbjuds." in page_text(client.get(response.headers["Location"]))


def test_change_language_without_csrf_token_is_refused(app, client, make_event):
    slug = make_event()
    post_registration(client, slug, language="sv")
    token = token_for(app, "anna@example.se")

    response = client.post(f"/r/{token}/language", data={"language": "en"})

    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(db.select(Registration.language)) == "sv"


def test_emails_after_a_change_of_language_are_in_the_new_language(app, client, make_event):
    slug = make_event(on_site_seats=5, digital_seats=5)
    post_registration(client, slug, language="sv")
    token = token_for(app, "anna@example.se")
    post_manage(client, token, "language", language="en", next=f"/r/{token}")

    post_manage(client, token, "mode", mode="digital")

    with app.app_context():
        message = outbox("anna@example.se")[-1]
    assert message.subject == "Your registration has changed: Forumträff"
    assert "?lang=en" in message.body_text


def test_personal_calendar_speaks_the_persons_language(app, client, make_event, make_item):
    slug = make_event(format="digital", on_site_seats=None, digital_seats=10, join_url="https://meet.example/x")
    make_item(slug, title="Välkommen", audience="everyone")
    post_registration(client, slug, mode="digital", language="en")
    token = token_for(app, "anna@example.se")

    calendar = client.get(f"/r/{token}/calendar.ics").get_data(as_text=True).replace("\r\n ", "")

    assert "Join with your personal link:" in calendar
    assert f"/r/{token}/join?lang=en" in calendar
    assert "Välkommen" in calendar  # the organiser's own text stays as written


@pytest.mark.parametrize(("query", "expected"), [("", "Digitalt"), ("?lang=en", "Digital"), ("?lang=sv", "Digitalt")])
def test_public_calendar_in_the_language_asked_for(client, make_event, query, expected):
    slug = make_event(format="digital", on_site_seats=None, digital_seats=10)

    calendar = client.get(f"/events/{slug}/event.ics{query}").get_data(as_text=True)

    location = re.search(r"^LOCATION:(.*)$", calendar, re.M).group(1).strip()
    assert location == expected


def test_event_page_in_english_links_its_documents_in_english(app, client, make_event):
    slug = make_event()

    page = html_of(client.get(f"/events/{slug}?lang=en"))
    swedish_page = html_of(client.get(f"/events/{slug}?lang=sv"))

    assert f"/events/{slug}/programme.pdf?lang=en" in page
    assert f"/events/{slug}/event.ics?lang=en" in page
    assert "lang=" not in re.search(r'href="(/events/[^"]+/programme.pdf[^"]*)"', swedish_page).group(1)


def test_register_page_language_radio_has_a_swedish_error_when_missing(client, make_event):
    slug = make_event()

    response = post_registration(client, slug, language=None)

    assert response.status_code == 422
    assert "Välj ett språk." in page_text(response)
