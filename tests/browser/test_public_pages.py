"""The public pages in a real browser: axe-core (WCAG 2.1 A/AA), parallel items, no-JS audience
switch, language switch and keyboard access."""
from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "static" / "vendor" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}

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


def run_axe(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    return results["violations"]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["nodes"]:
            lines.append(f"    {node['target']}: {node['failureSummary']}".replace("\n", "\n      "))
    return "\n".join(lines)


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("name", PAGES)
def test_no_axe_violations(new_context, name, lang, viewport):
    page = new_context(lang=lang, **VIEWPORTS[viewport]).new_page()
    response = page.goto(PAGES[name])
    assert response is not None and response.ok, f"{PAGES[name]} answered {response and response.status}"
    assert page.get_attribute("html", "lang") == lang
    violations = run_axe(page)
    where = f"{PAGES[name]} ({lang}, {viewport})"
    assert not violations, f"axe found {len(violations)} violation(s) on {where}:\n{describe(violations)}"


# WCAG 1.4.12: text must survive these spacing overrides without loss of content.
TEXT_SPACING = (
    "* { line-height: 1.5 !important; letter-spacing: 0.12em !important; word-spacing: 0.16em !important; }"
    " p { margin-bottom: 2em !important; }"
)


@pytest.mark.parametrize("text_spacing", [False, True], ids=["plain", "text-spacing"])
@pytest.mark.parametrize("name", ["front", "hybrid", "digital", "on_site"])
def test_no_sideways_scrolling_at_320px(new_context, name, text_spacing):
    """WCAG 1.4.10 reflow: long Swedish compounds and titles must wrap, not widen the page."""
    page = new_context(viewport={"width": 320, "height": 640}).new_page()
    page.goto(PAGES[name])
    if text_spacing:
        page.add_style_tag(content=TEXT_SPACING)
    overflowing = page.evaluate(
        """() => {
          const width = document.documentElement.clientWidth, out = [];
          const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
          while (walker.nextNode()) {
            const node = walker.currentNode, range = document.createRange();
            if (!node.textContent.trim() || node.parentElement.closest('.visually-hidden')) continue;
            range.selectNodeContents(node);
            if ([...range.getClientRects()].some(r => r.right > width + 0.5))
              out.push(`${node.parentElement.tagName}: ${node.textContent.trim().slice(0, 50)}`);
          }
          return {scrollWidth: document.documentElement.scrollWidth, width, out};
        }"""
    )
    assert overflowing["scrollWidth"] <= overflowing["width"] and not overflowing["out"], overflowing


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
        switch.get_by_role("link", name="För digitala deltagare").click()
    assert "audience=digital" in page.url
    assert talk(page, DIGITAL_TALK).is_visible()
    assert talk(page, ON_SITE_TALK).count() == 0
    link = switch.get_by_role("link", name="För digitala deltagare")
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
