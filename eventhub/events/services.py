"""Rules about events as the public sees them."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import selectinload

from eventhub.accounts.models import User
from eventhub.events.models import Event
from eventhub.extensions import db
from eventhub.groups.models import DiscussionGroup, GroupLeader
from eventhub.modes import Mode
from eventhub.programme.models import ItemSpeaker, Person, ProgrammeItem
from eventhub.registration.models import Registration
from eventhub.text import slugify


class EventNotFound(LookupError):
    """No event with that slug is visible to the public (unknown, a draft, or never published)."""


@dataclass(frozen=True)
class EventListing:
    upcoming: list[Event]
    past: list[Event]


def list_public_events(now: datetime) -> EventListing:
    """Upcoming events first (soonest first), then past ones (latest first).

    An event that has started but not ended counts as upcoming: people still
    look for it. Drafts are never listed; cancelled events stay listed, marked,
    so people who planned to come find out.
    """
    events = db.session.scalars(
        select(Event)
        .where(Event.is_public)
        .options(selectinload(Event.materials))
        .order_by(Event.starts_at)
    ).all()
    upcoming = [event for event in events if event.ends_at >= now]
    past = sorted((event for event in events if event.ends_at < now), key=lambda e: e.starts_at, reverse=True)
    return EventListing(upcoming=upcoming, past=past)


@dataclass(frozen=True)
class OrganiserListing:
    """The public events of one organiser (an event's organiser name, as written)."""

    name: str
    key: str
    upcoming: list[Event]
    past: list[Event]
    language: str = "sv"  # of the name, as written with their newest event

    @property
    def events(self) -> list[Event]:
        return self.upcoming + self.past


def organiser_key(name: str) -> str:
    """The organiser's part of their page's address: "Agenda 2030 i Väst" → "agenda-2030-i-vast"."""
    return slugify(name)


def organisers_events(key: str, events: list[Event]) -> list[Event]:
    """Those of ``events`` whose organiser name gives ``key`` (the organiser's page and the API's filter)."""
    return [event for event in events if event.organiser_name and organiser_key(event.organiser_name) == key]


def organiser_listing(key: str, now: datetime) -> OrganiserListing:
    """Every public event whose organiser name gives ``key``; EventNotFound when there is none."""
    listing = list_public_events(now)
    upcoming, past = organisers_events(key, listing.upcoming), organisers_events(key, listing.past)
    if not upcoming and not past:
        raise EventNotFound(key)
    newest = max(upcoming + past, key=lambda event: event.published_at or event.created_at)
    return OrganiserListing(name=newest.organiser_name, key=key, upcoming=upcoming, past=past,
                            language=newest.language)


@cache
def _public_event_statement(with_programme: bool = True, public: bool = True) -> Select:
    """The query behind get_public_event(_header), built once each: the slug is a bound parameter.

    Speakers (with their person) come joined to the items and leaders (with theirs) joined to
    the groups, so the whole programme takes five queries however long it is. Without the
    programme: the event's row alone (one query), for the event page, whose parts are cached by the
    row's versions and load the rest only when they are rendered.
    """
    options = []
    if with_programme:
        options += [
            selectinload(Event.partners),
            selectinload(Event.materials),
            selectinload(Event.programme_items)
            .joinedload(ProgrammeItem.speakers)
            .joinedload(ItemSpeaker.person),
            selectinload(Event.programme_items)
            .selectinload(ProgrammeItem.groups)
            .joinedload(DiscussionGroup.leaders)
            .joinedload(GroupLeader.person),
        ]
    statement = select(Event).where(Event.slug == bindparam("slug")).options(*options)
    return statement.where(Event.is_public) if public else statement


def get_public_event(slug: str, with_programme: bool = True, *, public: bool = True) -> Event:
    """The event, with its whole programme loaded in a fixed number of queries unless told not to.
    ``public=False`` is for its organisers' preview: a draft too."""
    event = db.session.scalar(_public_event_statement(with_programme, public), {"slug": slug})
    if event is None:
        raise EventNotFound(slug)
    return event


def is_past(event: Event, now: datetime) -> bool:
    return event.ends_at < now


def public_version(slug: str):
    """The content version of a public event (its updated_at), without loading the programme."""
    return db.session.scalar(
        select(Event.updated_at).where(Event.slug == slug, Event.is_public)
    )


def publication_checks(event: Event) -> list[str]:
    """What an organiser should look at before publishing, beyond the programme's warnings.

    no_programme: nothing on the programme yet; no_join_link: digital participants would get no way
    in; no_venue: people on site would not know where to go; no_contact: nobody to ask.
    """
    checks = []
    if not event.programme_items:
        checks.append("no_programme")
    if Mode.DIGITAL in event.modes and not event.join_url:
        checks.append("no_join_link")
    if Mode.ON_SITE in event.modes and not event.venue_name:
        checks.append("no_venue")
    if not event.contact_email:
        checks.append("no_contact")
    return checks


# --- the audit log as organisers read it -------------------------------------------------------

def _audit_lookups(event_id: int) -> dict:
    """For each id an entry's details may hold: the statement that names those things now."""
    return {
        "registration_id": lambda ids: select(Registration.id, Registration.name)
        .where(Registration.id.in_(ids), Registration.event_id == event_id),
        "item_id": lambda ids: select(ProgrammeItem.id, ProgrammeItem.title)
        .where(ProgrammeItem.id.in_(ids), ProgrammeItem.event_id == event_id),
        "group_id": lambda ids: select(DiscussionGroup.id, DiscussionGroup.title)
        .join(ProgrammeItem, ProgrammeItem.id == DiscussionGroup.item_id)
        .where(DiscussionGroup.id.in_(ids), ProgrammeItem.event_id == event_id),
        "person_id": lambda ids: select(Person.id, Person.name).where(Person.id.in_(ids)),
        "user_id": lambda ids: select(User.id, User.name, User.email).where(User.id.in_(ids)),
        "source_event_id": lambda ids: select(Event.id, Event.title, Event.slug).where(Event.id.in_(ids)),
    }


def audit_subjects(event_id: int, entries) -> dict[str, dict[int, tuple]]:
    """What the entries point at, as it is named now ({"item_id": {7: ("Keynote",)}, ...}): one
    query per kind of thing on the page, however many entries. A thing since deleted is absent."""
    lookups = _audit_lookups(event_id)
    wanted: dict[str, set[int]] = {key: set() for key in lookups}
    for entry in entries:
        details = entry.details if isinstance(entry.details, dict) else {}
        for key, ids in wanted.items():
            value = details.get(key)
            if isinstance(value, int) and not isinstance(value, bool):
                ids.add(value)
    return {key: {row[0]: tuple(row[1:]) for row in db.session.execute(lookups[key](sorted(ids)))}
            for key, ids in wanted.items() if ids}
