"""Helpers for the reminder tests: an event with its reminders, the moments they are due, what was sent."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from eventhub.extensions import db
from eventhub.mail.models import OutboxMessage
from eventhub.programme.models import ProgrammeItem
from eventhub.reminders import services
from eventhub.reminders.models import Reminder, ReminderDelivery
from tests.registration.support import KEYS, event_by_slug

TWO_DAYS, TWO_HOURS = 2 * 24 * 60, 2 * 60
PRACTICAL = dict(venue_name="Textile Fashion Center", venue_address="Skaraborgsvägen 3, Borås",
                 directions="Tio minuters promenad från Borås resecentrum.\nhttps://kartor.example.se/tfc",
                 join_url="https://meet.example.org/forum", platform_name="Zoom",
                 platform_test_url="https://zoom.example.org/test", organiser_name="Agenda 2030 i Väst",
                 contact_email="forum@example.se", group_choice_open=True)


def with_reminders(make_event, starts_in: timedelta = timedelta(days=5), set_at: datetime | None = None,
                   **values) -> str:
    """A published hybrid event starting in ``starts_in``, with the default reminders set at ``set_at``."""
    slug = make_event(starts_at=datetime.now(UTC) + starts_in, **{**PRACTICAL, **values})
    event = event_by_slug(slug)
    services.add_defaults(event, set_at or datetime.now(UTC) - timedelta(days=30))
    db.session.commit()
    return slug


def add_registration_desk(slug: str, minutes_before: int = 30) -> datetime:
    event = event_by_slug(slug)
    opens = event.starts_at - timedelta(minutes=minutes_before)
    db.session.add(ProgrammeItem(event_id=event.id, title="Registrering", kind="registration", starts_at=opens,
                                 audience="everyone"))
    db.session.commit()
    return opens


def due(slug: str, minutes_before: int, after: timedelta = timedelta(minutes=1)) -> datetime:
    """A moment just after the reminder ``minutes_before`` the start is due."""
    return event_by_slug(slug).starts_at - timedelta(minutes=minutes_before) + after


def send(at: datetime) -> services.SendReport:
    return services.send_due(at, KEYS)


def reminder_of(slug: str, minutes_before: int) -> Reminder:
    return db.session.scalar(select(Reminder).where(Reminder.event_id == event_by_slug(slug).id,
                                                    Reminder.minutes_before == minutes_before))


def deliveries() -> list[ReminderDelivery]:
    return list(db.session.scalars(select(ReminderDelivery).order_by(ReminderDelivery.id)))


def reminder_mail(to: str | None = None) -> list[OutboxMessage]:
    """The reminders and waitlist notes in the outbox (not the confirmations)."""
    ids = select(ReminderDelivery.message_id)
    query = select(OutboxMessage).where(OutboxMessage.id.in_(ids)).order_by(OutboxMessage.id)
    if to is not None:
        query = query.where(OutboxMessage.to_address == to)
    return list(db.session.scalars(query))
