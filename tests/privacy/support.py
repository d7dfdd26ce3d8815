"""Helpers for the privacy tests (plain functions; fixtures are in conftest.py)."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import insert, select

from eventhub.audit.models import AuditEntry
from eventhub.extensions import db
from eventhub.privacy.models import ConsentRecord
from eventhub.registration import tokens
from eventhub.registration.models import Registration
from tests.registration.support import KEYS, csrf_token, event_by_slug, register


def registered(slug: str, email: str, mode: str = "on_site", now: datetime | None = None, **overrides) -> int:
    """Register through the service (seats, consent records, email); returns the id. In an app context."""
    return register(slug, email, mode, now=now, **overrides).registration.id


def with_answers(slug: str, email: str, mode: str = "on_site", now: datetime | None = None, **overrides) -> int:
    """A registration with dietary and accessibility answers, given with consent, and photo consent."""
    return registered(slug, email, mode, now=now, dietary_needs="Vegan, celiaki", accessibility_needs="Rullstol",
                      special_consent=True, photo_consent=True, **overrides)


def backdated(slug: str, count: int, when: datetime, prefix: str = "old", **values) -> list[int]:
    """Registrations written straight to the table at ``when`` (an event long over needs no seats)."""
    event = event_by_slug(slug)
    rows = [dict(event_id=event.id, name=f"{prefix.title()} {i}", email=f"{prefix}{i}@example.se",
                 organisation="Borås Stad", role_title="Samordnare", sector="public",
                 mode="on_site" if i % 2 == 0 else "digital", status="confirmed", language="sv",
                 dietary_needs="Vegetarisk", accessibility_needs="Hörslinga", special_consent_at=when,
                 privacy_accepted_at=when, photo_consent=True, token_salt=tokens.new_salt(),
                 token_hash=tokens.token_hash(f"{prefix}-{i}-{when.isoformat()}"), ticket_version=1,
                 confirmed_at=when, created_at=when + timedelta(seconds=i), updated_at=when, **values)
            for i in range(count)]
    db.session.execute(insert(Registration), rows)
    db.session.commit()
    return list(db.session.scalars(select(Registration.id).where(Registration.event_id == event.id,
                                                                 Registration.name.like(f"{prefix.title()} %"))))


def token_of(registration_id: int) -> str:
    return tokens.manage_token(KEYS, db.session.get(Registration, registration_id).token_salt)


def row(registration_id: int) -> Registration:
    db.session.expire_all()
    return db.session.get(Registration, registration_id)


def consents(registration_id: int) -> list[tuple[str, bool]]:
    return [(record.kind, record.granted) for record in db.session.scalars(
        select(ConsentRecord).where(ConsentRecord.registration_id == registration_id).order_by(ConsentRecord.id))]


def audit(slug: str, prefix: str = "privacy.") -> list[AuditEntry]:
    event = event_by_slug(slug)
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.event_id == event.id,
                                                            AuditEntry.action.startswith(prefix))
                                   .order_by(AuditEntry.id)))


def page_csrf(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return csrf_token(response.get_data(as_text=True))
