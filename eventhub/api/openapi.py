"""The OpenAPI 3.1 document of the public API, served at /api/v1/openapi.json.

The answers' schemas are generated from the pydantic shapes the serializers build (``schemas``), and
the event list's parameters from the model that reads them, so the document describes what is sent.
The paths, headers and errors are written here once, as data. tests/api/test_api_openapi.py checks
every route's real answers against it (schemathesis), errors included.
"""
from __future__ import annotations

from functools import cache

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from eventhub.api import problems, schemas

VERSION = "1.1.0"  # v1 plus description_html, the event list's parameters and problem details
REF = "#/components/schemas/{model}"
SHAPES = (schemas.EventList, schemas.EventDetail, schemas.Problem, schemas.ProblemType)


def _ref(model: type[BaseModel]) -> dict:
    return {"$ref": REF.format(model=model.__name__)}


def _header(description: str, schema: dict | None = None, required: bool = False) -> dict:
    return {"description": description, "required": required, "schema": schema or {"type": "string"}}


CORS = _header("Always *: any site may read the public API from a browser")
RATE_LIMIT_HEADERS = {
    "X-RateLimit-Limit": _header("Requests allowed from your address in the current window", {"type": "integer"}),
    "X-RateLimit-Remaining": _header("Requests left in the current window", {"type": "integer"}),
    "X-RateLimit-Reset": _header("When the window ends, in seconds since 1970 (UTC)", {"type": "integer"}),
}


def _ok(model: type[BaseModel] | None, description: str) -> dict:
    schema = _ref(model) if model else {"type": "object", "description": "This document"}
    return {
        "description": description,
        "headers": {
            "ETag": _header("The answer's version: send it back as If-None-Match", required=True),
            "Last-Modified": _header("When this answer (this ETag) was first served: for If-Modified-Since",
                                     required=True),
            "Cache-Control": _header("public, max-age=60: caches may keep the answer a minute", required=True),
            "Access-Control-Allow-Origin": CORS,
            **RATE_LIMIT_HEADERS,
        },
        "content": {"application/json": {"schema": schema}},
    }


NOT_MODIFIED = {
    "description": "Not modified: the ETag sent in If-None-Match is still the answer's version. No body.",
    "headers": {"ETag": _header("The same version", required=True), "Access-Control-Allow-Origin": CORS},
}


def _problem(description: str, **headers: dict) -> dict:
    return {
        "description": description,
        "headers": {"Content-Language": _header("en or sv, from Accept-Language"),
                    "Access-Control-Allow-Origin": CORS, **headers},
        "content": {problems.MEDIA_TYPE: {"schema": _ref(schemas.Problem)}},
    }


ERRORS = {
    "400": _problem("invalid_parameter: a query parameter was refused (see errors)"),
    "404": _problem("not_found: no such public event, or no such page of the API"),
    "406": _problem("not_acceptable: the Accept header allows no JSON"),
    "429": _problem("rate_limited: too many requests from this address",
                    **{"Retry-After": _header("Seconds to wait", {"type": "integer"}, required=True)}),
    "500": _problem("server_error: an error on our side"),
}


def _errors(*statuses: str) -> dict:
    return {status: ERRORS[status] for status in statuses}


COMMON_PARAMETERS = [
    {"name": "If-None-Match", "in": "header", "required": False, "schema": {"type": "string"},
     "description": "The ETag of an answer you have: 304 without a body while it is still current"},
    {"name": "If-Modified-Since", "in": "header", "required": False, "schema": {"type": "string"},
     "description": "The Last-Modified of an answer you have: 304 while it is still current "
                    "(If-None-Match, when sent too, decides)"},
    {"name": "Accept-Language", "in": "header", "required": False, "schema": {"type": "string"},
     "description": "The language of error texts: Swedish when it prefers sv, else English. "
                    "The data itself is in the language the organiser wrote it in (the event's language)."},
]


def _query_parameters(model: type[BaseModel]) -> list[dict]:
    """Query parameters from a pydantic model: optional ones, their null branch left out (a query has no null)."""
    properties = model.model_json_schema()["properties"]
    parameters = []
    for name, field in model.model_fields.items():
        schema = dict(properties[name])
        description = schema.pop("description", "")
        schema.pop("title", None)
        schema.pop("default", None)
        branches = [branch for branch in schema.pop("anyOf", [schema]) if branch.get("type") != "null"]
        parameters.append({"name": name, "in": "query", "required": field.is_required(),
                           "description": description, "schema": branches[0]})
    return parameters


def _operation(operation_id: str, summary: str, ok: dict, errors: dict, parameters: list | None = None) -> dict:
    return {"get": {
        "operationId": operation_id,
        "summary": summary,
        "parameters": [*(parameters or []), *COMMON_PARAMETERS],
        "responses": {"200": ok, "304": NOT_MODIFIED, **errors},
    }}


SLUG = {"name": "slug", "in": "path", "required": True, "description": "The event's address part (its slug)",
        "schema": {"type": "string", "minLength": 1, "maxLength": 120}}
PROBLEM_CODE = {"name": "code", "in": "path", "required": True, "description": "A problem's code",
                "schema": {"type": "string", "enum": sorted(problems.KINDS)}}


@cache
def _components() -> dict:
    _, top = models_json_schema([(model, "serialization") for model in SHAPES], ref_template=REF)
    # The shapes refuse unknown fields when the serializers build them; clients must not, since v1 adds fields.
    for shape in top["$defs"].values():
        shape.pop("additionalProperties", None)
    return top["$defs"]


def document(server_url: str) -> dict:
    """The whole document; ``server_url`` is where this app is served (the API's links are absolute too)."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "EventHub public API",
            "version": VERSION,
            "summary": "Published events and their programmes, for embedding on other sites",
            "description": (
                "Read-only and public: no key, no cookies, the same answer for everyone. Every answer may be "
                "cached a minute and revalidated with If-None-Match (304). Browsers on any site may read it "
                "(Access-Control-Allow-Origin: *). Errors are RFC 9457 problem details with a stable code. "
                "Rate limit per address: see the X-RateLimit headers; 429 with Retry-After beyond it. "
                "Fields are only ever added within v1."
            ),
        },
        "servers": [{"url": server_url.rstrip("/")}],
        "paths": {
            "/api/v1/events": _operation(
                "listEvents", "Published events: upcoming (soonest first) and past (latest first)",
                _ok(schemas.EventList, "The events"), _errors("400", "406", "429", "500"),
                _query_parameters(schemas.EventListQuery)),
            "/api/v1/events/{slug}": _operation(
                "getEvent", "One published (or cancelled) event with its public programme",
                _ok(schemas.EventDetail, "The event"), _errors("404", "406", "429", "500"), [SLUG]),
            "/api/v1/problems/{code}": _operation(
                "getProblemType", "What one kind of problem means (a problem's type URI)",
                _ok(schemas.ProblemType, "The kind of problem"), _errors("404", "406", "429", "500"),
                [PROBLEM_CODE]),
            "/api/v1/openapi.json": _operation(
                "getOpenApi", "This document", _ok(None, "The OpenAPI document"), _errors("406", "429", "500")),
        },
        "components": {"schemas": _components()},
    }
