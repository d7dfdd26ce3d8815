"""The audit log: one call per organiser change, in the same transaction as the change."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from eventhub.audit.models import AuditEntry
from eventhub.extensions import db


def record(actor_id: int | None, action: str, summary: str = "", event_id: int | None = None,
           **details) -> AuditEntry:
    entry = AuditEntry(user_id=actor_id, event_id=event_id, action=action, summary=summary[:500], details=details)
    db.session.add(entry)
    return entry


def entries_for_event(event_id: int, limit: int = 200) -> list[AuditEntry]:
    return list(db.session.scalars(
        select(AuditEntry).where(AuditEntry.event_id == event_id)
        .options(joinedload(AuditEntry.user))
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()).limit(limit)
    ))
