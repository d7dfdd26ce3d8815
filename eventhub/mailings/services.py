"""Organisers emailing attendees: who receives it, what it looks like, queueing, progress.

An audience is one of the segments the attendee list filters by (``attendees.segments``:
everyone, those with a place, the waitlist, not checked in, in no group, a mode, a
discussion group), always without cancelled registrations, or ``selection``: the people
an organiser ticked in the list. Each person gets their own message, rendered in
their language with the event's footer and their personal manage link; all of them
are queued in one transaction with the Mailing record and its audit entry.

Who stopped the organisers' mailings about the event (``Registration.mailings_stopped_at``: one
click in their mail program on the message's List-Unsubscribe, or their own page) is left out of
every audience, and the counts the organiser sees say how many that skips.
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from flask import current_app, render_template
from flask_babel import force_locale, gettext
from sqlalchemy import case, func, or_, select
from sqlalchemy.exc import IntegrityError

from eventhub.attendees import segments
from eventhub.audit import services as audit
from eventhub.database import commit
from eventhub.events.models import Event
from eventhub.extensions import db
from eventhub.groups import services as groups
from eventhub.keyring import Keyring
from eventhub.mail import services as mail
from eventhub.mail.models import OutboxMessage
from eventhub.mailings.models import Mailing
from eventhub.registration import emails
from eventhub.registration.models import Registration, RegistrationStatus
from eventhub.text import CONTROL_CHARACTERS

SELECTION = "selection"  # the people ticked in the attendee list
SUBJECT_MAX = 200
BODY_MAX = 20_000


class MailingError(Exception):
    pass


class UnsafeSubject(MailingError):
    """Empty, too long, or with a line break or other control character (header injection)."""


class EmptyBody(MailingError):
    pass


class UnknownAudience(MailingError):
    pass


class NoRecipients(MailingError):
    pass


@dataclass(frozen=True)
class Progress:
    sent: int = 0
    waiting: int = 0
    failing: int = 0  # tried, will be tried again
    failed: int = 0  # given up on: refused for good or impossible to build

    @property
    def total(self) -> int:
        return self.sent + self.waiting + self.failing + self.failed


@dataclass(frozen=True)
class Undelivered:
    """One email of the event that was given up on, as its organisers see it."""

    to_address: str
    subject: str
    failed_at: datetime
    reason: str  # mail.transports.Undeliverable.REASONS
    detail: str | None  # the server's own words or the error, untranslated


def check_subject(subject: str) -> str:
    subject = (subject or "").strip()
    # Any control character (newlines above all) in a subject could add mail headers.
    if not subject or len(subject) > SUBJECT_MAX or CONTROL_CHARACTERS.search(subject):
        raise UnsafeSubject(subject)
    return subject


def check_body(body: str) -> str:
    body = (body or "").replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    if not body.strip() or len(body) > BODY_MAX:
        raise EmptyBody()
    return body


def audience_choices(event: Event, now: datetime | None = None) -> list[str]:
    """The audiences this event offers, in the order the form lists them: the list's segments (who
    took part, too, once the event has begun at ``now``)."""
    return segments.offered(event.modes, [group.id for group in groups.of_event(event.id)],
                            begun=now is not None and event.starts_at <= now)


def _audience_query(event_id: int, audience: str, registration_ids: Collection[int] = ()):
    """The audience's people who can be emailed, those who stopped these emails included."""
    # A walk-in registered at the door without an address cannot be emailed: not a recipient.
    query = select(Registration).where(Registration.event_id == event_id, Registration.email.is_not(None),
                                       Registration.status != RegistrationStatus.CANCELLED)
    if audience == SELECTION:
        return query.where(Registration.id.in_(list(registration_ids))).order_by(Registration.id)
    try:
        query = query.where(segments.condition(event_id, audience))
    except segments.UnknownSegment:
        raise UnknownAudience(audience) from None
    return query.order_by(Registration.id)


def _recipients_query(event_id: int, audience: str, registration_ids: Collection[int] = ()):
    return _audience_query(event_id, audience, registration_ids).where(Registration.mailings_stopped_at.is_(None))


def recipients(event_id: int, audience: str, registration_ids: Collection[int] = ()) -> list[Registration]:
    """Who gets it: a segment's people, or (``selection``) those of ``registration_ids`` who can be
    emailed; never those who stopped the organisers' emails about the event."""
    return list(db.session.scalars(_recipients_query(event_id, audience, registration_ids)))


@dataclass(frozen=True)
class Reach:
    """How many an audience's email goes to, and how many it skips because they stopped these emails."""

    recipients: int
    unsubscribed: int


def reach(event_id: int, audience: str, registration_ids: Collection[int] = ()) -> Reach:
    """One query: the audience's recipients and those it skips."""
    people = _audience_query(event_id, audience, registration_ids).subquery()
    stopped = people.c.mailings_stopped_at.is_not(None)
    sent, skipped = db.session.execute(select(func.count().filter(~stopped), func.count().filter(stopped))
                                       .select_from(people)).one()
    return Reach(recipients=sent or 0, unsubscribed=skipped or 0)


def render(event: Event, registration: Registration, subject: str, body: str, keys: Keyring) -> tuple[str, str]:
    """The subject and text one person receives, in their language, with their manage link."""
    with force_locale(registration.language):
        text = render_template("mailings/email.txt", event=event, registration=registration, body=body,
                               manage_url=emails.manage_url(registration, keys),
                               unsubscribe_url=emails.unsubscribe_url(registration, keys))
    return subject, text


def render_sample(event: Event, subject: str, body: str, language: str) -> tuple[str, str]:
    """The text as a made-up person would get it: the preview never shows anyone's working link."""
    base = current_app.config["BASE_URL"].rstrip("/")
    with force_locale(language):
        sample = gettext("sample-link-not-a-real-one")  # reads as a sample, and is no one's token
        text = render_template("mailings/email.txt", event=event, registration=None, body=body,
                               manage_url=f"{base}/r/{sample}", unsubscribe_url=f"{base}/unsubscribe/{sample}")
    return subject, text


def send(event_id: int, audience: str, subject: str, body: str, actor_id: int, keys: Keyring,
         now: datetime, send_key: str | None = None, registration_ids: Collection[int] = ()) -> Mailing:
    """Queue one message per recipient, the Mailing and its audit entry: all or nothing.

    The same ``send_key`` twice (a double click on Send) returns the first Mailing.
    """
    subject, body = check_subject(subject), check_body(body)
    if send_key:
        existing = db.session.scalar(select(Mailing).where(Mailing.send_key == send_key))
        if existing is not None:
            return existing
    event = db.session.get(Event, event_id)
    people = recipients(event_id, audience, registration_ids)
    if not people:
        raise NoRecipients(audience)
    skipped = reach(event_id, audience, registration_ids).unsubscribed
    mailing = Mailing(event_id=event_id, audience=audience, subject=subject, body=body, created_by=actor_id,
                      created_at=now, recipient_count=len(people), send_key=send_key or None)
    db.session.add(mailing)
    try:
        db.session.flush()
    except IntegrityError:  # the same preview sent at the same moment by another request
        db.session.rollback()
        return db.session.scalar(select(Mailing).where(Mailing.send_key == send_key))
    for person in people:
        mail.queue(person.email, *render(event, person, subject, body, keys), registration_id=person.id,
                   mailing_id=mailing.id, reply_to=event.contact_email, automatic=False, language=person.language,
                   unsubscribe_url=emails.unsubscribe_url(person, keys))
    audit.record(actor_id, "mailing.sent", subject, event_id=event_id, audience=audience,
                 recipients=len(people), unsubscribed=skipped, mailing_id=mailing.id)
    commit()
    return mailing


def mailing_of(event_id: int, mailing_id: int) -> Mailing | None:
    """The mailing, if it is one of this event's."""
    mailing = db.session.get(Mailing, mailing_id)
    return mailing if mailing is not None and mailing.event_id == event_id else None


def mailings_for(event_id: int) -> list[Mailing]:
    return list(db.session.scalars(
        select(Mailing).where(Mailing.event_id == event_id).order_by(Mailing.created_at.desc(), Mailing.id.desc())
    ))


_UNSENT = OutboxMessage.sent_at.is_(None) & OutboxMessage.failed_at.is_(None)


def progress(mailing_ids: list[int]) -> dict[int, Progress]:
    """Per mailing: sent, waiting (not tried yet), failing (tried, will be retried) and failed (given up)."""
    if not mailing_ids:
        return {}
    rows = db.session.execute(
        select(
            OutboxMessage.mailing_id,
            func.sum(case((OutboxMessage.sent_at.is_not(None), 1), else_=0)),
            func.sum(case((_UNSENT & (OutboxMessage.attempts == 0), 1), else_=0)),
            func.sum(case((_UNSENT & (OutboxMessage.attempts > 0), 1), else_=0)),
            func.sum(case((OutboxMessage.failed_at.is_not(None), 1), else_=0)),
        ).where(OutboxMessage.mailing_id.in_(mailing_ids)).group_by(OutboxMessage.mailing_id)
    ).all()
    result = {mailing_id: Progress() for mailing_id in mailing_ids}
    for mailing_id, sent, waiting, failing, failed in rows:
        result[mailing_id] = Progress(int(sent or 0), int(waiting or 0), int(failing or 0), int(failed or 0))
    return result


def failing_addresses(mailing_id: int) -> list[tuple[str, str | None]]:
    """Addresses of the mailing that failed for now and are retried."""
    return [tuple(row) for row in db.session.execute(
        select(OutboxMessage.to_address, OutboxMessage.last_error)
        .where(OutboxMessage.mailing_id == mailing_id, _UNSENT, OutboxMessage.attempts > 0)
        .order_by(OutboxMessage.id)
    )]


UNDELIVERED_SHOWN = 200  # the newest; an event with more has a problem the list would not explain better


def undelivered(event_id: int, mailing_id: int | None = None) -> list[Undelivered]:
    """The event's emails given up on, newest first: those written to its registrations (confirmations,
    reminders, ...) and its mailings'; with ``mailing_id``, that mailing's only."""
    query = (
        select(OutboxMessage.to_address, OutboxMessage.subject, OutboxMessage.failed_at, OutboxMessage.failure,
               OutboxMessage.last_error)
        .outerjoin(Registration, Registration.id == OutboxMessage.registration_id)
        .outerjoin(Mailing, Mailing.id == OutboxMessage.mailing_id)
        .where(OutboxMessage.failed_at.is_not(None), or_(Registration.event_id == event_id,
                                                         Mailing.event_id == event_id))
        .order_by(OutboxMessage.failed_at.desc(), OutboxMessage.id.desc())
        .limit(UNDELIVERED_SHOWN)
    )
    if mailing_id is not None:
        query = query.where(OutboxMessage.mailing_id == mailing_id)
    return [Undelivered(*row) for row in db.session.execute(query)]
