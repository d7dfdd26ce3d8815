"""What organisers do to events: create, edit, publish, cancel, duplicate.

Each operation takes plain arguments, checks its rules, writes an audit entry in the
same transaction, and raises a named error the view turns into a message.
"""
from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from eventhub.accounts.models import EventStaff, StaffRole
from eventhub.audit import services as audit
from eventhub.database import commit
from eventhub.events import emails
from eventhub.events.models import Event, EventFormat, EventStatus, Partner
from eventhub.extensions import db
from eventhub.groups.models import DiscussionGroup, GroupLeader
from eventhub.keyring import Keyring
from eventhub.modes import Mode
from eventhub.privacy import services as privacy
from eventhub.programme.models import ItemSpeaker, ProgrammeItem
from eventhub.registration import services as registration
from eventhub.registration.models import Registration, RegistrationStatus

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class EventError(Exception):
    pass


class SlugTaken(EventError):
    pass


class InvalidSlug(EventError):
    pass


class SeatsBelowTaken(EventError):
    def __init__(self, mode: Mode, taken: int):
        super().__init__(mode, taken)
        self.mode, self.taken = mode, taken


class EndsBeforeStart(EventError):
    pass


class RegistrationClosesBeforeOpening(EventError):
    pass


class AlreadyCancelled(EventError):
    pass


@dataclass
class EventData:
    title: str
    starts_at: datetime
    ends_at: datetime
    format: str = EventFormat.HYBRID
    slug: str = ""
    summary: str = ""
    description: str = ""
    language: str = "sv"
    timezone: str = "Europe/Stockholm"
    organiser_name: str = ""
    venue_name: str | None = None
    venue_address: str | None = None
    platform_name: str | None = None
    join_url: str | None = None
    on_site_seats: int | None = None
    digital_seats: int | None = None
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    recording_url: str | None = None
    group_choice_open: bool = False
    on_site_may_join_digital_groups: bool = False
    partners: list[tuple[str, str | None]] = field(default_factory=list)
    privacy: privacy.PrivacySettings | None = None  # None: leave the event's privacy settings as they are


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:80].rstrip("-") or "evenemang"


def _free_slug(base: str) -> str:
    slug = base
    while db.session.scalar(select(Event.id).where(Event.slug == slug)) is not None:
        slug = f"{base[:72]}-{secrets.token_hex(3)}"
    return slug


def _check(data: EventData, event: Event | None) -> None:
    if data.ends_at <= data.starts_at:
        raise EndsBeforeStart()
    if data.registration_opens_at and data.registration_closes_at and \
            data.registration_closes_at <= data.registration_opens_at:
        raise RegistrationClosesBeforeOpening()
    if event is not None:
        for mode, seats in ((Mode.ON_SITE, data.on_site_seats), (Mode.DIGITAL, data.digital_seats)):
            if seats is not None and seats < event.taken_for(mode):
                raise SeatsBelowTaken(mode, event.taken_for(mode))


def _apply(event: Event, data: EventData) -> None:
    for name in ("title", "summary", "description", "language", "timezone", "organiser_name", "venue_name",
                 "venue_address", "platform_name", "join_url", "on_site_seats", "digital_seats", "starts_at",
                 "ends_at", "registration_opens_at", "registration_closes_at", "contact_name", "contact_email",
                 "recording_url", "group_choice_open", "on_site_may_join_digital_groups", "format"):
        setattr(event, name, getattr(data, name))
    event.partners = [Partner(name=name, url=url or None, position=i) for i, (name, url) in enumerate(data.partners)]
    if data.privacy is not None:
        privacy.apply_settings(event, data.privacy)


def create_event(data: EventData, actor_id: int) -> Event:
    _check(data, None)
    slug = data.slug or slugify(data.title)
    if not SLUG_PATTERN.match(slug):
        raise InvalidSlug(slug)
    if data.slug and db.session.scalar(select(Event.id).where(Event.slug == slug)) is not None:
        raise SlugTaken(slug)
    event = Event(slug=_free_slug(slug), status=EventStatus.DRAFT)
    _apply(event, data)
    db.session.add(event)
    db.session.flush()
    db.session.add(EventStaff(event_id=event.id, user_id=actor_id, role=StaffRole.ORGANISER))
    audit.record(actor_id, "event.created", event.title, event_id=event.id)
    commit()
    return event


def update_event(event_id: int, data: EventData, actor_id: int, now: datetime, keys: Keyring) -> Event:
    event = db.session.get(Event, event_id)
    _check(data, event)
    _apply(event, data)
    audit.record(actor_id, "event.updated", event.title, event_id=event.id)
    db.session.flush()
    # More seats than before: the waitlist moves up at once.
    for mode in event.modes:
        registration.promote_waitlist(event.id, mode, now, keys)
    commit()
    return event


def set_published(event_id: int, published: bool, actor_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if event.status == EventStatus.CANCELLED:
        raise AlreadyCancelled()
    event.status = EventStatus.PUBLISHED if published else EventStatus.DRAFT
    audit.record(actor_id, "event.published" if published else "event.unpublished", event.title, event_id=event.id)
    commit()
    return event


def cancel_event(event_id: int, actor_id: int, keys: Keyring) -> int:
    """Cancel the event and email everyone still registered. Returns how many were emailed."""
    event = db.session.get(Event, event_id)
    if event.status == EventStatus.CANCELLED:
        raise AlreadyCancelled()
    event.status = EventStatus.CANCELLED
    people = db.session.scalars(select(Registration).where(
        Registration.event_id == event.id, Registration.status != RegistrationStatus.CANCELLED)).all()
    for person in people:
        emails.event_cancelled(person, keys)
    audit.record(actor_id, "event.cancelled", event.title, event_id=event.id, emailed=len(people))
    commit()
    return len(people)


def duplicate_event(event_id: int, new_date: date, actor_id: int) -> Event:
    """A new draft on another day: programme, groups, speakers, partners and settings, no registrations."""
    source = db.session.scalar(select(Event).where(Event.id == event_id).options(
        selectinload(Event.partners),
        selectinload(Event.programme_items).selectinload(ProgrammeItem.speakers),
        selectinload(Event.programme_items).selectinload(ProgrammeItem.groups).selectinload(DiscussionGroup.leaders),
    ))
    zone = ZoneInfo(source.timezone)

    def moved(moment: datetime | None) -> datetime | None:
        # Same local wall-clock time on the new day, across summer-time changes.
        if moment is None:
            return None
        local = moment.astimezone(zone)
        shift = new_date - source.starts_at.astimezone(zone).date()
        return datetime.combine(local.date() + shift, local.time(), tzinfo=zone)

    copy = Event(
        slug=_free_slug(f"{slugify(source.title)}-{new_date.isoformat()}"), status=EventStatus.DRAFT,
        starts_at=moved(source.starts_at), ends_at=moved(source.ends_at),
        registration_opens_at=None,
        registration_closes_at=moved(source.registration_closes_at),
    )
    for name in ("title", "summary", "description", "language", "timezone", "format", "organiser_name",
                 "venue_name", "venue_address", "platform_name", "join_url", "on_site_seats", "digital_seats",
                 "contact_name", "contact_email", "group_choice_open", "on_site_may_join_digital_groups"):
        setattr(copy, name, getattr(source, name))
    copy.partners = [Partner(name=p.name, url=p.url, position=p.position) for p in source.partners]
    privacy.copy_settings(source, copy)
    for item in source.programme_items:
        new_item = ProgrammeItem(
            starts_at=moved(item.starts_at), ends_at=moved(item.ends_at), title=item.title,
            description=item.description, kind=item.kind, audience=item.audience, location=item.location,
            position=item.position,
            speakers=[ItemSpeaker(person_id=s.person_id, role=s.role, position=s.position) for s in item.speakers],
            groups=[DiscussionGroup(
                title=g.title, description=g.description, mode=g.mode, seats=g.seats, place=g.place,
                join_url=g.join_url, position=g.position,
                leaders=[GroupLeader(person_id=leader.person_id, position=leader.position) for leader in g.leaders],
            ) for g in item.groups],
        )
        copy.programme_items.append(new_item)
    db.session.add(copy)
    db.session.flush()
    db.session.add(EventStaff(event_id=copy.id, user_id=actor_id, role=StaffRole.ORGANISER))
    audit.record(actor_id, "event.duplicated", f"{source.title} → {new_date.isoformat()}", event_id=copy.id,
                 source_event_id=source.id)
    commit()
    return copy


