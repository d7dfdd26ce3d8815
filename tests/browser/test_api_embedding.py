"""The embedding snippet of docs/api.md in Chromium, on a page of another origin: CORS as a browser enforces it."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def _snippet(api_url: str) -> str:
    """The first HTML example of docs/api.md, pointed at the test server."""
    html = re.search(r"```html\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S).group(1)
    assert 'const EVENTHUB = "https://eventhub.example.se";' in html
    return html.replace("https://eventhub.example.se", api_url)


@pytest.fixture
def municipality_page(new_context, browser_server):
    """A page of another site, with the snippet pasted into it, served from another origin (its own port).

    A server of its own rather than a routed fake address: Chromium lets a page reach the loopback address
    the test server listens on only from a page that is itself served from there (Local Network Access).
    """
    html = f'<!doctype html><html lang="sv"><title>Kommunen</title><body>{_snippet(browser_server.url)}</body>'

    def municipality(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [html.encode()]

    server = LiveServer(municipality).start()
    page = new_context().new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(f"{server.url}/evenemang")
    assert page.evaluate("location.origin") != browser_server.url
    page.errors = errors
    yield page
    server.stop()


def test_the_documented_snippet_lists_upcoming_events_and_a_programme_from_another_origin(municipality_page):
    page = municipality_page
    page.wait_for_selector("#eventhub-programme li")
    events = page.locator("#eventhub-events li")
    assert events.count() == 1
    assert events.first.locator("a").inner_text() == "Integration i arbetslivet"
    assert events.first.locator("time").get_attribute("datetime").endswith("T13:00:00+02:00")
    assert page.locator("#eventhub-programme-heading").inner_text() == "Program: Integration i arbetslivet"
    items = page.locator("#eventhub-programme > li")
    assert items.count() == 14
    assert "Sofia Hedström, Agenda 2030 i Väst" in items.nth(1).inner_text()
    assert items.nth(2).inner_text().startswith("13:15 En väg in i sysselsättning (på plats)")
    assert items.nth(3).inner_text().startswith("13:15 Arbetsmarknadsintegration, tack vare i stället för trots allt "
                                                "(digitalt)")
    assert page.errors == []


def test_a_script_on_another_origin_reads_the_etag_revalidates_and_reads_problems(municipality_page, browser_server):
    page = municipality_page
    result = page.evaluate("""async (api) => {
      const first = await fetch(api + "/api/v1/events");
      const etag = first.headers.get("ETag");
      // Sending If-None-Match itself makes the browser ask first (a preflight); the API allows it.
      const again = await fetch(api + "/api/v1/events", {headers: {"If-None-Match": etag}, cache: "no-store"});
      const missing = await fetch(api + "/api/v1/events/no-such-event", {headers: {"Accept-Language": "sv"}});
      return {etag, again: again.status, missing: missing.status, type: missing.headers.get("Content-Type"),
              problem: await missing.json(), limit: first.headers.get("X-RateLimit-Limit")};
    }""", browser_server.url)
    assert result["etag"] and result["etag"].startswith('"')
    assert result["again"] == 304
    assert result["missing"] == 404 and result["type"] == "application/problem+json"
    assert result["problem"]["code"] == "not_found" and result["problem"]["title"] == "Hittades inte"


def test_a_page_of_ours_is_not_readable_from_another_origin(municipality_page, browser_server):
    refused = municipality_page.evaluate("""async (api) => {
      try { await fetch(api + "/"); return false; } catch (error) { return true; }
    }""", browser_server.url)
    assert refused  # the HTML pages send no CORS header
