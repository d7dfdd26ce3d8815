"""The live channel in Chromium: an organiser's announcement reaches the open pages of the people it is
for without a reload (an on-site and a digital attendee, the digital one with their join link), and the
pages it adds to pass axe and reflow. EVENTHUB_SCREENSHOTS=<folder> keeps screenshots of them."""
from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from eventhub import keyring
from eventhub.accounts import services as accounts
from eventhub.events.models import Event
from eventhub.extensions import db
from eventhub.live import channel
from eventhub.live import services as live
from eventhub.registration import services as registration
from eventhub.registration import tokens
from tests.browser.conftest import demo_app, dispose
from tests.browser.support import (
    DESKTOP,
    NARROW,
    PHONE,
    assert_no_axe_violations,
    assert_reflows,
    signed_in_page,
)
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

SLUG = "integration-i-arbetslivet"
EMAIL, PASSWORD = "olga@example.se", "a-long-enough-password"
SHOTS = os.environ.get("EVENTHUB_SCREENSHOTS")
WIDE = {"viewport": {"width": 1366, "height": 900}}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    app = demo_app(tmp_path_factory.mktemp("live") / "l.sqlite")
    app.config.update(LIVE_STREAM_SECONDS=30, LIVE_HEARTBEAT_SECONDS=5)
    keys, now = keyring.of(app), datetime.now(UTC)
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == SLUG))
        olga, _ = accounts.create_user(EMAIL, "Olga Organisatör", "organiser", now, password=PASSWORD)
        accounts.add_staff(event.id, olga.id, "organiser", olga.id)
        people = {}
        for name, mode, language in (("Anna Andersson", "on_site", "sv"), ("Bo Berg", "digital", "sv"),
                                     ("Cecilia Carter", "on_site", "en"), ("David Dahl", "digital", "en")):
            person = registration.register(event.id, registration.RegistrationInput(
                name=name, email=f"{name.split()[0].lower()}@example.se", mode=mode, sector="public",
                language=language, privacy_accepted=True), now, keys).registration
            people[name.split()[0].lower()] = tokens.manage_token(keys, person.token_salt)
        db.session.commit()
        event_id, olga_id = event.id, olga.id
    live_server = LiveServer(app).start()
    live_server.app, live_server.tokens, live_server.event_id, live_server.olga = app, people, event_id, olga_id
    yield live_server
    live_server.stop()
    dispose(app)


def _open(new_context, server, token, **options):
    page = new_context(server=server, **options).new_page()
    page.goto(f"/r/{token}")
    page.wait_for_selector("[data-live][data-channel=stream]")  # its stream is open
    return page


def _send(page, slug, text, audience="all"):
    page.goto(f"/manage/events/{slug}/announcements")
    page.check(f"input[name=audience][value={audience}]")
    page.fill("#text_sv", text)
    with page.expect_navigation():
        page.click("main form.announcement-form button[type=submit]")


def test_an_announcement_reaches_the_open_pages_it_is_for_without_a_reload(new_context, server):
    on_site = _open(new_context, server, server.tokens["anna"], **PHONE)
    digital = _open(new_context, server, server.tokens["bo"], **DESKTOP)
    organiser = signed_in_page(new_context, server, "sv", EMAIL, PASSWORD, **DESKTOP)
    focused = on_site.evaluate("() => document.activeElement.tagName")

    _send(organiser, SLUG, "Tillbaka i stora salen om fem minuter")
    assert "Skickat" in organiser.inner_text("main")
    for page in (on_site, digital):
        page.wait_for_selector(".announcement-text:has-text('Tillbaka i stora salen om fem minuter')", timeout=5000)
    assert on_site.evaluate("() => document.activeElement.tagName") == focused  # focus not stolen
    join = digital.locator(".announcement a[href$='/join']")
    assert join.count() == 1 and join.inner_text() == "Anslut till evenemanget"
    assert on_site.locator(".announcement a[href$='/join']").count() == 0
    assert "Textile Fashion Center" in on_site.inner_text(".announcement")
    live_region = on_site.locator(".announcement-list").locator("xpath=..")
    assert live_region.get_attribute("aria-live") == "polite"

    _send(organiser, SLUG, "Länken till den digitala panelen har ändrats", audience="digital")
    digital.wait_for_selector(".announcement-text:has-text('Länken till den digitala panelen')", timeout=5000)
    on_site.wait_for_timeout(700)
    assert on_site.locator(".announcement").count() == 1  # not for the room
    assert digital.locator(".announcement").count() == 2
    assert digital.locator(".announcement-text").first.inner_text().startswith("Länken")  # newest first
    # The organiser's page lists both, with how many each reached.
    assert "På 2 personers sidor" in organiser.inner_text("main")
    # A reload shows the same, without JavaScript.
    still = new_context(server=server, java_script_enabled=False).new_page()
    still.goto(f"/r/{server.tokens['bo']}")
    assert still.locator(".announcement").count() == 2


def test_a_page_whose_stream_is_refused_polls(new_context, server):
    hub = channel.of(server.app)
    held = 0
    while hub.admit():
        held += 1
    try:
        page = new_context(server=server, **DESKTOP).new_page()
        page.goto(f"/r/{server.tokens['anna']}")
        page.wait_for_selector("[data-live][data-channel=poll]")
    finally:
        for _ in range(held):
            hub.release()
    with server.app.app_context():
        live.send(server.event_id, "on_site", "Fikat är framdukat", "", False, server.olga,
                  keyring.of(server.app), datetime.now(UTC), hub)
    page.wait_for_selector(".announcement-text:has-text('Fikat är framdukat')", timeout=25_000)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_live_pages_pass_axe_and_reflow(new_context, server, lang):
    # Sent here whatever the other tests of the module sent before (some to one audience only): every
    # page below has an announcement to check.
    with server.app.app_context():
        live.send(server.event_id, "all", f"Tillbaka i stora salen om fem minuter ({lang})",
                  f"Back in the main room in five minutes ({lang})", False, server.olga, keyring.of(server.app),
                  datetime.now(UTC), channel.of(server.app))
    who = {"sv": ("anna", "bo"), "en": ("cecilia", "david")}[lang]
    for size_name, size in (("390", PHONE), ("1366", WIDE)):
        for name in who:
            page = new_context(server=server, **size).new_page()
            page.goto(f"/r/{server.tokens[name]}")
            assert page.locator(".announcement").count() >= 1
            assert_no_axe_violations(page, f"personal page of {name} ({lang}, {size_name})")
            if SHOTS:
                page.screenshot(path=str(Path(SHOTS) / f"personal-{name}-{lang}-{size_name}.png"), full_page=True)
        organiser = signed_in_page(new_context, server, lang, EMAIL, PASSWORD, **size)
        organiser.goto(f"/manage/events/{SLUG}/announcements")
        assert_no_axe_violations(organiser, f"announcements ({lang}, {size_name})")
        if SHOTS:
            organiser.screenshot(path=str(Path(SHOTS) / f"announcements-{lang}-{size_name}.png"), full_page=True)
        organiser.fill("#text_sv", "")
        with organiser.expect_navigation():
            organiser.click("main form.announcement-form button[type=submit]")
        assert organiser.locator("#error-summary").is_visible()
        assert_no_axe_violations(organiser, f"announcements with errors ({lang}, {size_name})")
    narrow = new_context(server=server, **NARROW).new_page()
    narrow.goto(f"/r/{server.tokens[who[1]]}")
    assert_reflows(narrow)
