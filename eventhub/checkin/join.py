"""Digital check-in: a digital participant's personal join link, and the reminder that brings it.

The link ``/r/<token>/join`` works from ``Event.join_opens_at`` until the end
(``Event.join_is_open``); using it records the first and latest join and sends the person on
to the platform. The platform's address never appears on public pages.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from eventhub.checkin import emails
from eventhub.database import commit
from eventhub.events.models import Event, EventStatus
from eventhub.extensions import db
from eventhub.keyring import Keyring
from eventhub.modes import Mode
from eventhub.registration.models import Registration, RegistrationStatus

DEFAULT_LEAD = timedelta(hours=24)  # when the reminder goes out, before the start


class JoinError(Exception):
    pass


class JoinNotOpen(JoinError):
    def __init__(self, opens_at: datetime):
        super().__init__(opens_at)
        self.opens_at = opens_at


class JoinClosed(JoinError):
    pass


class NotDigital(JoinError):
    pass


def join(registration_id: int, now: datetime) -> str:
    """Record that a digital participant joined, and give the platform address to send them to."""
    person = db.session.get(Registration, registration_id)
    event = person.event
    if person.is_cancelled or person.is_waitlisted or person.mode != Mode.DIGITAL or event.is_cancelled:
        raise NotDigital()
    if now < event.join_opens_at:
        raise JoinNotOpen(event.join_opens_at)
    if not event.join_is_open(now) or not event.join_url:
        raise JoinClosed()
    db.session.execute(
        update(Registration).where(Registration.id == person.id)
        .values(first_joined_at=func.coalesce(Registration.first_joined_at, now), last_joined_at=now)
        .execution_options(synchronize_session=False)
    )
    commit()
    return event.join_url


def send_join_reminders(now: datetime, keys: Keyring, lead: timedelta = DEFAULT_LEAD) -> int:
    """Queue one reminder per confirmed digital registrant whose event starts within ``lead``.

    Safe to run every few minutes, also twice at once: each registration is claimed with a
    conditional UPDATE before its email is queued, in the same transaction.
    """
    due = db.session.scalars(
        select(Registration.id)
        .join(Event, Event.id == Registration.event_id)
        .where(Event.status == EventStatus.PUBLISHED, Event.starts_at <= now + lead, Event.ends_at > now,
               Event.join_url.is_not(None), Registration.mode == Mode.DIGITAL,
               Registration.status == RegistrationStatus.CONFIRMED, Registration.join_reminder_sent_at.is_(None),
               Registration.email.is_not(None))
    ).all()
    sent = 0
    for registration_id in due:
        claimed = db.session.execute(
            update(Registration)
            .where(Registration.id == registration_id, Registration.join_reminder_sent_at.is_(None))
            .values(join_reminder_sent_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed:
            emails.join_reminder(db.session.get(Registration, registration_id), keys)
            sent += 1
        commit()
    return sent
