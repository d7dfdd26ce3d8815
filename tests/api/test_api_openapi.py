"""The OpenAPI document (/api/v1/openapi.json) against the app's real answers, with schemathesis.

Two ways: schemathesis generates requests for every operation from the document, valid and invalid
(parameters it fuzzes, methods the API does not answer), and checks each answer's status, media type,
headers and body against the document; and a table of chosen requests covers what generation would
seldom hit: the demo's events, 304, 406, 429 and 500, each answer validated against the document too.
"""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import OpenAPIV31SpecValidator
from schemathesis.checks import not_a_server_error

from config import TestingConfig
from eventhub import create_app
from eventhub.events import services

BORAS = "integration-i-arbetslivet"
EXAMPLES = 25  # per operation and mode: every parameter's edges within a few seconds
OPERATIONS = {"/api/v1/events", "/api/v1/events/{slug}", "/api/v1/problems/{code}", "/api/v1/openapi.json"}


def _load(app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


@pytest.fixture
def api_schema(app, demo):
    return _load(app)


POSITIVE, NEGATIVE = schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE
# The document itself takes nothing that could be out of bounds (only optional headers): no negative cases.
GENERATED = [(path, POSITIVE) for path in sorted(OPERATIONS)] + \
    [(path, NEGATIVE) for path in sorted(OPERATIONS - {"/api/v1/openapi.json"})]


@pytest.mark.parametrize("path, mode", GENERATED)
def test_api_answers_generated_requests_as_its_document_says(api_schema, path, mode):
    """Valid requests (positive) and requests the document does not allow (negative: a 4xx is expected)."""
    # schemathesis' own pytest runner (from_fixture) needs a pytest older than ours, so Hypothesis runs here.
    @given(case=api_schema[path]["GET"].as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def answers_as_documented(case):
        case.call_and_validate()

    answers_as_documented()


def test_the_document_is_valid_openapi_3_1_and_describes_every_api_route(app):
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    assert [error.message for error in OpenAPIV31SpecValidator(document).iter_errors()] == []
    routes = {rule.rule.replace("<", "{").replace(">", "}") for rule in app.url_map.iter_rules()
              if rule.endpoint.startswith("api.")}
    assert routes == OPERATIONS == set(document["paths"])
    assert {"EventList", "EventDetail", "Problem", "ProblemType"} <= set(document["components"]["schemas"])


def test_the_document_lists_every_field_the_serializers_send(client, demo):
    """Generated from the shapes the serializers build, so a field cannot be sent undocumented."""
    document = client.get("/api/v1/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    detail = client.get(f"/api/v1/events/{BORAS}").get_json()
    assert set(detail) == set(schemas["EventDetail"]["properties"])
    assert set(detail["programme"][0]) == set(schemas["ProgrammeItem"]["properties"])
    group = next(g for item in detail["programme"] for g in item["groups"])
    assert set(group) == set(schemas["Group"]["properties"])


def _validated(app, schema, path: str, *, path_parameters=None, query=None, headers=None, excluded_checks=()):
    """A request sent with Flask's test client, its answer validated against the document (schemathesis)."""
    case = schema[path]["GET"].Case(path_parameters=path_parameters or {}, query=query or {}, headers=headers or {})
    response = app.test_client().get(case.formatted_path, query_string=case.query, headers=case.headers)
    case.validate_response(response, excluded_checks=list(excluded_checks))
    return response


CHOSEN = [
    ("/api/v1/events", {}, {}, {}, 200),
    ("/api/v1/events", {}, {"limit": 1, "organiser": "agenda-2030-i-vast"}, {}, 200),
    ("/api/v1/events", {}, {"limit": 0}, {}, 400),
    ("/api/v1/events", {}, {"organiser": ""}, {"Accept-Language": "sv"}, 400),
    ("/api/v1/events", {}, {}, {"Accept": "text/html"}, 406),
    ("/api/v1/events/{slug}", {"slug": BORAS}, {}, {}, 200),
    ("/api/v1/events/{slug}", {"slug": "fast-kunskapsseminarium"}, {}, {}, 200),
    ("/api/v1/events/{slug}", {"slug": "no-such-event"}, {}, {}, 404),
    ("/api/v1/events/{slug}", {"slug": BORAS}, {}, {"Accept": "image/png"}, 406),
    ("/api/v1/problems/{code}", {"code": "rate_limited"}, {}, {"Accept-Language": "sv"}, 200),
    ("/api/v1/openapi.json", {}, {}, {}, 200),
    ("/api/v1/openapi.json", {}, {}, {"Accept": "text/csv"}, 406),
]


@pytest.mark.parametrize("path, path_parameters, query, headers, status", CHOSEN)
def test_chosen_requests_answer_as_the_document_says(app, api_schema, path, path_parameters, query, headers,
                                                    status):
    response = _validated(app, api_schema, path, path_parameters=path_parameters, query=query, headers=headers)
    assert response.status_code == status


@pytest.mark.parametrize("path, path_parameters", [
    ("/api/v1/events", {}), ("/api/v1/events/{slug}", {"slug": BORAS}),
    ("/api/v1/problems/{code}", {"code": "not_found"}), ("/api/v1/openapi.json", {}),
])
def test_an_unchanged_answer_is_304_as_the_document_says(app, api_schema, path, path_parameters):
    etag = _validated(app, api_schema, path, path_parameters=path_parameters).headers["ETag"]
    again = _validated(app, api_schema, path, path_parameters=path_parameters, headers={"If-None-Match": etag})
    assert again.status_code == 304


def test_a_server_error_answers_as_the_document_says(app, api_schema, monkeypatch):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def broken(now):
        raise RuntimeError("database gone")

    monkeypatch.setattr(services, "list_public_events", broken)
    # Only the check that no answer is a 5xx is left out: its status, headers and body are checked.
    response = _validated(app, api_schema, "/api/v1/events", excluded_checks=[not_a_server_error])
    assert response.status_code == 500


def test_the_rate_limit_answers_as_the_document_says(database):
    app = create_app(TestingConfig, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                     API_RATE_LIMIT="2 per minute", **database)
    schema = _load(app)  # the first of the two requests
    assert _validated(app, schema, "/api/v1/events").status_code == 200
    assert _validated(app, schema, "/api/v1/events").status_code == 429
