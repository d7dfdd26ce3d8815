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

from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from eventhub.audit import services as audit
from eventhub.database import commit
from eventhub.events.models import Event
from eventhub.extensions import db
from eventhub.groups import services as groups
from eventhub.groups.models import DiscussionGroup, GroupLeader
from eventhub.keyring import Keyring
from eventhub.modes import Audience, Mode
from eventhub.programme.models import ItemKind, ItemSpeaker, Person, ProgrammeItem, SpeakerRole
from eventhub.types import MAX_ID, utcnow


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


def people() -> list[Person]:
    """The directory, by name."""
    return list(db.session.scalars(select(Person).order_by(func.lower(Person.name), Person.id)))


def people_in_use() -> dict[int, int]:
    """How many programme parts (speaker or group leader) each person has, across all events."""
    counts: dict[int, int] = {}
    for model in (ItemSpeaker, GroupLeader):
        for person_id, count in db.session.execute(
                select(model.person_id, func.count()).group_by(model.person_id)):
            counts[person_id] = counts.get(person_id, 0) + count
    return counts


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


def add_item(event_id: int, data: ItemData, actor_id: int) -> ProgrammeItem:
    event = _event(event_id)
    _check_item(data)
    item = ProgrammeItem(event_id=event.id, position=_last_position(event.id, data.starts_at))
    _apply_item(item, data)
    db.session.add(item)
    db.session.flush()
    audit.record(actor_id, "programme.item_added", item.title, event_id=event.id, item_id=item.id)
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

def _check_person(data: PersonData) -> None:
    if not data.name or not data.name.strip():
        raise EmptyName()


def _new_person(data: PersonData, actor_id: int, event_id: int | None) -> Person:
    _check_person(data)
    person = Person(name=data.name.strip(), title=(data.title or "").strip(),
                    organisation=(data.organisation or "").strip())
    db.session.add(person)
    db.session.flush()
    audit.record(actor_id, "programme.person_added", person.name, event_id=event_id, person_id=person.id)
    return person


def _person(person: int | PersonData, actor_id: int, event_id: int) -> Person:
    """A person from the directory by id, or a new one added to it."""
    if isinstance(person, PersonData):
        return _new_person(person, actor_id, event_id)
    return get_person(person)


def add_person(data: PersonData, actor_id: int, event_id: int | None = None) -> Person:
    person = _new_person(data, actor_id, event_id)
    commit()
    return person


def _events_showing(person_id: int) -> list[int]:
    via_speakers = select(ProgrammeItem.event_id).join(ItemSpeaker).where(ItemSpeaker.person_id == person_id)
    via_leaders = (select(ProgrammeItem.event_id).join(DiscussionGroup).join(GroupLeader)
                   .where(GroupLeader.person_id == person_id))
    return sorted(set(db.session.scalars(via_speakers)) | set(db.session.scalars(via_leaders)))


def update_person(person_id: int, data: PersonData, actor_id: int, event_id: int | None = None) -> Person:
    person = get_person(person_id)
    _check_person(data)
    person.name = data.name.strip()
    person.title = (data.title or "").strip()
    person.organisation = (data.organisation or "").strip()
    # The name is printed in every programme that has this person: those are new versions.
    shown_in = _events_showing(person.id)
    if shown_in:
        db.session.execute(update(Event).where(Event.id.in_(shown_in)).values(updated_at=utcnow())
                           .execution_options(synchronize_session=False))
    audit.record(actor_id, "programme.person_updated", person.name, event_id=event_id, person_id=person.id,
                 events=shown_in)
    commit()
    return person


def delete_person(person_id: int, actor_id: int, event_id: int | None = None) -> None:
    """Only a person who is nobody's speaker or group leader leaves the directory."""
    person = get_person(person_id)
    if _events_showing(person.id):
        raise PersonInUse()
    name = person.name
    db.session.delete(person)
    audit.record(actor_id, "programme.person_deleted", name, event_id=event_id, person_id=person_id)
    commit()


# --- speakers ----------------------------------------------------------------------------

def add_speaker(event_id: int, item_id: int, person: int | PersonData, role: str, actor_id: int) -> ItemSpeaker:
    """Put a person (from the directory, or new) on an item with a role."""
    item = get_item(event_id, item_id)
    role = _check_choice(role, SpeakerRole)
    chosen = _person(person, actor_id, event_id)
    if any(part.person_id == chosen.id for part in item.speakers):
        raise AlreadyAdded()
    position = max((part.position for part in item.speakers), default=-1) + 1
    part = ItemSpeaker(person=chosen, role=role, position=position)
    item.speakers.append(part)
    db.session.flush()
    audit.record(actor_id, "programme.speaker_added", f"{chosen.name} ({role}): {item.title}", event_id=event_id,
                 item_id=item.id, person_id=chosen.id)
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
    group = DiscussionGroup(position=max((g.position for g in item.groups), default=-1) + 1)
    _apply_group(group, data)
    item.groups.append(group)
    if leader is not None:
        group.leaders.append(GroupLeader(person=_person(leader, actor_id, event_id), position=0))
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


def set_group_choice(event_id: int, open_: bool, actor_id: int) -> Event:
    """Let attendees choose a discussion group now (e.g. at the pitch), or stop them."""
    event = _event(event_id)
    event.group_choice_open = open_
    audit.record(actor_id, "event.group_choice_opened" if open_ else "event.group_choice_closed", event.title,
                 event_id=event.id)
    commit()
    return event
