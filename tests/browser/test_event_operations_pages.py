"""The organiser's event operations in a real browser: publishing with its checks, cancelling with a
message, deleting a draft, duplicating, the late-start shift and the previews pass axe-core (WCAG 2.1
A/AA) in both languages on a phone and a desktop and reflow at 320 px; a date move by keyboard."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from eventhub.accounts import services as accounts
from eventhub.events.models import Event
from eventhub.extensions import db
from eventhub.programme.models import ProgrammeItem
from tests.browser.conftest import demo_app, dispose
from tests.browser.support import NARROW, VIEWPORTS, assert_no_axe_violations, assert_reflows, signed_in_page
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

SLUG = "integration-i-arbetslivet"
DRAFT = "utkast-till-nasta-traff"
EMAIL = "olga@example.se"
PASSWORD = "a-long-enough-password"
PAGES = {
    "dashboard": "/manage/",
    "publish": f"/manage/events/{DRAFT}/publish?published=1",
    "cancel": f"/manage/events/{SLUG}/cancel",
    "delete": f"/manage/events/{DRAFT}/delete",
    "duplicate": f"/manage/events/{SLUG}/duplicate",
    "shift": f"/manage/events/{SLUG}/programme/shift",
    "preview on site": f"/manage/events/{DRAFT}/preview?audience=on_site",
    "preview personal digital": f"/manage/events/{SLUG}/preview/personal?mode=digital",
    "preview personal on site": f"/manage/events/{SLUG}/preview/personal?mode=on_site",
    "announcements": f"/manage/events/{SLUG}/announcements",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    app = demo_app(tmp_path_factory.mktemp("operations") / "o.sqlite")
    now = datetime.now(UTC)
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == SLUG))
        olga, _ = accounts.create_user(EMAIL, "Olga Organisatör", "organiser", now, password=PASSWORD)
        accounts.add_staff(event.id, olga.id, "organiser", olga.id)
        draft = Event(slug=DRAFT, title="Utkast till nästa träff", starts_at=event.starts_at + timedelta(days=40),
                      ends_at=event.ends_at + timedelta(days=40), format="hybrid", status="draft")
        db.session.add(draft)
        db.session.flush()
        db.session.add(ProgrammeItem(event_id=draft.id, title="Före starten", starts_at=draft.starts_at
                                     - timedelta(hours=2), ends_at=draft.starts_at - timedelta(hours=1)))
        accounts.add_staff(draft.id, olga.id, "organiser", olga.id)
        db.session.commit()
    live = LiveServer(app).start()
    live.app = app
    yield live
    live.stop()
    dispose(app)


def _signed_in(new_context, server, lang, **options):
    return signed_in_page(new_context, server, lang, EMAIL, PASSWORD, **options)


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_event_operation_pages_pass_axe(new_context, server, lang, viewport):
    page = _signed_in(new_context, server, lang, **VIEWPORTS[viewport])
    for name, url in PAGES.items():
        page.goto(url)
        assert_no_axe_violations(page, f"{name} ({lang}, {viewport})")


def test_event_operation_pages_reflow_at_320_px(new_context, server):
    page = _signed_in(new_context, server, "sv", **NARROW)
    for url in PAGES.values():
        page.goto(url)
        assert_reflows(page)


def test_the_publish_page_names_the_warning_and_publishes_by_keyboard(new_context, server):
    page = _signed_in(new_context, server, "en", **VIEWPORTS["desktop"])
    page.goto(PAGES["publish"])
    assert "Före starten" in page.inner_text("main")
    page.focus("main form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "The event is published." in page.inner_text("main")
    with server.app.app_context():
        assert db.session.scalar(select(Event.status).where(Event.slug == DRAFT)) == "published"


@pytest.mark.parametrize(("lang", "skipped"), [("sv", "Den tiden finns inte den dagen"),
                                                ("en", "That time does not exist on that day")])
def test_a_failed_event_form_puts_focus_on_its_error_summary(new_context, server, lang, skipped):
    """After a refused submit a keyboard or screen-reader user starts at the list of what to fix; the
    time the clocks skip is named there and what was typed stays."""
    page = _signed_in(new_context, server, lang, **VIEWPORTS["phone"])
    page.goto(f"/manage/events/{DRAFT}/edit")
    page.fill("#starts_at", "2031-03-30T02:30")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert skipped in page.inner_text("#error-summary")
    assert page.input_value("#starts_at") == "2031-03-30T02:30"
    page.keyboard.press("Tab")  # the summary's first link, to the field
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "starts_at"
