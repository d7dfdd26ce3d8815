"""The public API's errors: RFC 9457 problem details with a stable code (eventhub.api.problems)."""
from __future__ import annotations

import pytest

from config import TestingConfig
from eventhub import create_app
from eventhub.events import services

PROBLEM = "application/problem+json"


def _problem(response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response.mimetype == PROBLEM
    body = response.get_json(force=True)
    assert set(body) >= {"type", "title", "status", "detail", "code"}
    assert body["status"] == status and body["code"] == code
    assert body["type"].startswith("http") and body["type"].endswith(f"/api/v1/problems/{code}")
    assert body["title"] and body["detail"]
    return body


@pytest.mark.parametrize("method, path, headers, status, code", [
    ("GET", "/api/v1/events/no-such-event", {}, 404, "not_found"),
    ("GET", "/api/v1/events/draft", {}, 404, "not_found"),
    ("GET", "/api/v1/nothing-here", {}, 404, "not_found"),
    ("GET", "/api/v2/events", {}, 404, "not_found"),
    ("GET", "/api/v1/problems/no_such_problem", {}, 404, "not_found"),
    ("GET", "/api/v1/events?limit=0", {}, 400, "invalid_parameter"),
    ("GET", "/api/v1/events?limit=101", {}, 400, "invalid_parameter"),
    ("GET", "/api/v1/events?limit=some", {}, 400, "invalid_parameter"),
    ("GET", "/api/v1/events?organiser=", {}, 400, "invalid_parameter"),
    ("POST", "/api/v1/events", {}, 405, "method_not_allowed"),
    ("DELETE", "/api/v1/events/draft", {}, 405, "method_not_allowed"),
    ("GET", "/api/v1/events", {"Accept": "text/html"}, 406, "not_acceptable"),
    ("GET", "/api/v1/events/draft", {"Accept": "application/xml"}, 406, "not_acceptable"),
], ids=lambda value: value if isinstance(value, str) and value.startswith("/") else None)
def test_api_errors_are_problem_details(client, make_event, method, path, headers, status, code):
    make_event(slug="draft", status="draft")
    response = client.open(path, method=method, headers=headers)
    _problem(response, status, code)
    assert response.headers["Access-Control-Allow-Origin"] == "*"  # a script on another site can read why
    assert "Cookie" not in response.headers.get("Vary", "")


def test_api_method_not_allowed_names_the_allowed_methods(client):
    response = client.post("/api/v1/events")
    assert set(response.headers["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD", "OPTIONS"}


def test_api_invalid_parameters_each_say_what_they_must_be(client):
    body = _problem(client.get("/api/v1/events?limit=0&organiser="), 400, "invalid_parameter")
    assert {error["name"] for error in body["errors"]} == {"limit", "organiser"}
    assert next(e for e in body["errors"] if e["name"] == "limit")["detail"] == \
        "Must be a whole number from 1 to 100."
    swedish = client.get("/api/v1/events?limit=0", headers={"Accept-Language": "sv"}).get_json()
    assert swedish["title"] == "Ogiltig frågeparameter"
    assert swedish["errors"] == [{"name": "limit", "detail": "Måste vara ett heltal från 1 till 100."}]


@pytest.mark.parametrize("accept_language, language, title", [
    (None, "en", "Not found"),
    ("en-GB,en;q=0.9", "en", "Not found"),
    ("de-DE,de;q=0.9", "en", "Not found"),
    ("sv", "sv", "Hittades inte"),
    ("sv-SE,sv;q=0.9,en;q=0.8", "sv", "Hittades inte"),
    ("en;q=0.9,sv", "sv", "Hittades inte"),
])
def test_api_problem_texts_are_english_unless_swedish_is_preferred(client, accept_language, language, title):
    headers = {"Accept-Language": accept_language} if accept_language else {}
    response = client.get("/api/v1/events/nope", headers=headers)
    assert _problem(response, 404, "not_found")["title"] == title
    assert response.headers["Content-Language"] == language
    assert "Accept-Language" in response.headers["Vary"]


def test_api_problem_texts_ignore_the_pages_language_cookie(client):
    client.set_cookie("lang", "sv")  # chosen on the pages; the API reads no cookie
    assert client.get("/api/v1/events/nope").get_json()["title"] == "Not found"


@pytest.mark.parametrize("accept", ["application/json", "application/problem+json", "*/*", "application/*",
                                    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"])
def test_api_answers_json_to_any_accept_that_allows_it(client, accept):
    assert client.get("/api/v1/events", headers={"Accept": accept}).status_code == 200


@pytest.mark.parametrize("code", ["invalid_parameter", "not_found", "method_not_allowed", "not_acceptable",
                                  "rate_limited", "server_error"])
def test_every_problem_type_describes_itself_at_its_type_uri(client, code):
    response = client.get(f"/api/v1/problems/{code}")
    assert response.status_code == 200
    kind = response.get_json()
    assert kind["code"] == code and kind["type"].endswith(f"/api/v1/problems/{code}")
    assert kind["title"] and kind["description"]


def test_api_server_error_is_a_problem_and_pages_keep_their_html(app, client, monkeypatch):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the error handler answers

    def broken(now):
        raise RuntimeError("database gone")

    monkeypatch.setattr(services, "list_public_events", broken)
    body = _problem(client.get("/api/v1/events"), 500, "server_error")
    assert "database gone" not in str(body)
    page = client.get("/")
    assert page.status_code == 500 and page.mimetype == "text/html"


@pytest.fixture
def limited_client(database):
    app = create_app(TestingConfig, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                     API_RATE_LIMIT="3 per minute", **database)
    return app.test_client()


def test_api_rate_limit_is_a_problem_with_retry_after(limited_client):
    answers = [limited_client.get(path) for path in ("/api/v1/events", "/api/v1/openapi.json",
                                                     "/api/v1/events/nope", "/api/v1/events")]
    assert [a.status_code for a in answers[:3]] == [200, 200, 404]  # one budget for the whole API
    limited = answers[3]
    _problem(limited, 429, "rate_limited")
    assert int(limited.headers["Retry-After"]) > 0
    assert limited.headers["X-RateLimit-Limit"] == "3" and limited.headers["X-RateLimit-Remaining"] == "0"
    assert "Retry-After" in limited.headers["Access-Control-Expose-Headers"]


@pytest.mark.parametrize("method, path, status", [
    ("GET", "/no-such-page", 404),
    ("POST", "/", 405),
])
def test_html_pages_keep_their_html_error_pages(client, method, path, status):
    response = client.open(path, method=method)
    assert response.status_code == status and response.mimetype == "text/html"
    assert "Access-Control-Allow-Origin" not in response.headers


def test_the_door_api_keeps_its_own_json_error(client, make_event):
    slug = make_event()
    response = client.get(f"/checkin/{slug}/api/nothing-here")
    assert response.status_code == 404 and response.mimetype == "application/json"
    assert response.get_json()["error"]["status"] == 404
