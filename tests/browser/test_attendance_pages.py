"""Attendance in a real browser, on SQLite and PostgreSQL: a person the report could not match is matched by
hand from the keyboard and stays matched after a reload; the pages fit 375 and 1366 px in both languages with
no axe violation. Screenshots go to EVENTHUB_SCREENSHOTS when it is set (to look at them)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.attendance.support import import_sample, make_forum, rows_of, seat_people
from tests.attendees.support import PASSWORD, staff_member
from tests.browser.support import assert_no_axe_violations, assert_reflows, signed_in_page

pytestmark = pytest.mark.browser

EMAIL = "ulla@forum.example"
SHOTS = os.environ.get("EVENTHUB_SCREENSHOTS")


@pytest.fixture
def reported(app, make_event, live_server):
    slug = make_forum(make_event)
    with app.app_context():
        ids = seat_people(slug)
        outcome = import_sample(slug, "teams_attendance_report.csv")
        frasse = next(row.id for row in rows_of(slug) if row.name == "Frasse")
    staff_member(app, slug, EMAIL, "organiser")
    return {"slug": slug, "ids": ids, "import_id": outcome.import_id, "frasse": frasse, "server": live_server}


def _page(new_context, reported, lang="sv", width=1366):
    return signed_in_page(new_context, reported["server"], lang, EMAIL, PASSWORD,
                          viewport={"width": width, "height": 900})


def _shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def test_an_unmatched_person_is_matched_by_hand_from_the_keyboard(new_context, reported):
    page = _page(new_context, reported)
    url = f"/manage/events/{reported['slug']}/attendance/imports/{reported['import_id']}"
    page.goto(url)
    select = page.locator(f"#match-{reported['frasse']}")
    assert page.locator(f"label[for='match-{reported['frasse']}']").inner_text() == "Vem är Frasse?"

    select.focus()
    page.keyboard.type("Fredrik")  # a closed select picks the option as one types
    assert select.evaluate("element => element.selectedOptions[0].textContent").startswith("Fredrik Fält")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").startswith("Koppla")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    result = page.locator("#matched-result")
    assert "Frasse i rapporten är nu kopplad till Fredrik Fält." in result.inner_text()
    page.reload()
    matched = page.locator("section[aria-labelledby='matched-heading']").inner_text()
    assert "Fredrik Fält" in matched and "för hand" in matched
    assert page.locator(f"#match-{reported['frasse']}").count() == 0
    assert "Inte kopplade (2)" in page.locator("#unmatched-heading").inner_text()


def test_an_empty_choice_is_named_at_its_row_and_the_page_keeps_the_rest(new_context, reported):
    page = _page(new_context, reported, lang="en")
    page.goto(f"/manage/events/{reported['slug']}/attendance/imports/{reported['import_id']}")
    with page.expect_navigation():
        page.locator(f"#row-{reported['frasse']} button").click()

    select = page.locator(f"#match-{reported['frasse']}")
    assert select.get_attribute("aria-invalid") == "true"
    assert page.locator(f"#match-{reported['frasse']}-error").inner_text() == "Choose the registration this person is."


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("width", [375, 1366])
def test_the_attendance_pages_fit_and_pass_axe(new_context, reported, lang, width):
    page = _page(new_context, reported, lang=lang, width=width)
    pages = {
        "report": f"/manage/events/{reported['slug']}/attendance",
        "import": f"/manage/events/{reported['slug']}/attendance/imports/{reported['import_id']}",
        "list": f"/manage/events/{reported['slug']}/attendees?arrived=online",
    }
    for name, url in pages.items():
        page.goto(url)
        assert_reflows(page)
        assert_no_axe_violations(page, f"{name} ({lang}, {width} px)")
        _shot(page, f"attendance-{name}-{lang}-{width}")


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_pdfs_open_in_the_browser(new_context, reported, lang):
    """Chromium's own PDF viewer opens them (the PDFs are also read back by pypdf: tests/exports)."""
    page = _page(new_context, reported, lang=lang)
    for path in ("attendance.pdf", "signature-list.pdf"):
        response = page.request.get(f"/manage/events/{reported['slug']}/{path}")
        assert response.status == 200 and response.headers["content-type"] == "application/pdf"
        assert response.body().startswith(b"%PDF-")
