"""The reminder that brings digital participants their personal join link before the start."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from eventhub.database import commit
from eventhub.events.models import Event, EventStatus
from eventhub.extensions import db
from eventhub.keyring import Keyring
from eventhub.mail import services as mail
from eventhub.modes import Mode
from eventhub.registration.models import Registration, RegistrationStatus

DEFAULT_LEAD = timedelta(hours=24)


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
            mail.queue_registration_email(db.session.get(Registration, registration_id), "join_reminder", keys)
            sent += 1
        commit()
    return sent
