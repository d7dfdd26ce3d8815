"""Reminders before an event: the organiser's times and words, and the sender that runs every few minutes.

Every event has reminders at times the organiser sets, before its start (a new event gets two days
and two hours, ``models.DEFAULT_MINUTES_BEFORE``). Each goes to everyone with a place, by how they
take part (``emails``), and the first also to everyone on the waitlist, as a note of their place.

Who gets which (``send_due``, run by ``flask reminders send`` every few minutes):

- A reminder is due from its moment (the start minus its lead) until the event starts, if that
  moment came after its time was set: one added or moved to a moment already past is not sent.
- A person gets the reminders whose moment comes after they had their place (or joined the
  waitlist): someone who registers the evening before gets the two hours' reminder, not also the
  two days' one a minute after their confirmation. When several are due at once for a person (the
  sender was stopped, the event was moved earlier), only the latest goes: one email, never a flood.
- Someone on the waitlist gets one note, with the first reminder due to them.
- Each person gets each reminder once for each start the event has: the ``ReminderDelivery`` row is
  claimed (a unique key) in the transaction that queues the email, so two senders at once, or one
  run twice, send it once. A moved event is a new start: its reminders go again before it.

Digital participants' join link (``checkin.join``) comes with their reminder; the registration's
``join_reminder_sent_at`` still tells when a reminder first brought it.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from eventhub.audit import services as audit
from eventhub.database import atomic, commit
from eventhub.events.models import Event, EventStatus
from eventhub.extensions import db
from eventhub.groups.models import DiscussionGroup
from eventhub.keyring import Keyring
from eventhub.modes import Audience, Mode
from eventhub.programme.models import ItemKind, ProgrammeItem
from eventhub.registration import services as registration_services
from eventhub.registration.emails import Draft
from eventhub.registration.models import Registration, RegistrationStatus
from eventhub.reminders import emails
from eventhub.reminders.models import (
    DEFAULT_MINUTES_BEFORE,
    INTRO_MAX,
    MAX_MINUTES_BEFORE,
    MIN_MINUTES_BEFORE,
    DeliveryKind,
    Reminder,
    ReminderDelivery,
)
from eventhub.text import web_url

DIRECTIONS_MAX = 2000


class ReminderError(Exception):
    pass


class NotFound(ReminderError):
    """No such reminder in this event."""


class OutOfRange(ReminderError):
    """Not between a quarter of an hour and sixty days before the start."""


class SameTime(ReminderError):
    """The event already has a reminder at that time."""


class TimePassed(ReminderError):
    """Its moment has already come: a reminder set now would never go."""

    def __init__(self, due_at: datetime):
        super().__init__(due_at)
        self.due_at = due_at


class TooLong(ReminderError):
    pass


class BadLink(ReminderError):
    pass


# --- the organiser's reminders ----------------------------------------------------------------

def add_defaults(event: Event, now: datetime) -> None:
    """A new event's reminders: two days and two hours before the start (the caller commits)."""
    for minutes in DEFAULT_MINUTES_BEFORE:
        db.session.add(Reminder(event=event, minutes_before=minutes, set_at=now, created_at=now))


def copy_reminders(source_id: int, copy: Event, now: datetime) -> None:
    """The copy of an event gets the source's reminders, their times and words (the caller commits)."""
    for reminder in of_event(source_id):
        db.session.add(Reminder(event=copy, minutes_before=reminder.minutes_before, intro_sv=reminder.intro_sv,
                                intro_en=reminder.intro_en, set_at=now, created_at=now))


def of_event(event_id: int) -> list[Reminder]:
    """The event's reminders, the earliest first."""
    return list(db.session.scalars(select(Reminder).where(Reminder.event_id == event_id)
                                   .order_by(Reminder.minutes_before.desc())))


def get(event_id: int, reminder_id: int) -> Reminder:
    reminder = db.session.get(Reminder, reminder_id)
    if reminder is None or reminder.event_id != event_id:
        raise NotFound(reminder_id)
    return reminder


def _check(event: Event, minutes_before: int, intro_sv: str, intro_en: str, now: datetime, *,
           other_than: int | None = None, time_changed: bool = True) -> None:
    if not MIN_MINUTES_BEFORE <= minutes_before <= MAX_MINUTES_BEFORE:
        raise OutOfRange(minutes_before)
    if len(intro_sv) > INTRO_MAX or len(intro_en) > INTRO_MAX:
        raise TooLong()
    taken = db.session.scalar(select(Reminder.id).where(Reminder.event_id == event.id,
                                                        Reminder.minutes_before == minutes_before))
    if taken is not None and taken != other_than:
        raise SameTime(minutes_before)
    due_at = event.starts_at - timedelta(minutes=minutes_before)
    if time_changed and due_at <= now:
        raise TimePassed(due_at)


def add(event_id: int, minutes_before: int, intro_sv: str, intro_en: str, actor_id: int, now: datetime) -> Reminder:
    event = db.session.get(Event, event_id)
    intro_sv, intro_en = intro_sv.strip(), intro_en.strip()
    _check(event, minutes_before, intro_sv, intro_en, now)
    reminder = Reminder(event_id=event_id, minutes_before=minutes_before, intro_sv=intro_sv, intro_en=intro_en,
                        set_at=now, created_at=now)
    db.session.add(reminder)
    audit.record(actor_id, "reminder.added", describe(minutes_before), event_id=event_id,
                 minutes=minutes_before)
    commit()
    return reminder


def change(event_id: int, reminder_id: int, minutes_before: int, intro_sv: str, intro_en: str, actor_id: int,
           now: datetime) -> Reminder:
    """New words, or a new time (then it goes at the new time to those who have not had it)."""
    reminder = get(event_id, reminder_id)
    intro_sv, intro_en = intro_sv.strip(), intro_en.strip()
    moved = minutes_before != reminder.minutes_before
    _check(reminder.event, minutes_before, intro_sv, intro_en, now, other_than=reminder.id, time_changed=moved)
    previous = reminder.minutes_before
    before = describe(previous)
    reminder.minutes_before, reminder.intro_sv, reminder.intro_en = minutes_before, intro_sv, intro_en
    if moved:
        reminder.set_at = now
    audit.record(actor_id, "reminder.changed", f"{before} → {describe(minutes_before)}", event_id=event_id,
                 minutes=minutes_before, previous_minutes=previous)
    commit()
    return reminder


def remove(event_id: int, reminder_id: int, actor_id: int) -> None:
    """The reminder and its record of who had it."""
    reminder = get(event_id, reminder_id)
    audit.record(actor_id, "reminder.removed", describe(reminder.minutes_before), event_id=event_id,
                 minutes=reminder.minutes_before)
    db.session.delete(reminder)
    commit()


def describe(minutes_before: int) -> str:
    """For the audit log's summary: "2d", "2h", "90min" (its sentences say it in minutes, in the reader's language)."""
    if minutes_before % (24 * 60) == 0:
        return f"{minutes_before // (24 * 60)}d"
    if minutes_before % 60 == 0:
        return f"{minutes_before // 60}h"
    return f"{minutes_before}min"


def save_practical(event_id: int, directions: str, platform_test_url: str | None, actor_id: int) -> Event:
    """What the reminders tell: how to get to the venue, the platform's test link."""
    event = db.session.get(Event, event_id)
    directions = directions.strip()
    if len(directions) > DIRECTIONS_MAX:
        raise TooLong()
    try:
        test_url = web_url((platform_test_url or "").strip() or None, "platform_test_url")
    except ValueError:
        raise BadLink() from None
    event.directions, event.platform_test_url = directions, test_url
    audit.record(actor_id, "reminders.practical_changed", event.title, event_id=event_id)
    commit()
    return event


# --- where things stand -----------------------------------------------------------------------

@dataclass(frozen=True)
class Standing:
    """A reminder as the organiser's page shows it: when it goes, whether it will, how many had it."""

    reminder: Reminder
    due_at: datetime
    state: str  # "planned", "sending" (its moment has come), "done" (the event has started), "skipped"
    delivered: int


def _state(reminder: Reminder, starts_at: datetime, now: datetime) -> str:
    due_at = reminder.due_at(starts_at)
    if due_at <= reminder.set_at:
        return "skipped"  # set after its moment: it is not sent late
    if now < due_at:
        return "planned"
    return "sending" if now < starts_at else "done"


def standings(event: Event, now: datetime) -> list[Standing]:
    reminders = of_event(event.id)
    counts = dict(db.session.execute(
        select(ReminderDelivery.reminder_id, func.count())
        .where(ReminderDelivery.reminder_id.in_([r.id for r in reminders]),
               ReminderDelivery.event_starts_at == event.starts_at)
        .group_by(ReminderDelivery.reminder_id)).all())
    return [Standing(r, r.due_at(event.starts_at), _state(r, event.starts_at, now), counts.get(r.id, 0))
            for r in reminders]


@dataclass(frozen=True)
class Delivered:
    name: str
    email: str | None
    kind: str
    sent_at: datetime
    outcome: str  # "sent", "waiting", "failed", "gone" (the outbox no longer keeps it)
    earlier_start: bool  # given for a start the event has since moved from


def deliveries(reminder: Reminder) -> list[Delivered]:
    """Who has had the reminder, and when: for the event's start, then for earlier starts."""
    rows = db.session.scalars(
        select(ReminderDelivery).where(ReminderDelivery.reminder_id == reminder.id)
        .options(selectinload(ReminderDelivery.registration), selectinload(ReminderDelivery.message))
        .order_by(ReminderDelivery.sent_at, ReminderDelivery.id)).all()
    starts_at = reminder.event.starts_at
    out = []
    for row in rows:
        message = row.message
        outcome = ("gone" if message is None else "sent" if message.sent_at else "failed" if message.failed_at
                   else "waiting")
        out.append(Delivered(row.registration.name, row.registration.email, row.kind, row.sent_at, outcome,
                             row.event_starts_at != starts_at))
    out.sort(key=lambda d: d.earlier_start)
    return out


# --- what a person gets --------------------------------------------------------------------------

def registration_opens_at(event_id: int) -> datetime | None:
    """When registration at the door opens: the programme's first registration item for people on site."""
    return db.session.scalar(select(func.min(ProgrammeItem.starts_at)).where(
        ProgrammeItem.event_id == event_id, ProgrammeItem.kind == ItemKind.REGISTRATION,
        ProgrammeItem.audience.in_((Audience.EVERYONE, Audience.ON_SITE))))


def places_of(registration: Registration) -> list[emails.Place]:
    """The person's discussion groups (a confirmed place), in the programme's order."""
    memberships = [m for m in registration.memberships if m.is_confirmed]
    return sorted((emails.Place(m.group.title, m.group.place if registration.mode == Mode.ON_SITE else None,
                                m.group.item.starts_at) for m in memberships), key=lambda place: place.starts_at)


def _sample_places(event: Event, mode: Mode) -> list[emails.Place]:
    group = db.session.scalars(
        select(DiscussionGroup).join(ProgrammeItem, ProgrammeItem.id == DiscussionGroup.item_id)
        .where(ProgrammeItem.event_id == event.id, DiscussionGroup.mode == mode)
        .order_by(ProgrammeItem.starts_at, DiscussionGroup.position, DiscussionGroup.id)).first()
    if group is None:
        return []
    return [emails.Place(group.title, group.place if mode == Mode.ON_SITE else None, group.item.starts_at)]


def preview_kinds(event: Event) -> list[DeliveryKind]:
    """The versions a reminder of this event comes in: one per mode it offers, and the waitlist's note."""
    return [DeliveryKind(mode.value) for mode in event.modes] + [DeliveryKind.WAITLIST]


def preview(reminder: Reminder, kind: DeliveryKind, language: str, name: str, keys: Keyring,
            now: datetime) -> Draft:
    """The reminder as a made-up person who takes part that way (or waits, on site) gets it, in
    ``language``: their links open nothing, and the ticket is no one's. Nothing is stored or sent."""
    event = reminder.event
    mode = event.modes[0] if kind == DeliveryKind.WAITLIST else Mode(kind.value)  # on site first, where there is one
    sample = registration_services.sample_registration(event, mode, language, name, now)
    if kind == DeliveryKind.WAITLIST:
        sample.status, sample.confirmed_at, sample.waitlisted_at = RegistrationStatus.WAITLISTED, None, now
    places = [] if kind == DeliveryKind.WAITLIST else _sample_places(event, mode)
    return emails.compose(sample, reminder, keys, places=places, registration_opens_at=registration_opens_at(event.id),
                          waitlist_position=3 if kind == DeliveryKind.WAITLIST else None)


# --- the sender ---------------------------------------------------------------------------------

@dataclass
class SendReport:
    by_kind: Counter = field(default_factory=Counter)

    @property
    def sent(self) -> int:
        return sum(self.by_kind.values())


def _since(person: Registration) -> datetime:
    """Since when the person has had their place, or been on the waitlist."""
    moment = person.waitlisted_at if person.is_waitlisted else person.confirmed_at
    return moment or person.created_at


def _pick(due: list[Reminder], person: Registration, starts_at: datetime) -> Reminder | None:
    """The reminder the person is to get now: the latest of those due whose moment came after they registered."""
    since = _since(person)
    theirs = [reminder for reminder in due if reminder.due_at(starts_at) > since]
    return max(theirs, key=lambda reminder: reminder.due_at(starts_at)) if theirs else None


def _due_events(now: datetime) -> list[Event]:
    return list(db.session.scalars(select(Event).where(
        Event.status == EventStatus.PUBLISHED, Event.starts_at > now,
        Event.starts_at <= now + timedelta(minutes=MAX_MINUTES_BEFORE)).order_by(Event.starts_at)))


def send_due(now: datetime, keys: Keyring) -> SendReport:
    """Queue every reminder that is due (see the module's rules). Safe to run every few minutes, and
    twice at once: each email is queued in the transaction that claims its delivery row."""
    report = SendReport()
    for event in _due_events(now):
        starts_at = event.starts_at
        due = [r for r in of_event(event.id) if r.set_at < r.due_at(starts_at) <= now]
        if not due:
            continue
        for registration_id, reminder_id in _to_remind(event, due, now):
            kind = _deliver(registration_id, reminder_id, starts_at, keys, now)
            if kind is not None:
                report.by_kind[kind] += 1
    return report


def _to_remind(event: Event, due: list[Reminder], now: datetime) -> list[tuple[int, int]]:
    """(registration, reminder) pairs not yet delivered, as the database has them now."""
    starts_at = event.starts_at
    people = db.session.scalars(select(Registration).where(
        Registration.event_id == event.id, Registration.email.is_not(None),
        Registration.status.in_((RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)))
        .order_by(Registration.id)).all()
    had = db.session.execute(select(ReminderDelivery.registration_id, ReminderDelivery.reminder_id,
                                    ReminderDelivery.kind)
                             .join(Reminder, Reminder.id == ReminderDelivery.reminder_id)
                             .where(Reminder.event_id == event.id,
                                    ReminderDelivery.event_starts_at == starts_at)).all()
    delivered = {(row.registration_id, row.reminder_id) for row in had}
    noted = {row.registration_id for row in had if row.kind == DeliveryKind.WAITLIST}
    pairs = []
    for person in people:
        if person.is_waitlisted and person.id in noted:
            continue
        reminder = _pick(due, person, starts_at)
        if reminder is not None and (person.id, reminder.id) not in delivered:
            pairs.append((person.id, reminder.id))
    return pairs


def _deliver(registration_id: int, reminder_id: int, starts_at: datetime, keys: Keyring,
             now: datetime) -> DeliveryKind | None:
    """Claim the delivery and queue the email, in one transaction; None when another sender had it
    (or the person or the reminder changed meanwhile)."""
    try:
        with atomic():
            person = db.session.get(Registration, registration_id)
            reminder = db.session.get(Reminder, reminder_id)
            if (person is None or reminder is None or person.email is None
                    or person.status not in (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)
                    or person.event.starts_at != starts_at):
                return None
            kind = emails.kind_of(person)
            delivery = ReminderDelivery(reminder_id=reminder_id, registration_id=registration_id,
                                        event_starts_at=starts_at, kind=kind, sent_at=now)
            db.session.add(delivery)
            db.session.flush()  # the claim: a second sender stops here (the unique key)
            draft = emails.compose(
                person, reminder, keys, places=places_of(person),
                registration_opens_at=registration_opens_at(person.event_id),
                waitlist_position=registration_services.waitlist_position(person))
            message = emails.send(draft)
            db.session.flush()
            delivery.message_id = message.id
            if emails.gives_join_link(person):
                db.session.execute(
                    update(Registration).where(Registration.id == registration_id)
                    .values(join_reminder_sent_at=func.coalesce(Registration.join_reminder_sent_at, now))
                    .execution_options(synchronize_session=False))
    except IntegrityError:
        return None
    return kind

