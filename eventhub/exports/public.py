"""Calendars and PDFs that attendees and the public download."""
from __future__ import annotations

from urllib.parse import urlparse

from flask import Blueprint, abort, current_app, request

from eventhub.events import services as events
from eventhub.exports import calendars
from eventhub.modes import Mode
from eventhub.programme import services as programme
from eventhub.registration import services as registration

bp = Blueprint("documents", __name__)

CALENDAR_TYPE = "text/calendar; charset=utf-8"


def _base() -> str:
    return current_app.config["BASE_URL"].rstrip("/")


def _links(event, token: str | None = None) -> calendars.Links:
    base = _base()
    personal = f"{base}/r/{token}" if token else None
    join = f"{personal}/join" if token and "checkin.join" in current_app.view_functions else None
    return calendars.Links(event_url=f"{base}/events/{event.slug}", host=urlparse(base).hostname or "eventhub",
                           personal_url=personal, join_url=join)


def _public_event(slug: str):
    try:
        return events.get_public_event(slug)
    except events.EventNotFound:
        abort(404)


def _calendar_response(body: bytes, filename: str):
    response = current_app.response_class(body, mimetype="text/calendar")
    response.headers["Content-Type"] = CALENDAR_TYPE
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _viewer(event):
    try:
        return programme.parse_audience(event, request.args.get("audience"))
    except programme.AudienceError:
        abort(404)


@bp.get("/events/<slug>/event.ics")
def event_ics(slug):
    event = _public_event(slug)
    return _calendar_response(calendars.event_calendar(event, _links(event)), f"{slug}.ics")


@bp.get("/events/<slug>/programme.ics")
def programme_ics(slug):
    event = _public_event(slug)
    viewer = _viewer(event)
    name = f"{slug}-{viewer.value}.ics" if viewer else f"{slug}-programme.ics"
    return _calendar_response(calendars.programme_calendar(event, viewer, _links(event)), name)


@bp.get("/r/<token>/calendar.ics")
def personal_ics(token):
    person = registration.find_by_token(token)
    if person is None:
        abort(404)
    event = _public_event(person.event.slug)
    memberships = {m.item_id: m for m in person.memberships if m.status == "confirmed"}
    body = calendars.personal_calendar(event, Mode(person.mode), memberships, _links(event, token))
    if person.is_cancelled:
        # A cancelled registration keeps a valid feed (subscribed clients do not error) with every item cancelled.
        body = body.replace(b"STATUS:CONFIRMED", b"STATUS:CANCELLED")
    response = _calendar_response(body, f"{event.slug}.ics")
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
