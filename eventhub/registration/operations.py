"""What organisers do to registrations: edit, cancel, move, promote, place in groups, add by hand.

Each operation takes plain arguments, checks its rules, writes an audit entry in the
same transaction, and raises a named error the view turns into a message. The seat rules
are those of ``eventhub.registration.services`` (called with ``organiser=True`` inside
``database.atomic()``, so a refused operation leaves nothing behind, neither its changes nor its
audit entry); this module adds no seat logic of its own.

An override places someone beyond a full limit by raising that limit by one in the same
UPDATE, so ``taken <= seats`` holds; the raise is logged as its own audit entry. Audit
entries name registrations by id and list what changed, never the person's answers.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from eventhub import labels
from eventhub.audit import services as audit
from eventhub.database import atomic, commit
from eventhub.events.models import Event
from eventhub.extensions import db
from eventhub.groups.models import DiscussionGroup, GroupMembership
from eventhub.keyring import Keyring
from eventhub.modes import Mode
from eventhub.registration import services
from eventhub.registration.models import Registration, Sector
from eventhub.text import normalise_email

# Named errors of the seat rules, re-exported so views need only this module.
RegistrationError = services.RegistrationError
NoSeatsLeft = services.NoSeatsLeft
AlreadyCancelled = services.AlreadyCancelled
AlreadyRegistered = services.AlreadyRegistered
NotWaitlisted = services.NotWaitlisted
NeedsSeatFirst = services.NeedsSeatFirst
GroupNotAllowed = services.GroupNotAllowed
ModeNotOffered = services.ModeNotOffered
RegistrationClosed = services.RegistrationClosed



class NotFound(services.RegistrationError):
    """No such registration (or group membership) in this event: an id from another event included."""


class InvalidChoice(services.RegistrationError):
    """A sector or language outside the allowed values."""


@dataclass
class Details:
    name: str
    organisation: str = ""
    role_title: str = ""
    sector: str = Sector.OTHER
    language: str = "sv"


@dataclass
class Outcome:
    """What an operation did, for the organiser's message."""

    registration: Registration
    raised: list[tuple[str, int]]  # ("on_site" / "digital" / group title, the new limit)
    group_status: str | None = None


def get_registration(event_id: int, registration_id: int) -> Registration:
    registration = db.session.scalar(
        select(Registration).where(Registration.id == registration_id, Registration.event_id == event_id)
    )
    if registration is None:
        raise NotFound(registration_id)
    return registration


def _event_limits(event_id: int) -> dict[str, int | None]:
    seats = db.session.execute(
        select(Event.on_site_seats, Event.digital_seats).where(Event.id == event_id)
    ).one()
    return {Mode.ON_SITE.value: seats[0], Mode.DIGITAL.value: seats[1]}


def _group_limits(event_id: int) -> dict[int, tuple[str, int | None]]:
    from eventhub.programme.models import ProgrammeItem

    rows = db.session.execute(
        select(DiscussionGroup.id, DiscussionGroup.title, DiscussionGroup.seats)
        .join(ProgrammeItem, ProgrammeItem.id == DiscussionGroup.item_id)
        .where(ProgrammeItem.event_id == event_id)
    )
    return {group_id: (title, seats) for group_id, title, seats in rows}


class _Limits:
    """The event's and its groups' seat limits before an override, to log what it raised."""

    def __init__(self, event_id: int, override: bool):
        self.event_id, self.override = event_id, override
        if override:
            self.event, self.groups = _event_limits(event_id), _group_limits(event_id)

    def log_raised(self, actor_id: int, registration_id: int) -> list[tuple[str, int]]:
        if not self.override:
            return []
        raised: list[tuple[str, int]] = []
        for mode, seats in _event_limits(self.event_id).items():
            before = self.event[mode]
            if before is not None and seats is not None and seats > before:
                raised.append((mode, seats))
                audit.record(actor_id, "attendees.seat_limit_raised", f"{mode}: {before} → {seats}",
                             event_id=self.event_id, mode=mode, seats_before=before, seats=seats,
                             registration_id=registration_id)
        for group_id, (title, seats) in _group_limits(self.event_id).items():
            before = self.groups.get(group_id, (title, None))[1]
            if before is not None and seats is not None and seats > before:
                raised.append((title, seats))
                audit.record(actor_id, "attendees.group_limit_raised", f"{title}: {before} → {seats}",
                             event_id=self.event_id, group_id=group_id, seats_before=before, seats=seats,
                             registration_id=registration_id)
        return raised


# --- details -----------------------------------------------------------------------------------

def update_details(event_id: int, registration_id: int, details: Details, actor_id: int) -> Registration:
    registration = get_registration(event_id, registration_id)
    if details.sector not in {s.value for s in Sector} or details.language not in labels.LANGUAGE:
        raise InvalidChoice()
    values = {"name": details.name.strip(), "organisation": details.organisation.strip(),
              "role_title": details.role_title.strip(), "sector": details.sector, "language": details.language}
    changed = sorted(key for key, value in values.items() if getattr(registration, key) != value)
    if not changed:
        return registration
    for key, value in values.items():
        setattr(registration, key, value)
    audit.record(actor_id, "attendees.updated", f"#{registration.id}: {', '.join(changed)}", event_id=event_id,
                 registration_id=registration.id, fields=changed)
    commit()
    return registration


# --- seats -------------------------------------------------------------------------------------

def cancel_registration(event_id: int, registration_id: int, actor_id: int, now: datetime,
                        keys: Keyring) -> Registration:
    """Cancel for the person (they are emailed); their seat goes to the waitlist."""
    registration = get_registration(event_id, registration_id)
    status = registration.status
    with atomic():
        services.cancel(registration.id, now, keys)
        audit.record(actor_id, "attendees.cancelled", f"#{registration.id} ({status})", event_id=event_id,
                     registration_id=registration.id, previous_status=status)
    return registration


def change_mode(event_id: int, registration_id: int, mode: str, actor_id: int, now: datetime, keys: Keyring,
                override: bool = False) -> Outcome:
    """Move someone to the other mode: that needs a seat there (or ``override``), and frees theirs."""
    registration = get_registration(event_id, registration_id)
    before = (registration.mode, registration.status)
    if mode == registration.mode:
        return Outcome(registration, [])
    limits = _Limits(event_id, override)
    with atomic():
        services.change_mode(registration.id, mode, now, keys, organiser=True, override=override)
        raised = limits.log_raised(actor_id, registration.id)
        audit.record(actor_id, "attendees.mode_changed", f"#{registration.id}: {before[0]} → {mode}",
                     event_id=event_id, registration_id=registration.id, previous_mode=before[0],
                     previous_status=before[1], mode=mode, override=override)
    return Outcome(registration, raised)


def promote(event_id: int, registration_id: int, actor_id: int, now: datetime, keys: Keyring,
            override: bool = False) -> Outcome:
    """Give a waitlisted person a seat now, whatever their place in the queue."""
    registration = get_registration(event_id, registration_id)
    limits = _Limits(event_id, override)
    with atomic():
        services.promote(registration.id, now, keys, override=override)
        raised = limits.log_raised(actor_id, registration.id)
        audit.record(actor_id, "attendees.promoted", f"#{registration.id} ({registration.mode})",
                     event_id=event_id, registration_id=registration.id, mode=registration.mode, override=override)
    return Outcome(registration, raised)


# --- discussion groups -------------------------------------------------------------------------

def place_in_group(event_id: int, registration_id: int, group_id: int, actor_id: int, keys: Keyring,
                   override: bool = False) -> Outcome:
    """Put someone in a group (moving them out of another in the same session); full means its waitlist."""
    registration = get_registration(event_id, registration_id)
    limits = _Limits(event_id, override)
    with atomic():
        membership = services.place_in_group(registration.id, group_id, keys, override=override)
        raised = limits.log_raised(actor_id, registration.id)
        audit.record(actor_id, "attendees.group_placed", f"#{registration.id} → {membership.group.title}",
                     event_id=event_id, registration_id=registration.id, group_id=group_id,
                     status=membership.status, override=override)
    return Outcome(registration, raised, group_status=membership.status)


def remove_from_group(event_id: int, registration_id: int, group_id: int, actor_id: int, keys: Keyring) -> None:
    registration = get_registration(event_id, registration_id)
    membership = db.session.scalar(select(GroupMembership).where(
        GroupMembership.registration_id == registration.id, GroupMembership.group_id == group_id))
    if membership is None:
        raise NotFound(group_id)
    title = membership.group.title
    with atomic():
        services.leave_group(registration.id, group_id, keys)
        audit.record(actor_id, "attendees.group_left", f"#{registration.id} ← {title}", event_id=event_id,
                     registration_id=registration.id, group_id=group_id)


# --- adding by hand ----------------------------------------------------------------------------

def add_registration(event_id: int, data: services.RegistrationInput, actor_id: int, now: datetime,
                     keys: Keyring, override: bool = False) -> Outcome:
    """Register someone by hand (phone, walk-in). The email address is required: it is how the
    person gets their confirmation, ticket and personal link, and it keeps one registration per person."""
    if not normalise_email(data.email or ""):
        raise services.MissingEmail()  # only the door's walk-ins may come without one (checkin.services)
    limits = _Limits(event_id, override)
    with atomic():
        registration = services.register(event_id, data, now, keys, organiser=True, override=override).registration
        raised = limits.log_raised(actor_id, registration.id)
        audit.record(actor_id, "attendees.added",
                     f"#{registration.id} ({registration.mode}, {registration.status})", event_id=event_id,
                     registration_id=registration.id, mode=registration.mode, status=registration.status,
                     override=override)
    group_status = registration.memberships[0].status if registration.memberships else None
    return Outcome(registration, raised, group_status=group_status)
