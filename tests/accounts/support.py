"""Accounts for workspace tests: create people, sign them in, post forms with their CSRF token."""
from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select

from eventhub.accounts import services as accounts
from eventhub.accounts.models import User
from eventhub.events.models import Event
from eventhub.extensions import db

PASSWORD = "correct horse battery"
CSRF_PATTERN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def make_user(app, email: str, role: str = "organiser", password: str | None = PASSWORD,
              staff_of: dict[str, str] | None = None) -> int:
    """An account (``role``: admin, organiser, host), optionally staff of events ``{slug: organiser|host}``."""
    with app.app_context():
        user, _ = accounts.create_user(email, email.split("@")[0].title(), role, datetime.now(UTC),
                                       password=password)
        for slug, staff_role in (staff_of or {}).items():
            event = db.session.scalar(select(Event).where(Event.slug == slug))
            accounts.add_staff(event.id, user.id, staff_role, None)
        db.session.commit()
        return user.id


def user_by_email(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def csrf_from(page: str) -> str:
    match = CSRF_PATTERN.search(page)
    assert match, "no csrf_token on the page"
    return match.group(1)


def session_csrf(client) -> str:
    """A CSRF token valid for this client's session (from the sign-in page, which always has a form)."""
    return csrf_from(client.get("/account/login").get_data(as_text=True))


def sign_in(client, email: str, password: str = PASSWORD):
    response = client.post("/account/login", data={
        "csrf_token": session_csrf(client), "email": email, "password": password})
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return response


def post(client, url: str, data: dict | None = None, **kwargs):
    """POST with a CSRF token valid for the session, as a form on one of our pages would."""
    token = session_csrf(client) if not _signed_in(client) else _token_from_dashboard(client)
    return client.post(url, data={"csrf_token": token, **(data or {})}, **kwargs)


def _signed_in(client) -> bool:
    with client.session_transaction() as session:
        return "_user_id" in session


def _token_from_dashboard(client) -> str:
    # Signed in, the login page redirects; every page's sign-out form carries the token.
    return csrf_from(client.get("/manage/").get_data(as_text=True))
