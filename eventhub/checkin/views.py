"""The host's scanner page and the JSON API it talks to; the digital participant's join link."""
from __future__ import annotations

import hashlib
from datetime import timedelta
from functools import lru_cache, wraps
from pathlib import Path
from typing import NoReturn, TypeVar

from flask import Blueprint, abort, current_app, g, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from pydantic import BaseModel, ValidationError

from eventhub import keyring
from eventhub.accounts import services as accounts
from eventhub.accounts.access import event_access
from eventhub.checkin import join as join_services
from eventhub.checkin import schemas, services
from eventhub.extensions import limiter
from eventhub.registration import errors as registration
from eventhub.registration.access import personal_link
from eventhub.types import utcnow

bp = Blueprint("checkin", __name__)
Body = TypeVar("Body", bound=BaseModel)

def _api_error(status: int, code: str, message: str):
    return jsonify(error={"code": code, "message": message}), status


def host_api(view):
    """Like event_access("host"), but answers in JSON: the scanner calls this with fetch()."""

    @wraps(view)
    def wrapped(slug, *args, **kwargs):
        if not current_user.is_authenticated:
            return _api_error(401, "signed_out", _("You are signed out. Sign in again; scans wait on this phone."))
        event_id = accounts.hosted_event_id(current_user, slug)
        if event_id is None:
            return _api_error(404, "no_event", _("You are not a host of this event."))
        # Ids as plain values: a commit expires the loaded user, and reading current_user.id
        # afterwards would load it again.
        g.event_id, g.host_id = event_id, current_user.id
        return view(slug, *args, **kwargs)

    return wrapped


def _host_key() -> str:
    return f"host:{current_user.get_id()}" if current_user.is_authenticated else request.remote_addr or "?"


def _checkin_limit() -> str:
    return current_app.config["CHECKIN_RATE_LIMIT"]


def _bad_request(code: str = "bad_request") -> NoReturn:
    """A request our scanner never sends: a JSON error, so the page does not take it for an
    expired CSRF token (that 400 comes from Flask-WTF, without our JSON) and retry."""
    response = jsonify(error={"code": code, "message": _("That is not a ticket code.")})
    response.status_code = 400
    abort(response)


def _read(schema: type[Body]) -> Body:
    """The JSON body through its schema, or our JSON 400. A code that is no ticket code says so (bad_code).
    The body is read by the app's one input rule (eventhub.inputs: no control characters, not too deep)."""
    if not request.is_json:
        _bad_request()
    try:
        return schema.model_validate(request.get_json(silent=True))
    except ValidationError as error:
        _bad_request("bad_code" if any(problem["loc"][:1] == ("code",) for problem in error.errors())
                     else "bad_request")


@bp.get("/checkin/<slug>")
@event_access("host")
def scanner(slug):
    return render_template("checkin/scanner.html", event=g.event, counters=services.counters(g.event.id),
                           can_walk_in="on_site" in g.event.modes, cache_name=_offline_cache_name(),
                           forget_after=FORGET_AFTER)


# The door's copy of the ticket list (names) is wiped this long after the event: late arrivals are
# done, and a phone that was offline at the end has had the evening to sync.
FORGET_AFTER = timedelta(hours=12)

# What the scanner needs to start without a network; the service worker keeps these.
SCANNER_ASSETS = ("css/app.css", "js/forms.js", "js/checkin/main.js", "js/checkin/api.js", "js/checkin/camera.js",
                  "js/checkin/decide.js", "js/checkin/screen.js", "js/checkin/store.js", "js/checkin/tickets.js",
                  "js/checkin/offline.js", "js/checkin/decoder-worker.js", "vendor/jsqr/jsQR.js",
                  "img/checkin-192.png")


@lru_cache(maxsize=1)
def _offline_cache_name() -> str:
    """A name that changes with the scanner's files, so a new version replaces the kept copy."""
    digest = hashlib.sha256()
    for name in SCANNER_ASSETS + ("../templates/checkin/sw.js", "../templates/checkin/scanner.html"):
        digest.update((Path(current_app.static_folder) / name).read_bytes())
    return "eventhub-scanner-" + digest.hexdigest()[:12]


@bp.get("/checkin/sw.js")
def service_worker():
    """The scanner's service worker, at /checkin/ so that it may serve every scanner page."""
    body = render_template("checkin/sw.js", cache_name=_offline_cache_name(),
                           assets=[url_for("static", filename=name) for name in SCANNER_ASSETS])
    response = current_app.response_class(body, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/checkin/<slug>/manifest.webmanifest")
@event_access("host")
def manifest(slug):
    """Lets a host install the scanner of this event on the phone's home screen."""
    response = jsonify(
        name=_("Check-in: %(title)s", title=g.event.title), short_name=_("Check-in"),
        start_url=url_for(".scanner", slug=slug), scope=url_for(".scanner", slug=slug), display="standalone",
        background_color="#ffffff", theme_color="#0b5a7a", lang=str(get_locale()),
        icons=[{"src": url_for("static", filename=f"img/checkin-{size}.png"), "sizes": f"{size}x{size}",
                "type": "image/png"} for size in (192, 512)])
    response.mimetype = "application/manifest+json"
    return response


@bp.get("/checkin/<slug>/api/tickets")
@host_api
def tickets(slug):
    response = jsonify(tickets=services.offline_tickets(g.event_id, keyring.current()),
                       counters=services.counters(g.event_id), generated_at=utcnow().isoformat())
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/checkin/<slug>/api/counters")
@host_api
def counters(slug):
    return jsonify(services.counters(g.event_id))


@bp.post("/checkin/<slug>/api/scan")
@host_api
@limiter.limit(_checkin_limit, key_func=_host_key)
def scan(slug):
    body = _read(schemas.Scan)
    result = services.scan(g.event_id, body.code, g.host_id, body.nonce, utcnow(), keyring.current(),
                           scanned_at=body.scanned_at, offline=body.offline)
    return jsonify(result=result.as_dict(), counters=result.counters)


@bp.post("/checkin/<slug>/api/checkin")
@host_api
@limiter.limit(_checkin_limit, key_func=_host_key)
def check_in_found(slug):
    body = _read(schemas.CheckInFound)
    result = services.check_in_registration(g.event_id, body.registration_id, g.host_id, body.nonce, utcnow(),
                                            scanned_at=body.scanned_at, offline=body.offline)
    return jsonify(result=result.as_dict(), counters=result.counters)


_NOT_FOUND = services.ScanResult(colour=services.Colour.RED, reason=services.Reason.NOT_FOUND)


@bp.post("/checkin/<slug>/api/sync")
@host_api
@limiter.limit(_checkin_limit, key_func=_host_key)
def sync(slug):
    """Scans made offline, in the order they were made. Each is answered, by its place in the batch
    (``index``) and its nonce; none counts twice. One item the server cannot read must not hold up
    the rest of the phone's queue: it gets its own error (``bad_item``), the others are processed."""
    results = []
    for index, raw in enumerate(_read(schemas.Sync).items):
        item = schemas.SyncItem.read(raw)
        if item is None:  # our scanner always sends a nonce: nothing can be recorded without one
            results.append({"index": index, "nonce": schemas.SyncItem.nonce_of(raw), **_NOT_FOUND.as_dict(),
                            "error": {"code": "bad_item", "message": _("This check-in could not be read and was not "
                                                                       "saved: check the person in again.")}})
            continue
        if item.code is not None:
            result = services.scan(g.event_id, item.code, g.host_id, item.nonce, utcnow(), keyring.current(),
                                   scanned_at=item.scanned_at, offline=True, read_counters=False)
        elif item.registration_id is not None:
            result = services.check_in_registration(g.event_id, item.registration_id, g.host_id, item.nonce,
                                                    utcnow(), scanned_at=item.scanned_at, offline=True,
                                                    read_counters=False)
        else:  # neither a code nor an id it could read: no ticket matches, as for any code no ticket has
            result = _NOT_FOUND
        results.append({"index": index, "nonce": item.nonce, **result.as_dict()})
    return jsonify(results=results, counters=services.counters(g.event_id))


@bp.post("/checkin/<slug>/api/undo")
@host_api
def undo(slug):
    try:
        person = services.undo(g.event_id, _read(schemas.Undo).check_in_id, g.host_id, utcnow())
    except services.UnknownCheckIn:
        return _api_error(404, "unknown", _("That check-in cannot be undone."))
    return jsonify(undone=True, name=person.name, counters=services.counters(g.event_id))


@bp.post("/checkin/<slug>/api/search")
@host_api
@limiter.limit(_checkin_limit, key_func=_host_key)
def search(slug):
    # POST, not GET: the names a host types stay out of URLs, and so out of access logs.
    people = services.search(g.event_id, _read(schemas.Search).q)
    return jsonify(people=[{
        "id": person.id, "name": person.name, "organisation": person.organisation, "mode": person.mode,
        "status": person.status, "checked_in": person.checked_in_at is not None,
        "groups": services.groups_of(person),
    } for person in people])


@bp.post("/checkin/<slug>/api/switch")
@host_api
def switch(slug):
    try:
        services.switch_to_on_site(g.event_id, _read(schemas.Switch).registration_id, g.host_id, utcnow(),
                                   keyring.current())
    except services.NotAtTheDoor:
        return _api_error(409, "not_digital", _("Only a digital registrant can be moved to on site here."))
    except registration.NoSeatsLeft:
        return _api_error(409, "full", _("There are no places left on site."))
    return jsonify(switched=True)


@bp.post("/checkin/<slug>/api/walk-in")
@host_api
def walk_in(slug):
    body = _read(schemas.WalkIn)
    try:
        result = services.walk_in(g.event_id, body.name, body.email, g.host_id, utcnow(), keyring.current(),
                                  body.nonce)
    except services.NameMissing:
        return _api_error(400, "name", _("Enter the person's name."))
    except services.EmailInvalid:
        return _api_error(400, "email", _("Enter an email address like name@example.se, or leave it empty."))
    except registration.NoSeatsLeft:
        return _api_error(409, "full", _("There are no places left on site."))
    except registration.ModeNotOffered:  # a digital-only event has no seats on site at all
        return _api_error(409, "no_on_site", _("There are no places left on site."))
    except registration.AlreadyRegistered:
        return _api_error(409, "registered", _("That address is already registered: search for the name instead."))
    except registration.RegistrationClosed:
        return _api_error(409, "closed", _("The event is cancelled."))
    return jsonify(result=result.as_dict(), counters=result.counters)


# --- digital check-in -------------------------------------------------------------------------

@bp.get("/r/<token>/join")
@personal_link
def join(registration, token):
    try:
        target = join_services.join(registration.id, utcnow())
    except join_services.JoinNotOpen as error:
        return render_template("checkin/join.html", person=registration, event=registration.event,
                               state="not_open", opens_at=error.opens_at), 425
    except join_services.JoinClosed:
        return render_template("checkin/join.html", person=registration, event=registration.event,
                               state="closed"), 410
    except join_services.NotDigital:
        return render_template("checkin/join.html", person=registration, event=registration.event,
                               state="not_digital"), 403
    return redirect(target, code=303)
