"""Group choice at the pitch in Chromium: an on-site and a digital attendee have their pages open, the
organiser opens group choice from the projector view, both pages show the choice section without a
reload (each with the groups of their way of taking part), one chooses and the projector's seats left
drop without a reload. The projector view and the my-link page pass axe and reflow at 320 px.
EVENTHUB_SCREENSHOTS=<folder> keeps screenshots (the projector at 1366 px and 1920x1080, the personal
page at 390 px, in Swedish and English)."""
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
WIDE = {"viewport": {"width": 1366, "height": 768}}
FULL_HD = {"viewport": {"width": 1920, "height": 1080}}
PROJECTOR = f"/manage/events/{SLUG}/live/projector"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    app = demo_app(tmp_path_factory.mktemp("choice") / "c.sqlite")
    app.config.update(LIVE_STREAM_SECONDS=60, LIVE_HEARTBEAT_SECONDS=5)
    keys, now = keyring.of(app), datetime.now(UTC)
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == SLUG))
        event.group_choice_open = False  # before the pitch
        event.on_site_may_join_digital_groups = False  # each sees the groups of their way of taking part
        olga, _ = accounts.create_user(EMAIL, "Olga Organisatör", "organiser", now, password=PASSWORD)
        accounts.add_staff(event.id, olga.id, "organiser", olga.id)
        people = {}
        for name, mode, language in (("Anna Andersson", "on_site", "sv"), ("Bo Berg", "digital", "sv"),
                                     ("Cecilia Carter", "on_site", "en")):
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


def _open(new_context, server, token, **options):
    page = new_context(server=server, **options).new_page()
    page.goto(f"/r/{token}")
    page.wait_for_selector("[data-live][data-channel=stream]")
    return page


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def test_opening_group_choice_reaches_both_pages_and_a_choice_reaches_the_projector(new_context, server):
    on_site = _open(new_context, server, server.tokens["anna"], **PHONE)
    digital = _open(new_context, server, server.tokens["bo"], **DESKTOP)
    assert on_site.locator("#choose-group").count() == 0 and digital.locator("#choose-group").count() == 0
    organiser = signed_in_page(new_context, server, "sv", EMAIL, PASSWORD, **WIDE)
    organiser.goto(PROJECTOR)
    organiser.wait_for_selector("[data-live-staff][data-channel=stream]")
    assert "Gruppvalet har inte öppnat än." in organiser.inner_text("[data-choice-state]")

    with organiser.expect_navigation():
        organiser.click("button:has-text('Öppna gruppvalet')")
    organiser.wait_for_selector("[data-live-staff][data-channel=stream]")
    assert "Gruppvalet är öppet" in organiser.inner_text("[data-choice-state]")

    for page in (on_site, digital):
        page.wait_for_selector("#choose-group", timeout=5000)
    labels = {name: page.locator("#choose-group label").all_inner_texts()
              for name, page in (("on_site", on_site), ("digital", digital))}
    assert "Samverkan för ökad social hållbarhet" in labels["on_site"]
    assert "Utmaningar med att organisera integrering i projektform" not in labels["on_site"]
    assert "Utmaningar med att organisera integrering i projektform" in labels["digital"]
    assert "Samverkan för ökad social hållbarhet" not in labels["digital"]
    assert len(labels["on_site"]) == len(labels["digital"]) == 3
    # Told politely: the live region is emptied and written a moment after the swap, so that screen
    # readers hear it; wait for the words rather than read them at once.
    on_site.wait_for_function(
        "() => document.querySelector('[data-group-choice-news]').textContent.includes('Gruppvalet är öppet')",
        timeout=10000)

    first = on_site.locator("#choose-group input[type=radio]").first
    group_id = first.get_attribute("value")
    seats = organiser.locator(f"[data-seats-left='{group_id}']")
    before = int(seats.inner_text())
    first.check()
    with on_site.expect_navigation():
        on_site.click("#choose-group button[type=submit]")
    organiser.wait_for_function(
        "([id, left]) => document.querySelector(`[data-seats-left='${id}']`).textContent.trim() === String(left)",
        arg=[group_id, before - 1], timeout=5000)
    # The digital page's numbers are its own groups': it heard nothing of the room's.
    assert digital.locator(f"[data-seats-left='{group_id}']").count() == 0


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_projector_and_the_my_link_page_pass_axe_and_reflow(new_context, server, lang):
    organiser = signed_in_page(new_context, server, lang, EMAIL, PASSWORD, **WIDE)
    organiser.goto(PROJECTOR)
    assert_no_axe_violations(organiser, f"projector ({lang}, 1366)")
    _shot(organiser, f"projector-{lang}-1366")
    full = signed_in_page(new_context, server, lang, EMAIL, PASSWORD, **FULL_HD)
    full.goto(PROJECTOR)
    assert_no_axe_violations(full, f"projector ({lang}, 1920)")
    _shot(full, f"projector-{lang}-1920")
    narrow = signed_in_page(new_context, server, lang, EMAIL, PASSWORD, **NARROW)
    narrow.goto(PROJECTOR)
    assert_reflows(narrow)

    visitor = new_context(server=server, lang=lang, **PHONE).new_page()
    visitor.goto(f"/events/{SLUG}/my-link")
    assert_no_axe_violations(visitor, f"my-link ({lang})")
    visitor.fill("#email", "not-an-address")
    with visitor.expect_navigation():
        visitor.click("main button[type=submit]")
    assert visitor.locator("#error-summary").is_visible()
    assert_no_axe_violations(visitor, f"my-link with an error ({lang})")
    visitor.fill("#email", "anna@example.se")
    with visitor.expect_navigation():
        visitor.click("main button[type=submit]")
    assert visitor.locator("[role=status]").count() >= 1
    assert_no_axe_violations(visitor, f"my-link sent ({lang})")
    _shot(visitor, f"my-link-{lang}-390")
    small = new_context(server=server, lang=lang, **NARROW).new_page()
    small.goto(f"/events/{SLUG}/my-link")
    assert_reflows(small)

    person = new_context(server=server, **PHONE).new_page()
    person.goto(f"/r/{server.tokens['anna' if lang == 'sv' else 'cecilia']}")
    assert_no_axe_violations(person, f"personal page ({lang}, 390)")
    _shot(person, f"personal-{lang}-390")
