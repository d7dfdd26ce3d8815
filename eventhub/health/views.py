"""GET /healthz for load balancers and monitors: 200 when this server can serve, else 503."""
from flask import Blueprint, current_app, jsonify

from eventhub.extensions import limiter
from eventhub.health import services
from eventhub.types import utcnow

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@limiter.exempt  # a monitor polls it often, and it must answer even when the limit store is down
def healthz():
    config = current_app.config
    report = services.report(utcnow(), config["RATELIMIT_STORAGE_URI"], config.get("RATELIMIT_STORAGE_OPTIONS", {}))
    response = jsonify(report.as_json())
    response.status_code = 200 if report.healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response
