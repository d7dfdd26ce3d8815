"""The evaluation in a real browser: a person on site and a digital participant answer from their own links and
the organiser sees the room beside the digital audience; the questions are reordered from the keyboard; every
page of the evaluation and the follow-up passes axe-core (WCAG 2.1 A/AA) at 390 and 1366 px in Swedish and
English and reflows at 320 px. Screenshots go to EVENTHUB_SCREENSHOTS when it is set (to look at them)."""
from __future__ import annotations

import os
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from eventhub.accounts import services as accounts
from eventhub.events.models import Event
from eventhub.extensions import db
from eventhub.materials.models import EventMaterial
from tests.attendance.support import STARTS, seat_people
from tests.attendees.support import PASSWORD, staff_member
from tests.browser.conftest import demo_app, dispose
from tests.browser.support import NARROW, assert_no_axe_violations, assert_reflows, signed_in_page
from tests.browser.test_agenda_builder import by_id, focused, tab_to
from tests.conftest import LiveServer
from tests.evaluation.support import answer, make_forum_with_people, open_now, question, token_of

pytestmark = pytest.mark.browser

EMAIL = "ulla@forum.example"
SHOTS = os.environ.get("EVENTHUB_SCREENSHOTS")
WIDTHS = {"phone": 390, "desktop": 1366}
# The other answers, given through the service: three people each way, so the anonymous results split.
OTHERS = {"Eva": ("on_site", 4, 4, "Bra fika"), "Zäta": ("on_site", 4, 3, ""),
          "Örjan": ("digital", 2, 2, "Svårt att höra frågorna från salen"), "Cecilia": ("digital", 3, 3, "")}


def _shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def _answer_others(slug, ids):
    for name, (mode, overall, own, change) in OTHERS.items():
        mode_question = "on_site" if mode == "on_site" else "digital"
        answer(slug, ids[name], now=datetime.now(UTC), overall=overall, change=change, **{mode_question: own})


def _answer_in_browser(page, token, ratings: dict[str, str], comment: str):
    """Choose each rating by its label, type the comment, send with the keyboard."""
    page.goto(f"/r/{token}/evaluation")
    for question_text, label in ratings.items():
        page.get_by_role("group", name=question_text).get_by_label(label).check()
    page.get_by_label("Vad skulle du ändra till nästa gång?").fill(comment)
    with page.expect_navigation():
        page.get_by_role("button", name="Skicka mina svar").press("Enter")
    assert "Tack! Dina svar är skickade." in page.inner_text("main")


@pytest.fixture
def forum_server(app, make_event, live_server):
    forum = make_forum_with_people(app, make_event)
    with app.app_context():
        open_now(forum.slug, anonymous=True)
        forum.tokens = {name: token_of(forum.ids[name]) for name in ("Bengt", "Åsa")}
    staff_member(app, forum.slug, EMAIL, "organiser")
    forum.server = live_server
    return forum


def test_a_person_on_site_and_a_digital_one_answer_and_the_organiser_sees_them_side_by_side(
        app, new_context, forum_server):
    forum = forum_server
    person = new_context(server=forum.server, viewport={"width": 390, "height": 844}).new_page()
    # Bengt on site: his own question about the room, not the digital one.
    person.goto(f"/r/{forum.tokens['Bengt']}/evaluation")
    text = person.inner_text("main")
    assert "Hur var det att delta på plats" in text and "delta digitalt" not in text
    _answer_in_browser(person, forum.tokens["Bengt"], {
        "Hur var träffen som helhet?": "5 – Mycket bra",
        "Hur var det att delta på plats: lokalen, att höra och se, och att vara med i samtalen?": "5 – Mycket bra",
    }, "Mer tid i grupperna")
    _shot(person, "evaluation-answered-sv-390")
    # Åsa, digital, on another device.
    digital = new_context(server=forum.server, viewport={"width": 1366, "height": 900}).new_page()
    digital.goto(f"/r/{forum.tokens['Åsa']}/evaluation")
    assert "delta på plats" not in digital.inner_text("main")
    _answer_in_browser(digital, forum.tokens["Åsa"], {
        "Hur var träffen som helhet?": "3 – Varken bra eller dåligt",
        "Hur var det att delta digitalt: ljud och bild, och att vara med i samtalen?": "2 – Dåligt",
    }, "Ljudet från salen hackade")
    digital.goto(f"/r/{forum.tokens['Åsa']}/evaluation")  # again: answered, and the form is gone
    assert "Tack: du har svarat på utvärderingen." in digital.inner_text("main")
    assert digital.locator("form.evaluation-form").count() == 0
    with app.app_context():
        _answer_others(forum.slug, forum.ids)

    organiser = signed_in_page(new_context, forum.server, "en", EMAIL, PASSWORD,
                               viewport={"width": 1366, "height": 900})
    organiser.goto(f"/manage/events/{forum.slug}/evaluation/results")
    compare = organiser.locator("table.compare-table")
    overall = compare.locator("tr", has_text="How was the event as a whole?")
    cells = [cell.inner_text() for cell in overall.locator("td").all()]
    assert cells == ["4.3 (3 answers)", "2.7 (3 answers)", "On site 1.7 higher"]
    assert "Not asked" in compare.locator("tr", has_text="take part digitally").inner_text()
    comments = organiser.locator(".question-result", has_text="What would you change next time?")
    assert "Mer tid i grupperna" in comments.locator(".comment-column", has_text="On site").inner_text()
    assert "Ljudet från salen hackade" in comments.locator(".comment-column", has_text="Digital").inner_text()
    assert_no_axe_violations(organiser, "results with answers (en, 1366 px)")
    _shot(organiser, "evaluation-results-en-1366")


def test_the_questions_are_reordered_from_the_keyboard_and_focus_stays_on_the_question(app, new_context,
                                                                                    forum_server):
    forum = forum_server
    with app.app_context():
        first, second = question(forum.slug, "overall").id, question(forum.slug, "content").id
    page = signed_in_page(new_context, forum.server, "en", EMAIL, PASSWORD, viewport={"width": 1366, "height": 900})
    page.goto(f"/manage/events/{forum.slug}/evaluation/")
    page.focus(f"#q{first}_en")
    tab_to(page, by_id(f"move-down-{first}"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_function(f"document.activeElement && document.activeElement.id === 'move-down-{first}'")
    legends = page.locator(".question-fields > legend").all_inner_texts()
    assert legends[0].startswith("Question 1 of 6") and "Moved: it is now question 2 of 6." in page.inner_text("main")
    assert page.locator(f"#q{second}_en").evaluate("el => el.closest('li').querySelector('legend').textContent") \
        .strip().startswith("Question 1 of 6")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # again: down to third
    page.wait_for_function(f"document.activeElement && document.activeElement.id === 'move-down-{first}'")
    assert focused(page)["focusVisible"]
    assert "question 3 of 6" in page.inner_text("main")


# --- every page, axe and reflow (a server of its own on SQLite) ---------------------------------------

@pytest.fixture(scope="module")
def pages_server(tmp_path_factory):
    app = demo_app(tmp_path_factory.mktemp("evaluation") / "e.sqlite")
    now = datetime.now(UTC)
    with app.app_context():
        slug = f"forum-{secrets.token_hex(3)}"
        db.session.add(Event(slug=slug, title="Forumträff om arbetsmarknaden", starts_at=STARTS,
                             ends_at=STARTS + timedelta(hours=3), timezone="Europe/Stockholm", format="hybrid",
                             status="published", organiser_name="Agenda 2030 i Väst", on_site_seats=10,
                             digital_seats=10, recording_url="https://play.example.se/forum"))
        db.session.commit()
        ids = seat_people(slug)
        event = db.session.scalar(db.select(Event).where(Event.slug == slug))
        event.materials.append(EventMaterial(kind="slides", title="Bilder", url="https://slides.example/b"))
        user, _ = accounts.create_user(EMAIL, "Ulla Organisatör", "organiser", now, password=PASSWORD)
        accounts.add_staff(event.id, user.id, "organiser", user.id)
        db.session.commit()
        open_now(slug, anonymous=True)
        answer(slug, ids["Bengt"], now=now, overall=5, on_site=4, change="Mer tid i grupperna")
        _answer_others(slug, ids)
        answer(slug, ids["Åsa"], now=now, overall=3, digital=2, change="Ljudet hackade")
        tokens = {"open": token_of(ids["Dan"]), "answered": token_of(ids["Bengt"])}
    server = LiveServer(app).start()
    server.slug, server.tokens = slug, tokens
    yield server
    server.stop()
    dispose(app)


def _pages(server) -> dict[str, str]:
    base = f"/manage/events/{server.slug}"
    return {"overview": f"{base}/evaluation/", "results": f"{base}/evaluation/results",
            "preview on site": f"{base}/evaluation/preview?mode=on_site",
            "preview digital": f"{base}/evaluation/preview?mode=digital", "follow-up": f"{base}/follow-up/",
            "follow-up preview": f"{base}/follow-up/preview?variant=missed&language=en"}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_organisers_pages_pass_axe(new_context, pages_server, lang, width):
    page = signed_in_page(new_context, pages_server, lang, EMAIL, PASSWORD,
                          viewport={"width": WIDTHS[width], "height": 900})
    for name, url in _pages(pages_server).items():
        page.goto(url)
        assert_reflows(page)
        assert_no_axe_violations(page, f"{name} ({lang}, {width})")
        _shot(page, f"evaluation-{name.replace(' ', '-')}-{lang}-{WIDTHS[width]}")
    # The questions with an error, as the form sends them back.
    page.goto(_pages(pages_server)["overview"])
    page.locator("textarea[id$='_sv']").first.fill("")
    page.locator("textarea[id$='_en']").first.fill("")
    with page.expect_navigation():
        page.get_by_role("button", name="Spara frågorna" if lang == "sv" else "Save the questions").click()
    assert page.locator("#error-summary").is_visible()
    assert_no_axe_violations(page, f"questions with an error ({lang}, {width})")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_persons_pages_pass_axe(new_context, pages_server, lang, width):
    page = new_context(server=pages_server, viewport={"width": WIDTHS[width], "height": 900}).new_page()
    for name, token in pages_server.tokens.items():
        page.goto(f"/r/{token}/evaluation?lang={lang}")
        assert_reflows(page)
        assert_no_axe_violations(page, f"{name} ({lang}, {width})")
        _shot(page, f"evaluation-person-{name}-{lang}-{WIDTHS[width]}")
    page.goto(f"/r/{pages_server.tokens['open']}/evaluation?lang={lang}")
    page.locator("input[type=radio][value='5']").first.check()
    page.locator("textarea").first.fill("x" * 1990)
    page.evaluate("document.querySelector('input[type=radio]').value = '9'")  # a tampered answer
    page.locator("input[type=radio]").first.check()
    with page.expect_navigation():
        page.locator("form.evaluation-form button[type=submit]").click()
    assert page.locator("#error-summary").is_visible()
    assert_no_axe_violations(page, f"answers with an error ({lang}, {width})")
    page.goto(f"/r/{pages_server.tokens['open']}?lang={lang}")
    assert page.locator(".evaluation-invitation").is_visible()
    assert_no_axe_violations(page, f"the personal page with the invitation ({lang}, {width})")


def test_the_pages_reflow_at_320_px(new_context, pages_server):
    page = signed_in_page(new_context, pages_server, "sv", EMAIL, PASSWORD, **NARROW)
    for url in [*_pages(pages_server).values(), *(f"/r/{token}/evaluation" for token in pages_server.tokens.values())]:
        page.goto(url)
        assert_reflows(page)
