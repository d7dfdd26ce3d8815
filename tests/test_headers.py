"""Security headers (eventhub/headers.py) on every kind of answer: pages, errors, static files, JSON,
PDFs, calendars, the scanner's worker; HSTS in production only; secret URLs send only the origin."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

import config
from config import ProductionConfig
from eventhub import create_app
from eventhub.accounts import services as accounts
from eventhub.extensions import db
from eventhub.headers import SECRET_URL_REFERRER_POLICY
from tests.accounts.support import csrf_from

BORAS = "integration-i-arbetslivet"
POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; "
          "connect-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'none'; "
          "form-action 'self'; frame-ancestors 'none'")
EVERY_ANSWER = {
    "Content-Security-Policy": POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Permissions-Policy": "camera=(self), geolocation=(), microphone=(), payment=(), usb=()",
}

ANSWERS = [
    ("GET", "/", 200, "text/html"),
    ("GET", f"/events/{BORAS}", 200, "text/html"),
    ("GET", "/static/css/app.css", 200, "text/css"),
    ("GET", "/static/js/checkin/main.js", 200, "text/javascript"),
    ("GET", "/api/v1/events", 200, "application/json"),
    ("GET", "/api/v1/events/no-such-event", 404, "application/problem+json"),
    ("POST", "/api/v1/events", 405, "application/problem+json"),
    ("GET", "/api/v1/openapi.json", 200, "application/json"),
    ("GET", "/no-such-page", 404, "text/html"),
    ("GET", "/account/logout", 405, "text/html"),
    ("POST", "/account/login", 400, "text/html"),  # no CSRF token
    ("GET", f"/events/{BORAS}/programme.pdf", 200, "application/pdf"),
    ("GET", f"/events/{BORAS}/event.ics", 200, "text/calendar"),
    ("GET", "/checkin/sw.js", 200, "text/javascript"),
]


@pytest.mark.parametrize(("method", "path", "status", "mimetype"), ANSWERS,
                         ids=[f"{method} {path}" for method, path, *_ in ANSWERS])
def test_every_kind_of_answer_has_the_security_headers(client, demo, method, path, status, mimetype):
    response = client.open(path, method=method)
    assert (response.status_code, response.mimetype) == (status, mimetype)
    assert {name: response.headers.get(name) for name in EVERY_ANSWER} == EVERY_ANSWER
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in response.headers  # not in development or tests


@pytest.mark.parametrize("path", [f"/r/{'A' * 32}", f"/r/{'A' * 32}/programme.pdf", f"/account/password/{'A' * 32}"])
def test_urls_with_a_secret_send_only_the_origin_as_referrer(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["Referrer-Policy"] == SECRET_URL_REFERRER_POLICY == "strict-origin"
    assert response.headers["Content-Security-Policy"] == POLICY


@pytest.fixture
def production(app, monkeypatch, tmp_path, database):
    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path / "instance")
    return create_app(ProductionConfig, SECRET_KEY="production-key", **database)


def test_production_sends_hsts_and_development_does_not(production, client):
    for base_url in ("https://localhost", "http://localhost"):  # browsers ignore it over http
        response = production.test_client().get("/account/login", base_url=base_url)
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
        assert response.headers["Content-Security-Policy"] == POLICY
    assert "Strict-Transport-Security" not in client.get("/account/login").headers


def test_a_password_link_form_works_over_https_with_only_the_origin_as_referrer(app, production):
    """Flask-WTF refuses a form over HTTPS without a Referer from this site, so a secret URL's policy
    must still send the origin (strict-origin), which is all that the check needs."""
    with app.app_context():
        _, token = accounts.create_user("nils@example.se", "Nils", "organiser", datetime.now(UTC))
        db.session.commit()
    client = production.test_client()
    url = f"/account/password/{token}"
    page = client.get(url, base_url="https://localhost")
    assert page.headers["Referrer-Policy"] == "strict-origin"
    form = {"csrf_token": csrf_from(page.get_data(as_text=True)), "password": "a long enough password",
            "confirm": "a long enough password"}
    refused = client.post(url, base_url="https://localhost", data=form)  # what no-referrer would send
    assert refused.status_code == 400
    accepted = client.post(url, base_url="https://localhost", data=form, headers={"Referer": "https://localhost/"})
    assert accepted.status_code == 303
