from flask import Blueprint, abort, jsonify

from eventhub.api import serializers
from eventhub.events import services
from eventhub.types import utcnow

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.after_request
def allow_embedding(response):
    # Organisers embed their programme on their own sites; the data is public.
    response.headers["Access-Control-Allow-Origin"] = "*"
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
