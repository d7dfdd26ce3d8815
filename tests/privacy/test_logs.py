"""Nothing personal where it need not be: logs, URLs and redirects during a registration and a check-in.

The app runs with the production engine options (``hide_parameters``) and every logger at
INFO, SQLAlchemy's statement log included: the most a production log is ever set to.
"""
from __future__ import annotations

import logging
import re
import secrets
import urllib.parse
from http.cookiejar import CookieJar
from urllib.request import HTTPCookieProcessor, build_opener

import pytest

from config import Config, TestingConfig
from eventhub import create_app
from eventhub.extensions import db
from eventhub.registration import tokens
from eventhub.registration.models import Registration
from tests.attendees.support import sign_in, staff_member
from tests.conftest import LiveServer
from tests.privacy.support import token_of
from tests.registration.support import KEYS, csrf_token, event_by_slug

NAME, EMAIL, ORGANISATION = "Zlatan Personsson", "zlatan.personsson@example.se", "Hemliga Byrån"
DIETARY = "Glutenfri och nötallergi"
PERSONAL = (NAME, "Zlatan", "Personsson", EMAIL, "zlatan.personsson", ORGANISATION, DIETARY)
META_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


@pytest.fixture
def production_app(database):
    """The test database with the engine options production uses (the fixture's own replace them)."""
    options = {**Config.SQLALCHEMY_ENGINE_OPTIONS, **database.get("SQLALCHEMY_ENGINE_OPTIONS", {})}
    app = create_app(TestingConfig, **{**database, "SQLALCHEMY_ENGINE_OPTIONS": options})
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def verbose_logs(caplog):
    caplog.set_level(logging.INFO)
    for name in ("sqlalchemy.engine", "werkzeug", "eventhub", "flask_limiter"):
        caplog.set_level(logging.INFO, logger=name)
    return caplog


def _event(app) -> str:
    from datetime import UTC, datetime, timedelta

    from eventhub.events.models import Event

    with app.app_context():
        start = datetime.now(UTC) + timedelta(minutes=20)  # the door is open
        event = Event(slug="forum-loggar", title="Forumträff", starts_at=start, ends_at=start + timedelta(hours=3),
                      format="hybrid", status="published", on_site_seats=10)
        db.session.add(event)
        db.session.commit()
        return event.slug


def _no_personal_data(text: str) -> None:
    lowered = text.lower()
    leaked = [value for value in PERSONAL if value.lower() in lowered]
    assert leaked == [], f"personal data in the logs: {leaked}"


def test_logs_hold_no_name_or_email_during_registration_and_check_in(production_app, verbose_logs):
    app = production_app
    slug = _event(app)
    client = app.test_client()
    page = client.get(f"/events/{slug}/register").get_data(as_text=True)
    response = client.post(f"/events/{slug}/register", data={
        "csrf_token": csrf_token(page), "name": NAME, "email": EMAIL, "organisation": ORGANISATION,
        "mode": "on_site", "sector": "public", "language": "sv", "privacy": "y", "dietary_needs": DIETARY,
        "special_consent": "y"})
    assert response.status_code == 303
    locations = [response.headers["Location"]]
    with app.app_context():
        person = db.session.query(Registration).one()
        token, payload = token_of(person.id), tokens.ticket_payload(KEYS, person)
    assert client.get(f"/r/{token}").status_code == 200
    assert client.get(f"/r/{token}/my-data.json").status_code == 200

    staff_member(app, slug, "vard@example.se", "host")
    host = app.test_client()
    sign_in(host, "vard@example.se")
    csrf = META_CSRF.search(host.get(f"/checkin/{slug}").get_data(as_text=True)).group(1)
    assert host.get(f"/checkin/{slug}/api/tickets").status_code == 200
    scan = host.post(f"/checkin/{slug}/api/scan", json={"code": payload, "nonce": secrets.token_hex(12)},
                     headers={"X-CSRFToken": csrf})
    assert scan.get_json()["result"]["colour"] == "green"

    assert any(record.name.startswith("sqlalchemy.engine") for record in verbose_logs.records), \
        "the SQL log was meant to be on"
    _no_personal_data(verbose_logs.text)
    for location in locations:
        _no_personal_data(urllib.parse.unquote(location))


def test_access_log_of_a_real_server_holds_no_name_or_email(production_app, verbose_logs):
    """Through werkzeug's own server, whose access log names every URL requested."""
    app = production_app
    slug = _event(app)
    server = LiveServer(app).start()
    try:
        browser = build_opener(HTTPCookieProcessor(CookieJar()))
        page = browser.open(f"{server.url}/events/{slug}/register").read().decode()
        form = urllib.parse.urlencode({
            "csrf_token": csrf_token(page), "name": NAME, "email": EMAIL, "organisation": ORGANISATION,
            "mode": "on_site", "sector": "public", "language": "sv", "privacy": "y"}).encode()
        with browser.open(f"{server.url}/events/{slug}/register", data=form) as response:
            assert response.status == 200 and response.url.endswith(f"/events/{slug}/registered")
        with app.app_context():
            token = token_of(db.session.query(Registration).one().id)
            assert event_by_slug(slug).on_site_taken == 1
        browser.open(f"{server.url}/r/{token}").read()
    finally:
        server.stop()
    access = [record.getMessage() for record in verbose_logs.records if record.name == "werkzeug"]
    assert any("/register" in line for line in access) and any("/r/" in line for line in access)
    _no_personal_data("\n".join(access))
    _no_personal_data(verbose_logs.text)
