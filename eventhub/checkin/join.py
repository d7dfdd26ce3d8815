"""Digital check-in: a digital participant's personal join link.

The link ``/r/<token>/join`` works from ``Event.join_opens_at`` until the end
(``Event.join_is_open``); using it records the first and latest join and sends the person on
to the platform. The platform's address never appears on public pages. The link reaches the
person with their reminders (eventhub.reminders), and is on their own page.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, update

from eventhub import signals
from eventhub.database import commit
from eventhub.extensions import db
from eventhub.modes import Mode
from eventhub.registration.models import Registration


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
    signals.attendance_changed.send(event.id)
    commit()
    return event.join_url

