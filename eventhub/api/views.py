"""The public API: read-only JSON for embedding (docs/api.md), with its OpenAPI document and problem details."""
from datetime import timedelta

from flask import Blueprint, abort, current_app, jsonify, request
from pydantic import BaseModel, ValidationError

from eventhub import caching, headers
from eventhub.api import openapi, problems, schemas, serializers
from eventhub.events import services
from eventhub.extensions import limiter
from eventhub.types import utcnow

bp = Blueprint("api", __name__, url_prefix="/api/v1")


CACHE_SECONDS = 60  # a newsletter's thousand readers within a minute cost one answer each cache
JSON_TYPES = ("application/json", problems.MEDIA_TYPE)
# What a browser on another site may read besides the CORS-safelisted headers.
EXPOSED_HEADERS = "ETag, Last-Modified, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset"


def _api_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


# One budget per address for the whole API, whichever route it spends it on.
limiter.shared_limit(_api_limit, scope="api", exempt_when=lambda: request.method == "OPTIONS")(bp)


@bp.before_request
def answers_json_only():
    if request.accept_mimetypes.provided and not request.accept_mimetypes.best_match(JSON_TYPES):
        abort(406)


@bp.after_app_request
def public_json(response):
    """Every answer under /api/ (errors and unknown addresses too) is public and readable from any site."""
    if not problems.in_api(request.path):
        return response
    # Organisers embed their programme on their own sites; the data is public, the same for everyone.
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    if request.method == "OPTIONS":  # a preflight: a script that sends If-None-Match itself asks first
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD"
        response.headers["Access-Control-Allow-Headers"] = "If-None-Match, If-Modified-Since, Accept, Accept-Language"
        response.headers["Access-Control-Max-Age"] = "86400"
    headers.same_for_everyone()
    if request.method in ("GET", "HEAD") and response.status_code == 200:
        response.cache_control.public = True
        response.cache_control.max_age = CACHE_SECONDS
        response.add_etag()
        response.last_modified = _first_served(response.get_etag()[0])
        response.make_conditional(request)  # If-None-Match (else If-Modified-Since): 304 without the body
    return response


def _first_served(etag: str):
    """When this answer (its ETag) was first served at this address: its Last-Modified.

    Nothing stored says when an answer last changed (a seat an override added, the clock moving an
    event from upcoming to past), so the time an answer is first seen is kept (the shared cache) with
    its ETag; another answer gets a later time, even within the same second, and a value that is lost
    (a cache emptied) only makes the time later: If-Modified-Since never gets a 304 for changed content.
    """
    now = utcnow().replace(microsecond=0)
    name = caching.key("api-served", request.full_path, request.headers.get("Accept-Language", ""))
    seen = caching.get(name)
    if seen is not None and seen[0] == etag:
        return seen[1]
    served = max(now, seen[1] + timedelta(seconds=1)) if seen is not None else now
    caching.put(name, (etag, served))
    return served


def _json(shape: BaseModel):
    return jsonify(shape.model_dump(mode="json"))


def _query(model: type[BaseModel]):
    """The query parameters read through ``model``; None and a problem answer when any is refused."""
    try:
        return model.model_validate(request.args.to_dict(flat=True)), None
    except ValidationError as error:
        return None, problems.invalid_parameters([str(e["loc"][0]) for e in error.errors()])


@bp.get("/events")
def event_list():
    query, refused = _query(schemas.EventListQuery)
    if refused:
        return refused
    listing = services.list_public_events(utcnow())
    upcoming, past = listing.upcoming, listing.past
    if query.organiser is not None:
        upcoming, past = services.organisers_events(query.organiser, upcoming), \
            services.organisers_events(query.organiser, past)
    if query.limit is not None:
        upcoming, past = upcoming[:query.limit], past[:query.limit]
    return _json(serializers.event_list(upcoming, past))


@bp.get("/events/<slug>")
def event_detail(slug: str):
    try:
        event = services.get_public_event(slug)
    except services.EventNotFound:
        abort(404)
    return _json(serializers.event_detail(event))


@bp.get("/problems/<code>")
def problem_type(code: str):
    kind = problems.kind_of(code)
    if kind is None:
        abort(404)
    response = _json(kind)
    response.headers["Content-Language"] = problems.language()
    response.vary.add("Accept-Language")
    return response


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(openapi.document(request.host_url))
