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


# Every browser context records what the Content-Security-Policy refused (conftest.new_context):
# the event for each violation, in every document, from before the page's own scripts run.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.effectiveDirective} refused ${event.blockedURI || "inline"}`
                              + ` at ${event.sourceFile || location.pathname}:${event.lineNumber}`);
});
"""


def csp_violations(page) -> list[str]:
    return page.evaluate("() => window.__cspViolations || []")


def assert_no_csp_violations(page, where: str) -> None:
    violations = csp_violations(page)
    assert not violations, f"the Content-Security-Policy refused {len(violations)} thing(s) on {where}:\n" + "\n".join(
        violations)


def add_style(page, css: str) -> None:
    """A test's own stylesheet, as a constructed sheet: the page's CSP refuses inline <style>."""
    page.evaluate("""css => {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
    }""", css)


def run_axe(page) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now (axe from our static files: the CSP
    allows no inline script)."""
    page.add_script_tag(url="/static/vendor/axe-core/axe.min.js")
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
    """No axe-core violation, and (on every page variant the axe checks visit) no CSP violation."""
    assert_no_csp_violations(page, where)
    violations = run_axe(page)
    assert not violations, f"axe found {len(violations)} violation(s) on {where}:\n{describe(violations)}"


def overflow_report(page) -> dict:
    """WCAG 1.4.10 reflow: the page's scroll width, any visible text that reaches past the viewport, and
    any element wider than it (`wide`) unless a box that scrolls sideways, and itself fits, holds it (a
    wide table in its scroll region); such a box that does scroll must be a named region the keyboard
    reaches (`unreachable` otherwise)."""
    return page.evaluate(
        """() => {
          const width = document.documentElement.clientWidth, out = [], wide = [];
          const scrolls = el => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX)
                                && el.getBoundingClientRect().right <= width + 0.5;
          const held = el => {  // inside a box that scrolls sideways and fits the screen
            for (let holder = el.parentElement; holder && holder !== document.body; holder = holder.parentElement)
              if (scrolls(holder)) return true;
            return false;
          };
          const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
          while (walker.nextNode()) {
            const node = walker.currentNode, range = document.createRange();
            if (!node.textContent.trim() || node.parentElement.closest('.visually-hidden')) continue;
            range.selectNodeContents(node);
            if ([...range.getClientRects()].some(r => r.right > width + 0.5) && !held(node.parentElement))
              out.push(`${node.parentElement.tagName}: ${node.textContent.trim().slice(0, 50)}`);
          }
          for (const el of document.body.querySelectorAll('*')) {
            const box = el.getBoundingClientRect();
            if (!box.width || box.right <= width + 0.5 || el.closest('.visually-hidden') || held(el)) continue;
            const name = el.tagName.toLowerCase() + (el.className && typeof el.className === 'string'
                         ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
            wide.push(`${name} ${Math.round(box.width)} px: ${(el.textContent || '').trim().slice(0, 40)}`);
          }
          // A box that does scroll sideways must be reachable by keyboard and named (a region).
          const unreachable = [...document.body.querySelectorAll('*')].filter(el => scrolls(el)
              && el.scrollWidth > el.clientWidth + 1 && !(el.tabIndex >= 0 && el.getAttribute('role') === 'region'
              && (el.getAttribute('aria-label') || document.getElementById(el.getAttribute('aria-labelledby') || ''))))
            .map(el => `${el.tagName.toLowerCase()}.${el.className}`);
          return {scrollWidth: document.documentElement.scrollWidth, width, out: out.slice(0, 5), wide: wide.slice(-5),
                  unreachable};
        }"""
    )


def reflow_problems(page) -> dict:
    """What keeps the page from reflowing (empty when it does): see overflow_report."""
    report = overflow_report(page)
    if report["scrollWidth"] <= report["width"] and not (report["out"] or report["wide"] or report["unreachable"]):
        return {}
    return report


def assert_reflows(page) -> None:
    problems = reflow_problems(page)
    assert not problems, problems


def signed_in_page(new_context, server, lang: str, email: str, password: str, **options):
    """A new page in a new browser context, signed in through the sign-in form."""
    page = new_context(server=server, lang=lang, **options).new_page()
    page.goto("/account/login")
    page.fill("#email", email)
    page.fill("#password", password)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    return page
