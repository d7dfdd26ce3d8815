"""An attendee's afternoon in a real browser, as a person would go through it on a phone: the event page
as an invitation, registering from the English page, the answer on screen at once, their own page in
their language (and in their own time zone when they are abroad), and long texts that count.

These tests write, so they use ``registration_server``; each registration has its own address.
"""
from __future__ import annotations

import re
import secrets

import pytest
from sqlalchemy import select

from eventhub.extensions import db
from eventhub.mail.models import OutboxMessage
from eventhub.registration.models import Registration
from tests.browser.support import NARROW, PHONE

pytestmark = pytest.mark.browser

SLUG = "integration-i-arbetslivet"
EVENT = f"/events/{SLUG}"
MANAGE_LINK = re.compile(r"https?://\S+?(/r/[A-Za-z0-9_-]+)\?lang=(\w+)")


def fill_registration(page, email: str, mode_label: str) -> None:
    page.get_by_label(mode_label, exact=True).check()
    page.fill("#name", "Jane Walker")
    page.fill("#email", email)
    page.locator("input[name=sector]").first.check()
    page.check("#privacy")


def email_to(app, address: str) -> OutboxMessage:
    with app.app_context():
        message = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == address)
                                     .order_by(OutboxMessage.id.desc())).first()
        db.session.expunge(message)
        return message


@pytest.mark.parametrize("size", [PHONE, NARROW], ids=["phone", "320px"])
def test_event_page_reads_like_an_invitation(new_context, registration_server, size):
    page = new_context(server=registration_server, **size).new_page()
    page.goto(EVENT)

    def top(selector):
        return page.locator(selector).first.evaluate("e => e.getBoundingClientRect().top + scrollY")

    # What the event is about and its programme come before the form.
    assert top("#about-heading") < top("#programme-heading") < top("#registration-heading")
    # A Register button is at hand on the phone's screen, and leads to the form.
    float_button = page.locator("[data-register-float]")
    assert float_button.is_visible()
    box = float_button.bounding_box()
    assert box["y"] + box["height"] <= size["viewport"]["height"]
    float_button.click()
    page.wait_for_function("() => document.getElementById('registration').getBoundingClientRect().top < innerHeight")
    page.wait_for_function("() => document.querySelector('[data-register-float]').classList.contains('is-hidden')")
    # The three audience views fit one row.
    tops = page.locator(".audience-switch a").evaluate_all("links => links.map(a => a.getBoundingClientRect().top)")
    assert len(tops) == 3 and len(set(round(t) for t in tops)) == 1, tops
    assert page.evaluate("() => document.documentElement.scrollWidth <= innerWidth")


def test_register_from_the_english_page_and_get_everything_in_english(new_context, registration_server,
                                                                     registration_app):
    address = f"jane-{secrets.token_hex(3)}@example.org"
    page = new_context(server=registration_server, **PHONE).new_page()
    page.goto(f"{EVENT}?lang=en")
    assert page.locator("#language-2").is_checked()  # English, because the page is English
    fill_registration(page, address, "On site")
    with page.expect_navigation():
        page.locator("#registration button[type=submit]").click()

    # At once, on screen: the seat, the ticket with its short code, the way to the page.
    assert page.get_by_role("heading", level=1).inner_text() == "You are registered"
    assert "You have a place on site." in page.inner_text(".status-box")
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}", page.inner_text(".ticket-code strong"))

    message = email_to(registration_app, address)
    assert message.subject.startswith("You are registered")
    assert "Central European" in message.body_text and "short code" in message.body_text
    path, lang = MANAGE_LINK.search(message.body_text).groups()
    assert lang == "en"

    # The link opened on another device, with no cookie: English, as chosen.
    other = new_context(server=registration_server, **PHONE).new_page()
    other.goto(path)
    assert other.get_attribute("html", "lang") == "en"
    assert "You have a place on site." in other.inner_text("main")
    # The person switches to Swedish from the header: the registration follows, emails too.
    with other.expect_navigation():
        other.locator(".language-switch button").click()
    assert other.get_attribute("html", "lang") == "sv"
    assert "Från och med nu är dina mejl och din sida på det här språket." in other.inner_text("main")
    with registration_app.app_context():
        assert db.session.scalar(select(Registration.language).where(Registration.email == address)) == "sv"


@pytest.mark.parametrize(("zone", "shown"), [("Europe/London", True), ("Europe/Stockholm", False),
                                             ("Europe/Oslo", False)])
def test_personal_page_offers_the_time_in_the_reader_s_zone(new_context, registration_server, registration_app,
                                                           zone, shown):
    address = f"zone-{secrets.token_hex(3)}@example.org"
    page = new_context(server=registration_server, timezone_id=zone, **PHONE).new_page()
    page.goto(f"{EVENT}?lang=en")
    fill_registration(page, address, "Digital")
    with page.expect_navigation():
        page.locator("#registration button[type=submit]").click()
    assert "Central European" in page.inner_text(".status-box")  # the event's zone is always named

    local = page.locator(".status-box .local-time")
    if shown:
        local.wait_for()
        text = local.inner_text()
        assert text.startswith("In your time zone (Europe/London):")
        event_start = page.locator(".status-box time").first.inner_text().rsplit(", ", 1)[1]
        hours = int(event_start[:2])
        assert re.search(rf"{hours - 1:02d}:{event_start[3:5]}–", text), (event_start, text)
    else:
        page.wait_for_timeout(300)
        assert not local.is_visible()


def test_long_answers_say_their_limit_and_count(new_context, registration_server):
    page = new_context(server=registration_server, **PHONE).new_page()
    page.goto(f"{EVENT}/register")
    area = page.locator("#dietary_needs")
    assert area.get_attribute("maxlength") == "500"
    counter = page.locator("#dietary_needs-count")
    assert counter.inner_text() == "Högst 500 tecken."
    assert "dietary_needs-count" in area.get_attribute("aria-describedby")
    area.fill("Vegetarisk")
    assert counter.inner_text() == "10 av 500 tecken"
    assert page.locator("#name").get_attribute("maxlength") == "200"
