"""The host's scanner page and the JSON API it talks to; the digital participant's join link."""
from __future__ import annotations

from datetime import datetime
from functools import wraps
from typing import NoReturn

from flask import Blueprint, abort, current_app, g, jsonify, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from eventhub import keyring
from eventhub.accounts import services as accounts
from eventhub.accounts.access import event_access
from eventhub.checkin import join as join_services
from eventhub.checkin import services
from eventhub.extensions import limiter
from eventhub.registration import errors as registration
from eventhub.registration.access import personal_link
from eventhub.types import utcnow

bp = Blueprint("checkin", __name__)

NONCE_MAX = 64


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


def _bad_request() -> NoReturn:
    """A request our scanner never sends: a JSON error, so the page does not take it for an
    expired CSRF token (that 400 comes from Flask-WTF, without our JSON) and retry."""
    response = jsonify(error={"code": "bad_request", "message": _("That is not a ticket code.")})
    response.status_code = 400
    abort(response)


def _payload() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        _bad_request()
    return data


def _valid_nonce(value) -> bool:
    return isinstance(value, str) and 8 <= len(value) <= NONCE_MAX


def _nonce(data: dict) -> str:
    nonce = data.get("nonce")
    if not _valid_nonce(nonce):
        _bad_request()
    return nonce


def _whole_number(value) -> int:
    """An id as JSON sends it: a number, not a bool or a string (its range is the service's business)."""
    if not isinstance(value, int) or isinstance(value, bool):
        _bad_request()
    return value


def _parse_time(value) -> datetime | None:
    """An ISO time with its offset; None if missing; raises ValueError if not a time."""
    if not value:
        return None
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment if moment.tzinfo else None


def _scanned_at(data: dict) -> datetime | None:
    try:
        return _parse_time(data.get("scanned_at"))
    except ValueError:
        _bad_request()


@bp.get("/checkin/<slug>")
@event_access("host")
def scanner(slug):
    return render_template("checkin/scanner.html", event=g.event, counters=services.counters(g.event.id),
                           can_walk_in="on_site" in g.event.modes)


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
    data = _payload()
    code = data.get("code")
    if not isinstance(code, str) or not code.strip() or len(code) > 200:
        return _api_error(400, "bad_code", _("That is not a ticket code."))
    result = services.scan(g.event_id, code, g.host_id, _nonce(data), utcnow(), keyring.current(),
                           scanned_at=_scanned_at(data), offline=bool(data.get("offline")))
    return jsonify(result=result.as_dict(), counters=result.counters)


@bp.post("/checkin/<slug>/api/checkin")
@host_api
@limiter.limit(_checkin_limit, key_func=_host_key)
def check_in_found(slug):
    data = _payload()
    registration_id = _whole_number(data.get("registration_id"))
    result = services.check_in_registration(g.event_id, registration_id, g.host_id, _nonce(data), utcnow(),
                                            scanned_at=_scanned_at(data), offline=bool(data.get("offline")))
    return jsonify(result=result.as_dict(), counters=result.counters)


@bp.post("/checkin/<slug>/api/sync")
@host_api
@limiter.limit(_checkin_limit, key_func=_host_key)
def sync(slug):
    """Scans made offline, in the order they were made. Each is answered; none counts twice."""
    items = _payload().get("items")
    if not isinstance(items, list) or len(items) > 500:
        _bad_request()
    results = []
    for item in items:
        # One item the server cannot read must not hold up the rest of the phone's queue: it is
        # answered "no ticket matches", by its nonce, so the phone drops it and reports it.
        nonce = item.get("nonce") if isinstance(item, dict) else None
        if not _valid_nonce(nonce):
            continue  # nothing to answer it by; our scanner always sends one
        code, registration_id = item.get("code"), item.get("registration_id")
        try:
            when = _parse_time(item.get("scanned_at"))
        except ValueError:
            when = None  # the server's time, as for a phone whose clock is off
        if isinstance(code, str) and code.strip() and len(code) <= 200:
            result = services.scan(g.event_id, code, g.host_id, nonce, utcnow(), keyring.current(),
                                   scanned_at=when, offline=True, read_counters=False)
        elif isinstance(registration_id, int) and not isinstance(registration_id, bool):
            result = services.check_in_registration(g.event_id, registration_id, g.host_id, nonce,
                                                    utcnow(), scanned_at=when, offline=True, read_counters=False)
        else:
            result = services.ScanResult(colour="red", reason="not_found")
        results.append({"nonce": nonce, **result.as_dict()})
    return jsonify(results=results, counters=services.counters(g.event_id))


@bp.post("/checkin/<slug>/api/undo")
@host_api
def undo(slug):
    check_in_id = _whole_number(_payload().get("check_in_id"))
    try:
        person = services.undo(g.event_id, check_in_id, g.host_id, utcnow())
    except services.UnknownCheckIn:
        return _api_error(404, "unknown", _("That check-in cannot be undone."))
    return jsonify(undone=True, name=person.name, counters=services.counters(g.event_id))


@bp.post("/checkin/<slug>/api/search")
@host_api
@limiter.limit(_checkin_limit, key_func=_host_key)
def search(slug):
    # POST, not GET: the names a host types stay out of URLs, and so out of access logs.
    query = _payload().get("q")
    people = services.search(g.event_id, query[:100] if isinstance(query, str) else "")
    return jsonify(people=[{
        "id": person.id, "name": person.name, "organisation": person.organisation, "mode": person.mode,
        "status": person.status, "checked_in": person.checked_in_at is not None,
        "groups": services.groups_of(person),
    } for person in people])


@bp.post("/checkin/<slug>/api/switch")
@host_api
def switch(slug):
    registration_id = _whole_number(_payload().get("registration_id"))
    try:
        services.switch_to_on_site(g.event_id, registration_id, g.host_id, utcnow(), keyring.current())
    except services.NotAtTheDoor:
        return _api_error(409, "not_digital", _("Only a digital registrant can be moved to on site here."))
    except registration.NoSeatsLeft:
        return _api_error(409, "full", _("There are no seats left on site."))
    return jsonify(switched=True)


@bp.post("/checkin/<slug>/api/walk-in")
@host_api
def walk_in(slug):
    data = _payload()
    name, email = data.get("name"), data.get("email")
    try:
        result = services.walk_in(g.event_id, name if isinstance(name, str) else "",
                                  email if isinstance(email, str) else None, g.host_id, utcnow(), keyring.current(),
                                  _nonce(data))
    except services.NameMissing:
        return _api_error(400, "name", _("Enter the person's name."))
    except services.EmailInvalid:
        return _api_error(400, "email", _("Enter an email address like name@example.se, or leave it empty."))
    except registration.NoSeatsLeft:
        return _api_error(409, "full", _("There are no seats left on site."))
    except registration.ModeNotOffered:  # a digital-only event has no seats on site at all
        return _api_error(409, "no_on_site", _("There are no seats left on site."))
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
