"""Fixtures for the agenda builder tests: an organiser signed in through the login form, their event.

The event is hybrid, on 20 October 2030 from 13:00 to 16:00 Stockholm time (11:00–14:00 UTC).
"""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from eventhub.accounts import services as accounts
from eventhub.audit.models import AuditEntry
from eventhub.events.models import Event
from eventhub.extensions import db

PASSWORD = "a-long-enough-password"
START = datetime(2030, 10, 20, 11, 0, tzinfo=UTC)  # 13:00 in Stockholm (summer time)
DAY = "2030-10-20"
CSRF = re.compile(r'name="[\w-]*csrf_token"[^>]*value="([^"]+)"')


def make_user(email: str, role: str = "organiser", name: str = "Olle Organisatör") -> int:
    user, _token = accounts.create_user(email, name, role, datetime.now(UTC), password=PASSWORD)
    db.session.commit()
    return user.id


def sign_in(client, email: str) -> None:
    page = client.get("/account/login").get_data(as_text=True)
    response = client.post("/account/login", data={"email": email, "password": PASSWORD,
                                                    "csrf_token": CSRF.search(page).group(1)})
    assert response.status_code == 303, response.get_data(as_text=True)


def event_by_slug(slug: str) -> Event:
    db.session.expire_all()
    return db.session.scalar(select(Event).where(Event.slug == slug))


def audit_actions(slug: str) -> list[str]:
    event = event_by_slug(slug)
    return list(db.session.scalars(select(AuditEntry.action).where(AuditEntry.event_id == event.id)
                                   .order_by(AuditEntry.id)))


def item_form(title: str = "Föredrag", kind: str = "talk", audience: str = "everyone", day: str = DAY,
              starts: str = "13:00", ends: str = "13:30", location: str = "", description: str = "",
              prefix: str = "new") -> dict:
    values = dict(title=title, kind=kind, audience=audience, day=day, starts=starts, ends=ends,
                  location=location, description=description)
    return {f"{prefix}-{key}": value for key, value in values.items()}


class Agenda:
    """The organiser's browser, as far as the tests need it: pages under the event's programme."""

    def __init__(self, client, slug: str):
        self.client, self.slug = client, slug
        self.base = f"/manage/events/{slug}/programme"
        self._token = None

    def token(self) -> str:
        if self._token is None:  # one token serves the whole session
            self._token = CSRF.search(self.client.get(self.base + "/").get_data(as_text=True)).group(1)
        return self._token

    def get(self, path: str = "/", **kwargs):
        return self.client.get(self.base + path, **kwargs)

    def post(self, path: str, data: dict | None = None, prefix: str | None = None, **kwargs):
        data = {**(data or {}), "csrf_token": self.token()}
        if prefix:
            data[f"{prefix}-csrf_token"] = self.token()
        return self.client.post(self.base + path, data=data, **kwargs)

    def add_item(self, **fields) -> int:
        response = self.post("/items", item_form(**fields), prefix="new")
        assert response.status_code == 303, response.get_data(as_text=True)
        return int(response.headers["Location"].rsplit("#item-", 1)[1])


@pytest.fixture
def organiser(app):
    with app.app_context():
        return make_user("olle@example.se")


@pytest.fixture
def event_slug(app, make_event, organiser):
    """A hybrid event the organiser works on."""
    slug = make_event(starts_at=START, ends_at=START + timedelta(hours=3), title="Forumträff i Borås",
                      timezone="Europe/Stockholm")
    with app.app_context():
        accounts.add_staff(event_by_slug(slug).id, organiser, "organiser", None)
        db.session.commit()
    return slug


@pytest.fixture
def agenda(app, client, organiser, event_slug):
    """The signed-in organiser on their event's programme; use inside ``app_ctx`` to read the database."""
    sign_in(client, "olle@example.se")
    return Agenda(client, event_slug)
