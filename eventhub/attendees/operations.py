"""What organisers do to registrations: edit, cancel, move, promote, place in groups, add by hand.

Each operation takes plain arguments, checks its rules, writes an audit entry in the
same transaction, and raises a named error the view turns into a message. The seat rules
are those of ``eventhub.registration.services`` and ``eventhub.groups.services`` (called
with ``organiser=True`` inside ``database.atomic()``, so a refused operation leaves nothing
behind, neither its changes nor its audit entry); this module adds no seat logic of its own.

An override places someone beyond a full limit by raising that limit by one in the same
UPDATE, so ``taken <= seats`` holds; the services say which limits rose, and each raise is
logged as its own audit entry. Audit entries name registrations by id and list what changed,
never the person's answers.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import uuid4

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from eventhub import labels
from eventhub.attendees import emails
from eventhub.audit import services as audit
from eventhub.checkin import services as checkin
from eventhub.database import atomic, commit
from eventhub.extensions import db
from eventhub.groups import services as groups
from eventhub.groups.models import GroupMembership
from eventhub.keyring import Keyring
from eventhub.modes import Mode
from eventhub.registration import services
from eventhub.registration.errors import (
    AlreadyCancelled,
    AlreadyRegistered,
    MissingEmail,
    ModeNotOffered,
    NoSeatsLeft,
    RegistrationError,
)
from eventhub.registration.models import NOTE_MAX, Registration, Sector
from eventhub.seats import RaisedLimit
from eventhub.text import looks_like_email, normalise_email

# An organiser may send the personal link again, but not twice in a row by a double click or in a
# loop: the same person gets it at most once in this while.
LINK_PAUSE = timedelta(minutes=5)


class NotFound(RegistrationError):
    """No such registration (or group membership) in this event: an id from another event included."""


class InvalidChoice(RegistrationError):
    """A sector or language outside the allowed values."""


class InvalidEmail(RegistrationError):
    """Not a well-formed address (the registration form's rule, ``text.looks_like_email``)."""


class Anonymised(RegistrationError):
    """The person's data has been erased: there is no address, link or note to change."""


class NoteTooLong(RegistrationError):
    pass


class LinkSentRecently(RegistrationError):
    """The personal link was sent a moment ago (``LINK_PAUSE``); ``sent_at`` says when."""

    def __init__(self, sent_at: datetime, again_at: datetime):
        super().__init__(sent_at)
        self.sent_at, self.again_at = sent_at, again_at


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
    raised: list[RaisedLimit] = field(default_factory=list)
    membership: GroupMembership | None = None  # the group place given or asked for, if any


def get_registration(event_id: int, registration_id: int) -> Registration:
    registration = db.session.scalar(
        select(Registration).where(Registration.id == registration_id, Registration.event_id == event_id)
    )
    if registration is None:
        raise NotFound(registration_id)
    return registration


def _log_raised(actor_id: int, event_id: int, registration_id: int, raised: list[RaisedLimit]) -> None:
    for limit in raised:
        if limit.group_id is None:
            audit.record(actor_id, "attendees.seat_limit_raised", f"{limit.what}: {limit.seats_before} → {limit.seats}",
                         event_id=event_id, mode=limit.what, seats_before=limit.seats_before, seats=limit.seats,
                         registration_id=registration_id)
        else:
            audit.record(actor_id, "attendees.group_limit_raised",
                         f"{limit.what}: {limit.seats_before} → {limit.seats}", event_id=event_id,
                         group_id=limit.group_id, seats_before=limit.seats_before, seats=limit.seats,
                         registration_id=registration_id)


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


def _not_anonymised(registration: Registration) -> None:
    if registration.anonymised_at is not None:
        raise Anonymised()


# --- the address and the personal link ---------------------------------------------------------

def change_email(event_id: int, registration_id: int, address: str, actor_id: int, now: datetime,
                 keys: Keyring) -> bool:
    """Correct a mistyped address; returns whether it changed.

    The old address is told that it changed (no link: it may be a stranger's, who has had the
    confirmation), the link and ticket sent there stop working, and the new address gets new
    ones. An address another registration of the event has (cancelled ones too: one row per
    address and event) is refused with that registration's id. Nothing is sent or logged for no change.
    """
    registration = get_registration(event_id, registration_id)
    if registration.is_cancelled:
        raise AlreadyCancelled()
    _not_anonymised(registration)
    if not looks_like_email(address):
        raise InvalidEmail()
    new = normalise_email(address)
    if new == registration.email:
        return False
    other = _registration_with(event_id, new)
    if other is not None:
        raise AlreadyRegistered(other)
    had_address = registration.email is not None
    with atomic():
        emails.email_changed_old(registration, new, keys)  # still to the old address (none for a walk-in)
        registration.email = new
        services.renew_link(registration, keys)
        registration.link_sent_at = now
        try:
            db.session.flush()  # the same address given to another registration a moment ago
        except IntegrityError:
            db.session.rollback()
            raise AlreadyRegistered(_registration_with(event_id, new) or registration.id) from None
        emails.email_changed_new(registration, keys)
        audit.record(actor_id, "attendees.email_changed", f"#{registration.id}: email", event_id=event_id,
                     registration_id=registration.id, fields=["email"], had_address=had_address)
    return True


def _registration_with(event_id: int, email: str) -> int | None:
    return db.session.scalar(select(Registration.id).where(Registration.event_id == event_id,
                                                           Registration.email == email))


def send_link(event_id: int, registration_id: int, actor_id: int, now: datetime, keys: Keyring) -> Registration:
    """Email the person their personal link (and ticket, with an on-site place) again, in their language.
    Refused within ``LINK_PAUSE`` of the last time an organiser sent it."""
    registration = get_registration(event_id, registration_id)
    _not_anonymised(registration)
    if not registration.email:
        raise MissingEmail()
    last = registration.link_sent_at
    if last is not None and now < last + LINK_PAUSE:
        raise LinkSentRecently(last, last + LINK_PAUSE)
    emails.link_sent(registration, keys)
    registration.link_sent_at = now
    audit.record(actor_id, "attendees.link_sent", f"#{registration.id}", event_id=event_id,
                 registration_id=registration.id)
    commit()
    return registration


# --- the organisers' note ----------------------------------------------------------------------

def update_note(event_id: int, registration_id: int, note: str, actor_id: int) -> bool:
    """The organisers' internal note on a registration; returns whether it changed. The audit log
    says that it changed, never what it says."""
    registration = get_registration(event_id, registration_id)
    _not_anonymised(registration)
    note = note.replace("\r\n", "\n").strip()
    if len(note) > NOTE_MAX:
        raise NoteTooLong()
    if note == registration.organiser_note:
        return False
    what = "removed" if not note else "added" if not registration.organiser_note else "changed"
    registration.organiser_note = note
    audit.record(actor_id, "attendees.note_changed", f"#{registration.id}: note {what}", event_id=event_id,
                 registration_id=registration.id, change=what)
    commit()
    return True


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
        return Outcome(registration)
    with atomic():
        raised = services.change_mode(registration.id, mode, now, keys, organiser=True, override=override).raised
        _log_raised(actor_id, event_id, registration.id, raised)
        audit.record(actor_id, "attendees.mode_changed", f"#{registration.id}: {before[0]} → {mode}",
                     event_id=event_id, registration_id=registration.id, previous_mode=before[0],
                     previous_status=before[1], mode=mode, override=override)
    return Outcome(registration, raised)


def promote(event_id: int, registration_id: int, actor_id: int, now: datetime, keys: Keyring,
            override: bool = False) -> Outcome:
    """Give a waitlisted person a seat now, whatever their place in the queue."""
    registration = get_registration(event_id, registration_id)
    with atomic():
        raised = services.promote(registration.id, now, keys, override=override).raised
        _log_raised(actor_id, event_id, registration.id, raised)
        audit.record(actor_id, "attendees.promoted", f"#{registration.id} ({registration.mode})",
                     event_id=event_id, registration_id=registration.id, mode=registration.mode, override=override)
    return Outcome(registration, raised)


# --- discussion groups -------------------------------------------------------------------------

def place_in_group(event_id: int, registration_id: int, group_id: int, actor_id: int, keys: Keyring,
                   override: bool = False) -> Outcome:
    """Put someone in a group (moving them out of another in the same session); full means its waitlist."""
    registration = get_registration(event_id, registration_id)
    with atomic():
        placement = groups.place(registration.id, group_id, keys, override=override)
        membership = placement.membership
        _log_raised(actor_id, event_id, registration.id, placement.raised)
        audit.record(actor_id, "attendees.group_placed", f"#{registration.id} → {membership.group.title}",
                     event_id=event_id, registration_id=registration.id, group_id=group_id,
                     status=membership.status, override=override)
    return Outcome(registration, placement.raised, membership=membership)


def remove_from_group(event_id: int, registration_id: int, group_id: int, actor_id: int, keys: Keyring) -> None:
    registration = get_registration(event_id, registration_id)
    membership = db.session.scalar(select(GroupMembership).where(
        GroupMembership.registration_id == registration.id, GroupMembership.group_id == group_id))
    if membership is None:
        raise NotFound(group_id)
    title = membership.group.title
    with atomic():
        groups.leave(registration.id, group_id, keys)
        audit.record(actor_id, "attendees.group_left", f"#{registration.id} ← {title}", event_id=event_id,
                     registration_id=registration.id, group_id=group_id)


# --- adding by hand ----------------------------------------------------------------------------

def add_registration(event_id: int, data: services.RegistrationInput, actor_id: int, now: datetime,
                     keys: Keyring, override: bool = False) -> Outcome:
    """Register someone by hand (phone, walk-in). The email address is required: it is how the
    person gets their confirmation, ticket and personal link, and it keeps one registration per person."""
    if not normalise_email(data.email or ""):
        raise MissingEmail()  # only the door's walk-ins may come without one (checkin.services)
    with atomic():
        result = services.register(event_id, data, now, keys, organiser=True, override=override)
        registration = result.registration
        _log_raised(actor_id, event_id, registration.id, result.raised)
        audit.record(actor_id, "attendees.added",
                     f"#{registration.id} ({registration.mode}, {registration.status})", event_id=event_id,
                     registration_id=registration.id, mode=registration.mode, status=registration.status,
                     override=override)
    return Outcome(registration, result.raised, membership=next(iter(registration.memberships), None))


# --- several at once (the list's bulk actions) ---------------------------------------------------
#
# Each person goes through the same operation as on their own page, in their own transaction: the
# seat counters decide for each, so one refusal (no places left) leaves the others done, and two
# organisers acting at once cannot overfill a mode. One more audit entry says what the action did.

NO_SEATS = {Mode.ON_SITE: "no_seats_on_site", Mode.DIGITAL: "no_seats_digital"}


@dataclass
class BulkOutcome:
    """What a bulk action did, person by person: ``refused`` holds (person, reason code)."""

    done: list[Registration] = field(default_factory=list)
    unchanged: list[Registration] = field(default_factory=list)
    refused: list[tuple[Registration, str]] = field(default_factory=list)

    def ids(self) -> dict[str, list[int]]:
        return {"done": [r.id for r in self.done], "unchanged": [r.id for r in self.unchanged],
                "refused": [r.id for r, _reason in self.refused]}


def _reason(error: RegistrationError) -> str:
    if isinstance(error, NoSeatsLeft):
        return NO_SEATS[Mode(error.mode)]
    if isinstance(error, AlreadyCancelled):
        return "cancelled"
    if isinstance(error, ModeNotOffered):
        return "mode_not_offered"
    return "other"


def _people(event_id: int, registration_ids: list[int]) -> list[Registration]:
    """The event's registrations among these ids, in the order given (ids of other events are left out)."""
    found = {r.id: r for r in db.session.scalars(
        select(Registration).where(Registration.event_id == event_id, Registration.id.in_(registration_ids)))}
    return [found[i] for i in dict.fromkeys(registration_ids) if i in found]


def _bulk_entry(outcome: BulkOutcome) -> tuple[str, dict]:
    """A bulk action's audit summary and details: who was done, unchanged or refused, and how many."""
    done, unchanged, refused = len(outcome.done), len(outcome.unchanged), len(outcome.refused)
    return (f"{done} done, {unchanged} unchanged, {refused} refused",
            {**outcome.ids(), "done_count": done, "unchanged_count": unchanged, "refused_count": refused})


def change_mode_of_many(event_id: int, registration_ids: list[int], mode: str, actor_id: int, now: datetime,
                        keys: Keyring) -> BulkOutcome:
    """Move each to ``mode`` if a place is free there (no override: who could not is said)."""
    if mode not in {m.value for m in Mode}:
        raise InvalidChoice()
    outcome = BulkOutcome()
    for registration in _people(event_id, registration_ids):
        if registration.is_cancelled:
            outcome.refused.append((registration, "cancelled"))
            continue
        if registration.mode == mode:
            outcome.unchanged.append(registration)
            continue
        try:
            change_mode(event_id, registration.id, mode, actor_id, now, keys)
        except RegistrationError as error:
            outcome.refused.append((registration, _reason(error)))
        else:
            outcome.done.append(registration)
    summary, details = _bulk_entry(outcome)
    audit.record(actor_id, "attendees.bulk_mode_changed", summary, event_id=event_id, mode=mode, **details)
    commit()
    return outcome


def cancel_many(event_id: int, registration_ids: list[int], actor_id: int, now: datetime,
                keys: Keyring) -> BulkOutcome:
    """Cancel each (each is emailed, each freed seat goes to the waitlist); the cancelled stay as they are."""
    outcome = BulkOutcome()
    for registration in _people(event_id, registration_ids):
        if registration.is_cancelled:
            outcome.unchanged.append(registration)
            continue
        try:
            cancel_registration(event_id, registration.id, actor_id, now, keys)
        except AlreadyCancelled:  # cancelled meanwhile, by the person or another organiser
            outcome.unchanged.append(registration)
        else:
            outcome.done.append(registration)
    summary, details = _bulk_entry(outcome)
    audit.record(actor_id, "attendees.bulk_cancelled", summary, event_id=event_id, **details)
    commit()
    return outcome


def check_in_many(event_id: int, registration_ids: list[int], actor_id: int, now: datetime) -> BulkOutcome:
    """Mark each as checked in at the door, by the door's own rule (``checkin.services``): only
    people with a place on site; someone already checked in keeps their first arrival."""
    outcome = BulkOutcome()
    for registration in _people(event_id, registration_ids):
        result = checkin.check_in_registration(event_id, registration.id, actor_id, f"organiser-{uuid4().hex}", now,
                                               read_counters=False)
        if result.colour == checkin.Colour.GREEN:
            outcome.done.append(registration)
        elif result.colour == checkin.Colour.AMBER:
            outcome.unchanged.append(registration)
        else:
            outcome.refused.append((registration, str(result.reason)))
    summary, details = _bulk_entry(outcome)
    audit.record(actor_id, "attendees.bulk_checked_in", summary, event_id=event_id, **details)
    commit()
    return outcome
