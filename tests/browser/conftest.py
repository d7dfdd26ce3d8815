"""Browser fixtures: Debian's Chromium driven by Playwright against the app served on SQLite.

Browser tests only need one database, so they use their own ``browser_app`` on SQLite with the
demo events loaded instead of the root ``app`` fixture (which also runs on PostgreSQL). The pages
are only read, so one server serves the whole session; every test gets a fresh browser context
(its own cookies, viewport and JavaScript setting), and a test fails if the Content-Security-Policy
refused anything on any of its pages. Tests that register people write to a second
demo database served by ``registration_server``, so the read-only pages keep their seat counts.
Helpers (axe-core, reflow, viewports) are in support.py.

Without /usr/bin/chromium or the playwright package the tests are skipped with the reason printed,
or fail when EVENTHUB_REQUIRE_ALL=1.
"""
from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest

from config import TestingConfig
from eventhub import create_app
from eventhub.extensions import db
from tests.browser.support import CSP_LISTENER
from tests.conftest import LiveServer, require_or_skip

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def _playwright():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require_or_skip("the playwright Python package is not installed, so the browser tests are skipped")
    if not os.access(CHROMIUM, os.X_OK):
        require_or_skip(f"{CHROMIUM} is missing (apt-get install chromium), so the browser tests are skipped")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(_playwright):
    browser = _playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield browser
    browser.close()


def demo_app(path):
    """The app on a fresh SQLite file with the demo events loaded (as `flask load-demo` does)."""
    from eventhub.demo.loader import load_demo

    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}")
    with app.app_context():
        db.create_all()
        load_demo(datetime.now(UTC).date())
    return app


def dispose(app):
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def browser_app(tmp_path_factory):
    """The read-only demo: no test may write to it."""
    app = demo_app(tmp_path_factory.mktemp("browser") / "b.sqlite")
    yield app
    dispose(app)


@pytest.fixture(scope="session")
def browser_server(browser_app):
    server = LiveServer(browser_app).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def registration_app(tmp_path_factory):
    """A demo database of its own that registration tests write to (each with its own addresses)."""
    app = demo_app(tmp_path_factory.mktemp("browser-registration") / "r.sqlite")
    yield app
    dispose(app)


@pytest.fixture(scope="session")
def registration_server(registration_app):
    server = LiveServer(registration_app).start()
    yield server
    server.stop()


@pytest.fixture
def new_context(request, browser):
    """``new_context(**options)``: a fresh browser context whose relative URLs go to a test server.

    ``lang="en"`` sets the language cookie the language switch would set; ``server`` is the
    server to use (``browser_server``, read-only, unless given). Contexts are closed after the test.
    """
    contexts, refused = [], []

    def factory(lang: str | None = None, server=None, **options):
        server = server or request.getfixturevalue("browser_server")
        context = browser.new_context(base_url=server.url, **options)
        context.set_default_timeout(10_000)
        context.add_init_script(CSP_LISTENER)
        # Chromium also reports each refusal on the console, workers' included.
        context.on("console", lambda message: refused.append(f"{message.location.get('url')}: {message.text}")
                   if "Content Security Policy" in message.text else None)
        if lang:
            context.add_cookies([{"name": "lang", "value": lang, "url": server.url}])
        contexts.append(context)
        return context

    yield factory
    for context in contexts:
        context.close()
    assert not refused, "the Content-Security-Policy refused:\n" + "\n".join(refused)
