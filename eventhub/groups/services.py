"""Discussion groups' rules: who may join which group, seats and the group's waitlist, and
joining, leaving, choosing and being placed by an organiser.

People join groups of their own mode; on-site people may also join digital groups where the
event allows it (seed 001 had computers for them). One group per group session per person.
A full group means its waitlist, first come first served; a freed place goes to the first in
line at once. Seats are counted by ``eventhub.seats`` (``groups.models.SEATS``). Creating and
editing the groups themselves belongs to the programme (programme.operations).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext
from sqlalchemy import func, select, update
from sqlalchemy.orm import contains_eager, selectinload
from sqlalchemy.orm.attributes import flag_modified

from eventhub.audit import services as audit
from eventhub.database import commit
from eventhub.events.models import Event
from eventhub.extensions import db
from eventhub.groups import emails
from eventhub.groups.models import (
    SEATS,
    DiscussionGroup,
    GroupChoiceInvitation,
    GroupLeader,
    GroupMembership,
    MembershipStatus,
)
from eventhub.keyring import Keyring
from eventhub.modes import Mode
from eventhub.programme.models import ItemKind, ProgrammeItem
from eventhub.registration import emails as letters
from eventhub.registration.errors import AlreadyCancelled, RegistrationClosed, RegistrationError
from eventhub.registration.models import Registration, RegistrationStatus
from eventhub.seats import ROUNDS, RaisedLimit, Taken


class GroupError(RegistrationError):
    """Base for a group request that breaks a rule."""


class GroupChoiceClosed(GroupError):
    """Attendees choose only while the organiser has group choice open (e.g. at the pitch)."""


class GroupNotAllowed(GroupError):
    """The group is for the other mode, or not in this event."""


class NeedsSeatFirst(GroupError):
    """A waitlisted person cannot take a group seat before they have an event seat."""


@dataclass
class Placement:
    """A membership and the limit an organiser's override raised for it, if any."""

    membership: GroupMembership
    raised: list[RaisedLimit] = field(default_factory=list)


# --- which groups ---------------------------------------------------------------------------

def may_join(event: Event, mode: Mode, group: DiscussionGroup) -> bool:
    """People join groups of their own mode; on site may join digital groups where the event allows it."""
    if group.mode == mode:
        return True
    return mode == Mode.ON_SITE and group.mode == Mode.DIGITAL and event.on_site_may_join_digital_groups


def of_event(event_id: int) -> list[DiscussionGroup]:
    """All the event's discussion groups with their programme items, in programme order (one query)."""
    return list(db.session.scalars(
        select(DiscussionGroup)
        .join(ProgrammeItem, ProgrammeItem.id == DiscussionGroup.item_id)
        .options(contains_eager(DiscussionGroup.item))
        .where(ProgrammeItem.event_id == event_id)
        .order_by(ProgrammeItem.starts_at, ProgrammeItem.position, DiscussionGroup.mode.desc(),
                  DiscussionGroup.position, DiscussionGroup.id)
    ))


def choosable(event: Event, mode: Mode | None = None) -> list[DiscussionGroup]:
    """The groups of the event's group sessions, on-site groups first; with ``mode``, those it may join."""
    groups = db.session.scalars(
        select(DiscussionGroup)
        .join(ProgrammeItem)
        .where(ProgrammeItem.event_id == event.id, ProgrammeItem.kind == ItemKind.GROUP_SESSION)
        .order_by(ProgrammeItem.starts_at, DiscussionGroup.mode.desc(), DiscussionGroup.position, DiscussionGroup.id)
        # The form names each group's leaders: load them with the groups, not one query per group.
        .options(selectinload(DiscussionGroup.leaders).joinedload(GroupLeader.person))
    )
    return [group for group in groups if mode is None or may_join(event, mode, group)]


def allowed_group(event: Event, mode: Mode, group_id: int, *, organiser: bool = False) -> DiscussionGroup:
    """The group a person of ``mode`` asked for, if they may have it now (organisers: whenever)."""
    if not event.group_choice_open and not organiser:
        raise GroupChoiceClosed()
    group = db.session.get(DiscussionGroup, group_id)
    if group is None or group.item.event_id != event.id or not may_join(event, mode, group):
        raise GroupNotAllowed(group_id)
    return group


def places_of(registration: Registration) -> dict[int, GroupMembership]:
    """A person's confirmed places, by the programme item (group session) they are in."""
    return {membership.item_id: membership for membership in registration.memberships if membership.is_confirmed}


def members(group_id: int) -> tuple[int, int]:
    """(confirmed, waitlisted) people in a group."""
    counts = dict(db.session.execute(
        select(GroupMembership.status, func.count()).where(GroupMembership.group_id == group_id)
        .group_by(GroupMembership.status)).all())
    return counts.get(MembershipStatus.CONFIRMED, 0), counts.get(MembershipStatus.WAITLISTED, 0)


def members_of_item(item_id: int) -> int:
    """Everyone with a place or a waitlist place in a group session's groups."""
    return db.session.scalar(select(func.count()).select_from(GroupMembership)
                             .where(GroupMembership.item_id == item_id))


# --- opening and closing group choice ----------------------------------------------------------

CHOICE_EMAIL = "groups/emails/group_choice_open.txt"


@dataclass(frozen=True)
class ChoiceChange:
    """What opening or closing group choice did: ``changed`` False when it already was so."""

    event: Event
    changed: bool
    invited: int = 0  # people emailed their link to choose


def _choice_subject(title: str) -> str:
    return gettext("Choose your discussion group: %(title)s", title=title)


def set_choice_open(event_id: int, open_: bool, actor_id: int, keys: Keyring, now: datetime) -> ChoiceChange:
    """The one rule for opening (the pitch) and closing group choice, from the agenda builder or the
    room's views. Opening emails every confirmed person who may join a group their link to choose, in
    their language, once: a second opening (a double click, or after closing) writes to nobody who has
    had it. Logged; a click that changes nothing is not. The flag changes by a conditional UPDATE, so two
    organisers opening at once send one round of emails."""
    event = db.session.get(Event, event_id)
    changed = db.session.execute(
        update(Event).where(Event.id == event_id, Event.group_choice_open.is_(not open_))
        .values(group_choice_open=open_).execution_options(synchronize_session=False)).rowcount
    if not changed:
        db.session.refresh(event, ["group_choice_open"])
        commit()
        return ChoiceChange(event, False)
    # The same change through the ORM too, so its hooks see it: the event page's version (the form
    # offers groups while choice is open) and the live channel's state.
    event.group_choice_open = open_
    flag_modified(event, "group_choice_open")
    db.session.flush()
    invited = _invite(event, keys, now) if open_ else 0
    if open_:
        audit.record(actor_id, "event.group_choice_opened", event.title, event_id=event.id, invited=invited)
    else:
        audit.record(actor_id, "event.group_choice_closed", event.title, event_id=event.id)
    commit()
    return ChoiceChange(event, True, invited)


def _invite(event: Event, keys: Keyring, now: datetime) -> int:
    """Email their link to choose to each confirmed person who has not had it and has a group to join.
    The caller commits."""
    by_mode = {mode: choosable(event, mode) for mode in event.modes}
    had = select(GroupChoiceInvitation.registration_id).where(GroupChoiceInvitation.event_id == event.id)
    people = db.session.scalars(
        select(Registration).where(Registration.event_id == event.id,
                                   Registration.status == RegistrationStatus.CONFIRMED,
                                   Registration.id.not_in(had))
        .order_by(Registration.id))
    invited = 0
    for person in people:
        offered = by_mode.get(Mode(person.mode), [])
        if not offered:
            continue
        db.session.add(GroupChoiceInvitation(registration_id=person.id, event_id=event.id, sent_at=now))
        sent = letters.letter(person, CHOICE_EMAIL, _choice_subject, keys, details=False, groups=offered,
                              choose_url=letters.manage_url(person, keys) + "#choose-group")
        invited += sent is not None
    db.session.flush()
    return invited


# --- what attendees and organisers do ---------------------------------------------------------

def choose(registration_id: int, group_id: int, now: datetime, keys: Keyring) -> GroupMembership:
    """The person chooses a group (while group choice is open); full means its waitlist. They are emailed."""
    registration = db.session.get(Registration, registration_id)
    if registration.is_cancelled:
        raise AlreadyCancelled()
    event = registration.event
    if event.ends_at <= now:
        raise RegistrationClosed("past")
    group = allowed_group(event, Mode(registration.mode), group_id)
    if not registration.is_confirmed:
        raise NeedsSeatFirst()
    placement = join(registration, group, keys, notify=True)
    commit()
    return placement.membership


def place(registration_id: int, group_id: int, keys: Keyring, *, override: bool = False) -> Placement:
    """An organiser puts a person in a group (moving them from another in the same session).

    Group choice need not be open. The group must suit the person's mode; a full group
    means its waitlist, unless ``override``. Someone on the group's waitlist gets a seat
    if one is free now, or with ``override``.
    """
    registration = db.session.get(Registration, registration_id)
    if registration.is_cancelled:
        raise AlreadyCancelled()
    group = allowed_group(registration.event, Mode(registration.mode), group_id, organiser=True)
    if not registration.is_confirmed:
        raise NeedsSeatFirst()
    current = next((m for m in registration.memberships if m.group_id == group.id), None)
    if current is None:
        placement = join(registration, group, keys, notify=True, override=override)
    else:
        placement = Placement(current)
        taken = SEATS.take(group.id, override=override) if current.is_waitlisted else None
        if taken is not None:
            current.status = MembershipStatus.CONFIRMED
            db.session.flush()
            emails.send(registration, "group_promoted", group, keys)
            placement.raised = _raised(group, taken)
    commit()
    return placement


def leave(registration_id: int, group_id: int, keys: Keyring) -> None:
    registration = db.session.get(Registration, registration_id)
    for membership in list(registration.memberships):
        if membership.group_id == group_id:
            _leave(registration, membership, keys)
    commit()


# --- the rules, for registration.services -----------------------------------------------------

@dataclass
class WishOutcome:
    """What became of the group a person wished for while on the event's waitlist, once they got a seat:
    ``membership`` is their place or group-waitlist place, None when the group no longer suits their mode."""

    group: DiscussionGroup
    membership: GroupMembership | None = None

    @property
    def fits(self) -> bool:
        return self.membership is not None


def keep_wish(registration: Registration, group: DiscussionGroup | None) -> None:
    """A group chosen while the person has no seat yet: kept until they get one (the caller commits)."""
    registration.group_wish = group


def honour_wish(registration: Registration, keys: Keyring) -> WishOutcome | None:
    """The person has just got a seat: place them in the group they wished for (its waitlist if full),
    if it still suits how they take part, and forget the wish. The wish was made while group choice
    was open, so it is honoured even if choice has closed since. The caller emails and commits."""
    group = registration.group_wish
    if group is None:
        return None
    registration.group_wish = None
    event = registration.event
    if not may_join(event, Mode(registration.mode), group):
        db.session.flush()
        return WishOutcome(group)
    placement = join(registration, group, keys, notify=False)
    return WishOutcome(group, placement.membership)


def join(registration: Registration, group: DiscussionGroup, keys: Keyring, *, notify: bool,
         override: bool = False) -> Placement:
    """A place in ``group`` (its waitlist when full), leaving another group of the same session.
    The caller has checked that the person may join it (``allowed_group``) and commits."""
    current = next((m for m in registration.memberships if m.item_id == group.item_id), None)
    if current is not None and current.group_id == group.id:
        return Placement(current)
    if current is not None:  # switching: one group per group session
        _leave(registration, current, keys)
        db.session.flush()
    taken = SEATS.take(group.id, override=override)
    status = MembershipStatus.CONFIRMED if taken is not None else MembershipStatus.WAITLISTED
    membership = GroupMembership(registration=registration, group=group, item_id=group.item_id, status=status)
    db.session.add(membership)
    db.session.flush()
    if notify:
        emails.send(registration, "group_confirmed" if membership.is_confirmed else "group_waitlisted", group, keys)
    return Placement(membership, _raised(group, taken))


def leave_all(registration: Registration, keys: Keyring) -> None:
    """Give up every place and waitlist place (the registration is cancelled). The caller commits."""
    for membership in list(registration.memberships):
        _leave(registration, membership, keys)


def lost_by_mode_change(registration: Registration, event: Event, mode: Mode) -> list[DiscussionGroup]:
    """The groups (places and waitlist places) the person would leave by taking part as ``mode``."""
    return [m.group for m in registration.memberships if not may_join(event, mode, m.group)]


def leave_not_allowed(registration: Registration, event: Event, keys: Keyring) -> list[DiscussionGroup]:
    """After a change of mode: leave the groups the new mode may not join, and say which. The caller commits."""
    left = []
    for membership in list(registration.memberships):
        if not may_join(event, Mode(registration.mode), membership.group):
            left.append(membership.group)
            _leave(registration, membership, keys)
    return left


def promote_waitlist(group_id: int, keys: Keyring) -> None:
    """Give the group's free places to its waitlist, first come first served; each person is emailed.
    The caller commits."""
    for _ in range(ROUNDS):
        waiting = db.session.scalars(
            select(GroupMembership)
            .where(GroupMembership.group_id == group_id, GroupMembership.is_waitlisted)
            .order_by(GroupMembership.created_at, GroupMembership.id)
            .limit(5)
        ).all()
        if not waiting or SEATS.take(group_id) is None:
            return
        for membership in waiting:
            # Another request may be promoting the same person right now: only one wins.
            won = db.session.execute(
                update(GroupMembership)
                .where(GroupMembership.id == membership.id, GroupMembership.is_waitlisted)
                .values(status=MembershipStatus.CONFIRMED)
                .execution_options(synchronize_session=False)
            ).rowcount
            if won:
                db.session.refresh(membership)
                emails.send(membership.registration, "group_promoted", membership.group, keys)
                break
        else:
            SEATS.release(group_id)


def _leave(registration: Registration, membership: GroupMembership, keys: Keyring) -> None:
    group_id, had_a_place = membership.group_id, membership.is_confirmed
    registration.memberships.remove(membership)
    db.session.delete(membership)
    db.session.flush()
    if had_a_place:
        SEATS.release(group_id)
        promote_waitlist(group_id, keys)


def _raised(group: DiscussionGroup, taken: Taken | None) -> list[RaisedLimit]:
    if taken is None or not taken.by_override:
        return []
    return [RaisedLimit(group.title, taken.raised_to, group_id=group.id)]
