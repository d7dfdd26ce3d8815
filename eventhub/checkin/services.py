"""Check-in at the door and online.

One rule decides a scan, whichever way the ticket arrives (camera, USB scanner, typed
short code, name search, an offline phone syncing later): find the registration,
check it belongs here and may come in, then set ``Registration.checked_in_at`` with a
conditional UPDATE. Exactly one of two simultaneous scans wins; the other is told
"already checked in" with the winner's time and host. Every accepted scan is stored
under its client-made nonce, so a retried or re-synced scan counts once.
"""
from __future__ import annotations

import hmac
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import bindparam, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from eventhub import signals
from eventhub.accounts.models import User
from eventhub.audit import services as audit
from eventhub.checkin.models import CheckIn, Method, Outcome
from eventhub.database import atomic, commit, contains_text
from eventhub.events.models import Event
from eventhub.extensions import db
from eventhub.groups import services as groups
from eventhub.groups.models import DiscussionGroup, GroupMembership
from eventhub.keyring import Keyring
from eventhub.modes import Mode
from eventhub.registration import errors as registration_errors
from eventhub.registration import services as registration_services
from eventhub.registration import tokens
from eventhub.registration.models import Registration, RegistrationState, RegistrationStatus
from eventhub.text import looks_like_email, swedish_sort_key
from eventhub.types import MAX_ID

MAX_CLOCK_SKEW = timedelta(minutes=10)  # an offline phone's clock may be a little ahead
SEARCH_LIMIT = 20
NAME_MAX = 200


class Colour(StrEnum):
    """What the host's screen shows, at a glance."""

    GREEN = "green"  # come in
    AMBER = "amber"  # already checked in: look up
    RED = "red"  # not with this ticket


class Reason(StrEnum):
    CHECKED_IN = "checked_in"
    ALREADY = "already"
    NOT_FOUND = "not_found"  # no ticket of ours (or forged, or garbled): nothing is revealed about it
    OTHER_EVENT = "other_event"  # a ticket of another event: no name, it is not this event's business
    CANCELLED = "cancelled"
    REPLACED = "replaced"  # an older version of the ticket (after a change of mode, say)
    WAITLISTED = "waitlisted"
    DIGITAL = "digital"  # a digital registrant at the door


class CheckinError(Exception):
    pass


class UnknownCheckIn(CheckinError):
    pass


class NameMissing(CheckinError):
    """A walk-in needs a name (at most 200 characters)."""


class EmailInvalid(CheckinError):
    """A walk-in's address, when given, must look like one."""


class NotAtTheDoor(CheckinError):
    """Switching to on site is only for a digital registrant standing at the door."""


@dataclass
class ScanResult:
    """What the host's screen shows: green, amber or red, and why."""

    colour: Colour
    reason: Reason
    registration_id: int | None = None
    name: str = ""
    organisation: str = ""
    groups: list[str] = field(default_factory=list)
    checked_in_at: datetime | None = None
    checked_in_by: str | None = None
    check_in_id: int | None = None
    can_switch_to_on_site: bool = False
    duplicate: bool = False
    # The event's counters, read in the scan's own transaction (one connection, one round trip less).
    counters: dict | None = None

    def as_dict(self) -> dict:
        return {
            "colour": self.colour, "reason": self.reason, "registration_id": self.registration_id,
            "name": self.name, "organisation": self.organisation, "groups": self.groups,
            "checked_in_at": self.checked_in_at.isoformat() if self.checked_in_at else None,
            "checked_in_by": self.checked_in_by, "check_in_id": self.check_in_id,
            "can_switch_to_on_site": self.can_switch_to_on_site, "duplicate": self.duplicate,
        }


_NOT_IN_A_CODE = re.compile(r"[^0-9A-Za-z]")


def normalise_short_code(text: str) -> str:
    """Typed codes forgive case, spaces, dashes and the look-alikes O/0 and I/L/1. Only ASCII letters
    and digits count (a code has no others; "Åsa Öhman" or "¹²³" name no ticket), exactly as the
    scanner's offline check does (static/js/checkin/tickets.js, cases in tests/checkin/door_rules.json)."""
    cleaned = _NOT_IN_A_CODE.sub("", text or "").upper()
    cleaned = cleaned.translate(str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"}))
    return f"{cleaned[:4]}-{cleaned[4:]}" if len(cleaned) == 8 else ""


@dataclass
class DoorPerson(RegistrationState):
    """A registration as the door sees it: read as one plain row (with group titles), no ORM object."""

    id: int
    event_id: int
    name: str
    organisation: str
    status: str
    mode: str
    token_salt: str
    ticket_version: int
    groups: list[str]


def groups_of(person: Registration) -> list[str]:
    """The titles of the discussion groups a registration has a place in."""
    return [membership.group.title for membership in groups.places_of(person).values()]


def _person_result(colour: Colour, reason: Reason, person: DoorPerson, **extra) -> ScanResult:
    return ScanResult(colour=colour, reason=reason, registration_id=person.id, name=person.name,
                      organisation=person.organisation, groups=list(person.groups), **extra)


# The scan path's statements are built once, not per request, and run on the session's
# connection without the ORM's statement handling: together a third of a scan's CPU time.
_DOOR_PERSON = (
    select(Registration.id, Registration.event_id, Registration.name, Registration.organisation,
           Registration.status, Registration.mode, Registration.token_salt, Registration.ticket_version,
           DiscussionGroup.title)
    .outerjoin(GroupMembership, (GroupMembership.registration_id == Registration.id)
               & GroupMembership.is_confirmed)
    .outerjoin(DiscussionGroup, DiscussionGroup.id == GroupMembership.group_id)
    .where(Registration.id == bindparam("registration_id"))
    .order_by(GroupMembership.id)
)
_CHECK_IN_ARRIVAL = (
    update(Registration)
    .where(Registration.id == bindparam("registration_id"), Registration.checked_in_at.is_(None))
    .values(checked_in_at=bindparam("when"))
)
_EARLIER_ARRIVAL = (
    update(Registration)
    .where(Registration.id == bindparam("registration_id"), Registration.checked_in_at > bindparam("when"))
    .values(checked_in_at=bindparam("when"))
)
_DEMOTE_CHECK_IN = (
    update(CheckIn)
    .where(CheckIn.registration_id == bindparam("person_id"), CheckIn.outcome == Outcome.CHECKED_IN,
           CheckIn.undone_at.is_(None))
    .values(outcome=Outcome.DUPLICATE)
)
_INSERT_CHECK_IN = insert(CheckIn).returning(CheckIn.id)
_CHECK_IN_BY_NONCE = select(CheckIn.id).where(CheckIn.nonce == bindparam("nonce"),
                                              CheckIn.event_id == bindparam("event_id"))
_ARRIVAL_AND_HOST = (  # for amber: when, and the host of the check-in that counts
    select(Registration.checked_in_at, User.name)
    .outerjoin(CheckIn, (CheckIn.registration_id == Registration.id) & (CheckIn.outcome == Outcome.CHECKED_IN)
               & CheckIn.undone_at.is_(None))
    .outerjoin(User, User.id == CheckIn.host_id)
    .where(Registration.id == bindparam("registration_id"))
    .order_by(CheckIn.scanned_at).limit(1)
)
_COUNTERS = (
    select(func.count(), func.count(Registration.checked_in_at))
    .where(Registration.event_id == bindparam("event_id"), Registration.mode == Mode.ON_SITE,
           Registration.status == RegistrationStatus.CONFIRMED)
)


def _run(statement, **params):
    return db.session.connection().execute(statement, params)


def _load(registration_id: int) -> DoorPerson | None:
    """The registration and its confirmed groups in one statement (a scan is the door's hot path)."""
    if not 0 < registration_id <= MAX_ID:  # an id no database row can have
        return None
    rows = _run(_DOOR_PERSON, registration_id=registration_id).all()
    if not rows:
        return None
    return DoorPerson(*rows[0][:8], groups=[row[8] for row in rows if row[8] is not None])


def _resolve_code(event_id: int, code: str, keys: Keyring) -> tuple[DoorPerson | None, Reason | None, str]:
    """The registration a scanned or typed code names, or why none is, and how it came (QR or typed)."""
    if tokens.is_ticket_payload(code):
        parsed = tokens.parse_ticket_payload(code)
        if parsed is None:  # garbled, or not one we make: not read as a typed code either (as offline)
            return None, Reason.NOT_FOUND, Method.QR
        registration_id, version, secret = parsed
        person = _load(registration_id)
        if person is None:
            return None, Reason.NOT_FOUND, Method.QR
        expected = tokens.ticket_secret(keys, person.token_salt, version)
        if not hmac.compare_digest(expected, secret):
            return None, Reason.NOT_FOUND, Method.QR  # forged or garbled: reveal nothing about the id
        if person.event_id != event_id:
            return person, Reason.OTHER_EVENT, Method.QR
        if version != person.ticket_version:
            return person, Reason.REPLACED, Method.QR
        return person, None, Method.QR
    short = normalise_short_code(code)
    if not short:
        return None, Reason.NOT_FOUND, Method.CODE
    # A typed code is checked against the event's own tickets (a few hundred HMACs is nothing), the
    # cancelled ones too: a cancelled ticket reads "cancelled" whether scanned, typed or checked offline.
    candidates = db.session.execute(
        select(Registration.id, Registration.token_salt, Registration.ticket_version, Registration.status)
        .where(Registration.event_id == event_id)
    ).all()
    for registration_id, salt, version, status in candidates:
        if hmac.compare_digest(tokens.short_code(keys, salt, tokens.held_version(version, status)), short):
            return _load(registration_id), None, Method.CODE
    return None, Reason.NOT_FOUND, Method.CODE


def scan(event_id: int, code: str, host_id: int | None, nonce: str, now: datetime, keys: Keyring, *,
         scanned_at: datetime | None = None, offline: bool = False, read_counters: bool = True) -> ScanResult:
    """Check a ticket (QR payload or short code) in at the door.

    A nonce seen before is not looked up first: the CheckIn row's unique nonce refuses it
    when it is written, and the first answer is given again (see ``_admit``).
    """
    person, problem, method = _resolve_code(event_id, code, keys)
    return _admit(event_id, person, problem, host_id, nonce, now, scanned_at, offline, method, read_counters)


def check_in_registration(event_id: int, registration_id: int, host_id: int | None, nonce: str, now: datetime, *,
                          scanned_at: datetime | None = None, offline: bool = False,
                          read_counters: bool = True) -> ScanResult:
    """Check in someone the host found by name (no ticket at hand)."""
    person = _load(registration_id)
    problem = None if person is not None else Reason.NOT_FOUND
    if person is not None and person.event_id != event_id:
        problem = Reason.OTHER_EVENT
    return _admit(event_id, person, problem, host_id, nonce, now, scanned_at, offline, Method.SEARCH, read_counters)


def _admit(event_id, person, problem, host_id, nonce, now, scanned_at, offline, method,
           read_counters: bool = True) -> ScanResult:
    """Decide and record a scan; with ``read_counters`` the answer carries the event's counters,
    read before the commit so that the scan needs one connection and one transaction."""
    add_counters = _with_counters if read_counters else _as_is
    result = _decide(event_id, person, problem, host_id, nonce, now, scanned_at, offline, method, add_counters)
    if result is None:  # the nonce was used before: the first answer, again
        result = add_counters(event_id, _replay(_by_nonce(event_id, nonce)))
    return result


def _decide(event_id, person, problem, host_id, nonce, now, scanned_at, offline, method,
            add_counters) -> ScanResult | None:
    """The scan's answer, recorded and committed; None if the nonce turns out to be taken.

    The counters are read before the commit: one connection checkout and one transaction for the
    whole scan (reading them afterwards cost a quarter of the throughput on PostgreSQL). They may
    miss another phone's scan committing at the same instant; the scanner reads them again when
    the door goes quiet.
    """
    refused = _refusal(event_id, person, problem)
    if refused is not None:
        return add_counters(event_id, _refuse(event_id, nonce, refused))

    when = _sane_time(scanned_at, now)
    won = _run(_CHECK_IN_ARRIVAL, registration_id=person.id, when=when).rowcount == 1
    counts = won
    if not won and offline:
        # Two offline phones let the same person in, and the later scan was synced first: the
        # earlier one is the arrival. It takes over as the check-in that counts; the other is kept
        # as the duplicate. (The row lock of the UPDATE orders two such syncs on PostgreSQL.)
        counts = _run(_EARLIER_ARRIVAL, registration_id=person.id, when=when).rowcount == 1
        if counts:
            _run(_DEMOTE_CHECK_IN, person_id=person.id)
    try:
        check_in_id = _run(
            _INSERT_CHECK_IN, event_id=event_id, registration_id=person.id, nonce=nonce, method=method,
            offline=offline, outcome=Outcome.CHECKED_IN if counts else Outcome.DUPLICATE, scanned_at=when,
            recorded_at=now, host_id=host_id,
        ).scalar_one()
    except IntegrityError:
        # Most likely the nonce is taken: this scan was sent before (a retry, a second sync),
        # perhaps at this very moment. Nothing of this attempt is kept.
        db.session.rollback()
        if not _nonce_taken(nonce):
            raise  # another constraint: a fault to see, not a scan to answer
        return None
    if won:
        result = _person_result(Colour.GREEN, Reason.CHECKED_IN, person, checked_in_at=when, check_in_id=check_in_id,
                                checked_in_by=_host_name(host_id))
    else:
        # A duplicate, or an offline scan that took over as the arrival (``counts``): either way
        # this phone is told that the person was already let in, and when (the arrival that counts).
        result = _already(person, duplicate=True, check_in_id=check_in_id)
    add_counters(event_id, result)
    if won:
        signals.attendance_changed.send(event_id)
    commit()
    return result


def refusal(person: RegistrationState | None, problem: Reason | None = None) -> Reason | None:
    """The door's rule: why a ticket may not come in, or None if it may (then it is green the first
    time, amber after). The scanner decides offline by the same table (static/js/checkin/decide.js;
    tests/checkin/door_rules.json holds the cases both must answer alike)."""
    if person is None or problem in (Reason.NOT_FOUND, Reason.OTHER_EVENT):
        return problem or Reason.NOT_FOUND
    if person.is_cancelled:
        return Reason.CANCELLED
    if problem == Reason.REPLACED:
        return Reason.REPLACED
    if person.is_waitlisted:
        return Reason.WAITLISTED
    if person.mode == Mode.DIGITAL:
        return Reason.DIGITAL
    return None


def _refusal(event_id: int, person: DoorPerson | None, problem: Reason | None) -> ScanResult | None:
    """Red, and why, for a ticket that may not come in; None for one that may."""
    reason = refusal(person, problem)
    if reason is None:
        return None
    if reason in (Reason.NOT_FOUND, Reason.OTHER_EVENT):
        return ScanResult(colour=Colour.RED, reason=reason)
    if reason == Reason.DIGITAL:
        event = db.session.get(Event, event_id)
        can_switch = Mode.ON_SITE in event.modes and event.seats_left(Mode.ON_SITE) != 0
        return _person_result(Colour.RED, reason, person, can_switch_to_on_site=can_switch)
    return _person_result(Colour.RED, reason, person)


def _refuse(event_id: int, nonce: str, result: ScanResult) -> ScanResult:
    """A red answer, unless this nonce was answered before: a scan resent after the ticket was
    cancelled or replaced gets its first answer again, as every resent scan does."""
    previous = _by_nonce(event_id, nonce)
    return _replay(previous) if previous is not None else result


def _with_counters(event_id: int, result: ScanResult) -> ScanResult:
    result.counters = counters(event_id)
    return result


def _as_is(_event_id: int, result: ScanResult) -> ScanResult:
    return result


def _sane_time(scanned_at: datetime | None, now: datetime) -> datetime:
    """An offline scan keeps its own time, unless the phone's clock is clearly wrong."""
    if scanned_at is None or scanned_at > now + MAX_CLOCK_SKEW or scanned_at < now - timedelta(days=2):
        return now
    return min(scanned_at, now)


def _host_name(host_id: int | None) -> str | None:
    host = db.session.get(User, host_id) if host_id else None  # the signed-in host: already in the session
    return host.name if host else None


def _already(person: DoorPerson, duplicate: bool, check_in_id: int | None) -> ScanResult:
    """Amber: when the ticket was checked in (read afresh: the winner may have committed a moment
    ago) and by whom (the host of the check-in that counts, if their account still exists)."""
    checked_in_at, winner_host = _run(_ARRIVAL_AND_HOST, registration_id=person.id).one()
    return _person_result(Colour.AMBER, Reason.ALREADY, person, checked_in_at=checked_in_at, checked_in_by=winner_host,
                          check_in_id=check_in_id, duplicate=duplicate)


def _by_nonce(event_id: int, nonce: str) -> CheckIn | None:
    # Scoped to the event: a nonce from another event's scanner must not show that event's person.
    # Asked on every red answer, so a plain id first; the record is loaded only for a resent scan.
    check_in_id = _run(_CHECK_IN_BY_NONCE, nonce=nonce, event_id=event_id).scalar()
    return db.session.get(CheckIn, check_in_id) if check_in_id is not None else None


def _nonce_taken(nonce: str) -> bool:
    return db.session.scalar(select(CheckIn.id).where(CheckIn.nonce == nonce)) is not None


def _took_over(record: CheckIn) -> bool:
    """Whether ``record`` counts because it took over from a later scan synced before it."""
    return db.session.scalar(
        select(CheckIn.id).where(CheckIn.registration_id == record.registration_id, CheckIn.id < record.id,
                                 CheckIn.outcome == Outcome.DUPLICATE, CheckIn.undone_at.is_(None),
                                 CheckIn.scanned_at > record.scanned_at).limit(1)
    ) is not None


def _replay(record: CheckIn | None) -> ScanResult:
    """The answer a nonce got the first time, so a resent scan changes nothing.

    The one exception: a check-in that counted when it was made and has since been overtaken by an
    earlier offline scan is now answered as the duplicate it has become (it still counts once).
    """
    if record is None:  # the nonce is taken, but not in this event
        return ScanResult(colour=Colour.RED, reason=Reason.NOT_FOUND)
    person = _load(record.registration_id)
    if record.outcome == Outcome.CHECKED_IN and not _took_over(record):
        return _person_result(Colour.GREEN, Reason.CHECKED_IN, person, checked_in_at=record.scanned_at,
                              checked_in_by=record.host.name if record.host else None, check_in_id=record.id)
    return _already(person, duplicate=True, check_in_id=record.id)


def undo(event_id: int, check_in_id: int, host_id: int, now: datetime) -> DoorPerson:
    """Take back a check-in (a wrong person scanned); logged with who did it."""
    registration_id = db.session.scalar(
        select(CheckIn.registration_id).where(CheckIn.id == check_in_id, CheckIn.event_id == event_id)
    ) if 0 < check_in_id <= MAX_ID else None
    if registration_id is None:
        raise UnknownCheckIn(check_in_id)
    # Lock the registration first, as a scan does (registration, then its check-ins), so an undo
    # and an offline take-over neither deadlock nor act on an outcome the other just changed.
    # SQLite ignores FOR UPDATE, but there the UPDATE below holds the only write lock anyway.
    db.session.execute(select(Registration.id).where(Registration.id == registration_id).with_for_update())
    outcome = db.session.execute(
        update(CheckIn).where(CheckIn.id == check_in_id, CheckIn.undone_at.is_(None))
        .values(undone_at=now, undone_by_id=host_id).returning(CheckIn.outcome)
        .execution_options(synchronize_session=False)
    ).scalar()
    if outcome is None:  # undone a moment ago (a second press, another host)
        db.session.rollback()
        raise UnknownCheckIn(check_in_id)
    if outcome == Outcome.CHECKED_IN:
        db.session.execute(
            update(Registration).where(Registration.id == registration_id)
            .values(checked_in_at=None).execution_options(synchronize_session=False)
        )
    audit.record(host_id, "checkin.undone", f"check-in {check_in_id}", event_id=event_id,
                 registration_id=registration_id)
    signals.attendance_changed.send(event_id)
    commit()
    return _load(registration_id)


def search(event_id: int, query: str) -> list[Registration]:
    """People by name or organisation, for someone without their ticket."""
    words = [word for word in (query or "").strip().split() if word][:4]
    if not words:
        return []
    statement = select(Registration).where(Registration.event_id == event_id,
                                           Registration.status != RegistrationStatus.CANCELLED)
    sqlite = db.session.get_bind().dialect.name == "sqlite"
    for word in words:  # Å, Ä and Ö ignore case on SQLite too, as in the attendee list
        statement = statement.where(or_(contains_text(Registration.name, word, sqlite),
                                        contains_text(Registration.organisation, word, sqlite)))
    people = db.session.scalars(
        statement.options(selectinload(Registration.memberships).joinedload(GroupMembership.group))
        .order_by(Registration.name, Registration.id).limit(SEARCH_LIMIT)
    ).all()
    return sorted(people, key=lambda person: swedish_sort_key(person.name))


def counters(event_id: int) -> dict:
    """Checked in / expected on site, for the live counter on every scanner."""
    expected, arrived = _run(_COUNTERS, event_id=event_id).one()
    return {"checked_in": arrived, "expected": expected}


def offline_tickets(event_id: int, keys: Keyring) -> list[dict]:
    """What a scanner keeps for working offline: hashes of the tickets, and only what the screen shows
    (cancelled tickets too, so that they read "cancelled" offline as they do online)."""
    people = db.session.scalars(
        select(Registration)
        .where(Registration.event_id == event_id)
        .options(selectinload(Registration.memberships).joinedload(GroupMembership.group))
    ).all()
    return [{
        "id": person.id,
        "ticket": tokens.token_hash(tokens.ticket_payload(keys, person, held := tokens.held_version(
            person.ticket_version, person.status))),
        "code": tokens.token_hash(tokens.short_code(keys, person.token_salt, held)),
        "name": person.name,
        "organisation": person.organisation,
        "groups": groups_of(person),
        "mode": person.mode,
        "status": person.status,
        "checked_in": person.checked_in_at is not None,
    } for person in people]


def switch_to_on_site(event_id: int, registration_id: int, host_id: int, now: datetime,
                      keys: Keyring) -> Registration:
    """A digital registrant came to the room: move them to on site if a seat is free."""
    person = db.session.get(Registration, registration_id) if 0 < registration_id <= MAX_ID else None
    if person is None or person.event_id != event_id or person.mode != Mode.DIGITAL or not person.is_confirmed:
        raise NotAtTheDoor(registration_id)
    with atomic():
        registration_services.change_mode(registration_id, Mode.ON_SITE, now, keys, organiser=True)
        audit.record(host_id, "checkin.switched_to_on_site", "digital → on site", event_id=event_id,
                     registration_id=registration_id)
    return person


def walk_in(event_id: int, name: str, email: str | None, host_id: int, now: datetime, keys: Keyring,
            nonce: str) -> ScanResult:
    """Register someone at the door (seats permitting) and check them in, in one transaction:
    the same walk-in sent twice at once (a retry) registers one person, not two."""
    name, email = name.strip(), (email or "").strip() or None
    if not name or len(name) > NAME_MAX:
        raise NameMissing()
    if email is not None and not looks_like_email(email):
        raise EmailInvalid()
    previous = _by_nonce(event_id, nonce)
    if previous is not None:  # the same walk-in resent (a retry): not a second person
        return _with_counters(event_id, _replay(previous))
    data = registration_services.RegistrationInput(name=name, email=email or "", mode=Mode.ON_SITE,
                                                   privacy_accepted=True)
    try:
        # The registration, the audit entry and the check-in commit together; if the nonce is
        # taken (the twin won), all three roll back and the twin's answer is given (_decide).
        with atomic():
            person = registration_services.register(event_id, data, now, keys, organiser=True).registration
            if not person.is_confirmed:
                raise registration_errors.NoSeatsLeft(Mode.ON_SITE)
            audit.record(host_id, "checkin.walk_in", "walk-in registered at the door", event_id=event_id,
                         registration_id=person.id)
            return _admit(event_id, _load(person.id), None, host_id, nonce, now, None, False, Method.WALK_IN)
    except registration_errors.AlreadyRegistered:
        previous = _by_nonce(event_id, nonce)  # its twin, a moment earlier, registered the address
        if previous is not None:
            return _with_counters(event_id, _replay(previous))
        raise


