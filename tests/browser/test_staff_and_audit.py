"""The staff page, the audit log and the overview's way to the door in a real browser: axe-core
(WCAG 2.1 A/AA) in both languages on a phone and a desktop, reflow at 320 px, and removing a host
with the keyboard alone."""
from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from eventhub.accounts import services as accounts
from eventhub.accounts.models import EventStaff
from eventhub.audit import services as audit
from eventhub.events.models import Event
from eventhub.extensions import db
from tests.browser.conftest import demo_app, dispose
from tests.browser.support import NARROW, VIEWPORTS, assert_no_axe_violations, assert_reflows, signed_in_page
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

SLUG = "integration-i-arbetslivet"
EMAIL = "olga@example.se"
PASSWORD = "a-long-enough-password"
PAGES = {"staff": f"/manage/events/{SLUG}/staff", "audit": f"/manage/events/{SLUG}/audit",
         "filtered audit": f"/manage/events/{SLUG}/audit?kind=staff&since=2026-13-01",
         "overview": f"/manage/events/{SLUG}"}


@pytest.fixture(scope="module")
def staff_server(tmp_path_factory):
    app = demo_app(tmp_path_factory.mktemp("staff") / "s.sqlite")
    now = datetime.now(UTC)
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == SLUG))
        olga, _ = accounts.create_user(EMAIL, "Olga Organisatör", "organiser", now, password=PASSWORD)
        accounts.add_staff(event.id, olga.id, "organiser", olga.id)
        for i in range(3):
            host, _ = accounts.create_user(f"vard{i}@example.se", f"Värd Nummer{i}", "host", now, password=PASSWORD)
            accounts.add_staff(event.id, host.id, "host", olga.id)
        accounts.invite_host(event.id, "ny.vard.med.ett.mycket.langt.namn@exempel-kommun.se", "Ny Värd", now, olga.id)
        audit.record(None, "privacy.anonymised", "x", event_id=event.id, rows=3)
        db.session.commit()
    server = LiveServer(app).start()
    server.app = app
    yield server
    server.stop()
    dispose(app)


def _signed_in(new_context, server, lang, **options):
    return signed_in_page(new_context, server, lang, EMAIL, PASSWORD, **options)


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_staff_audit_and_overview_pass_axe(new_context, staff_server, lang, viewport):
    page = _signed_in(new_context, staff_server, lang, **VIEWPORTS[viewport])
    for name, url in PAGES.items():
        page.goto(url)
        assert_no_axe_violations(page, f"{name} ({lang}, {viewport})")


def test_staff_and_audit_pages_reflow_at_320_px(new_context, staff_server):
    page = _signed_in(new_context, staff_server, "sv", **NARROW)
    for url in PAGES.values():
        page.goto(url)
        assert_reflows(page)


def test_a_host_is_removed_with_the_keyboard_alone(new_context, staff_server):
    page = _signed_in(new_context, staff_server, "en", **VIEWPORTS["desktop"])
    page.goto(PAGES["staff"])
    remove = page.get_by_role("link", name=re.compile(r"^Remove\W+Värd Nummer2$"))
    remove.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("heading", level=1).inner_text() == "Remove Värd Nummer2 from the event?"
    page.get_by_role("button", name="Yes, remove Värd Nummer2").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert "Värd Nummer2 no longer works on this event." in page.inner_text("main")
    with staff_server.app.app_context():
        hosts = db.session.scalars(select(EventStaff.user_id).join(EventStaff.user)
                                   .where(EventStaff.role == "host")).all()
        assert len(hosts) == 3  # of four: Nummer0, Nummer1 and the invited one
