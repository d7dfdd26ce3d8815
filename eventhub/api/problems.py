"""The public API's errors as RFC 9457 problem details (``application/problem+json``), one list of kinds.

Every error under /api/ answers this way, whatever raised it (a view, the router, the rate limit, a
crash); the HTML pages keep their HTML error pages. Each kind has a stable ``code`` to program
against, and a ``type`` URI under /api/v1/problems/ that describes it.

The texts are for the developer reading the answer: English unless ``Accept-Language`` prefers Swedish.
The API reads no cookie, so a visitor's language choice on the pages does not reach it; the answer
names its language (``Content-Language``) and varies by ``Accept-Language`` for caches.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import Response, json, request, url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from eventhub.api.schemas import LIMIT_MAX, InvalidParameter, Problem, ProblemType

MEDIA_TYPE = "application/problem+json"
PREFIX = "/api/"
LANGUAGES = ("en", "sv")  # English first: the API's readers are developers, wherever they are


@dataclass(frozen=True)
class Kind:
    code: str
    status: int
    title: object  # lazy text, rendered in the answer's language
    detail: object


KINDS = {kind.code: kind for kind in (
    Kind("invalid_parameter", 400, _l("Invalid query parameter"),
         _l("A query parameter has a value this API does not accept; see errors.")),
    Kind("bad_request", 400, _l("Bad request"), _l("The request could not be read.")),
    Kind("not_found", 404, _l("Not found"),
         _l("There is nothing public at this address: no such event, or it is not published.")),
    Kind("method_not_allowed", 405, _l("Method not allowed"),
         _l("The public API only answers GET (and HEAD); the Allow header lists the methods here.")),
    Kind("not_acceptable", 406, _l("Not acceptable"),
         _l("This API answers in JSON only; send Accept: application/json (or leave Accept out).")),
    Kind("rate_limited", 429, _l("Too many requests"),
         _l("Too many requests from your address in a short while. Wait as long as Retry-After says, "
            "and keep answers cached: an unchanged answer costs nothing with If-None-Match.")),
    Kind("server_error", 500, _l("Server error"),
         _l("An error on our side stopped this answer. Try again in a moment.")),
)}
# What each query parameter must be, for the errors of invalid_parameter (pydantic's own texts are English only).
PARAMETER_RULES = {
    "limit": _l("Must be a whole number from 1 to %(most)s.", most=LIMIT_MAX),
    "organiser": _l("Must be an organiser's key as in the address of their page: lower-case letters a to z, "
                    "digits and single dashes, at most 80."),
}
BY_STATUS = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 406: "not_acceptable",
             429: "rate_limited", 500: "server_error"}


def in_api(path: str) -> bool:
    return path.startswith(PREFIX)


def language() -> str:
    return request.accept_languages.best_match(LANGUAGES, default=LANGUAGES[0])


def type_url(code: str) -> str:
    return url_for("api.problem_type", code=code, _external=True)


def invalid_parameters(names: list[str]) -> Response:
    """400 invalid_parameter naming each refused query parameter and what it must be."""
    return problem("invalid_parameter", errors=[(name, PARAMETER_RULES[name]) for name in dict.fromkeys(names)])


def problem(code: str, *, detail: str | None = None, errors: list[tuple[str, object]] | None = None,
            status: int | None = None, title: str | None = None) -> Response:
    """The problem+json answer of one kind; ``errors`` as (parameter, what is wrong) pairs."""
    kind = KINDS.get(code)
    spoken = language()
    with force_locale(spoken):
        fields = {
            "type": type_url(code) if kind else "about:blank",
            "title": title or str(kind.title),
            "status": status or kind.status,
            "detail": detail or str(kind.detail),
            "code": code,
        }
        if errors:
            fields["errors"] = [InvalidParameter(name=name, detail=str(text)) for name, text in errors]
        body = Problem(**fields).model_dump(mode="json", exclude_unset=True)
    response = Response(json.dumps(body), status=body["status"], mimetype=MEDIA_TYPE)
    response.headers["Content-Language"] = spoken
    response.vary.add("Accept-Language")
    return response


def for_error(error: HTTPException) -> Response:
    """The problem answer for an HTTP error raised anywhere under /api/, with its headers (Allow, Retry-After)."""
    code = BY_STATUS.get(error.code)
    if code is None:  # a status with no kind of its own: described by its HTTP status (RFC 9457 about:blank)
        response = problem(_code_of(error), status=error.code, title=error.name,
                           detail=error.description or error.name)
    else:
        response = problem(code)
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def _code_of(error: HTTPException) -> str:
    return "_".join(error.name.lower().replace("-", " ").split())


def kind_of(code: str) -> ProblemType | None:
    """The description of one kind of problem, in the answer's language (its ``type`` URI serves it)."""
    kind = KINDS.get(code)
    if kind is None:
        return None
    with force_locale(language()):
        return ProblemType(type=type_url(code), code=code, status=kind.status,
                           title=str(kind.title), description=str(kind.detail))
