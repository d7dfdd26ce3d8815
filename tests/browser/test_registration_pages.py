"""Registration in a real browser: a phone registration by keyboard alone, axe-core (WCAG 2.1 A/AA)
on the registration and attendee pages, and reflow at 320 px.

These tests write, so they use ``registration_server`` (a demo database of their own), and every
registration uses its own address.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from eventhub import keyring
from eventhub.events.models import Event
from eventhub.extensions import db
from eventhub.groups import services as groups
from eventhub.groups.models import GroupMembership
from eventhub.mail.models import OutboxMessage
from eventhub.registration import services
from eventhub.registration import tokens as registration_tokens
from eventhub.registration.models import Registration
from eventhub.types import utcnow
from tests.browser.support import (
    NARROW,
    PHONE,
    TEXT_SPACING,
    VIEWPORTS,
    add_style,
    assert_no_axe_violations,
    assert_reflows,
)

pytestmark = pytest.mark.browser

SLUG = "integration-i-arbetslivet"
EVENT = f"/events/{SLUG}"
REGISTER = f"{EVENT}/register"
MANAGE_LINK = re.compile(r"https?://\S+/r/([A-Za-z0-9_-]+)")
# The first on-site group of the demo event's group session: the second choice after "Choose later".
ON_SITE_GROUP = "Samverkan för ökad social hållbarhet"

FOCUSED = """() => {
  const e = document.activeElement, style = getComputedStyle(e);
  return {
    tag: e.tagName, id: e.id, type: e.type || '', text: (e.textContent || '').trim(), checked: e.checked,
    value: e.value, href: e.getAttribute('href'), focusVisible: e.matches(':focus-visible'),
    outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
    shadow: style.boxShadow !== 'none',
  };
}"""


# --- helpers ---------------------------------------------------------------------------------

def focused(page) -> dict:
    return page.evaluate(FOCUSED)


def press(page, key: str, expect_id: str | None = None) -> dict:
    """Press a key and return what has focus afterwards; with ``expect_id``, check that it is that field."""
    page.keyboard.press(key)
    now = focused(page)
    if expect_id is not None:
        assert now["id"] == expect_id, f"after {key} focus is on {now}, not #{expect_id}"
    return now


def assert_focus_visible(page) -> None:
    now = focused(page)
    assert now["focusVisible"] and (now["outline"] or now["shadow"]), f"no visible focus indicator on {now}"


def form_state(page) -> dict:
    """What the registration form holds now (read from the DOM, not typed into)."""
    return page.evaluate(
        """() => {
          const form = document.querySelector('form.registration-form'), out = {};
          for (const el of form.elements) {
            if (!el.name || el.name === 'csrf_token' || el.tagName === 'BUTTON') continue;
            if (el.type === 'radio') {
              if (el.checked || !(el.name in out)) out[el.name] = el.checked ? el.value : null;
            } else if (el.type === 'checkbox') out[el.name] = el.checked;
            else out[el.name] = el.value;
          }
          return out;
        }"""
    )


def token_from_outbox(email: str) -> str:
    """The manage token from the newest email to that address (call inside an app context)."""
    message = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.to_address == email).order_by(OutboxMessage.id.desc())
    ).first()
    assert message is not None, f"no email queued to {email}"
    match = MANAGE_LINK.search(message.body_text)
    assert match, message.body_text
    return match.group(1)


def event_row() -> Event:
    return db.session.scalar(select(Event).where(Event.slug == SLUG))


# --- 1. a phone registration by keyboard alone ------------------------------------------------

def test_register_on_a_phone_with_the_keyboard_alone(new_context, registration_server, registration_app):
    page = new_context(server=registration_server, **PHONE).new_page()
    response = page.goto(REGISTER)
    assert response is not None and response.ok

    # Skip link, site name, language switch and the event's breadcrumb come before the form.
    for _ in range(4):
        press(page, "Tab")
    assert focused(page)["text"] == "Integration i arbetslivet"

    # How you take part: a radio group with nothing chosen yet; arrows move and choose.
    press(page, "Tab", "mode-1")
    assert_focus_visible(page)
    assert press(page, "ArrowDown", "mode-2")["checked"]
    assert press(page, "ArrowUp", "mode-1")["checked"]
    assert form_state(page)["mode"] == "on_site"

    press(page, "Tab", "name")
    page.keyboard.type("Karin")
    press(page, "Tab", "email")
    page.keyboard.type("Karin.Lind@Example.SE")
    # Back to the name to finish it: Shift+Tab, End, type on.
    press(page, "Shift+Tab", "name")
    assert_focus_visible(page)
    page.keyboard.press("End")
    page.keyboard.type(" Lind")
    press(page, "Tab", "email")
    press(page, "Tab", "organisation")
    page.keyboard.type("Borås stad")
    press(page, "Tab", "role_title")

    press(page, "Tab", "sector-1")
    press(page, "ArrowDown", "sector-2")
    assert press(page, "ArrowDown", "sector-3")["checked"]

    press(page, "Tab", "group-1")  # "Choose later", nothing chosen yet
    assert press(page, "ArrowDown", "group-2")["checked"]
    assert page.inner_text("label[for=group-2]") == ON_SITE_GROUP
    group_id = page.get_attribute("#group-2", "value")

    press(page, "Tab", "dietary_needs")
    page.keyboard.type("Vegetarisk")
    press(page, "Tab", "accessibility_needs")
    press(page, "Tab", "special_consent")
    assert press(page, "Space", "special_consent")["checked"]
    assert_focus_visible(page)

    assert press(page, "Tab", "language-1")["checked"]  # Svenska, chosen from the start
    press(page, "Tab", "privacy")  # the required privacy box is left empty on purpose
    assert press(page, "Tab")["href"] == f"{EVENT}/privacy"
    assert_focus_visible(page)
    press(page, "Tab", "photo_consent")
    assert press(page, "Space", "photo_consent")["checked"]
    submit = press(page, "Tab")
    assert (submit["tag"], submit["type"], submit["text"]) == ("BUTTON", "submit", "Anmäl dig")
    assert_focus_visible(page)

    typed = form_state(page)
    assert typed == {
        "mode": "on_site", "name": "Karin Lind", "email": "Karin.Lind@Example.SE", "organisation": "Borås stad",
        "role_title": "", "sector": "public", "group": group_id, "dietary_needs": "Vegetarisk",
        "accessibility_needs": "", "special_consent": True, "language": "sv", "privacy": False,
        "photo_consent": True,
    }

    with page.expect_navigation() as navigation:
        page.keyboard.press("Enter")
    assert navigation.value.status == 422
    assert page.url.endswith(f"{REGISTER}#registration")

    summary = page.locator(".error-summary")
    assert summary.get_by_role("heading").inner_text() == "Kontrollera formuläret"
    assert summary.get_by_role("link").all_inner_texts() == [
        "Du behöver godkänna integritetsmeddelandet för att anmäla dig."]
    assert form_state(page) == typed, "what was typed must come back with the errors"
    assert page.get_attribute("#privacy", "aria-invalid") == "true"
    assert page.get_attribute("#privacy", "aria-describedby") == "privacy-error"

    # The page opens at the form, so the first Tab reaches the error summary; its link leads to the box.
    link = press(page, "Tab")
    assert link["href"] == "#privacy"
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "privacy"
    assert_focus_visible(page)
    assert press(page, "Space", "privacy")["checked"]
    press(page, "Tab")  # the privacy notice link
    press(page, "Tab", "photo_consent")
    assert press(page, "Tab")["tag"] == "BUTTON"

    with page.expect_navigation() as navigation:
        page.keyboard.press("Space")
    assert navigation.value.ok
    # The redirect keeps the form's #registration, which the page does not have: harmless.
    assert urlsplit(page.url).path == f"{EVENT}/registered", page.url
    # What happened, at once: the seat, the group, the ticket with its short code, the way to the page.
    assert page.get_by_role("heading", level=1).inner_text() == "Du är anmäld"
    status = page.get_by_role("status").first.inner_text()
    assert "Du har en plats i lokalen." in status and f"Din grupp: {ON_SITE_GROUP}" in status
    assert page.locator("img.ticket-qr").evaluate("img => img.complete && img.naturalWidth > 0")
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}", page.inner_text(".ticket-code strong"))
    assert page.get_by_role("link", name="Öppna din anmälningssida").get_attribute("href").startswith("/r/")
    assert "karin.lind@example.se" in page.inner_text("main")

    with registration_app.app_context():
        event = event_row()
        people = db.session.scalars(
            select(Registration).where(Registration.event_id == event.id,
                                       Registration.email.in_(["karin.lind@example.se", "Karin.Lind@Example.SE"]))
        ).all()
        assert len(people) == 1
        person = people[0]
        assert (person.email, person.status, person.mode) == ("karin.lind@example.se", "confirmed", "on_site")
        assert (person.name, person.organisation, person.sector, person.language) == (
            "Karin Lind", "Borås stad", "public", "sv")
        assert person.dietary_needs == "Vegetarisk" and person.special_consent_at is not None
        assert person.photo_consent and person.privacy_accepted_at is not None
        memberships = db.session.scalars(select(GroupMembership).where(GroupMembership.registration_id == person.id))
        assert [(str(m.group_id), m.group.title, m.status) for m in memberships] == [
            (group_id, ON_SITE_GROUP, "confirmed")]

        emails = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.to_address.in_(["karin.lind@example.se",
                                                                       "Karin.Lind@Example.SE"]))
        ).all()
        assert len(emails) == 1, [e.subject for e in emails]
        email = emails[0]
        assert email.to_address == "karin.lind@example.se" and email.sent_at is None
        assert "Du är anmäld till Integration i arbetslivet." in email.body_text
        assert MANAGE_LINK.search(email.body_text)
        assert email.attachment_name == "biljett.png"


def test_error_summary_lists_the_errors_in_page_order(new_context, registration_server):
    """The summary is a table of contents of the errors: the same order as the fields on the page."""
    page = new_context(server=registration_server, **PHONE).new_page()
    page.goto(REGISTER)
    page.get_by_label("Specialkost (frivilligt)").fill("Vegetarisk")  # without the consent it needs
    with page.expect_navigation():
        page.get_by_role("button", name="Anmäl dig").click()
    targets = page.locator(".error-summary a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    on_page = page.evaluate(
        """targets => targets.map(t => [...document.querySelectorAll('form [id]')].findIndex(e => '#' + e.id === t))"""
        , targets)
    assert sorted(targets) == sorted(["#mode-1", "#name", "#email", "#sector-1", "#special_consent", "#privacy"])
    assert on_page == sorted(on_page) and -1 not in on_page, (targets, on_page)


@pytest.mark.parametrize("start", [EVENT, REGISTER])
def test_a_failed_registration_puts_focus_on_its_error_summary(new_context, registration_server, start):
    """Also from the event page, whose form is sent to #registration: the browser's scroll to that fragment
    once the page has loaded would otherwise leave focus on the page itself."""
    page = new_context(server=registration_server, **PHONE).new_page()
    page.goto(start)
    with page.expect_navigation():
        page.locator("form.registration-form").get_by_role("button", name="Anmäl dig").click()
    page.wait_for_load_state("load")
    page.wait_for_timeout(200)  # past the scroll to the fragment
    assert focused(page)["id"] == "error-summary"


# --- 2. axe-core on every registration page ---------------------------------------------------

@pytest.fixture(scope="module")
def tokens(registration_app) -> dict[str, str]:
    """Manage tokens, read from the confirmation emails, for people registered through the service layer:
    on site with a group (ticket QR and group choice), digital, and one who has cancelled."""
    keys = keyring.of(registration_app)
    found = {}
    with registration_app.app_context():
        event = event_row()
        group = next(g for g in groups.choosable(event) if g.mode == "on_site")
        for kind, mode, group_id in (("on_site", "on_site", group.id), ("digital", "digital", None),
                                     ("cancelled", "on_site", None)):
            email = f"axe-{kind.replace('_', '-')}@example.se"
            data = services.RegistrationInput(name=f"Axe {kind}", email=email, mode=mode, sector="academia",
                                              privacy_accepted=True, group_id=group_id)
            result = services.register(event.id, data, utcnow(), keys)
            assert result.created and result.registration.is_confirmed
            found[kind] = token_from_outbox(email)
            # The link of the mailings' List-Unsubscribe (its own key), for the unsubscribe pages.
            found[f"unsubscribe-{kind}"] = registration_tokens.unsubscribe_token(keys, result.registration)
            if kind == "cancelled":
                services.cancel(result.registration.id, utcnow(), keys)
    return found


def open_page(page, name: str, tokens: dict[str, str], lang: str, viewport: str):
    """Go to one of the pages below, in the state the name says; returns the response status."""
    button = "Register" if lang == "en" else "Anmäl dig"
    if name in ("register", "register-errors", "registered"):
        response = page.goto(REGISTER)
        assert response is not None and response.ok
        if name == "register":
            return response.status
        if name == "registered":
            page.check("#mode-1")
            page.fill("#name", "Åsa Öberg")
            page.fill("#email", f"axe-registered-{lang}-{viewport}@example.se")
            page.check("#sector-2")
            page.check("#privacy")
        with page.expect_navigation() as navigation:
            page.get_by_role("button", name=button, exact=True).click()
        status = navigation.value.status
        if name == "registered":
            assert urlsplit(page.url).path == f"{EVENT}/registered", page.url
        else:
            assert page.locator(".error-summary").is_visible()
        return status
    if name == "privacy":
        return page.goto(f"{EVENT}/privacy").status
    if name == "manage-on_site":
        status = page.goto(f"/r/{tokens['on_site']}?lang={lang}").status
        assert page.locator("img.ticket-qr").evaluate("img => img.complete && img.naturalWidth > 0")
        assert page.locator("#choose-group input[type=radio]").count() > 0
        assert page.locator(".my-group").count() == 1
        return status
    if name == "manage-group-errors":
        page.goto(f"/r/{tokens['on_site']}?lang={lang}")
        # The person's group is preselected; sent with none chosen, the form must say so.
        page.locator("#choose-group input[type=radio]").evaluate_all("radios => radios.forEach(r => r.checked = false)")
        with page.expect_navigation() as navigation:
            page.locator("#choose-group button[type=submit]").click()
        assert page.locator("#choose-group .error-summary").is_visible()
        return navigation.value.status
    if name == "manage-digital":
        status = page.goto(f"/r/{tokens['digital']}?lang={lang}").status
        assert page.locator(".join-info").is_visible()
        return status
    if name == "manage-cancelled":
        return page.goto(f"/r/{tokens['cancelled']}?lang={lang}").status
    if name == "unsubscribe":
        return page.goto(f"/unsubscribe/{tokens['unsubscribe-on_site']}?lang={lang}").status
    if name == "unsubscribe-stopped":
        url = f"/unsubscribe/{tokens['unsubscribe-digital']}"
        assert page.request.post(url, form={"List-Unsubscribe": "One-Click"}).ok  # as a mail provider would
        status = page.goto(f"{url}?lang={lang}").status
        assert page.locator("input[name=wanted][value='1']").count() == 1  # the button to get them again
        return status
    if name == "cancel":
        status = page.goto(f"/r/{tokens['on_site']}/cancel?lang={lang}").status
        assert page.locator("form button.button-danger").is_visible()
        return status
    raise AssertionError(name)


PAGES = ["register", "register-errors", "registered", "privacy", "manage-on_site", "manage-group-errors",
         "manage-digital", "manage-cancelled", "cancel", "unsubscribe", "unsubscribe-stopped"]
EXPECTED_STATUS = {"register-errors": 422, "manage-group-errors": 422}


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("name", PAGES)
def test_no_axe_violations(new_context, registration_server, tokens, name, lang, viewport):
    page = new_context(lang=lang, server=registration_server, **VIEWPORTS[viewport]).new_page()
    status = open_page(page, name, tokens, lang, viewport)
    assert status == EXPECTED_STATUS.get(name, 200), f"{name} answered {status}"
    assert page.get_attribute("html", "lang") == lang
    assert_no_axe_violations(page, f"{name} {page.url} ({lang}, {viewport})")


TITLE_WITHOUT_LANG = """title => {
  const out = [], walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.includes(title)) continue;
    const owner = node.parentElement.closest('[lang]');
    if (owner.getAttribute('lang') !== 'sv') out.push(`${node.parentElement.tagName}: ${node.textContent.trim()}`);
  }
  return out;
}"""


@pytest.mark.parametrize("name", ["register", "registered", "privacy", "manage-on_site", "cancel", "unsubscribe"])
def test_swedish_event_title_is_marked_swedish_on_english_pages(new_context, registration_server, tokens, name):
    """WCAG 3.1.2 language of parts: a screen reader reading English must switch to Swedish for the title."""
    page = new_context(lang="en", server=registration_server, **PHONE).new_page()
    open_page(page, name, tokens, "en", "phone-title")
    assert page.get_by_text("Integration i arbetslivet").count() > 0
    assert page.evaluate(TITLE_WITHOUT_LANG, "Integration i arbetslivet") == []


# --- 3. reflow at 320 px ----------------------------------------------------------------------

@pytest.mark.parametrize("text_spacing", [False, True], ids=["plain", "text-spacing"])
@pytest.mark.parametrize("name", ["register", "register-errors", "manage-on_site", "manage-digital",
                                  "unsubscribe-stopped"])
def test_no_sideways_scrolling_at_320px(new_context, registration_server, tokens, name, text_spacing):
    """WCAG 1.4.10 reflow: the form, its errors, the ticket and the group choice fit a 320 px screen."""
    page = new_context(server=registration_server, **NARROW).new_page()
    open_page(page, name, tokens, "sv", "narrow")
    if text_spacing:
        add_style(page, TEXT_SPACING)
    assert_reflows(page)
