"""Registration rules: who may register, seats per mode and per group, waitlists.

Seats are taken with conditional UPDATEs (``... SET taken = taken + 1 WHERE taken <
seats``) whose row count says whether the seat was won. That is atomic on both
databases: PostgreSQL re-checks the WHERE after waiting for a concurrent writer, and
SQLite's driver opens the transaction at the first write, which waits for the single
write lock (busy_timeout) instead of failing. CHECK constraints on the counters are
the backstop. ``with_for_update()`` is not used: SQLite silently ignores it.

Organisers may place someone beyond a limit (``override=True``). The CHECK constraints
stay whole: the limit itself grows by exactly one seat in the same UPDATE that takes it.
Organiser calls (``organiser=True``) also skip the registration window and the public
group-choice switch; called inside ``database.atomic()`` their audit entry joins the same
transaction.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from eventhub.database import commit
from eventhub.events.models import Event, EventStatus
from eventhub.extensions import db
from eventhub.groups.models import DiscussionGroup, GroupLeader, GroupMembership, MembershipStatus
from eventhub.keyring import Keyring
from eventhub.mail import services as mail
from eventhub.modes import Mode
from eventhub.programme.models import ItemKind, ProgrammeItem
from eventhub.registration import tokens
from eventhub.registration.models import Registration, RegistrationStatus, Sector
from eventhub.text import normalise_email

MAX_PROMOTION_ROUNDS = 50  # bounds the retry loop when concurrent promotions race


class RegistrationError(Exception):
    """Base for a registration request that breaks a rule."""


class RegistrationClosed(RegistrationError):
    def __init__(self, reason: str, at: datetime | None = None):
        super().__init__(reason)
        self.reason = reason  # not_open_yet, closed, cancelled, past
        self.at = at


class ModeNotOffered(RegistrationError):
    pass


class NoSeatsLeft(RegistrationError):
    def __init__(self, mode: Mode):
        super().__init__(mode)
        self.mode = mode


class GroupChoiceClosed(RegistrationError):
    pass


class GroupNotAllowed(RegistrationError):
    """The group is for the other mode, or not in this event."""


class NeedsSeatFirst(RegistrationError):
    """A waitlisted person cannot take a group seat before they have an event seat."""


class AlreadyCancelled(RegistrationError):
    pass


class AlreadyRegistered(RegistrationError):
    """An organiser added an address that already has an active registration for the event."""

    def __init__(self, registration_id: int):
        super().__init__(registration_id)
        self.registration_id = registration_id


class MissingEmail(RegistrationError):
    pass


class NotWaitlisted(RegistrationError):
    """Only a waitlisted registration can be promoted."""


@dataclass
class RegistrationInput:
    name: str
    email: str
    mode: str
    organisation: str = ""
    role_title: str = ""
    sector: str = Sector.OTHER
    language: str = "sv"
    dietary_needs: str = ""
    accessibility_needs: str = ""
    special_consent: bool = False
    photo_consent: bool = False
    privacy_accepted: bool = False
    group_id: int | None = None


@dataclass
class RegistrationResult:
    registration: Registration
    created: bool


# --- windows -----------------------------------------------------------------------------

def registration_state(event: Event, now: datetime) -> str:
    """open, not_open_yet, closed, cancelled or past: one place for when people may register."""
    if event.status == EventStatus.CANCELLED:
        return "cancelled"
    if event.ends_at <= now:
        return "past"
    if event.registration_opens_at and now < event.registration_opens_at:
        return "not_open_yet"
    closes = event.registration_closes_at or event.ends_at
    if now >= closes:
        return "closed"
    return "open"


def check_open(event: Event, now: datetime) -> None:
    state = registration_state(event, now)
    if state != "open":
        at = event.registration_opens_at if state == "not_open_yet" else event.registration_closes_at
        raise RegistrationClosed(state, at)


# --- seats -------------------------------------------------------------------------------

def _event_columns(mode: Mode):
    if mode == Mode.ON_SITE:
        return Event.on_site_taken, Event.on_site_seats
    return Event.digital_taken, Event.digital_seats


def _take_event_seat(event_id: int, mode: Mode, override: bool = False) -> bool:
    """Take a seat if one is free; with ``override``, raise a full limit by one and take that."""
    taken, seats = _event_columns(mode)
    for _ in range(MAX_PROMOTION_ROUNDS):
        result = db.session.execute(
            update(Event)
            .where(Event.id == event_id, or_(seats.is_(None), taken < seats))
            # updated_at is kept: a seat taken is not a change to the event's content.
            .values({taken: taken + 1, Event.updated_at: Event.updated_at})
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:
            return True
        if not override:
            return False
        # SET uses the row's old values on both databases: seats and taken both become taken + 1.
        raised = db.session.execute(
            update(Event)
            .where(Event.id == event_id, seats.is_not(None), taken >= seats)
            .values({seats: taken + 1, taken: taken + 1, Event.updated_at: Event.updated_at})
            .execution_options(synchronize_session=False)
        )
        if raised.rowcount == 1:
            return True
        # A seat came free in between: take it the ordinary way on the next round.
    return False


def _release_event_seat(event_id: int, mode: Mode) -> None:
    taken, _ = _event_columns(mode)
    db.session.execute(
        update(Event)
        .where(Event.id == event_id, taken > 0)
        .values({taken: taken - 1, Event.updated_at: Event.updated_at})
        .execution_options(synchronize_session=False)
    )


def _take_group_seat(group_id: int, override: bool = False) -> bool:
    """Like ``_take_event_seat``, for a discussion group's seats."""
    for _ in range(MAX_PROMOTION_ROUNDS):
        result = db.session.execute(
            update(DiscussionGroup)
            .where(
                DiscussionGroup.id == group_id,
                or_(DiscussionGroup.seats.is_(None), DiscussionGroup.taken < DiscussionGroup.seats),
            )
            .values(taken=DiscussionGroup.taken + 1)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:
            return True
        if not override:
            return False
        raised = db.session.execute(
            update(DiscussionGroup)
            .where(DiscussionGroup.id == group_id, DiscussionGroup.seats.is_not(None),
                   DiscussionGroup.taken >= DiscussionGroup.seats)
            .values(seats=DiscussionGroup.taken + 1, taken=DiscussionGroup.taken + 1)
            .execution_options(synchronize_session=False)
        )
        if raised.rowcount == 1:
            return True
    return False


def _release_group_seat(group_id: int) -> None:
    db.session.execute(
        update(DiscussionGroup)
        .where(DiscussionGroup.id == group_id, DiscussionGroup.taken > 0)
        .values(taken=DiscussionGroup.taken - 1)
        .execution_options(synchronize_session=False)
    )


def _promote_event_waitlist(event_id: int, mode: Mode, now: datetime, keys: Keyring) -> list[Registration]:
    """Give free seats to the waitlist, first come first served, and tell each person."""
    promoted: list[Registration] = []
    for _ in range(MAX_PROMOTION_ROUNDS):
        candidates = db.session.scalars(
            select(Registration)
            .where(
                Registration.event_id == event_id,
                Registration.mode == mode,
                Registration.status == RegistrationStatus.WAITLISTED,
            )
            .order_by(Registration.waitlisted_at, Registration.id)
            .limit(5)
        ).all()
        if not candidates or not _take_event_seat(event_id, mode):
            break
        for candidate in candidates:
            # Another cancellation may be promoting the same person right now: only one wins.
            won = db.session.execute(
                update(Registration)
                .where(Registration.id == candidate.id, Registration.status == RegistrationStatus.WAITLISTED)
                .values(status=RegistrationStatus.CONFIRMED, confirmed_at=now, waitlisted_at=None)
                .execution_options(synchronize_session=False)
            ).rowcount
            if won:
                db.session.refresh(candidate)
                promoted.append(candidate)
                mail.queue_registration_email(candidate, "promoted", keys)
                break
        else:
            _release_event_seat(event_id, mode)
    return promoted


def promote_waitlist(event_id: int, mode: Mode, now: datetime, keys: Keyring) -> list[Registration]:
    """After seats were added: move the waitlist up (the caller commits)."""
    return _promote_event_waitlist(event_id, mode, now, keys)


def _promote_group_waitlist(group_id: int, keys: Keyring) -> None:
    for _ in range(MAX_PROMOTION_ROUNDS):
        waiting = db.session.scalars(
            select(GroupMembership)
            .where(GroupMembership.group_id == group_id, GroupMembership.status == MembershipStatus.WAITLISTED)
            .order_by(GroupMembership.created_at, GroupMembership.id)
            .limit(5)
        ).all()
        if not waiting or not _take_group_seat(group_id):
            return
        for membership in waiting:
            won = db.session.execute(
                update(GroupMembership)
                .where(GroupMembership.id == membership.id, GroupMembership.status == MembershipStatus.WAITLISTED)
                .values(status=MembershipStatus.CONFIRMED)
                .execution_options(synchronize_session=False)
            ).rowcount
            if won:
                db.session.refresh(membership)
                mail.queue_registration_email(
                    membership.registration, "group_promoted", keys, group=membership.group
                )
                break
        else:
            _release_group_seat(group_id)


# --- registering ---------------------------------------------------------------------------

def get_event_for_registration(slug: str) -> Event | None:
    return db.session.scalar(
        select(Event).where(Event.slug == slug, Event.status.in_((EventStatus.PUBLISHED, EventStatus.CANCELLED)))
    )


def register(event_id: int, data: RegistrationInput, now: datetime, keys: Keyring, *, organiser: bool = False,
             override: bool = False) -> RegistrationResult:
    """Register a person, or, if the address is already registered, email their link again.

    The result says which, for tests and the organiser; the public page answers the
    same either way, so it cannot be used to find out who is registered. An organiser
    adding someone by hand (``organiser=True``) gets ``AlreadyRegistered`` instead, may
    do so outside the registration window, and with ``override`` gives a seat even when full.
    """
    options = dict(organiser=organiser, override=override)
    try:
        return _register(event_id, data, now, keys, **options)
    except IntegrityError:
        # The same address registered in a parallel request a moment ago.
        db.session.rollback()
        return _register(event_id, data, now, keys, **options)


def _register(event_id: int, data: RegistrationInput, now: datetime, keys: Keyring, organiser: bool,
              override: bool) -> RegistrationResult:
    event = db.session.get(Event, event_id)
    if not organiser:
        check_open(event, now)
    elif event.status == EventStatus.CANCELLED:
        raise RegistrationClosed("cancelled")
    try:
        mode = Mode(data.mode)
    except ValueError:
        raise ModeNotOffered(data.mode) from None
    if mode not in event.modes:
        raise ModeNotOffered(mode)
    # Only a walk-in added at the door may come without an address (and then gets no email).
    email = normalise_email(data.email or "") or None
    if email is None and not organiser:
        raise MissingEmail()
    existing = email and db.session.scalar(
        select(Registration).where(Registration.event_id == event_id, Registration.email == email)
    )
    if existing is not None and not existing.is_cancelled:
        if organiser:
            raise AlreadyRegistered(existing.id)
        mail.queue_registration_email(existing, "manage_link", keys)
        commit()
        return RegistrationResult(existing, created=False)

    group = _group_for_choice(event, mode, data.group_id, organiser) if data.group_id else None
    registration = existing or Registration(event_id=event_id, email=email, token_salt=tokens.new_salt())
    registration.token_hash = tokens.token_hash(tokens.manage_token(keys, registration.token_salt))
    registration.name = data.name.strip()
    registration.organisation = data.organisation.strip()
    registration.role_title = data.role_title.strip()
    registration.sector = data.sector
    registration.mode = mode
    registration.language = data.language
    registration.photo_consent = data.photo_consent
    registration.privacy_accepted_at = now
    set_special_answers(registration, data.dietary_needs, data.accessibility_needs, data.special_consent, now)
    registration.cancelled_at = None
    if existing is not None:
        registration.ticket_version += 1

    if _take_event_seat(event_id, mode, override):
        registration.status = RegistrationStatus.CONFIRMED
        registration.confirmed_at, registration.waitlisted_at = now, None
    else:
        registration.status = RegistrationStatus.WAITLISTED
        registration.waitlisted_at, registration.confirmed_at = now, None
    db.session.add(registration)
    db.session.flush()  # a duplicate address fails here, before any email is queued
    if group is not None and registration.is_confirmed:
        _join_group(registration, group, keys, notify=False, override=override)
    mail.queue_registration_email(
        registration, "confirmed" if registration.is_confirmed else "waitlisted", keys
    )
    commit()
    return RegistrationResult(registration, created=True)


def set_special_answers(registration: Registration, dietary: str, accessibility: str, consent: bool,
                         now: datetime) -> None:
    """Special-category answers (health, religion) are kept only with their own consent."""
    dietary, accessibility = dietary.strip(), accessibility.strip()
    if consent and (dietary or accessibility):
        registration.special_consent_at = registration.special_consent_at or now
        registration.dietary_needs, registration.accessibility_needs = dietary, accessibility
    else:
        registration.special_consent_at = None
        registration.dietary_needs = registration.accessibility_needs = ""


def find_by_token(token: str) -> Registration | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalar(select(Registration).where(Registration.token_hash == tokens.token_hash(token)))


# --- changing and cancelling -----------------------------------------------------------------

def cancel(registration_id: int, now: datetime, keys: Keyring) -> Registration:
    registration = db.session.get(Registration, registration_id)
    if registration.is_cancelled:
        raise AlreadyCancelled()
    was_confirmed = registration.is_confirmed
    mode = Mode(registration.mode)
    _leave_all_groups(registration, keys)
    won = db.session.execute(
        update(Registration)
        .where(Registration.id == registration.id, Registration.status == registration.status)
        .values(status=RegistrationStatus.CANCELLED, cancelled_at=now, waitlisted_at=None,
                ticket_version=Registration.ticket_version + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not won:  # a parallel request changed it first (e.g. a double-clicked cancel)
        db.session.rollback()
        raise AlreadyCancelled()
    if was_confirmed:
        _release_event_seat(registration.event_id, mode)
        _promote_event_waitlist(registration.event_id, mode, now, keys)
    db.session.refresh(registration)
    mail.queue_registration_email(registration, "cancelled", keys)
    commit()
    return registration


def change_mode(registration_id: int, new_mode: str, now: datetime, keys: Keyring, *, organiser: bool = False,
                override: bool = False) -> Registration:
    """Move to the other mode; that takes a seat there (waitlisted people too) and frees the old one."""
    registration = db.session.get(Registration, registration_id)
    event = registration.event
    if registration.is_cancelled:
        raise AlreadyCancelled()
    if not organiser:
        check_open(event, now)
    try:
        target = Mode(new_mode)
    except ValueError:
        raise ModeNotOffered(new_mode) from None
    if target not in event.modes:
        raise ModeNotOffered(target)
    old = Mode(registration.mode)
    if target == old:
        return registration
    if not _take_event_seat(event.id, target, override):
        db.session.rollback()
        raise NoSeatsLeft(target)
    was_confirmed = registration.is_confirmed
    registration.mode = target
    registration.status = RegistrationStatus.CONFIRMED
    registration.confirmed_at, registration.waitlisted_at = now, None
    registration.ticket_version += 1  # an on-site ticket must not open the door for a digital registration
    for membership in list(registration.memberships):
        if not group_allowed_for(event, target, membership.group):
            _leave_group(registration, membership, keys)
    db.session.flush()
    if was_confirmed:
        _release_event_seat(event.id, old)
        _promote_event_waitlist(event.id, old, now, keys)
    mail.queue_registration_email(registration, "mode_changed", keys)
    commit()
    return registration


def promote(registration_id: int, now: datetime, keys: Keyring, *, override: bool = False) -> Registration:
    """An organiser gives one waitlisted person a seat, whatever their place in the queue."""
    registration = db.session.get(Registration, registration_id)
    if not registration.is_waitlisted:
        raise NotWaitlisted()
    mode = Mode(registration.mode)
    if not _take_event_seat(registration.event_id, mode, override):
        raise NoSeatsLeft(mode)
    won = db.session.execute(
        update(Registration)
        .where(Registration.id == registration.id, Registration.status == RegistrationStatus.WAITLISTED)
        .values(status=RegistrationStatus.CONFIRMED, confirmed_at=now, waitlisted_at=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not won:  # promoted or cancelled in parallel: undo the seat (and any raised limit) with it
        db.session.rollback()
        raise NotWaitlisted()
    db.session.refresh(registration)
    mail.queue_registration_email(registration, "promoted", keys)
    commit()
    return registration


def update_special_answers(registration_id: int, dietary: str, accessibility: str, consent: bool,
                           now: datetime) -> Registration:
    registration = db.session.get(Registration, registration_id)
    if registration.is_cancelled:
        raise AlreadyCancelled()
    set_special_answers(registration, dietary, accessibility, consent, now)
    commit()
    return registration


# --- discussion groups ----------------------------------------------------------------------

def group_allowed_for(event: Event, mode: Mode, group: DiscussionGroup) -> bool:
    """People join groups of their own mode; on site may join digital groups where the event allows it."""
    if group.mode == mode:
        return True
    return mode == Mode.ON_SITE and group.mode == Mode.DIGITAL and event.on_site_may_join_digital_groups


def choosable_groups(event: Event) -> list[DiscussionGroup]:
    """Groups in the event's group sessions, on-site groups first."""
    return list(
        db.session.scalars(
            select(DiscussionGroup)
            .join(ProgrammeItem)
            .where(ProgrammeItem.event_id == event.id, ProgrammeItem.kind == ItemKind.GROUP_SESSION)
            .order_by(ProgrammeItem.starts_at, DiscussionGroup.mode.desc(), DiscussionGroup.position,
                      DiscussionGroup.id)
            # The form names each group's leaders: load them with the groups, not one query per group.
            .options(selectinload(DiscussionGroup.leaders).joinedload(GroupLeader.person))
        )
    )


def _group_for_choice(event: Event, mode: Mode, group_id: int, organiser: bool = False) -> DiscussionGroup:
    if not event.group_choice_open and not organiser:
        raise GroupChoiceClosed()
    group = db.session.get(DiscussionGroup, group_id)
    if group is None or group.item.event_id != event.id or not group_allowed_for(event, mode, group):
        raise GroupNotAllowed(group_id)
    return group


def choose_group(registration_id: int, group_id: int, now: datetime, keys: Keyring) -> GroupMembership:
    registration = db.session.get(Registration, registration_id)
    if registration.is_cancelled:
        raise AlreadyCancelled()
    event = registration.event
    if event.ends_at <= now:
        raise RegistrationClosed("past")
    group = _group_for_choice(event, Mode(registration.mode), group_id)
    if not registration.is_confirmed:
        raise NeedsSeatFirst()
    membership = _join_group(registration, group, keys, notify=True)
    commit()
    return membership


def place_in_group(registration_id: int, group_id: int, keys: Keyring, *, override: bool = False) -> GroupMembership:
    """An organiser puts a person in a group (moving them from another in the same session).

    Group choice need not be open. The group must suit the person's mode; a full group
    means its waitlist, unless ``override``. Someone on the group's waitlist gets a seat
    if one is free now, or with ``override``.
    """
    registration = db.session.get(Registration, registration_id)
    if registration.is_cancelled:
        raise AlreadyCancelled()
    group = _group_for_choice(registration.event, Mode(registration.mode), group_id, organiser=True)
    if not registration.is_confirmed:
        raise NeedsSeatFirst()
    current = next((m for m in registration.memberships if m.group_id == group.id), None)
    if current is not None and current.status == MembershipStatus.WAITLISTED and _take_group_seat(group.id, override):
        current.status = MembershipStatus.CONFIRMED
        db.session.flush()
        mail.queue_registration_email(registration, "group_promoted", keys, group=group)
    membership = current or _join_group(registration, group, keys, notify=True, override=override)
    commit()
    return membership


def leave_group(registration_id: int, group_id: int, keys: Keyring) -> None:
    registration = db.session.get(Registration, registration_id)
    for membership in list(registration.memberships):
        if membership.group_id == group_id:
            _leave_group(registration, membership, keys)
    commit()


def _join_group(registration: Registration, group: DiscussionGroup, keys: Keyring,
                notify: bool, override: bool = False) -> GroupMembership:
    current = next((m for m in registration.memberships if m.item_id == group.item_id), None)
    if current is not None and current.group_id == group.id:
        return current
    if current is not None:  # switching: one group per group session
        _leave_group(registration, current, keys)
        db.session.flush()
    status = MembershipStatus.CONFIRMED if _take_group_seat(group.id, override) else MembershipStatus.WAITLISTED
    membership = GroupMembership(registration=registration, group=group, item_id=group.item_id, status=status)
    db.session.add(membership)
    db.session.flush()
    if notify:
        mail.queue_registration_email(
            registration, "group_confirmed" if status == MembershipStatus.CONFIRMED else "group_waitlisted",
            keys, group=group,
        )
    return membership


def _leave_group(registration: Registration, membership: GroupMembership, keys: Keyring) -> None:
    group_id, was_confirmed = membership.group_id, membership.status == MembershipStatus.CONFIRMED
    registration.memberships.remove(membership)
    db.session.delete(membership)
    db.session.flush()
    if was_confirmed:
        _release_group_seat(group_id)
        _promote_group_waitlist(group_id, keys)


def _leave_all_groups(registration: Registration, keys: Keyring) -> None:
    for membership in list(registration.memberships):
        _leave_group(registration, membership, keys)
