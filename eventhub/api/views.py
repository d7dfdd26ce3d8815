from flask import Blueprint, abort, jsonify, request

from eventhub import headers
from eventhub.api import serializers
from eventhub.events import services
from eventhub.types import utcnow

bp = Blueprint("api", __name__, url_prefix="/api/v1")


CACHE_SECONDS = 60  # a newsletter's thousand readers within a minute cost one answer each cache


@bp.after_request
def public_json(response):
    # Organisers embed their programme on their own sites; the data is public, the same for everyone.
    response.headers["Access-Control-Allow-Origin"] = "*"
    headers.same_for_everyone()
    if request.method in ("GET", "HEAD") and response.status_code == 200:
        response.cache_control.public = True
        response.cache_control.max_age = CACHE_SECONDS
        response.add_etag()
        response.make_conditional(request)  # If-None-Match: 304 without the body
    return response


@bp.get("/events")
def event_list():
    listing = services.list_public_events(utcnow())
    return jsonify(
        upcoming=[serializers.event_summary(e) for e in listing.upcoming],
        past=[serializers.event_summary(e) for e in listing.past],
    )


@bp.get("/events/<slug>")
def event_detail(slug: str):
    try:
        event = services.get_public_event(slug)
    except services.EventNotFound:
        abort(404)
    return jsonify(serializers.event_detail(event))
