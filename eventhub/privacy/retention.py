"""Retention that runs by itself: ``flask privacy purge``, safe to run every night.

Per event, with its own periods (``EventPrivacy``, defaults 30 and 365 days):

- ``special_days`` after the event ends, special-category data is deleted: dietary and
  accessibility answers and their consent, and the answers to the organiser's special-category
  questions (``registration.services.holds_special``, the one rule; at exactly
  ``ends_at + special_days``: a minute earlier keeps them);
- ``anonymise_days`` after the event ends, its registrations are anonymised
  (``services.anonymise``), the rows of the meeting platform's attendance reports lose their
  names and addresses, those matched to no registration too (only the minutes stay), and the
  evaluation's written answers are deleted and its named answers unlinked, anonymous ones too
  (only the ratings stay, with mode and sector, as anonymous figures);
- ``photo_days`` after the event ends, when the organiser set such a period, the documentation
  page's photos are deleted (``documentation.services.delete_photos``); without one they stay
  until the organiser deletes them.

Only rows that still hold such data are touched, so a second run changes nothing and
writes nothing. Each event's changes commit together with one audit entry per kind of
purge saying how many registrations, never whose; a run that purges nothing writes no
audit entry.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select

from eventhub.attendance.models import ImportedParticipant
from eventhub.audit import services as audit
from eventhub.database import commit, forget_on_disk
from eventhub.documentation import services as documentation
from eventhub.documentation.models import EventPhoto
from eventhub.evaluation import services as evaluation
from eventhub.evaluation.models import EvaluationResponse
from eventhub.events.models import Event
from eventhub.extensions import db
from eventhub.keyring import Keyring
from eventhub.privacy import services
from eventhub.privacy.models import DEFAULT_ANONYMISE_DAYS, DEFAULT_SPECIAL_DAYS, EventPrivacy
from eventhub.registration import services as registration_services
from eventhub.registration.models import Registration

HOLDS_SPECIAL = registration_services.holds_special()


@dataclass
class EventPurge:
    event_id: int
    slug: str
    special_deleted: int = 0
    anonymised: int = 0
    attendance_rows: int = 0  # rows of imported attendance reports wiped
    evaluation_answers: int = 0  # people's evaluation answers made anonymous figures
    photos_deleted: int = 0  # the documentation page's photos


@dataclass
class PurgeReport:
    events: list[EventPurge] = field(default_factory=list)

    @property
    def special_deleted(self) -> int:
        return sum(item.special_deleted for item in self.events)

    @property
    def anonymised(self) -> int:
        return sum(item.anonymised for item in self.events)

    @property
    def attendance_rows(self) -> int:
        return sum(item.attendance_rows for item in self.events)

    @property
    def evaluation_answers(self) -> int:
        return sum(item.evaluation_answers for item in self.events)

    @property
    def photos_deleted(self) -> int:
        return sum(item.photos_deleted for item in self.events)


def _due_events(condition, days_column, default_days: int, now: datetime) -> list[tuple[int, str, int, int]]:
    """(event id, slug, days, rows) for ended events with rows matching ``condition`` whose period is over."""
    days = func.coalesce(days_column, default_days)
    rows = db.session.execute(
        select(Event.id, Event.slug, Event.ends_at, days, func.count(Registration.id))
        .join(Registration, Registration.event_id == Event.id)
        .outerjoin(EventPrivacy, EventPrivacy.event_id == Event.id)
        .where(Event.ends_at <= now, condition)
        .group_by(Event.id, Event.slug, Event.ends_at, days)
        .order_by(Event.ends_at, Event.id)
    ).all()
    return [(event_id, slug, int(period), count) for event_id, slug, ends_at, period, count in rows
            if now >= ends_at + timedelta(days=int(period))]


def _due_attendance(now: datetime) -> list[tuple[int, str, int, int]]:
    """Like ``_due_events``, for the imported attendance rows that still name someone."""
    days = func.coalesce(EventPrivacy.anonymise_after_days, DEFAULT_ANONYMISE_DAYS)
    rows = db.session.execute(
        select(Event.id, Event.slug, Event.ends_at, days, func.count(ImportedParticipant.id))
        .join(ImportedParticipant, ImportedParticipant.event_id == Event.id)
        .outerjoin(EventPrivacy, EventPrivacy.event_id == Event.id)
        .where(Event.ends_at <= now, ImportedParticipant.anonymised_at.is_(None))
        .group_by(Event.id, Event.slug, Event.ends_at, days)
        .order_by(Event.ends_at, Event.id)
    ).all()
    return [(event_id, slug, int(period), count) for event_id, slug, ends_at, period, count in rows
            if now >= ends_at + timedelta(days=int(period))]


def _due_evaluation(now: datetime) -> list[tuple[int, str, int, int]]:
    """Like ``_due_events``, for evaluation answers that still name someone or hold a written comment."""
    days = func.coalesce(EventPrivacy.anonymise_after_days, DEFAULT_ANONYMISE_DAYS)
    rows = db.session.execute(
        select(Event.id, Event.slug, Event.ends_at, days, func.count(EvaluationResponse.id))
        .join(EvaluationResponse, EvaluationResponse.event_id == Event.id)
        .outerjoin(EventPrivacy, EventPrivacy.event_id == Event.id)
        .where(Event.ends_at <= now, evaluation.keeps_personal())
        .group_by(Event.id, Event.slug, Event.ends_at, days)
        .order_by(Event.ends_at, Event.id)
    ).all()
    return [(event_id, slug, int(period), count) for event_id, slug, ends_at, period, count in rows
            if now >= ends_at + timedelta(days=int(period))]


def _due_photos(now: datetime) -> list[tuple[int, str, int, int]]:
    """Like ``_due_events``, for the photos of events whose organiser set how long photos are kept."""
    rows = db.session.execute(
        select(Event.id, Event.slug, Event.ends_at, EventPrivacy.photo_retention_days, func.count(EventPhoto.id))
        .join(EventPhoto, EventPhoto.event_id == Event.id)
        .join(EventPrivacy, EventPrivacy.event_id == Event.id)
        .where(Event.ends_at <= now, EventPrivacy.photo_retention_days.is_not(None))
        .group_by(Event.id, Event.slug, Event.ends_at, EventPrivacy.photo_retention_days)
        .order_by(Event.ends_at, Event.id)
    ).all()
    return [(event_id, slug, int(period), count) for event_id, slug, ends_at, period, count in rows
            if now >= ends_at + timedelta(days=int(period))]


def _delete_photos(event_id: int, days: int) -> int:
    count = documentation.delete_photos(event_id)
    if count:
        audit.record(None, "privacy.photos_deleted", f"{count} photos deleted {days} days after the event",
                     event_id=event_id, rows=count, days=days)
    return count


def _forget_evaluation(event_id: int, days: int) -> int:
    count = evaluation.forget_comments(event_id)
    if count:
        audit.record(None, "privacy.evaluation_anonymised",
                     f"{count} people's evaluation answers made anonymous {days} days after the event",
                     event_id=event_id, rows=count, days=days)
    return count


def _forget_attendance(event_id: int, days: int, now: datetime) -> int:
    count = services.forget_imported_attendance(event_id, now)
    if count:
        audit.record(None, "privacy.attendance_reports_anonymised",
                     f"{count} rows of attendance reports anonymised {days} days after the event",
                     event_id=event_id, rows=count, days=days)
    return count


def _delete_special(event_id: int, days: int, now: datetime) -> int:
    forget_on_disk(Registration.__tablename__)
    ids = list(db.session.scalars(select(Registration.id).where(Registration.event_id == event_id, HOLDS_SPECIAL)))
    count = registration_services.forget_special(ids, now)
    if count:
        audit.record(None, "privacy.special_category_deleted",
                     f"{count} registrations: special-category answers deleted {days} days after the event",
                     event_id=event_id, rows=count, days=days)
    return count


def _anonymise(event_id: int, days: int, now: datetime, keys: Keyring) -> int:
    ids = list(db.session.scalars(
        select(Registration.id).where(Registration.event_id == event_id, Registration.anonymised_at.is_(None))
        .order_by(Registration.id)
    ))
    count = services.anonymise(ids, now, keys)
    if count:
        audit.record(None, "privacy.anonymised", f"{count} registrations anonymised {days} days after the event",
                     event_id=event_id, rows=count, days=days, reason="retention")
    return count


def purge(now: datetime, keys: Keyring, *, dry_run: bool = False) -> PurgeReport:
    """Apply every event's retention periods as of ``now``. With ``dry_run``, only count."""
    report: dict[int, EventPurge] = {}

    def entry(event_id: int, slug: str) -> EventPurge:
        return report.setdefault(event_id, EventPurge(event_id, slug))

    for event_id, slug, days, rows in _due_events(HOLDS_SPECIAL, EventPrivacy.special_retention_days,
                                                  DEFAULT_SPECIAL_DAYS, now):
        entry(event_id, slug).special_deleted = rows if dry_run else _delete_special(event_id, days, now)
        if not dry_run:
            commit()
    # Before the registrations: unlinked then, the answers' count is the evaluation's, not lost in theirs.
    for event_id, slug, days, rows in _due_evaluation(now):
        entry(event_id, slug).evaluation_answers = rows if dry_run else _forget_evaluation(event_id, days)
        if not dry_run:
            commit()
    for event_id, slug, days, rows in _due_events(Registration.anonymised_at.is_(None),
                                                  EventPrivacy.anonymise_after_days, DEFAULT_ANONYMISE_DAYS, now):
        entry(event_id, slug).anonymised = rows if dry_run else _anonymise(event_id, days, now, keys)
        if not dry_run:
            commit()
    for event_id, slug, days, rows in _due_attendance(now):
        entry(event_id, slug).attendance_rows = rows if dry_run else _forget_attendance(event_id, days, now)
        if not dry_run:
            commit()
    for event_id, slug, days, rows in _due_photos(now):
        entry(event_id, slug).photos_deleted = rows if dry_run else _delete_photos(event_id, days)
        if not dry_run:
            commit()
    db.session.rollback()  # a dry run leaves nothing behind
    return PurgeReport([item for item in report.values()
                        if item.special_deleted or item.anonymised or item.attendance_rows
                        or item.evaluation_answers or item.photos_deleted])
