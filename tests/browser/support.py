"""Helpers shared by the browser tests (plain functions and constants; fixtures are in conftest)."""
from __future__ import annotations

from pathlib import Path

AXE = Path(__file__).resolve().parents[2] / "static" / "vendor" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}
NARROW = {"viewport": {"width": 320, "height": 640}}

# WCAG 1.4.12: text must survive these spacing overrides without loss of content.
TEXT_SPACING = (
    "* { line-height: 1.5 !important; letter-spacing: 0.12em !important; word-spacing: 0.16em !important; }"
    " p { margin-bottom: 2em !important; }"
)


def run_axe(page) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now."""
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


def assert_no_axe_violations(page, where: str) -> None:
    violations = run_axe(page)
    assert not violations, f"axe found {len(violations)} violation(s) on {where}:\n{describe(violations)}"


def overflow_report(page) -> dict:
    """WCAG 1.4.10 reflow: the page's scroll width and any visible text that reaches past the viewport."""
    return page.evaluate(
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


def assert_reflows(page) -> None:
    report = overflow_report(page)
    assert report["scrollWidth"] <= report["width"] and not report["out"], report
