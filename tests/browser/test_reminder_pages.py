"""Reminders in a real browser, on SQLite and PostgreSQL: the organiser writes an introduction and previews the
reminder as people on site and digital participants get it; the sender runs and the outbox delivers to a real
SMTP server in this process (aiosmtpd), each person once, each way of taking part with its own content; the
organiser sees who has had it; a person on the waitlist leaves it from the link in their note. The pages pass
axe and fit 390 and 1366 px in both languages. Screenshots go to EVENTHUB_SCREENSHOTS when it is set."""
from __future__ import annotations

import email
import email.policy
import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from eventhub.extensions import db
from eventhub.groups.models import DiscussionGroup
from eventhub.mail import services as mail
from eventhub.registration import tokens
from eventhub.registration.models import Registration
from tests.attendees.support import PASSWORD, staff_member
from tests.browser.support import assert_no_axe_violations, assert_reflows, signed_in_page
from tests.mail.support import SMTPServer, html_with_images, inline_images
from tests.registration.support import KEYS, add_group_session, event_by_slug, register
from tests.reminders.support import TWO_DAYS, add_registration_desk, due, reminder_of, send, with_reminders

pytestmark = pytest.mark.browser

EMAIL = "ulla@forum.example"
SHOTS = os.environ.get("EVENTHUB_SCREENSHOTS")


@pytest.fixture
def smtp():
    server = SMTPServer().start()
    yield server
    server.stop()


@pytest.fixture
def forum(app, make_event, live_server):
    """A forum meeting in five days: Anna on site in a group, Dana digital, Walter waiting for a seat."""
    with app.app_context():
        slug = with_reminders(make_event, on_site_seats=1)
        add_registration_desk(slug, 30)
        [group_id] = add_group_session(slug, [("Cirkulär ekonomi", "on_site", 10)])
        db.session.get(DiscussionGroup, group_id).place = "Sal 3"
        db.session.commit()
        register(slug, "anna@example.se", "on_site", group_id=group_id)
        register(slug, "dana@example.se", "digital", language="en")
        register(slug, "walter@example.se", "on_site", now=datetime.now(UTC) + timedelta(seconds=1))
        event = event_by_slug(slug)
        ids = {"two_days": reminder_of(slug, TWO_DAYS).id, "moment": due(slug, TWO_DAYS)}
        event_id = event.id
    staff_member(app, slug, EMAIL, "organiser")
    return {"slug": slug, "server": live_server, "event_id": event_id, **ids}


def _page(new_context, forum, lang="sv", width=1366):
    return signed_in_page(new_context, forum["server"], lang, EMAIL, PASSWORD, viewport={"width": width, "height": 900})


def _shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def _received(smtp) -> dict[str, list[email.message.EmailMessage]]:
    by_person: dict[str, list] = {}
    for envelope in smtp.inbox.envelopes:
        message = email.message_from_bytes(envelope.content, policy=email.policy.strict)
        for to in envelope.rcpt_tos:
            by_person.setdefault(to, []).append(message)
    return by_person


def test_the_organiser_previews_a_reminder_and_everyone_gets_it_once(app, new_context, forum, smtp):
    page = _page(new_context, forum)
    page.goto(f"/manage/events/{forum['slug']}")
    page.get_by_role("navigation", name="Evenemangets arbetsyta").get_by_role("link", name="Påminnelser").click()
    page.get_by_role("link", name="2 dagar före starten", exact=True).click()
    page.get_by_label("Inledning på svenska (valfritt)").fill("Välkommen på tisdag! Ta med en penna.")
    page.get_by_label("Inledning på engelska (valfritt)").fill("Welcome on Tuesday! Bring a pen.")
    with page.expect_navigation():
        page.get_by_role("button", name="Spara").click()
    assert "Påminnelsen är sparad." in page.inner_text("main")

    page.get_by_role("link", name="2 dagar före starten", exact=True).click()
    page.locator("main").get_by_role("link", name="Svenska (På plats, 2 dagar före starten)").click()
    preview = page.locator("pre.mail-text").inner_text()
    for words in ("Hej Alex Exempelsson!", "Välkommen på tisdag! Ta med en penna.", "Registreringen öppnar kl.",
                  "Hitta hit:", "Cirkulär ekonomi", "kortkod"):
        assert words in preview, words
    page.wait_for_function(  # the ticket's image has loaded (not read the moment the page is there)
        "() => { const img = document.querySelector('figure.mail-ticket img');"
        " return img && img.complete && img.naturalWidth > 0; }")
    _shot(page, "reminder-preview-on-site-sv")
    page.get_by_role("link", name="English (Digitalt)").click()
    preview = page.locator("pre.mail-text").inner_text()
    assert "Welcome on Tuesday! Bring a pen." in preview and "/join?lang=en" in preview
    assert "kortkod" not in preview and "short code" not in preview
    assert page.locator("pre.mail-text").get_attribute("lang") == "en"

    with app.app_context():  # the confirmations out of the way; then the timer fires, twice
        mail.deliver_due(smtp.transport(), datetime.now(UTC))
        smtp.inbox.envelopes.clear()
        for run in range(2):
            send(forum["moment"] + timedelta(minutes=10 * run))
            mail.deliver_due(smtp.transport(), forum["moment"] + timedelta(minutes=10 * run + 1))

    reminders = _received(smtp)
    assert {to: len(messages) for to, messages in reminders.items()} == {
        "anna@example.se": 1, "dana@example.se": 1, "walter@example.se": 1}
    [on_site], [digital], [waiting] = (reminders[to] for to in ("anna@example.se", "dana@example.se",
                                                                 "walter@example.se"))
    text = on_site.get_body(("plain",)).get_content()
    assert "Välkommen på tisdag!" in text and "Sal 3" in text and len(inline_images(on_site)) == 1
    text = digital.get_body(("plain",)).get_content()
    assert digital["Subject"] == "Reminder and your join link: Forumträff" and "Welcome on Tuesday!" in text
    assert re.search(r"/r/[\w-]+/join\?lang=en", text) and inline_images(digital) == []
    text = waiting.get_body(("plain",)).get_content()
    assert "nummer 1" in text and "Välkommen på tisdag" not in text

    # The email as a mail client shows it, at a phone's width.
    mail_page = new_context(viewport={"width": 390, "height": 800}).new_page()
    mail_page.route("**/*", lambda route: route.abort())
    mail_page.set_content(html_with_images(on_site))
    mail_page.wait_for_function(
        "() => { const img = document.querySelector('img'); return img && img.complete && img.naturalWidth > 0; }")
    assert_reflows(mail_page)
    _shot(mail_page, "reminder-email-on-site-sv-390")

    page.goto(f"/manage/events/{forum['slug']}/reminders/{forum['two_days']}")
    listing = page.locator("section[aria-labelledby='delivered-heading']").inner_text()
    assert "3 personer." in listing and listing.count("Lämnad till e-postservern") == 3
    _shot(page, "reminder-delivered-sv")

    # Walter follows the link in his note: a page that asks, and one click.
    leave = urlsplit(re.search(r"https?://\S+/waitlist/leave\?lang=sv", text).group(0))
    person = new_context(server=forum["server"], viewport={"width": 390, "height": 800}).new_page()
    person.goto(f"{leave.path}?{leave.query}")  # the link's own path, on the test's server
    assert "Du är nummer 1 på reservlistan" in person.inner_text("main")
    with app.app_context():
        assert db.session.scalar(db.select(Registration.status).where(
            Registration.email == "walter@example.se")) == "waitlisted"  # opening the page changed nothing
    with person.expect_navigation():
        person.get_by_role("button", name="Ja, lämna reservlistan").click()
    assert "Du har lämnat reservlistan." in person.inner_text("main")
    with app.app_context():
        assert db.session.scalar(db.select(Registration.status).where(
            Registration.email == "walter@example.se")) == "cancelled"


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("width", [390, 1366])
def test_the_reminder_pages_fit_and_pass_axe(app, new_context, forum, lang, width):
    page = _page(new_context, forum, lang=lang, width=width)
    base = f"/manage/events/{forum['slug']}/reminders"
    pages = {
        "reminders": base,
        "reminder": f"{base}/{forum['two_days']}",
        "preview-on-site": f"{base}/{forum['two_days']}/preview?kind=on_site&language={lang}",
        "preview-digital": f"{base}/{forum['two_days']}/preview?kind=digital&language=sv",
        "preview-waitlist": f"{base}/{forum['two_days']}/preview?kind=waitlist&language=en",
        "remove": f"{base}/{forum['two_days']}/remove",
    }
    for name, url in pages.items():
        page.goto(url)
        assert_reflows(page)
        assert_no_axe_violations(page, f"{name} ({lang}, {width} px)")
        _shot(page, f"reminders-{name}-{lang}-{width}")
    # A refused reminder: the error summary and the field marked.
    page.goto(base)
    page.locator("#amount").fill("99")
    with page.expect_navigation():
        page.locator("form[action$='/reminders'] button[type=submit]").click()
    assert page.locator("#error-summary").is_visible()
    assert_no_axe_violations(page, f"reminders with an error ({lang}, {width} px)")
    _shot(page, f"reminders-error-{lang}-{width}")


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("width", [390, 1366])
def test_the_waitlist_and_certificate_pages_fit_and_pass_axe(app, new_context, forum, lang, width):
    with app.app_context():
        walter = db.session.scalar(db.select(Registration).where(Registration.email == "walter@example.se"))
        token = tokens.manage_token(KEYS, walter.token_salt)
        event = event_by_slug(forum["slug"])
        event.certificates_enabled = True
        db.session.commit()
    page = new_context(server=forum["server"], lang=lang, viewport={"width": width, "height": 900}).new_page()
    for name, url in {"personal": f"/r/{token}?lang={lang}", "leave": f"/r/{token}/waitlist/leave?lang={lang}",
                      "certificate": f"/r/{token}/certificate.pdf?lang={lang}"}.items():
        page.goto(url)
        assert_reflows(page)
        assert_no_axe_violations(page, f"{name} ({lang}, {width} px)")
        _shot(page, f"waitlist-{name}-{lang}-{width}")
