"""What organisers do to a programme: items, speakers, discussion groups, the people directory.

Each operation takes plain arguments, checks its rules, writes an audit entry in the same
transaction, and raises a named error the view turns into a message. Every change to an
item, its speakers or its groups bumps the item's and the event's content version through
the ORM hooks in ``eventhub.programme.revisions``; a change to a person in the directory
touches the events that show that person here.
What looks wrong in a programme, without blocking it, is ``eventhub.programme.warnings``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from eventhub.accounts import services as accounts
from eventhub.accounts.services import ManagedEvents
from eventhub.audit import services as audit
from eventhub.database import atomic, commit
from eventhub.events.models import Event, EventStatus
from eventhub.extensions import db
from eventhub.groups import services as groups
from eventhub.groups.models import DiscussionGroup, GroupLeader
from eventhub.keyring import Keyring
from eventhub.modes import Audience, Mode
from eventhub.programme.models import ItemKind, ItemSpeaker, Person, ProgrammeItem, SpeakerRole
from eventhub.text import name_key, swedish_sort_key
from eventhub.types import MAX_ID


class ProgrammeError(Exception):
    pass


class NotFound(ProgrammeError):
    """No such item, speaker, group or person in this event (an id from another event included)."""


class EndsBeforeStart(ProgrammeError):
    pass


class UnknownChoice(ProgrammeError):
    """A kind, audience, role or mode outside the allowed values."""


class KindHasGroups(ProgrammeError):
    """A group session with groups cannot become another kind: its groups would vanish from view."""


class ItemHasMembers(ProgrammeError):
    def __init__(self, count: int):
        super().__init__(count)
        self.count = count


class CannotMove(ProgrammeError):
    """Already first (or last) among the items that start at the same time, or alone there."""


class AlreadyAdded(ProgrammeError):
    """The person is already a speaker in the item, or a leader of the group."""


class NotAGroupSession(ProgrammeError):
    pass


class SeatsBelowTaken(ProgrammeError):
    def __init__(self, taken: int):
        super().__init__(taken)
        self.taken = taken


class GroupHasMembers(ProgrammeError):
    def __init__(self, confirmed: int, waitlisted: int):
        super().__init__(confirmed, waitlisted)
        self.confirmed, self.waitlisted = confirmed, waitlisted


class InvalidLink(ProgrammeError):
    pass


class PersonInUse(ProgrammeError):
    pass


class EmptyName(ProgrammeError):
    pass


@dataclass
class ItemData:
    title: str
    starts_at: datetime
    ends_at: datetime | None = None
    kind: str = ItemKind.TALK
    audience: str = Audience.EVERYONE
    location: str | None = None
    description: str = ""


@dataclass
class PersonData:
    name: str
    title: str = ""
    organisation: str = ""
    even_if_same_name: bool = False  # the organiser said this is not the person of that name already there


@dataclass
class GroupData:
    title: str
    mode: str
    seats: int | None = None
    place: str | None = None
    join_url: str | None = None
    description: str = ""


# --- lookups: always through the event, so an id from another event is not found ------------

def _get(model, key: int, what: str):
    row = db.session.get(model, key) if 0 < key <= MAX_ID else None
    if row is None:
        raise NotFound(what, key)
    return row


def _event(event_id: int) -> Event:
    return _get(Event, event_id, "event")


def get_item(event_id: int, item_id: int) -> ProgrammeItem:
    item = _get(ProgrammeItem, item_id, "item")
    if item.event_id != event_id:
        raise NotFound("item", item_id)
    return item


def get_group(event_id: int, group_id: int) -> DiscussionGroup:
    group = _get(DiscussionGroup, group_id, "group")
    if group.item.event_id != event_id:
        raise NotFound("group", group_id)
    return group


def get_person(person_id: int) -> Person:
    return _get(Person, person_id, "person")


def programme(event_id: int) -> list[ProgrammeItem]:
    """The event's items in time order, with speakers, groups and leaders loaded for one page."""
    return list(db.session.scalars(
        select(ProgrammeItem).where(ProgrammeItem.event_id == event_id)
        .options(
            selectinload(ProgrammeItem.speakers).selectinload(ItemSpeaker.person),
            selectinload(ProgrammeItem.groups).selectinload(DiscussionGroup.leaders)
            .selectinload(GroupLeader.person),
        )
        .order_by(ProgrammeItem.starts_at, ProgrammeItem.position, ProgrammeItem.id)
    ))


def _check_choice(value: str, allowed: type) -> str:
    try:
        return allowed(value).value
    except ValueError:
        raise UnknownChoice(value) from None


def _clean(text: str | None) -> str | None:
    text = (text or "").strip()
    return text or None


# --- items -------------------------------------------------------------------------------

def _check_item(data: ItemData) -> None:
    _check_choice(data.kind, ItemKind)
    _check_choice(data.audience, Audience)
    if data.ends_at is not None and data.ends_at <= data.starts_at:
        raise EndsBeforeStart()


def _last_position(event_id: int, starts_at: datetime, leave_out: int | None = None) -> int:
    """The position after the last item that starts at ``starts_at``."""
    query = select(func.max(ProgrammeItem.position)).where(
        ProgrammeItem.event_id == event_id, ProgrammeItem.starts_at == starts_at)
    if leave_out is not None:
        query = query.where(ProgrammeItem.id != leave_out)
    last = db.session.scalar(query)
    return 0 if last is None else last + 1


def _apply_item(item: ProgrammeItem, data: ItemData) -> None:
    item.title = data.title.strip()
    item.kind = data.kind
    item.audience = data.audience
    item.starts_at = data.starts_at
    item.ends_at = data.ends_at
    item.location = _clean(data.location)
    item.description = (data.description or "").strip()


def add_item(event_id: int, data: ItemData, actor_id: int, speakers: list[int | PersonData] = (),
             role: str = SpeakerRole.SPEAKER) -> ProgrammeItem:
    """Add an item, with its speakers (from the directory, or new) in the same step if given:
    all of it is saved, or nothing is."""
    event = _event(event_id)
    _check_item(data)
    role = _check_choice(role, SpeakerRole)
    with atomic():
        item = ProgrammeItem(event_id=event.id, position=_last_position(event.id, data.starts_at))
        _apply_item(item, data)
        db.session.add(item)
        db.session.flush()
        audit.record(actor_id, "programme.item_added", item.title, event_id=event.id, item_id=item.id)
        for person in speakers:
            _put_speaker(item, person, role, actor_id)
        commit()
    return item


def update_item(event_id: int, item_id: int, data: ItemData, actor_id: int) -> ProgrammeItem:
    item = get_item(event_id, item_id)
    _check_item(data)
    if item.groups and item.kind == ItemKind.GROUP_SESSION and data.kind != ItemKind.GROUP_SESSION:
        raise KindHasGroups()
    if data.starts_at != item.starts_at:  # joins the end of its new time slot
        item.position = _last_position(event_id, data.starts_at, leave_out=item.id)
    _apply_item(item, data)
    audit.record(actor_id, "programme.item_updated", item.title, event_id=event_id, item_id=item.id)
    commit()
    return item


def delete_item(event_id: int, item_id: int, actor_id: int) -> None:
    """Delete an item with its speakers and groups; refused while people have places in its groups."""
    item = get_item(event_id, item_id)
    members = groups.members_of_item(item.id)
    if members:
        raise ItemHasMembers(members)
    title = item.title
    db.session.delete(item)
    audit.record(actor_id, "programme.item_deleted", title, event_id=event_id, item_id=item_id)
    commit()


def same_start(item: ProgrammeItem) -> list[ProgrammeItem]:
    """The items of the event that start when ``item`` does (itself included), in their order."""
    return list(db.session.scalars(
        select(ProgrammeItem).where(ProgrammeItem.event_id == item.event_id, ProgrammeItem.starts_at == item.starts_at)
        .order_by(ProgrammeItem.position, ProgrammeItem.id)
    ))


def move_item(event_id: int, item_id: int, direction: str, actor_id: int) -> ProgrammeItem:
    """Swap an item with its neighbour among the items that start at the same time."""
    if direction not in ("up", "down"):
        raise UnknownChoice(direction)
    item = get_item(event_id, item_id)
    slot = same_start(item)
    index = slot.index(item)
    other = index - 1 if direction == "up" else index + 1
    if other < 0 or other >= len(slot):
        raise CannotMove()
    slot[index], slot[other] = slot[other], slot[index]
    for position, member in enumerate(slot):
        if member.position != position:
            member.position = position
    audit.record(actor_id, "programme.item_moved", f"{item.title} ({direction})", event_id=event_id,
                 item_id=item.id, position=item.position)
    commit()
    return item


# --- the people directory ----------------------------------------------------------------
#
# The directory is shared by every event, so a change to a person changes what other events
# print. Who may see and change a person follows the events the person belongs to: the events
# whose programme shows them (as speaker, moderator, group leader, ...), or, while no programme
# shows them, the event whose organisers added them (``Person.added_in_event_id``).
#
# - Change (edit, remove, merge): administrators, and whoever may manage every one of those
#   events. A person who belongs to no event at all (added before this rule was kept, or their
#   event is deleted) may be changed by any organiser: no programme shows them.
# - See (the directory list, the lists to choose speakers and leaders from, duplicate hints):
#   whoever may change them, and anyone when one of their events has a public programme
#   (published or cancelled). A name only a draft programme shows stays out of other
#   organisers' lists, and its id is simply not found.
#
# A change to a person is written in the audit log of every event that shows them, or of the
# event it was made from when none does.

PUBLIC_STATUSES = (EventStatus.PUBLISHED, EventStatus.CANCELLED)


class NotYoursToChange(ProgrammeError):
    """The person is also in the programme of events the organiser may not manage."""

    def __init__(self, name: str, other_events: int):
        super().__init__(name, other_events)
        self.name, self.other_events = name, other_events


class SameNameExists(ProgrammeError):
    """A person with the same name (case and accents aside) is already in the directory."""

    def __init__(self, name: str, matches: list[Person]):
        super().__init__(name, [person.id for person in matches])
        self.name, self.matches = name, matches


class MergeWithItself(ProgrammeError):
    pass


@dataclass(frozen=True)
class Reach:
    """Which people of the directory one account may see and change (the rule above)."""

    managed: ManagedEvents
    public: frozenset[int]
    showing: dict[int, frozenset[int]]  # person id: the events whose programme shows them
    added_in: dict[int, int | None]  # person id: the event they were added from

    def events_of(self, person_id: int) -> frozenset[int]:
        shown_in = self.showing.get(person_id)
        if shown_in:
            return shown_in
        home = self.added_in.get(person_id)
        return frozenset() if home is None else frozenset({home})

    def may_change(self, person_id: int) -> bool:
        if self.managed.every:
            return True
        events = self.events_of(person_id)
        return self.managed.organiser and all(event_id in self.managed for event_id in events)

    def may_see(self, person_id: int) -> bool:
        return self.may_change(person_id) or any(
            event_id in self.public or event_id in self.managed for event_id in self.events_of(person_id))

    def not_managed(self, person_id: int) -> int:
        """How many of the person's events the account may not manage."""
        return sum(1 for event_id in self.events_of(person_id) if event_id not in self.managed)


def _showing(person_ids: list[int] | None = None) -> dict[int, frozenset[int]]:
    via_speakers = select(ItemSpeaker.person_id, ProgrammeItem.event_id).join(ProgrammeItem)
    via_leaders = (select(GroupLeader.person_id, ProgrammeItem.event_id)
                   .join(DiscussionGroup, GroupLeader.group_id == DiscussionGroup.id).join(ProgrammeItem))
    if person_ids is not None:
        via_speakers = via_speakers.where(ItemSpeaker.person_id.in_(person_ids))
        via_leaders = via_leaders.where(GroupLeader.person_id.in_(person_ids))
    found: dict[int, set[int]] = {}
    for query in (via_speakers, via_leaders):
        for person_id, event_id in db.session.execute(query.distinct()):
            found.setdefault(person_id, set()).add(event_id)
    return {person_id: frozenset(events) for person_id, events in found.items()}


def reach(actor_id: int, people: list[Person] | None = None) -> Reach:
    """What ``actor_id`` may do with ``people`` (default: the whole directory)."""
    if people is None:
        people = list(db.session.scalars(select(Person)))
    ids = [person.id for person in people]
    showing = _showing(ids)
    events = set().union(*showing.values()) | {p.added_in_event_id for p in people if p.added_in_event_id}
    public = frozenset(db.session.scalars(select(Event.id).where(Event.id.in_(events),
                                                                 Event.status.in_(PUBLIC_STATUSES)))) \
        if events else frozenset()
    return Reach(managed=accounts.managed_events(actor_id), public=public, showing=showing,
                 added_in={person.id: person.added_in_event_id for person in people})


@dataclass(frozen=True)
class DirectoryEntry:
    person: Person
    parts: int  # speaker and group leader parts, in every programme
    may_change: bool
    other_events: int  # events showing the person that this account may not manage


def _sorted(people) -> list[Person]:
    return sorted(people, key=lambda person: (swedish_sort_key(person.name), person.id))


def people(actor_id: int) -> list[Person]:
    """The people ``actor_id`` may see, by name: the lists to choose speakers and leaders from."""
    everyone = list(db.session.scalars(select(Person)))
    scope = reach(actor_id, everyone)
    return _sorted(person for person in everyone if scope.may_see(person.id))


def changeable_people(actor_id: int, leave_out: int | None = None) -> list[Person]:
    """The people ``actor_id`` may change, by name: those they may merge."""
    everyone = list(db.session.scalars(select(Person).where(Person.id != (leave_out or 0))))
    scope = reach(actor_id, everyone)
    return _sorted(person for person in everyone if scope.may_change(person.id))


def people_in_use() -> dict[int, int]:
    """How many programme parts (speaker or group leader) each person has, across all events."""
    counts: dict[int, int] = {}
    for model in (ItemSpeaker, GroupLeader):
        for person_id, count in db.session.execute(
                select(model.person_id, func.count()).group_by(model.person_id)):
            counts[person_id] = counts.get(person_id, 0) + count
    return counts


def directory(actor_id: int) -> list[DirectoryEntry]:
    """The directory as ``actor_id`` sees it, by name, saying whom they may change."""
    everyone = list(db.session.scalars(select(Person)))
    scope = reach(actor_id, everyone)
    parts = people_in_use()
    return [DirectoryEntry(person, parts.get(person.id, 0), scope.may_change(person.id),
                           scope.not_managed(person.id))
            for person in _sorted(everyone) if scope.may_see(person.id)]


def directory_entry(person_id: int, actor_id: int) -> DirectoryEntry:
    """One person as ``actor_id`` sees them; not found when they may not see the person."""
    person = get_person(person_id)
    scope = reach(actor_id, [person])
    if not scope.may_see(person.id):
        raise NotFound("person", person_id)
    return DirectoryEntry(person, people_in_use().get(person.id, 0), scope.may_change(person.id),
                          scope.not_managed(person.id))


def _changeable(person_id: int, actor_id: int) -> tuple[Person, Reach]:
    person = get_person(person_id)
    scope = reach(actor_id, [person])
    if not scope.may_see(person.id):
        raise NotFound("person", person_id)
    if not scope.may_change(person.id):
        raise NotYoursToChange(person.name, scope.not_managed(person.id))
    return person, scope


def same_name(name: str, actor_id: int) -> list[Person]:
    """The people ``actor_id`` may see whose name is ``name`` but for case, accents and spaces."""
    key = name_key(name)
    return [person for person in people(actor_id) if name_key(person.name) == key]


def _check_person(data: PersonData) -> None:
    if not data.name or not data.name.strip():
        raise EmptyName()


def _new_person(data: PersonData, actor_id: int, event_id: int) -> Person:
    """Add a person for ``event_id``, unless the organiser may already see someone of that name
    and has not said this is someone else (``PersonData.even_if_same_name``)."""
    _check_person(data)
    if not data.even_if_same_name:
        matches = same_name(data.name, actor_id)
        if matches:
            raise SameNameExists(data.name.strip(), matches)
    person = Person(name=data.name.strip(), title=(data.title or "").strip(),
                    organisation=(data.organisation or "").strip(), added_in_event_id=event_id)
    db.session.add(person)
    db.session.flush()
    audit.record(actor_id, "programme.person_added", person.name, event_id=event_id, person_id=person.id)
    return person


def _person(person: int | PersonData, actor_id: int, event_id: int) -> Person:
    """A person from the directory by id (one the organiser may see), or a new one added to it."""
    if isinstance(person, PersonData):
        return _new_person(person, actor_id, event_id)
    chosen = get_person(person)
    if not reach(actor_id, [chosen]).may_see(chosen.id):
        raise NotFound("person", person)
    return chosen


def add_person(data: PersonData, actor_id: int, event_id: int) -> Person:
    person = _new_person(data, actor_id, event_id)
    commit()
    return person


def _logs_of(event_ids, fallback_event_id: int) -> list[int]:
    """The logs a change to a person goes into: every event that shows them, else the one it was made from."""
    return sorted(event_ids) or [fallback_event_id]


def update_person(person_id: int, data: PersonData, actor_id: int, event_id: int) -> Person:
    person, scope = _changeable(person_id, actor_id)
    _check_person(data)
    person.name = data.name.strip()
    person.title = (data.title or "").strip()
    person.organisation = (data.organisation or "").strip()
    shown_in = scope.showing.get(person.id, frozenset())  # their programmes' versions rise (revisions)
    for log in _logs_of(shown_in, event_id):
        audit.record(actor_id, "programme.person_updated", person.name, event_id=log, person_id=person.id,
                     events=sorted(shown_in))
    commit()
    return person


def delete_person(person_id: int, actor_id: int, event_id: int) -> None:
    """Only a person who is nobody's speaker or group leader leaves the directory."""
    person, scope = _changeable(person_id, actor_id)
    if scope.showing.get(person.id):
        raise PersonInUse()
    name = person.name
    db.session.delete(person)
    audit.record(actor_id, "programme.person_deleted", name, event_id=event_id, person_id=person_id)
    commit()


def merge_people(keep_id: int, remove_id: int, actor_id: int, event_id: int) -> Person:
    """One person twice in the directory becomes one: the one kept takes over every speaker part
    and group leadership of the other, who leaves the directory. Where both were on the same
    item or group, the kept one's part stays as it was. A title or organisation only the other had
    is kept."""
    if keep_id == remove_id:
        raise MergeWithItself()
    keep, keep_scope = _changeable(keep_id, actor_id)
    removed, removed_scope = _changeable(remove_id, actor_id)
    shown_in = keep_scope.showing.get(keep.id, frozenset()) | removed_scope.showing.get(removed.id, frozenset())
    for model, owner in ((ItemSpeaker, ItemSpeaker.item_id), (GroupLeader, GroupLeader.group_id)):
        kept_in = set(db.session.scalars(select(owner).where(model.person_id == keep.id)))
        for part in db.session.scalars(select(model).where(model.person_id == removed.id)).all():
            if getattr(part, owner.key) in kept_in:
                db.session.delete(part)
            else:
                part.person = keep
    # What only the other entry knew (a title, an organisation) is kept, not lost with it.
    for detail in ("title", "organisation"):
        if not getattr(keep, detail) and getattr(removed, detail):
            setattr(keep, detail, getattr(removed, detail))
    db.session.flush()
    name = removed.name
    db.session.delete(removed)
    for log in _logs_of(shown_in, event_id):
        audit.record(actor_id, "programme.people_merged", f"{name} → {keep.name}", event_id=log,
                     person_id=keep.id, removed_person_id=remove_id, removed=name, events=sorted(shown_in))
    commit()
    return keep


# --- speakers ----------------------------------------------------------------------------

def _put_speaker(item: ProgrammeItem, person: int | PersonData, role: str, actor_id: int) -> ItemSpeaker:
    chosen = _person(person, actor_id, item.event_id)
    if any(part.person_id == chosen.id for part in item.speakers):
        raise AlreadyAdded()
    position = max((part.position for part in item.speakers), default=-1) + 1
    part = ItemSpeaker(person=chosen, role=role, position=position)
    item.speakers.append(part)
    db.session.flush()
    audit.record(actor_id, "programme.speaker_added", f"{chosen.name} ({role}): {item.title}",
                 event_id=item.event_id, item_id=item.id, person_id=chosen.id)
    return part


def add_speaker(event_id: int, item_id: int, person: int | PersonData, role: str, actor_id: int) -> ItemSpeaker:
    """Put a person (from the directory, or new) on an item with a role."""
    item = get_item(event_id, item_id)
    role = _check_choice(role, SpeakerRole)
    part = _put_speaker(item, person, role, actor_id)
    commit()
    return part


def remove_speaker(event_id: int, item_id: int, speaker_id: int, actor_id: int) -> None:
    item = get_item(event_id, item_id)
    part = next((part for part in item.speakers if part.id == speaker_id), None)
    if part is None:
        raise NotFound("speaker", speaker_id)
    name = part.person.name
    item.speakers.remove(part)
    audit.record(actor_id, "programme.speaker_removed", f"{name}: {item.title}", event_id=event_id,
                 item_id=item.id, person_id=part.person_id)
    commit()


# --- discussion groups -------------------------------------------------------------------

def _check_group(data: GroupData) -> None:
    _check_choice(data.mode, Mode)


def _apply_group(group: DiscussionGroup, data: GroupData) -> None:
    group.title = data.title.strip()
    group.mode = data.mode
    if data.seats != group.seats:
        group.seats_added = 0  # a limit the organiser types is the plan again
    group.seats = data.seats
    group.place = _clean(data.place)
    group.description = (data.description or "").strip()
    try:
        group.join_url = _clean(data.join_url)
    except ValueError:
        raise InvalidLink() from None


def add_group(event_id: int, item_id: int, data: GroupData, actor_id: int,
              leader: int | PersonData | None = None) -> DiscussionGroup:
    item = get_item(event_id, item_id)
    if item.kind != ItemKind.GROUP_SESSION:
        raise NotAGroupSession()
    _check_group(data)
    chosen = None if leader is None else _person(leader, actor_id, event_id)  # before the group: it may fail
    group = DiscussionGroup(position=max((g.position for g in item.groups), default=-1) + 1)
    _apply_group(group, data)
    item.groups.append(group)
    if chosen is not None:
        group.leaders.append(GroupLeader(person=chosen, position=0))
    db.session.flush()
    audit.record(actor_id, "programme.group_added", f"{group.title}: {item.title}", event_id=event_id,
                 item_id=item.id, group_id=group.id, mode=group.mode, seats=group.seats)
    commit()
    return group


def update_group(event_id: int, group_id: int, data: GroupData, actor_id: int, keys: Keyring) -> DiscussionGroup:
    """Change a group; the seat limit may not go below the seats already taken.

    More seats than before move the group's waitlist up at once (the people are emailed).
    """
    group = get_group(event_id, group_id)
    _check_group(data)
    db.session.refresh(group, ["taken", "seats"])  # the counter as it is now, not as first loaded
    if data.seats is not None and data.seats < group.taken:
        raise SeatsBelowTaken(group.taken)
    more_seats = group.seats is not None and (data.seats is None or data.seats > group.seats)
    _apply_group(group, data)
    audit.record(actor_id, "programme.group_updated", f"{group.title}: {group.item.title}", event_id=event_id,
                 item_id=group.item_id, group_id=group.id, mode=group.mode, seats=group.seats)
    db.session.flush()
    if more_seats:
        groups.promote_waitlist(group.id, keys)
    commit()
    return group


def delete_group(event_id: int, group_id: int, actor_id: int) -> None:
    """Refused while anyone has a place (or a waitlist place) in the group: their choice would silently vanish."""
    group = get_group(event_id, group_id)
    confirmed, waitlisted = groups.members(group.id)
    if confirmed or waitlisted:
        raise GroupHasMembers(confirmed, waitlisted)
    item = group.item
    title = group.title
    item.groups.remove(group)
    audit.record(actor_id, "programme.group_deleted", f"{title}: {item.title}", event_id=event_id,
                 item_id=item.id, group_id=group_id)
    commit()


def add_leader(event_id: int, group_id: int, person: int | PersonData, actor_id: int) -> GroupLeader:
    group = get_group(event_id, group_id)
    chosen = _person(person, actor_id, event_id)
    if any(leader.person_id == chosen.id for leader in group.leaders):
        raise AlreadyAdded()
    leader = GroupLeader(person=chosen, position=max((lead.position for lead in group.leaders), default=-1) + 1)
    group.leaders.append(leader)
    db.session.flush()
    audit.record(actor_id, "programme.leader_added", f"{chosen.name}: {group.title}", event_id=event_id,
                 group_id=group.id, person_id=chosen.id)
    commit()
    return leader


def remove_leader(event_id: int, group_id: int, leader_id: int, actor_id: int) -> None:
    group = get_group(event_id, group_id)
    leader = next((lead for lead in group.leaders if lead.id == leader_id), None)
    if leader is None:
        raise NotFound("leader", leader_id)
    name = leader.person.name
    group.leaders.remove(leader)
    audit.record(actor_id, "programme.leader_removed", f"{name}: {group.title}", event_id=event_id,
                 group_id=group.id, person_id=leader.person_id)
    commit()


