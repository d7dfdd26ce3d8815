"""The Content-Security-Policy in Chromium: the check that every browser test makes (conftest.new_context,
support.assert_no_axe_violations on every page variant the axe tests visit) does see a refusal, and no
other site can frame our pages."""
from __future__ import annotations

import pytest

from tests.browser.support import CSP_LISTENER, csp_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def bare_context(browser, browser_server):
    """A context outside new_context, whose refusals this test provokes on purpose."""
    context = browser.new_context(base_url=browser_server.url)
    context.add_init_script(CSP_LISTENER)
    yield context
    context.close()


def test_the_csp_check_sees_inline_script_style_and_handlers(bare_context):
    page = bare_context.new_page()
    page.goto("/")
    assert csp_violations(page) == []
    page.evaluate("""() => {
      const script = document.createElement("script");
      script.textContent = "window.inlineRan = true";
      document.body.append(script);
      document.body.insertAdjacentHTML("beforeend", '<p style="color: red" onclick="1">x</p>');
      document.body.lastElementChild.click();
    }""")
    page.wait_for_function("() => window.__cspViolations.length >= 3")
    assert page.evaluate("() => window.inlineRan") is None
    directives = {violation.split()[0] for violation in csp_violations(page)}
    assert {"script-src-elem", "style-src-attr", "script-src-attr"} <= directives


def test_no_other_site_can_frame_a_page(bare_context, browser_server):
    page = bare_context.new_page()
    refused = []
    page.on("console", lambda message: refused.append(message.text))
    page.set_content(f'<iframe src="{browser_server.url}/"></iframe>')  # about:blank is another origin
    page.wait_for_timeout(500)
    frame = page.frames[1]
    assert "EventHub" not in frame.content()
    assert any("frame-ancestors" in text for text in refused), refused
