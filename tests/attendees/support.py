"""Helpers for the organisers' attendee pages and exports: staff accounts, signing in, fast seeding."""
from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert, select

from eventhub.accounts import services as accounts
from eventhub.audit.models import AuditEntry
from eventhub.events.models import Event
from eventhub.extensions import db
from eventhub.groups.models import DiscussionGroup
from eventhub.registration import tokens
from eventhub.registration.models import Registration
from tests.registration.support import csrf_token, event_by_slug

PASSWORD = "a long enough password"


def staff_member(app, slug: str | None, email: str, role: str, account_role: str | None = None) -> int:
    """An account with ``PASSWORD`` on the event (``role``: organiser or host); returns its id."""
    with app.app_context():
        user, _ = accounts.create_user(email, email.split("@")[0].title(), account_role or role,
                                       datetime.now(UTC), password=PASSWORD)
        if slug is not None:
            accounts.add_staff(event_by_slug(slug).id, user.id, role, None)
        db.session.commit()
        return user.id


def sign_in(client, email: str, password: str = PASSWORD) -> None:
    page = client.get("/account/login")
    response = client.post("/account/login", data={
        "csrf_token": csrf_token(page.get_data(as_text=True)), "email": email, "password": password})
    assert response.status_code == 303, response.get_data(as_text=True)


def form_token(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return csrf_token(response.get_data(as_text=True))


def post_form(client, page_url: str, action_url: str, **fields):
    """POST a form the way a browser does: with the CSRF token from the page that shows it."""
    return client.post(action_url, data={"csrf_token": form_token(client, page_url), **fields})


def seed_registrations(slug: str, count: int, start: datetime | None = None, prefix: str = "person",
                       **overrides) -> list[int]:
    """``count`` confirmed registrations in one bulk INSERT (no seats counted, no email); returns ids.

    Names, organisations, sectors and modes vary with the index, so filters have something to find.
    """
    event = event_by_slug(slug)
    start = start or datetime.now(UTC) - timedelta(days=1)
    sectors = ("business", "academia", "public", "non_profit", "other")
    rows = []
    for i in range(count):
        salt = secrets.token_hex(8)
        row = dict(
            event_id=event.id, name=f"{prefix.title()} {i:05d}", email=f"{prefix}{i:05d}@example.se",
            organisation=f"Org {i % 7}", role_title="", sector=sectors[i % 5],
            mode="on_site" if i % 2 == 0 else "digital", status="confirmed", language="sv",
            dietary_needs="", accessibility_needs="", privacy_accepted_at=start, photo_consent=False,
            token_salt=salt, token_hash=secrets.token_hex(32), ticket_version=1,
            confirmed_at=start + timedelta(seconds=i), created_at=start + timedelta(seconds=i),
            updated_at=start + timedelta(seconds=i),
        )
        row.update(overrides)
        rows.append(row)
    if rows:
        db.session.execute(insert(Registration), rows)
    db.session.commit()
    return list(db.session.scalars(
        select(Registration.id).where(Registration.event_id == event.id).order_by(Registration.id)))


def set_seats(slug: str, **values) -> None:
    event = event_by_slug(slug)
    for key, value in values.items():
        setattr(event, key, value)
    db.session.commit()


def counters(slug: str) -> dict[str, int | None]:
    """The event's seat counters as the database has them, next to a recount of the rows."""
    db.session.expire_all()
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    recount = dict(db.session.execute(
        select(Registration.mode, func.count()).where(Registration.event_id == event.id,
                                                      Registration.status == "confirmed")
        .group_by(Registration.mode)).all())
    return {"on_site_taken": event.on_site_taken, "on_site_seats": event.on_site_seats,
            "digital_taken": event.digital_taken, "digital_seats": event.digital_seats,
            "on_site_confirmed": recount.get("on_site", 0), "digital_confirmed": recount.get("digital", 0)}


def group_counters(group_id: int) -> tuple[int, int | None]:
    db.session.expire_all()
    group = db.session.get(DiscussionGroup, group_id)
    return group.taken, group.seats


def audit_actions(slug: str) -> list[str]:
    event = event_by_slug(slug)
    return list(db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.event_id == event.id).order_by(AuditEntry.id)))


def audit_entries(slug: str, action: str) -> list[AuditEntry]:
    event = event_by_slug(slug)
    return list(db.session.scalars(
        select(AuditEntry).where(AuditEntry.event_id == event.id, AuditEntry.action == action)
        .order_by(AuditEntry.id)))


def manage_token(secret: str, registration: Registration) -> str:
    return tokens.manage_token(secret, registration.token_salt)
