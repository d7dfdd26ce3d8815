"""The organiser's attendee list in a real browser: it fits 390, 820 and 1366 px in both languages with no
sideways scroll, email addresses never break inside a word, and choosing rows works from the keyboard."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from config import TestingConfig
from eventhub import create_app
from eventhub.accounts import services as accounts
from eventhub.events.models import Event
from eventhub.extensions import db
from eventhub.groups.models import DiscussionGroup
from eventhub.keyring import Keyring
from eventhub.programme.models import ProgrammeItem
from eventhub.registration import services as registration
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

EMAIL, PASSWORD = "olle@example.se", "a long enough password"
SLUG = "lista"
LIST = f"/manage/events/{SLUG}/attendees"
WIDTHS = [390, 820, 1366]


@pytest.fixture(scope="module")
def list_server(tmp_path_factory):
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path_factory.mktemp('list') / 'l.sqlite'}")
    now = datetime.now(UTC)
    with app.app_context():
        db.create_all()
        user, _ = accounts.create_user(EMAIL, "Olle Organisatör", "organiser", now, password=PASSWORD)
        start = now + timedelta(days=20)
        event = Event(slug=SLUG, title="Forum", starts_at=start, ends_at=start + timedelta(hours=3), format="hybrid",
                      status="published", on_site_seats=8, digital_seats=20)
        item = ProgrammeItem(title="Gruppsamtal om arbetsintegrerande sociala företag", kind="group_session",
                             starts_at=start + timedelta(hours=1), ends_at=start + timedelta(hours=2))
        item.groups.append(DiscussionGroup(title="Arbetsintegrerande sociala företag som verktyg", mode="on_site",
                                           seats=20))
        event.programme_items.append(item)
        db.session.add(event)
        db.session.flush()
        accounts.add_staff(event.id, user.id, "organiser", None)
        db.session.commit()
        for i in range(12):
            data = registration.RegistrationInput(
                name=f"Eva-Lotta Andersson-Wikström {i}", mode="on_site" if i % 2 else "digital",
                email=f"eva-lotta.andersson-wikstrom{i}@vastragotalandsregionen.example.se",
                organisation="Västra Götalandsregionen, enheten för arbetsmarknadsintegration", sector="public",
                privacy_accepted=True)
            registration.register(event.id, data, now, Keyring(TestingConfig.SECRET_KEY))
    server = LiveServer(app).start()
    yield server
    server.stop()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def signed_in_page(new_context, server, width: int, lang: str):
    page = new_context(server=server, lang=lang, viewport={"width": width, "height": 900}).new_page()
    page.goto("/account/login")
    page.fill("#email", EMAIL)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()
    page.goto(LIST)
    return page


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("width", WIDTHS, ids=[f"{w}px" for w in WIDTHS])
def test_the_list_fits_without_sideways_scroll_and_addresses_break_only_at_at_or_dots(new_context, list_server,
                                                                                     width, lang):
    page = signed_in_page(new_context, list_server, width, lang)
    assert page.evaluate("() => document.scrollingElement.scrollWidth <= innerWidth")
    # Every row's cells are inside the viewport: no column is pushed off to the right.
    assert page.evaluate("() => [...document.querySelectorAll('.attendee-table tr')]"
                         ".every(row => row.getBoundingClientRect().right <= innerWidth)")
    # Each part of an address (between the @ and the dots) is on one line.
    assert page.evaluate("""() => [...document.querySelectorAll('.attendee-email .email-part')]
        .every(part => part.getClientRects().length === 1)""")


def test_choosing_everyone_on_the_page_counts_them_and_all_matching_is_one_click(new_context, list_server):
    page = signed_in_page(new_context, list_server, 1366, "en")
    page.check("#choose-page")
    assert page.locator("input[name=ids]:checked").count() == 12
    assert page.inner_text("#chosen-count") == "Chosen: 12"
    page.locator("input[name=ids]").first.uncheck()
    assert page.inner_text("#chosen-count") == "Chosen: 11"
    page.check("#all-matching")
    assert page.inner_text("#chosen-count") == "Chosen: all 12 that match"
    with page.expect_navigation():
        page.get_by_role("button", name="Cancel their registrations…").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Cancel these registrations?"
    assert page.locator(".recipient-list li").count() == 12
