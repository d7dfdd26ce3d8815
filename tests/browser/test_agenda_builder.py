"""The agenda builder in a real browser: an organiser signs in and builds a small agenda (two items
and a speaker) with the keyboard alone, then axe-core (WCAG 2.1 A/AA) checks the pages it used.

The server has a database of its own (fresh SQLite) with one organiser and one draft event.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from config import TestingConfig
from eventhub import create_app
from eventhub.accounts import services as accounts
from eventhub.events.models import Event
from eventhub.extensions import db
from eventhub.programme.models import ProgrammeItem
from tests.browser.support import DESKTOP, PHONE, assert_no_axe_violations
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

EMAIL = "olle@example.se"
PASSWORD = "a-long-enough-password"
SLUG = "forumtraff-agenda"
PROGRAMME = f"/manage/events/{SLUG}/programme/"

# A date input's focus sits in one of its parts (day, month, year), so the input itself matches
# :focus-within but not always :focus-visible (the picker button); app.css outlines it on :focus-within.
FOCUSED = """() => {
  const e = document.activeElement, style = getComputedStyle(e);
  return {tag: e.tagName, id: e.id, text: (e.textContent || '').trim(), href: e.getAttribute('href'),
          value: e.value,
          focusVisible: e.matches(':focus-visible') || (e.type === 'date' && e.matches(':focus-within')),
          indicator: (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0)
                     || style.boxShadow !== 'none'};
}"""


@pytest.fixture(scope="module")
def agenda_server(tmp_path_factory):
    path = tmp_path_factory.mktemp("agenda") / "a.sqlite"
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}")
    start = datetime.now(UTC).replace(hour=11, minute=0, second=0, microsecond=0) + timedelta(days=60)
    with app.app_context():
        db.create_all()
        user, _token = accounts.create_user(EMAIL, "Olle Organisatör", "organiser", datetime.now(UTC),
                                            password=PASSWORD)
        event = Event(slug=SLUG, title="Forumträff om integration", starts_at=start,
                      ends_at=start + timedelta(hours=3), format="hybrid", status="draft",
                      timezone="Europe/Stockholm")
        db.session.add(event)
        db.session.flush()
        accounts.add_staff(event.id, user.id, "organiser", None)
        db.session.commit()
    server = LiveServer(app).start()
    server.app = app
    yield server
    server.stop()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def focused(page) -> dict:
    return page.evaluate(FOCUSED)


def tab_to(page, predicate, limit: int = 80, backwards: bool = False) -> dict:
    """Press Tab (or Shift+Tab) until the focused element matches; every stop must show its focus."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        now = focused(page)
        assert now["focusVisible"] and now["indicator"], f"no visible focus indicator on {now}"
        if predicate(now):
            return now
    raise AssertionError(f"never reached the element after {limit} Tab presses; last focus {focused(page)}")


def by_id(element_id: str):
    return lambda now: now["id"] == element_id


def seed_parallel_items(app) -> int:
    """Two items at the same time and a group session (once per server); returns the session's id."""
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == SLUG))
        session = next((item for item in event.programme_items if item.kind == "group_session"), None)
        if session is None:
            for minutes, title, audience, kind in ((45, "I salen", "on_site", "talk"),
                                                   (45, "På nätet", "digital", "talk"),
                                                   (75, "Gruppsamtal", "everyone", "group_session")):
                start = event.starts_at + timedelta(minutes=minutes)
                session = ProgrammeItem(event_id=event.id, title=title, audience=audience, kind=kind,
                                        starts_at=start, ends_at=start + timedelta(minutes=30), position=len(title))
                db.session.add(session)
            db.session.commit()
        return session.id


def sign_in(page) -> None:
    page.goto("/account/login")
    page.fill("#email", EMAIL)
    page.fill("#password", PASSWORD)
    with page.expect_navigation(url="**/manage/"):
        page.click("button[type=submit]")


def parallel_titles(app) -> list[str]:
    with app.app_context():
        rows = db.session.scalars(select(ProgrammeItem).where(ProgrammeItem.title.in_(("I salen", "På nätet")))
                                  .order_by(ProgrammeItem.position, ProgrammeItem.id))
        return [row.title for row in rows]


def test_build_an_agenda_with_the_keyboard_alone(new_context, agenda_server):
    page = new_context(server=agenda_server, lang="en", **DESKTOP).new_page()

    # Sign in.
    page.goto(f"/account/login?next={PROGRAMME}")
    tab_to(page, by_id("email"))
    page.keyboard.type(EMAIL)
    tab_to(page, by_id("password"))
    page.keyboard.type(PASSWORD)
    with page.expect_navigation(url=f"**{PROGRAMME}"):
        page.keyboard.press("Enter")
    assert page.inner_text("h1") == "Programme"

    # First item: the welcome, 13:00–13:15. The kind is a select: arrows change it without opening it.
    tab_to(page, by_id("new-title"))
    page.keyboard.type("Välkommen")
    tab_to(page, by_id("new-kind"))
    page.keyboard.press("ArrowUp")  # Talk → Welcome
    assert focused(page)["value"] == "welcome"
    tab_to(page, by_id("new-audience-1"))  # for everyone, already chosen
    tab_to(page, by_id("new-starts"))  # past the date, already the event's day
    page.keyboard.type("13:00")
    tab_to(page, by_id("new-ends"))
    page.keyboard.type("13.15")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "“Välkommen” is added to the programme." in page.inner_text(".flashes")

    # Second item: a talk for participants on site, 13:15–13:45.
    tab_to(page, by_id("new-title"))
    page.keyboard.type("Hållbar arbetsmarknadsintegration")
    tab_to(page, by_id("new-audience-1"))
    page.keyboard.press("ArrowDown")  # → on site
    assert focused(page)["id"] == "new-audience-2"
    tab_to(page, by_id("new-starts"))
    page.keyboard.type("13:15")
    tab_to(page, by_id("new-ends"))
    page.keyboard.type("13:45")
    tab_to(page, by_id("new-location"))
    page.keyboard.type("Sal A")
    tab_to(page, lambda now: now["tag"] == "BUTTON" and now["text"] == "Add to the programme")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "“Hållbar arbetsmarknadsintegration” is added to the programme." in page.inner_text(".flashes")

    # A speaker on the talk, new to the directory, typed in the same form.
    with agenda_server.app.app_context():
        talk_id = db.session.scalar(select(ProgrammeItem.id).where(ProgrammeItem.title.like("Hållbar%")))
    page.goto(PROGRAMME)
    tab_to(page, lambda now: (now["href"] or "").endswith(f"/items/{talk_id}"))
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/items/{talk_id}")
    tab_to(page, by_id("speaker-new_name"))
    page.keyboard.type("Lars Larsson")
    tab_to(page, by_id("speaker-new_organisation"))
    page.keyboard.type("Borås stad")
    tab_to(page, by_id("speaker-role-1"))
    tab_to(page, lambda now: now["tag"] == "BUTTON" and now["text"] == "Add the person")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/items/{talk_id}#speakers")
    assert "Lars Larsson" in page.inner_text("#speakers")

    with agenda_server.app.app_context():
        rows = db.session.scalars(select(ProgrammeItem).order_by(ProgrammeItem.starts_at)).all()
        assert [(row.title, row.kind, row.audience, row.location) for row in rows] == [
            ("Välkommen", "welcome", "everyone", None),
            ("Hållbar arbetsmarknadsintegration", "talk", "on_site", "Sal A"),
        ]
        assert rows[1].starts_at - rows[0].starts_at == timedelta(minutes=15)
        assert [(s.person.name, s.person.organisation, s.role) for s in rows[1].speakers] == [
            ("Lars Larsson", "Borås stad", "speaker")]

    # The programme shows both, the audience in words, and the speaker.
    page.goto(PROGRAMME)
    text = page.inner_text(".agenda-items")
    assert "Välkommen" in text and "On site" in text and "Lars Larsson" in text


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_agenda_pages_have_no_axe_violations(new_context, agenda_server, viewport, lang):
    session_id = seed_parallel_items(agenda_server.app)
    page = new_context(server=agenda_server, lang=lang, **(DESKTOP if viewport == "desktop" else PHONE)).new_page()
    sign_in(page)

    page.goto(PROGRAMME)
    assert_no_axe_violations(page, f"the programme page ({lang}, {viewport})")

    # With form errors, the error summary and the fields it points to.
    page.fill("#new-title", "")
    page.fill("#new-starts", "25:99")
    with page.expect_navigation():
        page.click("#add-item button[type=submit]")
    assert page.locator("#error-summary").is_visible()
    assert focused(page)["id"] == "error-summary"  # forms.js moves focus to it
    assert_no_axe_violations(page, f"the programme page with errors ({lang}, {viewport})")

    page.goto(f"{PROGRAMME}items/{session_id}")
    assert_no_axe_violations(page, f"the item page ({lang}, {viewport})")
    page.goto(f"{PROGRAMME}people")
    assert_no_axe_violations(page, f"the people directory ({lang}, {viewport})")


def test_move_buttons_by_keyboard_keep_focus_on_the_item(new_context, agenda_server):
    seed_parallel_items(agenda_server.app)
    page = new_context(server=agenda_server, lang="en", **PHONE).new_page()
    sign_in(page)
    page.goto(PROGRAMME)
    first, second = parallel_titles(agenda_server.app)
    with agenda_server.app.app_context():
        first_id = db.session.scalar(select(ProgrammeItem.id).where(ProgrammeItem.title == first))
    now = tab_to(page, by_id(f"move-down-{first_id}"))
    assert now["text"] == f"Move down: {first}"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert parallel_titles(agenda_server.app) == [second, first]
    # Now last of the two, so it has only "Move up": focus is there (the address names it), ready to press.
    page.wait_for_function(f"document.activeElement && document.activeElement.id === 'move-up-{first_id}'")
    with page.expect_navigation():
        page.keyboard.press("Space")
    assert parallel_titles(agenda_server.app) == [first, second]
    page.wait_for_function(f"document.activeElement && document.activeElement.id === 'move-down-{first_id}'")
