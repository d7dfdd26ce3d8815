"""The audit log: one call per organiser change, in the same transaction as the change."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from eventhub.audit.models import AuditEntry
from eventhub.extensions import db

PER_PAGE = 50


def record(actor_id: int | None, action: str, summary: str = "", event_id: int | None = None,
           **details) -> AuditEntry:
    entry = AuditEntry(user_id=actor_id, event_id=event_id, action=action, summary=summary[:500], details=details)
    db.session.add(entry)
    return entry


SYSTEM = 0  # the actor filter's value for entries no person made (retention, a person's own request)


@dataclass(frozen=True)
class Filters:
    """What the organiser narrowed the log to; None is "any"."""

    actions: tuple[str, ...] | None = None
    actor_id: int | None = None  # SYSTEM for entries without a person
    since: datetime | None = None  # inclusive
    before: datetime | None = None  # exclusive


@dataclass(frozen=True)
class Page:
    entries: list[AuditEntry]
    total: int
    number: int
    pages: int


def page_for_event(event_id: int, filters: Filters = Filters(), number: int = 1,  # noqa: B008 (frozen)
                   per_page: int = PER_PAGE) -> Page:
    """One page of the event's log, newest first, with who made each entry: two queries."""
    where = [AuditEntry.event_id == event_id]
    if filters.actions is not None:
        where.append(AuditEntry.action.in_(filters.actions))
    if filters.actor_id == SYSTEM:
        where.append(AuditEntry.user_id.is_(None))
    elif filters.actor_id is not None:
        where.append(AuditEntry.user_id == filters.actor_id)
    if filters.since is not None:
        where.append(AuditEntry.created_at >= filters.since)
    if filters.before is not None:
        where.append(AuditEntry.created_at < filters.before)
    total = db.session.scalar(select(func.count()).select_from(AuditEntry).where(*where)) or 0
    pages = max(1, -(-total // per_page))
    number = min(max(1, number), pages)
    entries = list(db.session.scalars(
        select(AuditEntry).where(*where).options(joinedload(AuditEntry.user))
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .limit(per_page).offset((number - 1) * per_page)
    ))
    return Page(entries=entries, total=total, number=number, pages=pages)


def actor_ids_for_event(event_id: int):
    """A subquery: the accounts that wrote in the event's log (for the "who" filter)."""
    return select(AuditEntry.user_id).where(AuditEntry.event_id == event_id, AuditEntry.user_id.is_not(None))
