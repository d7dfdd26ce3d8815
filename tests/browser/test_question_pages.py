"""The organiser's registration questions in a real browser: every kind answered on site and digitally, an
error that keeps what was typed, the personal page's edit, the organiser's editor by keyboard; axe-core in
Swedish and English, phone and desktop; reflow at 320 px. Screenshots go to EVENTHUB_SCREENSHOTS when set."""
from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from eventhub.extensions import db
from eventhub.questions import services
from eventhub.registration import tokens
from eventhub.registration.models import Registration
from tests.attendees.support import PASSWORD, staff_member
from tests.browser.support import DESKTOP, NARROW, PHONE, assert_no_axe_violations, assert_reflows, signed_in_page
from tests.questions.support import add_questions
from tests.registration.support import KEYS

pytestmark = pytest.mark.browser

EMAIL = "ulla@forum.example"
SHOTS = os.environ.get("EVENTHUB_SCREENSHOTS")
WIDE = {"viewport": {"width": 1366, "height": 900}}
CONSENT = "Jag samtycker till att mitt svar på den här frågan sparas för att planera evenemanget."


def _shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


@pytest.fixture
def forum(app, make_event, live_server):
    slug = make_event(on_site_seats=20, digital_seats=20, title="Forumträff om integration")
    with app.app_context():
        ids = add_questions(slug)
    staff_member(app, slug, EMAIL, "organiser")
    return slug, ids, live_server


def _fill_basics(page, name: str, email: str, mode_label: str) -> None:
    page.get_by_label(mode_label).check()
    page.get_by_label("Namn", exact=True).fill(name)
    page.get_by_label("E-post", exact=True).fill(email)
    page.get_by_role("group", name="Sektor").get_by_label("Näringsliv").check()
    page.get_by_label("Jag har läst integritetsmeddelandet.").check()


def _send(page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Anmäl dig").press("Enter")


def _answers_of(app, email: str) -> dict[int, str]:
    with app.app_context():
        registration = db.session.scalar(select(Registration).where(Registration.email == email))
        return services.values_of(registration.id), tokens.manage_token(KEYS, registration.token_salt)


def test_every_kind_answered_on_site_with_an_error_kept_then_changed_on_the_personal_page(app, new_context, forum):
    slug, ids, server = forum
    page = new_context(server=server, **PHONE).new_page()
    page.goto(f"/events/{slug}/register")
    _fill_basics(page, "Anna Svensson", "anna@example.se", "På plats")
    # Every kind but the required municipality: the form comes back with the error and everything else kept.
    page.get_by_label("Fråga till panelen (frivillig)").fill("Hur når vi fler arbetsgivare?")
    page.get_by_role("group", name="Lunch (frivillig)").get_by_label("Vegetariskt").check()
    topics = page.get_by_role("group", name="Ämnen (frivillig)")
    topics.get_by_label("Rekrytering").check()
    topics.get_by_label("Mentorskap").check()
    page.get_by_role("group", name="Får vi dela din kontakt med de andra deltagarna?").get_by_label("Ja").check()
    page.get_by_label("Antal anställda (frivillig)").fill("tolv")
    page.get_by_label("Startdatum för projektet (frivillig)").fill("2027-03-14")
    page.get_by_label("Har du behov av stöd på grund av hälsa? (frivillig)").fill("Hörslinga")
    _send(page)
    summary = page.locator(".error-summary")
    assert summary.is_visible() and summary.get_attribute("tabindex") == "-1"  # static/js/forms.js focuses it
    text = summary.inner_text()
    assert "Svara på frågan." in text and "Ange ett tal" in text and "samtycke" in text
    assert page.get_by_label("Fråga till panelen (frivillig)").input_value() == "Hur når vi fler arbetsgivare?"
    assert page.get_by_role("group", name="Ämnen (frivillig)").get_by_label("Mentorskap").is_checked()
    assert page.get_by_label("Startdatum för projektet (frivillig)").input_value() == "2027-03-14"
    assert_no_axe_violations(page, "registration form with question errors (sv, phone)")
    _shot(page, "questions-register-errors-sv-390")
    # Corrected: the summary's link takes the keyboard to the field.
    summary.get_by_role("link", name="Svara på frågan.").click()
    page.keyboard.type("Borås")
    page.get_by_label("Antal anställda (frivillig)").fill("12,5")
    page.get_by_label(CONSENT).check()
    _send(page)
    assert urlsplit(page.url).path == f"/events/{slug}/registered"
    answers, token = _answers_of(app, "anna@example.se")
    assert answers == {ids.municipality: "Borås", ids.panel: "Hur når vi fler arbetsgivare?", ids.lunch: "c2",
                       ids.topics: "c1 c3", ids.share: "yes", ids.staff: "12.5", ids.start: "2027-03-14",
                       ids.health: "Hörslinga"}

    page.goto(f"/r/{token}")
    section = page.locator("#your-answers")
    assert section.get_by_label("Kommun").input_value() == "Borås"
    section.get_by_label("Kommun").fill("Ulricehamn")
    section.get_by_role("group", name="Ämnen (frivillig)").get_by_label("Rekrytering").uncheck()
    # Withdrawn: the consent unticked alone is refused (the answer is still there, said next to the box), so
    # the person empties the answer too, as the message says.
    section.get_by_label(CONSENT).uncheck()
    with page.expect_navigation():
        section.get_by_role("button", name="Spara mina svar").click()
    assert "Kryssa i rutan eller lämna frågan tom." in page.locator("#your-answers").inner_text()
    assert page.locator("#your-answers").get_by_label("Kommun").input_value() == "Ulricehamn"  # kept
    section.get_by_label("Har du behov av stöd på grund av hälsa? (frivillig)").fill("")
    with page.expect_navigation():
        section.get_by_role("button", name="Spara mina svar").click()
    assert "Dina svar är sparade." in page.locator("#your-answers").inner_text()
    answers, _token = _answers_of(app, "anna@example.se")
    assert answers[ids.municipality] == "Ulricehamn" and answers[ids.topics] == "c3" and ids.health not in answers
    assert_no_axe_violations(page, "personal page with answers (sv, phone)")


def test_a_digital_participant_answers_without_the_on_site_question(app, new_context, forum):
    slug, ids, server = forum
    page = new_context(server=server, lang="en", **DESKTOP).new_page()
    page.goto(f"/events/{slug}/register")
    page.get_by_label("Digital", exact=True).check()
    page.get_by_label("Name", exact=True).fill("Bo Ek")
    page.get_by_label("Email", exact=True).fill("bo@example.se")
    page.get_by_role("group", name="Sector").get_by_label("Business").check()
    page.get_by_label("I have read the privacy notice.").check()
    page.get_by_label("Municipality").fill("Skövde")
    # The lunch question says whom it is for; answered anyway, it is not kept for a digital participant.
    assert "Only if you take part on site." in page.get_by_role("group", name="Lunch (optional)").inner_text()
    page.get_by_role("group", name="Lunch (optional)").get_by_label("Meat").check()
    page.get_by_role("group", name="May we share your contact with the other participants?").get_by_label("No").check()
    page.get_by_label("Project start date (optional)").fill("2027-01-05")
    with page.expect_navigation():
        page.get_by_role("button", name="Register").click()
    assert urlsplit(page.url).path == f"/events/{slug}/registered"
    answers, token = _answers_of(app, "bo@example.se")
    assert answers == {ids.municipality: "Skövde", ids.share: "no", ids.start: "2027-01-05"}
    page.goto(f"/r/{token}")
    assert page.locator("#your-answers").get_by_text("Lunch").count() == 0


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_editor_and_form_have_no_axe_violations(new_context, forum, lang, viewport):
    slug, ids, server = forum
    options = PHONE if viewport == "phone" else WIDE
    width = 390 if viewport == "phone" else 1366
    page = signed_in_page(new_context, server, lang, EMAIL, PASSWORD, **options)
    for name, url in [("editor", f"/manage/events/{slug}/questions/"),
                      ("edit", f"/manage/events/{slug}/questions/{ids.topics}"),
                      ("register", f"/events/{slug}/register"),
                      ("statistics", f"/manage/events/{slug}/statistics")]:
        assert page.goto(url).status == 200, url
        assert_no_axe_violations(page, f"{name} ({lang}, {viewport})")
        _shot(page, f"questions-{name}-{lang}-{width}")


def test_editor_adds_a_question_and_moves_it_by_keyboard(new_context, forum):
    slug, ids, server = forum
    page = signed_in_page(new_context, server, "sv", EMAIL, PASSWORD, **WIDE)
    page.goto(f"/manage/events/{slug}/questions/")
    page.get_by_role("group", name="Hur frågan besvaras").get_by_label("Ett val").check()
    page.get_by_label("Frågan på svenska").fill("Vilken kommun kommer du från?")
    page.get_by_label("Svarsalternativ på svenska, ett per rad").fill("Borås\nSkövde")
    page.get_by_label("Svarsalternativ på svenska, ett per rad").press("Tab")
    with page.expect_navigation():
        page.get_by_role("button", name="Lägg till frågan").press("Enter")
    assert "Frågan är tillagd sist i formuläret." in page.inner_text("main")
    last = page.locator(".question-edit").last
    assert "Vilken kommun kommer du från?" in last.inner_text()
    with page.expect_navigation():
        last.get_by_role("button", name="Flytta upp").press("Enter")
    assert page.evaluate("document.activeElement.id").startswith("move-up-")
    assert "Flyttad: den är nu fråga 8 av 9." in page.inner_text("main")


@pytest.mark.parametrize("name", ["editor", "edit", "register", "register-errors", "personal"])
def test_question_pages_reflow_at_320px(app, new_context, forum, name):
    slug, ids, server = forum
    if name in ("editor", "edit"):
        page = signed_in_page(new_context, server, "sv", EMAIL, PASSWORD, **NARROW)
        page.goto(f"/manage/events/{slug}/questions/" + ("" if name == "editor" else str(ids.topics)))
    else:
        page = new_context(server=server, **NARROW).new_page()
        page.goto(f"/events/{slug}/register")
        if name == "register-errors":
            _send(page)
        if name == "personal":
            with app.app_context():
                from tests.registration.support import register
                registration = register(slug, "cia@example.se", answers={ids.municipality: "Borås", ids.share: "yes"},
                                        name="Cia Lång-Efternamnsdotter").registration
                token = tokens.manage_token(KEYS, registration.token_salt)
            page.goto(f"/r/{token}")
    assert_reflows(page)
