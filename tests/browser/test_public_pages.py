"""The public pages in a real browser: axe-core (WCAG 2.1 A/AA), parallel items, no-JS audience
switch, language switch and keyboard access."""
from __future__ import annotations

import pytest

from tests.browser.support import (
    DESKTOP,
    NARROW,
    PHONE,
    TEXT_SPACING,
    VIEWPORTS,
    add_style,
    assert_no_axe_violations,
    assert_reflows,
)

pytestmark = pytest.mark.browser

HYBRID = "/events/integration-i-arbetslivet"
PAGES = {
    "front": "/",
    "hybrid": HYBRID,
    "hybrid-on_site": f"{HYBRID}?audience=on_site",
    "hybrid-digital": f"{HYBRID}?audience=digital",
    "digital": "/events/fast-kunskapsseminarium",
    "on_site": "/events/snabbspar-utbytesworkshop",
}

# The 13:15 slot of the hybrid demo event: one talk on site, another for digital participants.
ON_SITE_TALK = "En väg in i sysselsättning"
DIGITAL_TALK = "Arbetsmarknadsintegration, tack vare i stället för trots allt"


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("name", PAGES)
def test_no_axe_violations(new_context, name, lang, viewport):
    page = new_context(lang=lang, **VIEWPORTS[viewport]).new_page()
    response = page.goto(PAGES[name])
    assert response is not None and response.ok, f"{PAGES[name]} answered {response and response.status}"
    assert page.get_attribute("html", "lang") == lang
    assert_no_axe_violations(page, f"{PAGES[name]} ({lang}, {viewport})")


@pytest.mark.parametrize("text_spacing", [False, True], ids=["plain", "text-spacing"])
@pytest.mark.parametrize("name", ["front", "hybrid", "digital", "on_site"])
def test_no_sideways_scrolling_at_320px(new_context, name, text_spacing):
    """WCAG 1.4.10 reflow: long Swedish compounds and titles must wrap, not widen the page."""
    page = new_context(**NARROW).new_page()
    page.goto(PAGES[name])
    if text_spacing:
        add_style(page, TEXT_SPACING)
    assert_reflows(page)


def talk(page, title: str):
    """The programme item whose heading is the given title."""
    return page.locator("article.item").filter(has=page.get_by_role("heading", name=title, exact=True))


def test_parallel_items_side_by_side_on_desktop(new_context):
    page = new_context(**DESKTOP).new_page()
    page.goto(HYBRID)
    on_site, digital = talk(page, ON_SITE_TALK), talk(page, DIGITAL_TALK)
    first, second = on_site.bounding_box(), digital.bounding_box()
    assert first is not None and second is not None
    assert first["y"] == pytest.approx(second["y"], abs=1), (first, second)
    assert second["x"] >= first["x"] + first["width"], (first, second)


def test_parallel_items_stacked_and_labelled_on_phone(new_context):
    page = new_context(**PHONE).new_page()
    page.goto(HYBRID)
    on_site, digital = talk(page, ON_SITE_TALK), talk(page, DIGITAL_TALK)
    first, second = on_site.bounding_box(), digital.bounding_box()
    assert first is not None and second is not None
    assert second["y"] >= first["y"] + first["height"], (first, second)
    assert abs(first["x"] - second["x"]) < 1, (first, second)
    for item, label in ((on_site, "På plats"), (digital, "Digitalt")):
        audience = item.locator(".audience")
        assert audience.is_visible()
        assert audience.inner_text().strip() == label


def test_audience_switch_works_without_javascript(new_context):
    page = new_context(java_script_enabled=False, **DESKTOP).new_page()
    page.goto(HYBRID)
    assert talk(page, ON_SITE_TALK).is_visible() and talk(page, DIGITAL_TALK).is_visible()
    switch = page.get_by_role("navigation", name="Visa programmet för")
    with page.expect_navigation():
        switch.get_by_role("link", name="Digitalt", exact=True).click()
    assert "audience=digital" in page.url
    assert talk(page, DIGITAL_TALK).is_visible()
    assert talk(page, ON_SITE_TALK).count() == 0
    link = switch.get_by_role("link", name="Digitalt", exact=True)
    assert link.get_attribute("aria-current") == "page"


def test_language_switch_to_english_and_back(new_context):
    page = new_context(**DESKTOP).new_page()
    page.goto(HYBRID)
    assert page.get_attribute("html", "lang") == "sv"
    assert page.get_by_role("heading", name="Program", exact=True).is_visible()

    with page.expect_navigation():
        page.get_by_role("navigation", name="Språk").get_by_role("link", name="English").click()
    assert page.url.endswith(HYBRID)
    assert page.get_attribute("html", "lang") == "en"
    assert page.get_by_role("heading", name="Programme", exact=True).is_visible()

    with page.expect_navigation():
        page.get_by_role("navigation", name="Language").get_by_role("link", name="Svenska").click()
    assert page.url.endswith(HYBRID)
    assert page.get_attribute("html", "lang") == "sv"
    assert page.get_by_role("heading", name="Program", exact=True).is_visible()
    assert page.get_by_role("heading", name="Programme", exact=True).count() == 0


def test_language_switch_keeps_the_audience_view(new_context):
    page = new_context(**DESKTOP).new_page()
    page.goto(f"{HYBRID}?audience=digital")
    with page.expect_navigation():
        page.get_by_role("link", name="English").click()
    assert page.url.endswith(f"{HYBRID}?audience=digital")
    assert page.get_attribute("html", "lang") == "en"
    assert page.get_by_text("Showing the programme for digital participants.").is_visible()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_skip_link_is_first_and_moves_focus_to_main(new_context, viewport):
    page = new_context(**VIEWPORTS[viewport]).new_page()
    page.goto(HYBRID)
    page.keyboard.press("Tab")
    focused = page.evaluate("() => [document.activeElement.className, document.activeElement.textContent.trim()]")
    assert focused == ["skip-link", "Hoppa till innehållet"]
    skip = page.locator(".skip-link")
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0, f"focused skip link is off screen: {box}"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
