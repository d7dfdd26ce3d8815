"""What organisers do to events: create, edit, publish, cancel, duplicate.

Each operation takes plain arguments, checks its rules, writes an audit entry in the
same transaction, and raises a named error the view turns into a message.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from eventhub.accounts.models import EventStaff, StaffRole
from eventhub.audit import services as audit
from eventhub.database import commit
from eventhub.events import emails
from eventhub.events.models import Event, EventFormat, EventStatus, Partner
from eventhub.extensions import db
from eventhub.groups import services as groups
from eventhub.groups.models import DiscussionGroup, GroupLeader
from eventhub.keyring import Keyring
from eventhub.modes import Mode
from eventhub.privacy import services as privacy
from eventhub.programme.models import ItemSpeaker, ProgrammeItem
from eventhub.questions import services as questions
from eventhub.registration import services as registration
from eventhub.registration.models import Registration, RegistrationStatus
from eventhub.reminders import services as reminders
from eventhub.text import slugify
from eventhub.types import utcnow

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


MAX_SHIFT_MINUTES = 24 * 60


class ShiftOutOfRange(EventError):
    """A shift of zero minutes, or of more than a day (that is a date move: edit the event's date)."""


class NotADraft(EventError):
    """Only a draft that nobody has registered for can be deleted."""


class HasRegistrations(EventError):
    def __init__(self, count: int):
        super().__init__(count)
        self.count = count


@dataclass(frozen=True)
class Saved:
    """An event saved: how many programme items moved with its date, how many people were told."""

    event: Event
    items_moved: int = 0
    told: int = 0


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
    asks_dietary_needs: bool = True
    partners: list[tuple[str, str | None]] = field(default_factory=list)
    privacy: privacy.PrivacySettings | None = None  # None: leave the event's privacy settings as they are


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


def same_wall_clock(moment: datetime | None, days: timedelta, old_zone: ZoneInfo,
                    new_zone: ZoneInfo) -> datetime | None:
    """``moment`` ``days`` later at the same local wall-clock time, across summer-time changes
    (13:15 stays 13:15 when the clocks go back between the two days)."""
    if moment is None:
        return None
    local = moment.astimezone(old_zone)
    return datetime.combine(local.date() + days, local.time(), tzinfo=new_zone)


def _days_moved(event: Event, data: EventData) -> timedelta:
    old_day = event.starts_at.astimezone(ZoneInfo(event.timezone)).date()
    return data.starts_at.astimezone(ZoneInfo(data.timezone)).date() - old_day


def _follow_the_date(event: Event, data: EventData) -> None:
    """What the organiser left as it was moves with a new date: the end and the registration's
    closing keep their wall-clock time on the new day (so moving a meeting a week is one field)."""
    days = _days_moved(event, data)
    if not days:
        return
    zones = ZoneInfo(event.timezone), ZoneInfo(data.timezone)
    if _same_minute(data.ends_at, event.ends_at):
        data.ends_at = same_wall_clock(event.ends_at, days, *zones)
    if _same_minute(data.registration_closes_at, event.registration_closes_at):
        data.registration_closes_at = same_wall_clock(event.registration_closes_at, days, *zones)


def _same_minute(typed: datetime | None, stored: datetime | None) -> bool:
    # The form shows whole minutes: a value sent back unchanged is the stored one without its seconds.
    return typed is not None and stored is not None and abs(typed - stored) < timedelta(minutes=1)


def _move_programme(event: Event, days: timedelta, old_zone: ZoneInfo) -> int:
    """Every item (and so every group session) moves ``days`` at its own wall-clock time."""
    new_zone = ZoneInfo(event.timezone)
    if not days and old_zone == new_zone:
        return 0
    for item in event.programme_items:
        item.starts_at = same_wall_clock(item.starts_at, days, old_zone, new_zone)
        item.ends_at = same_wall_clock(item.ends_at, days, old_zone, new_zone)
    return len(event.programme_items)


def _apply(event: Event, data: EventData, *, choice: bool = True) -> None:
    if choice:  # a new event; an existing one opens and closes group choice by the groups' rule
        event.group_choice_open = data.group_choice_open
    for name in ("title", "summary", "description", "language", "timezone", "organiser_name", "venue_name",
                 "venue_address", "platform_name", "join_url", "on_site_seats", "digital_seats", "starts_at",
                 "ends_at", "registration_opens_at", "registration_closes_at", "contact_name", "contact_email",
                 "recording_url", "on_site_may_join_digital_groups", "format",
                 "asks_dietary_needs"):
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
    reminders.add_defaults(event, utcnow())
    db.session.flush()
    db.session.add(EventStaff(event_id=event.id, user_id=actor_id, role=StaffRole.ORGANISER))
    audit.record(actor_id, "event.created", event.title, event_id=event.id)
    commit()
    return event


def update_event(event_id: int, data: EventData, actor_id: int, now: datetime, keys: Keyring) -> Saved:
    """Save the event. A new date moves the programme with it; a new time (or date) is told to
    everyone registered, in their language, with the updated calendar."""
    event = db.session.get(Event, event_id)
    _follow_the_date(event, data)
    _check(data, event)
    days, old_zone = _days_moved(event, data), ZoneInfo(event.timezone)
    old_times = (event.starts_at, event.ends_at)
    for mode, seats, added in ((Mode.ON_SITE, data.on_site_seats, "on_site_seats_added"),
                               (Mode.DIGITAL, data.digital_seats, "digital_seats_added")):
        if seats != event.seats_for(mode):
            setattr(event, added, 0)  # a limit the organiser types is the plan again
    _apply(event, data, choice=False)
    items_moved = _move_programme(event, days, old_zone)
    moved = (event.starts_at, event.ends_at) != old_times
    db.session.flush()  # the new version (updated_at, revision) before the calendars are drawn
    # More seats than before: the waitlist moves up at once.
    for mode in event.modes:
        registration.promote_waitlist(event.id, mode, now, keys)
    told = _tell_new_time(event, days, keys) if moved else 0
    if moved:
        _remember_first_start(event, old_times[0])
        zone = ZoneInfo(event.timezone)
        previous, start = (moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") for moment in (old_times[0],
                                                                                            event.starts_at))
        audit.record(actor_id, "event.moved", f"{event.title}: {previous} → {start}", event_id=event.id,
                     previous_start=previous, start=start, items_moved=items_moved, told=told)
    else:
        audit.record(actor_id, "event.updated", event.title, event_id=event.id)
    commit()
    if data.group_choice_open != event.group_choice_open:  # the one rule: emails once, logged
        groups.set_choice_open(event.id, data.group_choice_open, actor_id, keys, now)
    return Saved(event, items_moved, told)


def _tell_new_time(event: Event, days: timedelta, keys: Keyring) -> int:
    """Email everyone still registered; digital participants get their join reminder again before the new start."""
    people = db.session.scalars(select(Registration).where(
        Registration.event_id == event.id, Registration.status != RegistrationStatus.CANCELLED)).all()
    for person in people:
        person.join_reminder_sent_at = None
        emails.event_moved(person, keys, new_day=bool(days))
    return sum(1 for person in people if person.email)


@dataclass(frozen=True)
class Shifted:
    items_moved: int
    told: int = 0  # registrants emailed the event's new time


def _remember_first_start(event: Event, old_start: datetime) -> None:
    """A moved event the public has seen keeps the start they first saw (until it goes back there)."""
    if event.published_at is None:
        return
    first = event.previous_starts_at or old_start
    event.previous_starts_at = None if event.starts_at == first else first


def shift_programme(event_id: int, minutes: int, actor_id: int, keys: Keyring, *, with_event: bool = False) -> Shifted:
    """A late start: every item ``minutes`` later (earlier if negative); with ``with_event``, the
    event's own start and end too, and then everyone registered is told the new time."""
    if not minutes or abs(minutes) > MAX_SHIFT_MINUTES:
        raise ShiftOutOfRange(minutes)
    event = db.session.get(Event, event_id)
    delta = timedelta(minutes=minutes)
    for item in event.programme_items:
        item.starts_at += delta
        item.ends_at = item.ends_at + delta if item.ends_at else None
    told = 0
    if with_event:
        event.starts_at += delta
        event.ends_at += delta
        _remember_first_start(event, event.starts_at - delta)
        db.session.flush()  # the new version before the calendars are drawn
        told = _tell_new_time(event, timedelta(0), keys)
    audit.record(actor_id, "programme.shifted", f"{event.title}: {minutes:+d} min", event_id=event.id,
                 minutes=minutes, with_event=with_event, told=told)
    commit()
    return Shifted(len(event.programme_items), told)


def set_published(event_id: int, published: bool, actor_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if event.status == EventStatus.CANCELLED:
        raise AlreadyCancelled()
    event.status = EventStatus.PUBLISHED if published else EventStatus.DRAFT
    audit.record(actor_id, "event.published" if published else "event.unpublished", event.title, event_id=event.id)
    commit()
    return event


def registered_count(event_id: int) -> int:
    """People still registered (confirmed or waiting): those a change to the event concerns."""
    return db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.event_id == event_id, Registration.status != RegistrationStatus.CANCELLED))


def cancel_event(event_id: int, actor_id: int, keys: Keyring, message: str = "") -> int:
    """Cancel the event and email everyone still registered, with the organiser's ``message`` (the
    reason, a new date). Returns how many were emailed. A draft the public never saw stays private."""
    event = db.session.get(Event, event_id)
    if event.status == EventStatus.CANCELLED:
        raise AlreadyCancelled()
    event.status = EventStatus.CANCELLED
    event.cancellation_message = message.strip()
    people = db.session.scalars(select(Registration).where(
        Registration.event_id == event.id, Registration.status != RegistrationStatus.CANCELLED)).all()
    for person in people:
        emails.event_cancelled(person, keys)
    audit.record(actor_id, "event.cancelled", event.title, event_id=event.id, emailed=len(people))
    commit()
    return len(people)


def delete_draft(event_id: int, actor_id: int) -> str:
    """Delete a draft nobody has registered for (a test, a mistake). Its own log goes with it, so
    the deletion is logged without an event. Returns the title."""
    event = db.session.get(Event, event_id)
    if event.is_public or event.status == EventStatus.PUBLISHED:
        raise NotADraft()
    count = db.session.scalar(select(func.count()).select_from(Registration).where(Registration.event_id == event.id))
    if count:
        raise HasRegistrations(count)
    title, slug = event.title, event.slug
    db.session.delete(event)
    audit.record(actor_id, "event.deleted", f"{title} ({slug})", event_id=None, slug=slug, title=title)
    commit()
    return title


class SameTitleAndDay(EventError):
    """Another event has this title on this day: the dashboard would show two identical rows."""


@dataclass(frozen=True)
class Copy:
    event: Event
    join_links_left_out: bool  # the old platform links are not copied: the organiser sets new ones


def duplicate_event(event_id: int, new_date: date, actor_id: int, *, title: str | None = None,
                    copy_team: bool = False) -> Copy:
    """A new draft on another day under ``title``: programme, groups, speakers, partners, settings and the
    registration questions,
    and with ``copy_team`` its co-organisers and door hosts. No registrations, no old meeting links
    (a platform link belongs to one meeting), group choice closed, seat limits as planned (without
    the seats overrides added)."""
    source = db.session.scalar(select(Event).where(Event.id == event_id).options(
        selectinload(Event.partners),
        selectinload(Event.programme_items).selectinload(ProgrammeItem.speakers),
        selectinload(Event.programme_items).selectinload(ProgrammeItem.groups).selectinload(DiscussionGroup.leaders),
    ))
    title = (title or source.title).strip()
    zone = ZoneInfo(source.timezone)
    days = new_date - source.starts_at.astimezone(zone).date()

    def moved(moment: datetime | None) -> datetime | None:
        return same_wall_clock(moment, days, zone, zone)

    starts_at = moved(source.starts_at)
    if _title_taken_on(title, starts_at, zone):
        raise SameTitleAndDay(title)
    copy = Event(
        slug=_free_slug(f"{slugify(title)}-{new_date.isoformat()}"), status=EventStatus.DRAFT, title=title,
        starts_at=starts_at, ends_at=moved(source.ends_at),
        registration_opens_at=None,
        registration_closes_at=moved(source.registration_closes_at),
        on_site_seats=source.planned_seats(Mode.ON_SITE), digital_seats=source.planned_seats(Mode.DIGITAL),
        group_choice_open=False, join_url=None,
    )
    for name in ("summary", "description", "language", "timezone", "format", "organiser_name",
                 "venue_name", "venue_address", "directions", "platform_name", "platform_test_url",
                 "certificates_enabled", "certificate_signatory", "contact_name", "contact_email",
                 "on_site_may_join_digital_groups", "asks_dietary_needs"):
        setattr(copy, name, getattr(source, name))
    copy.partners = [Partner(name=p.name, url=p.url, position=p.position) for p in source.partners]
    privacy.copy_settings(source, copy)
    links_left_out = bool(source.join_url)
    for item in source.programme_items:
        links_left_out = links_left_out or any(g.join_url for g in item.groups)
        new_item = ProgrammeItem(
            starts_at=moved(item.starts_at), ends_at=moved(item.ends_at), title=item.title,
            description=item.description, kind=item.kind, audience=item.audience, location=item.location,
            position=item.position,
            speakers=[ItemSpeaker(person_id=s.person_id, role=s.role, position=s.position) for s in item.speakers],
            groups=[DiscussionGroup(
                title=g.title, description=g.description, mode=g.mode, seats=g.planned_seats, place=g.place,
                join_url=None, position=g.position,
                leaders=[GroupLeader(person_id=leader.person_id, position=leader.position) for leader in g.leaders],
            ) for g in item.groups],
        )
        copy.programme_items.append(new_item)
    db.session.add(copy)
    db.session.flush()
    reminders.copy_reminders(source.id, copy, utcnow())
    questions.copy(source.id, copy)
    db.session.add(EventStaff(event_id=copy.id, user_id=actor_id, role=StaffRole.ORGANISER))
    team = 0
    if copy_team:
        for member in db.session.scalars(select(EventStaff).where(EventStaff.event_id == source.id,
                                                                  EventStaff.user_id != actor_id)):
            db.session.add(EventStaff(event_id=copy.id, user_id=member.user_id, role=member.role))
            team += 1
    audit.record(actor_id, "event.duplicated", f"{source.title} → {title}, {new_date.isoformat()}", event_id=copy.id,
                 source_event_id=source.id, team_copied=team)
    commit()
    return Copy(copy, links_left_out)


def _title_taken_on(title: str, starts_at: datetime, zone: ZoneInfo) -> bool:
    day = starts_at.astimezone(zone).date()
    same_title = db.session.scalars(select(Event).where(func.lower(Event.title) == title.lower())).all()
    return any(event.starts_at.astimezone(zone).date() == day for event in same_title)
