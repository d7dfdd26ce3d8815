"""Questions to the speakers in Chromium: an on-site and a digital attendee each ask from their own page,
the moderator sees both arrive without a reload (with where each came from), approves one and pins it,
the presenter's screen shows it without a reload, and the other attendee sees it and upvotes it. The
pages pass axe and reflow. EVENTHUB_SCREENSHOTS=<folder> keeps screenshots of them."""
from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from eventhub import keyring
from eventhub.accounts import services as accounts
from eventhub.events.models import Event
from eventhub.extensions import db
from eventhub.programme.models import ItemSpeaker, Person, ProgrammeItem
from eventhub.registration import services as registration
from eventhub.registration import tokens
from tests.browser.conftest import demo_app, dispose
from tests.browser.support import NARROW, PHONE, assert_no_axe_violations, assert_reflows, signed_in_page
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

SLUG = "fragor-i-salen"
EMAIL, PASSWORD = "olga@example.se", "a-long-enough-password"
SHOTS = os.environ.get("EVENTHUB_SCREENSHOTS")
WIDE = {"viewport": {"width": 1366, "height": 900}}
PROJECTOR = {"viewport": {"width": 1920, "height": 1080}}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    app = demo_app(tmp_path_factory.mktemp("questions") / "q.sqlite")
    app.config.update(LIVE_STREAM_SECONDS=30, LIVE_HEARTBEAT_SECONDS=5)
    keys, now = keyring.of(app), datetime.now(UTC)
    with app.app_context():
        event = Event(slug=SLUG, title="Forumträff i Borås", starts_at=now - timedelta(minutes=20),
                      ends_at=now + timedelta(hours=3), format="hybrid", status="published",
                      venue_name="Textile Fashion Center", join_url="https://meet.example.org/forum")
        db.session.add(event)
        db.session.flush()
        item = ProgrammeItem(event_id=event.id, title="Panelsamtal om hållbar textil", starts_at=event.starts_at,
                             ends_at=event.starts_at + timedelta(hours=1))
        item.speakers.append(ItemSpeaker(person=Person(name="Kim Talare")))
        db.session.add(item)
        olga, _ = accounts.create_user(EMAIL, "Olga Organisatör", "organiser", now, password=PASSWORD)
        accounts.add_staff(event.id, olga.id, "organiser", olga.id)
        people = {}
        for name, mode, language in (("Anna Andersson", "on_site", "sv"), ("David Dahl", "digital", "en")):
            person = registration.register(event.id, registration.RegistrationInput(
                name=name, email=f"{name.split()[0].lower()}@example.se", mode=mode, sector="public",
                language=language, privacy_accepted=True), now, keys).registration
            people[name.split()[0].lower()] = tokens.manage_token(keys, person.token_salt)
        db.session.commit()
    live_server = LiveServer(app).start()
    live_server.app, live_server.tokens = app, people
    yield live_server
    live_server.stop()
    dispose(app)


def _attendee(new_context, server, who, **options):
    page = new_context(server=server, **options).new_page()
    page.goto(f"/r/{server.tokens[who]}")
    page.wait_for_selector("[data-live][data-channel=stream]")
    return page


def _ask(page, text):
    page.fill("[data-ask-form] textarea", text)
    with page.expect_navigation():
        page.click("[data-ask-form] button[type=submit]")


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def test_two_audiences_ask_the_moderator_approves_and_pins_and_the_room_sees_it(new_context, server):
    moderator = signed_in_page(new_context, server, "sv", EMAIL, PASSWORD, **WIDE)
    moderator.goto(f"/manage/events/{SLUG}/live/questions")
    moderator.wait_for_selector("[data-live-staff][data-channel=stream]")
    presenter = signed_in_page(new_context, server, "sv", EMAIL, PASSWORD, **PROJECTOR)
    presenter.goto(f"/manage/events/{SLUG}/live/presenter")
    presenter.wait_for_selector("[data-live-staff][data-channel=stream]")
    anna = _attendee(new_context, server, "anna", **PHONE)
    david = _attendee(new_context, server, "david", **WIDE)

    _ask(anna, "Hur når vi de unga i Sjuhärad?")
    _ask(david, "How do small firms online take part?")
    waiting = moderator.locator("#queue-waiting + ul .mod-question")
    waiting.nth(1).wait_for(timeout=8000)  # both arrived without a reload
    cards = {card.locator(".question-text").inner_text(): card.locator(".audience").inner_text()
             for card in waiting.all()}
    assert cards == {"Hur når vi de unga i Sjuhärad?": "På plats", "How do small firms online take part?": "Digitalt"}
    assert "Digitalt: 50 % av frågorna, 50 % av publiken" in moderator.inner_text("[data-queue]")
    assert "Waiting for the moderator" in david.inner_text("[data-questions]")

    room = ".mod-question:has(.question-text:has-text('Hur når vi de unga'))"
    moderator.locator(room).locator("form[action$='/approve'] button").click()
    moderator.locator(f"#queue-shown + ul {room}").wait_for(timeout=8000)
    moderator.locator(room).locator("form[action$='/pin'] button").click()
    presenter.wait_for_selector(".presenter-text:has-text('Hur når vi de unga i Sjuhärad?')", timeout=8000)
    assert "Anna Andersson" in presenter.inner_text("[data-pinned]") and "På plats" in presenter.inner_text("main")

    david.wait_for_selector("[data-questions-list] .question-text:has-text('Hur når vi de unga')", timeout=8000)
    david.click("[data-vote-form] button")
    david.wait_for_selector("[data-questions-list] .vote-count:has-text('1 vote')", timeout=8000)
    assert david.get_attribute("[data-vote-form] button", "aria-pressed") == "true"
    assert david.text_content("[data-questions-status]") == "Your upvote is counted."
    # The list was put in place anew; the keyboard stays on the button just pressed.
    assert david.evaluate("() => !!document.activeElement.closest('[data-vote-form]')")
    moderator.wait_for_selector(f"{room} >> text=1 röst", timeout=8000)
    presenter.wait_for_selector("[data-pinned]:has-text('1 röst')", timeout=8000)

    _shot(moderator, "moderator-sv-1366")
    _shot(presenter, "presenter-sv-1920")
    _shot(anna, "personal-anna-sv-390")
    _shot(david, "personal-david-en-1366")


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_question_pages_pass_axe_and_reflow(new_context, server, lang):
    who = {"sv": "anna", "en": "david"}[lang]
    for size_name, size in (("390", PHONE), ("1366", WIDE)):
        page = new_context(server=server, **size).new_page()
        page.goto(f"/r/{server.tokens[who]}")
        assert page.locator("[data-ask-form]").count() == 1
        assert_no_axe_violations(page, f"personal page with the ask form ({lang}, {size_name})")
        staff = signed_in_page(new_context, server, lang, EMAIL, PASSWORD, **size)
        for path, name in (("live/questions", "moderator"), ("live/presenter", "presenter")):
            staff.goto(f"/manage/events/{SLUG}/{path}")
            assert_no_axe_violations(staff, f"{name} ({lang}, {size_name})")
            _shot(staff, f"{name}-{lang}-{size_name}")
    for path in (f"/r/{server.tokens[who]}", f"/r/{server.tokens[who]}/ask"):
        narrow = new_context(server=server, **NARROW).new_page()
        narrow.goto(path)
        assert_reflows(narrow)
    staff = signed_in_page(new_context, server, lang, EMAIL, PASSWORD, **NARROW)
    for path in ("live/questions", "live/presenter"):
        staff.goto(f"/manage/events/{SLUG}/{path}")
        assert_reflows(staff)
