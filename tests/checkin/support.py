"""Helpers for the check-in tests (plain functions; fixtures are in conftest.py).

A ``Door`` is one host's scanner: a signed-in test client with the CSRF token the scanner
page carries in ``<meta name="csrf-token">``, posting JSON as the page's script does.
"""
from __future__ import annotations

import io
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

import zxingcpp
from PIL import Image
from sqlalchemy import func, select

from eventhub.audit.models import AuditEntry
from eventhub.checkin.models import CheckIn
from eventhub.extensions import db
from eventhub.registration import services as registration_services
from eventhub.registration import tokens
from eventhub.registration.models import Registration
from tests.attendees.support import sign_in, staff_member
from tests.registration.support import KEYS, event_by_slug, person

META_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def nonce() -> str:
    """What the scanner makes for every scan: random, so a resent scan can be recognised."""
    return secrets.token_hex(12)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


@dataclass(frozen=True)
class Ticket:
    """A registration as the door sees it: the QR payload and the short code printed under it."""

    id: int
    name: str
    payload: str
    code: str
    email: str | None = None


def ticket_for(registration: Registration) -> Ticket:
    return Ticket(id=registration.id, name=registration.name, email=registration.email,
                  payload=tokens.ticket_payload(KEYS, registration),
                  code=tokens.short_code(KEYS, registration.token_salt, registration.ticket_version))


def current_ticket(app, registration_id: int) -> Ticket:
    with app.app_context():
        return ticket_for(db.session.get(Registration, registration_id))


def registered(app, slug: str, email: str, mode: str = "on_site", name: str | None = None,
               **overrides) -> Ticket:
    """Register through the service (seats counted, email queued) and return the ticket."""
    with app.app_context():
        data = person(email, mode, name=name or email.split("@")[0].title(), **overrides)
        result = registration_services.register(event_by_slug(slug).id, data, datetime.now(UTC), KEYS)
        return ticket_for(result.registration)


def decode_qr(png: bytes) -> list[str]:
    """What a camera at the door reads from the image."""
    return [result.text for result in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def check_ins(app, registration_id: int | None = None) -> list[CheckIn]:
    with app.app_context():
        query = select(CheckIn).order_by(CheckIn.id)
        if registration_id is not None:
            query = query.where(CheckIn.registration_id == registration_id)
        rows = list(db.session.scalars(query))
        db.session.expunge_all()
        return rows


def registration_row(app, registration_id: int) -> Registration:
    with app.app_context():
        row = db.session.get(Registration, registration_id)
        db.session.expunge(row)
        return row


def audit_actions(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        rows = list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))
        db.session.expunge_all()
        return rows


def count_rows(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def scanner_csrf(client, slug: str) -> str:
    page = client.get(f"/checkin/{slug}")
    assert page.status_code == 200, page.status_code
    match = META_CSRF.search(page.get_data(as_text=True))
    assert match, "no <meta name=csrf-token> on the scanner page"
    return match.group(1)


class Door:
    """One host's scanner on one event."""

    def __init__(self, client, slug: str, user_id: int, name: str):
        self.client, self.slug, self.user_id, self.name = client, slug, user_id, name
        self.csrf = scanner_csrf(client, slug)

    def url(self, path: str) -> str:
        return f"/checkin/{self.slug}/api/{path}"

    def post(self, path: str, body, *, csrf: bool = True, slug: str | None = None):
        headers = {"X-CSRFToken": self.csrf} if csrf else {}
        url = f"/checkin/{slug}/api/{path}" if slug else self.url(path)
        return self.client.post(url, json=body, headers=headers)

    def get(self, path: str):
        return self.client.get(self.url(path))

    def scan(self, code: str, **fields) -> dict:
        """POST a scan; returns the result, asserting a 200."""
        response = self.post("scan", {"code": code, "nonce": fields.pop("nonce", None) or nonce(), **fields})
        assert response.status_code == 200, (response.status_code, response.get_data(as_text=True))
        return response.get_json()["result"]

    def sync(self, items: list[dict]) -> list[dict]:
        response = self.post("sync", {"items": items})
        assert response.status_code == 200, (response.status_code, response.get_data(as_text=True))
        return response.get_json()["results"]


def open_door(app, slug: str, email: str, role: str = "host") -> Door:
    """A new account on the event's staff (host by default), signed in on its own client."""
    user_id = staff_member(app, slug, email, role)
    client = app.test_client()
    sign_in(client, email)
    return Door(client, slug, user_id, email.split("@")[0].title())
