"""Consent records kept by the ORM itself, so no way of registering or changing answers forgets them.

A registration (public form, organiser by hand, walk-in at the door) records the privacy
notice version accepted, and special-category and photo consent when given. Later changes
record a consent given or withdrawn, and so does stopping the organisers' mailings (withdrawn)
or taking them up again (given). The hooks see ORM flushes only: the retention job and
anonymisation change rows with UPDATE statements, which delete data and are audit-logged
instead; an anonymised row records nothing.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import event, insert
from sqlalchemy.orm import attributes

from eventhub.privacy import notice
from eventhub.privacy.models import ConsentKind, ConsentRecord
from eventhub.registration.models import Registration
from eventhub.types import utcnow


def _version(connection, event_id: int) -> str:
    return notice.from_row(connection.execute(notice.inputs_query(event_id)).one()).version


def _write(connection, registration: Registration, rows: list[tuple[str, bool, datetime]]) -> None:
    if not rows:
        return
    version = _version(connection, registration.event_id)
    connection.execute(insert(ConsentRecord.__table__), [
        {"registration_id": registration.id, "kind": kind, "granted": granted, "notice_version": version,
         "recorded_at": at} for kind, granted, at in rows
    ])


def _registered(_mapper, connection, registration: Registration) -> None:
    at = registration.privacy_accepted_at or utcnow()
    rows = [(ConsentKind.PRIVACY_NOTICE, True, at)]
    if registration.special_consent_at is not None:
        rows.append((ConsentKind.SPECIAL_CATEGORY, True, registration.special_consent_at))
    if registration.photo_consent:
        rows.append((ConsentKind.PHOTO, True, at))
    _write(connection, registration, rows)


def _changed(registration: Registration, name: str) -> tuple[bool, object, object]:
    history = attributes.get_history(registration, name)
    if not history.has_changes():
        return False, None, None
    old = history.deleted[0] if history.deleted else None
    new = history.added[0] if history.added else None
    return True, old, new


def _updated(_mapper, connection, registration: Registration) -> None:
    if registration.anonymised_at is not None:
        return
    rows = []
    changed, _old, accepted = _changed(registration, "privacy_accepted_at")
    if changed and accepted is not None:  # registered again after a cancellation
        rows.append((ConsentKind.PRIVACY_NOTICE, True, accepted))
    changed, old, new = _changed(registration, "special_consent_at")
    if changed and (old is None) != (new is None):
        rows.append((ConsentKind.SPECIAL_CATEGORY, new is not None, new or utcnow()))
    changed, old, new = _changed(registration, "photo_consent")
    if changed and bool(old) != bool(new):
        rows.append((ConsentKind.PHOTO, bool(new), accepted or utcnow()))
    changed, old, new = _changed(registration, "mailings_stopped_at")
    if changed and (old is None) != (new is None):
        rows.append((ConsentKind.MAILINGS, new is None, new or utcnow()))
    _write(connection, registration, rows)


def listen() -> None:
    """Register the hooks (create_app calls this; a second call changes nothing)."""
    for hook, handler in (("after_insert", _registered), ("before_update", _updated)):
        if not event.contains(Registration, hook, handler):
            event.listen(Registration, hook, handler)
