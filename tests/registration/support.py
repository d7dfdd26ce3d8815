"""Helpers shared by the registration and outbox tests (plain functions; fixtures are in conftest)."""
from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from config import TestingConfig
from eventhub.events.models import Event
from eventhub.extensions import db
from eventhub.groups.models import DiscussionGroup, GroupMembership
from eventhub.keyring import Keyring
from eventhub.mail.models import OutboxMessage
from eventhub.programme.models import ProgrammeItem
from eventhub.registration import services
from eventhub.registration.models import Registration

KEYS = Keyring(TestingConfig.SECRET_KEY)
NOW = datetime.now(UTC)
CSRF_PATTERN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
MANAGE_LINK_PATTERN = re.compile(r"/r/([A-Za-z0-9_-]+)")


def event_by_slug(slug: str) -> Event:
    return db.session.scalar(select(Event).where(Event.slug == slug))


def person(email: str = "anna@example.se", mode: str = "on_site", **overrides) -> services.RegistrationInput:
    values = dict(name="Anna Svensson", email=email, mode=mode, sector="business", privacy_accepted=True)
    values.update(overrides)
    return services.RegistrationInput(**values)


def register(slug: str, email: str, mode: str = "on_site", now: datetime | None = None,
             **overrides) -> services.RegistrationResult:
    """Register through the service, as the form would; call inside an app context."""
    event = event_by_slug(slug)
    return services.register(event.id, person(email, mode, **overrides), now or datetime.now(UTC), KEYS)


def register_many(slug: str, count: int, mode: str = "on_site", prefix: str = "person",
                  start: datetime | None = None) -> list[int]:
    """Registrations one second apart (a clear waitlist order); returns their ids in that order."""
    start = start or datetime.now(UTC)
    return [
        register(slug, f"{prefix}{i:03d}@example.se", mode, now=start + timedelta(seconds=i)).registration.id
        for i in range(count)
    ]


def add_group_session(slug: str, groups: list[tuple[str, str, int | None]], minutes_after_start: int = 60,
                      title: str = "Gruppsamtal") -> list[int]:
    """A programme item of kind group_session with groups ``(title, mode, seats)``; returns the group ids."""
    event = event_by_slug(slug)
    starts_at = event.starts_at + timedelta(minutes=minutes_after_start)
    item = ProgrammeItem(event_id=event.id, title=title, kind="group_session", starts_at=starts_at,
                         ends_at=starts_at + timedelta(minutes=30))
    for position, (group_title, mode, seats) in enumerate(groups):
        item.groups.append(DiscussionGroup(title=group_title, mode=mode, seats=seats, position=position))
    db.session.add(item)
    db.session.commit()
    return [group.id for group in item.groups]


def fresh(model, key):
    """The row as the database has it now, not as this session remembers it."""
    db.session.expire_all()
    return db.session.get(model, key)


def outbox(to: str | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if to is not None:
        query = query.where(OutboxMessage.to_address == to)
    return list(db.session.scalars(query))


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def registrations(slug: str, status: str | None = None, mode: str | None = None) -> list[Registration]:
    event = event_by_slug(slug)
    query = select(Registration).where(Registration.event_id == event.id).order_by(Registration.id)
    if status:
        query = query.where(Registration.status == status)
    if mode:
        query = query.where(Registration.mode == mode)
    return list(db.session.scalars(query))


def memberships(group_id: int, status: str | None = None) -> list[GroupMembership]:
    query = select(GroupMembership).where(GroupMembership.group_id == group_id).order_by(GroupMembership.id)
    if status:
        query = query.where(GroupMembership.status == status)
    return list(db.session.scalars(query))


def manage_token_from(body: str) -> str:
    match = MANAGE_LINK_PATTERN.search(body)
    assert match, body
    return match.group(1)


def csrf_token(page: str) -> str:
    match = CSRF_PATTERN.search(page)
    assert match, "no csrf_token input on the page"
    return match.group(1)


def page_text(response) -> str:
    """The page's text as a reader sees it: tags dropped, entities decoded, spaces collapsed."""
    body = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", html.unescape(body))


# --- through the web, as a person would ---------------------------------------------------------

FORM = dict(name="Anna Svensson", email="anna@example.se", mode="on_site", sector="business", language="sv",
            privacy="y")


def html_of(response) -> str:
    return response.get_data(as_text=True)


def csrf_of(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return csrf_token(html_of(response))


def post_registration(client, slug, **fields):
    data = {**FORM, **fields, "csrf_token": csrf_of(client, f"/events/{slug}/register")}
    return client.post(f"/events/{slug}/register", data={k: v for k, v in data.items() if v is not None})


def post_manage(client, token, action, **fields):
    data = {**fields, "csrf_token": csrf_of(client, f"/r/{token}")}
    return client.post(f"/r/{token}/{action}", data=data)


def token_for(app, email) -> str:
    """The manage link's token, taken from the last email to that address, as a person would."""
    with app.app_context():
        messages = outbox(email)
        assert messages, f"no email to {email}"
        return manage_token_from(messages[-1].body_text)
