"""Registration rules: who may register, seats per mode, the event's waitlist, changing and cancelling.

Seats are counted by ``eventhub.seats`` (``events.models.SEATS``, one counter per mode), the
discussion groups' rules are ``eventhub.groups.services``. Organiser calls (``organiser=True``)
skip the registration window and the public group-choice switch, and may give a seat beyond a
full limit (``override=True``); the result names the limits that raised. Called inside
``database.atomic()``, an organiser's audit entry joins the same transaction.
"""
from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql import ColumnElement

from eventhub import labels
from eventhub.database import commit
from eventhub.events.models import SEATS, Event, EventStatus
from eventhub.extensions import db
from eventhub.groups import services as groups
from eventhub.keyring import Keyring
from eventhub.modes import Mode
from eventhub.questions import services as questions
from eventhub.registration import emails, tokens
from eventhub.registration.errors import (
    AlreadyCancelled,
    AlreadyRegistered,
    LanguageNotOffered,
    MissingEmail,
    ModeNotOffered,
    NoSeatsLeft,
    NotWaitlisted,
    RegistrationClosed,
)
from eventhub.registration.models import Registration, RegistrationStatus, Sector
from eventhub.seats import ROUNDS, RaisedLimit, Taken
from eventhub.text import normalise_email


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
    # The organiser's own questions: question id → what was sent, and the special-category answers
    # consented to (questions.services.check_answers).
    answers: dict[int, object] = field(default_factory=dict)
    answer_consents: frozenset[int] = frozenset()


@dataclass
class RegistrationResult:
    registration: Registration
    created: bool = False
    raised: list[RaisedLimit] = field(default_factory=list)  # limits an organiser's override raised


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


def _offered(event: Event, mode: str) -> Mode:
    try:
        chosen = Mode(mode)
    except ValueError:
        raise ModeNotOffered(mode) from None
    if chosen not in event.modes:
        raise ModeNotOffered(chosen)
    return chosen


def _raised(mode: Mode, taken: Taken | None) -> list[RaisedLimit]:
    return [RaisedLimit(mode.value, taken.raised_to)] if taken is not None and taken.by_override else []


# --- the event's waitlist ------------------------------------------------------------------

def promote_waitlist(event_id: int, mode: Mode, now: datetime, keys: Keyring) -> list[Registration]:
    """Give free seats to the waitlist, first come first served, and tell each person (the caller commits)."""
    promoted: list[Registration] = []
    for _ in range(ROUNDS):
        candidates = db.session.scalars(
            select(Registration)
            .where(Registration.event_id == event_id, Registration.mode == mode,
                   Registration.status == RegistrationStatus.WAITLISTED)
            .order_by(Registration.waitlisted_at, Registration.id)
            .limit(5)
        ).all()
        if not candidates or SEATS[mode].take(event_id) is None:
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
                emails.send(candidate, "promoted", keys, wish=groups.honour_wish(candidate, keys))
                break
        else:
            SEATS[mode].release(event_id)
    return promoted


# --- registering ---------------------------------------------------------------------------

def get_event_for_registration(slug: str) -> Event | None:
    return db.session.scalar(
        select(Event).where(Event.slug == slug, Event.is_public)
    )


def register(event_id: int, data: RegistrationInput, now: datetime, keys: Keyring, *, organiser: bool = False,
             override: bool = False) -> RegistrationResult:
    """Register a person, or, if the address is already registered, email their link again.

    The result says which, for tests and the organiser; the public page answers the
    same either way, so it cannot be used to find out who is registered. An organiser
    adding someone by hand (``organiser=True``) gets ``AlreadyRegistered`` instead, may
    do so outside the registration window, and with ``override`` gives a seat even when full.
    """
    try:
        return _register(event_id, data, now, keys, organiser, override)
    except IntegrityError:
        # The same address registered in a parallel request a moment ago.
        db.session.rollback()
        return _register(event_id, data, now, keys, organiser, override)


def _register(event_id: int, data: RegistrationInput, now: datetime, keys: Keyring, organiser: bool,
              override: bool) -> RegistrationResult:
    event = db.session.get(Event, event_id)
    if not organiser:
        check_open(event, now)
    elif event.status == EventStatus.CANCELLED:
        raise RegistrationClosed("cancelled")
    mode = _offered(event, data.mode)
    asked = questions.asked(event)
    answers = questions.check_answers(asked, mode, data.answers, data.answer_consents, required=not organiser)
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
        emails.send(existing, "manage_link", keys)
        commit()
        return RegistrationResult(existing, created=False)

    group = groups.allowed_group(event, mode, data.group_id, organiser=organiser) if data.group_id else None
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

    taken = SEATS[mode].take(event_id, override=override)
    if taken is not None:
        registration.status = RegistrationStatus.CONFIRMED
        registration.confirmed_at, registration.waitlisted_at = now, None
    else:
        registration.status = RegistrationStatus.WAITLISTED
        registration.waitlisted_at, registration.confirmed_at = now, None
    # Someone who chose a group but has no seat yet keeps the choice as a wish, honoured with the seat.
    groups.keep_wish(registration, group if registration.is_waitlisted else None)
    db.session.add(registration)
    db.session.flush()  # a duplicate address fails here, before any email is queued
    if asked:
        questions.keep_answers(registration.id, asked, answers, now, fresh=existing is None)
    result = RegistrationResult(registration, created=True, raised=_raised(mode, taken))
    if group is not None and registration.is_confirmed:
        result.raised += groups.join(registration, group, keys, notify=False, override=override).raised
    emails.send(registration, "confirmed" if registration.is_confirmed else "waitlisted", keys)
    commit()
    return result


# --- special-category answers: the one rule ----------------------------------------------------------

def holds_special() -> ColumnElement[bool]:
    """A registration that holds special-category data (health, religion, ...): dietary or accessibility
    answers or their consent, or an answer to an organiser's special-category question. What retention
    deletes, the special-category export holds and the ordinary exports and the door never show."""
    return or_(Registration.special_consent_at.is_not(None), Registration.dietary_needs != "",
               Registration.accessibility_needs != "", questions.special_answer_of(Registration.id))


def forget_special(registration_ids: list[int], now: datetime) -> int:
    """Delete these registrations' special-category data, every kind of it (the caller commits); how many
    registrations held some."""
    if not registration_ids:
        return 0
    count = db.session.execute(
        update(Registration)
        .where(Registration.id.in_(registration_ids), holds_special())
        .values(dietary_needs="", accessibility_needs="", special_consent_at=None, updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    questions.forget_special(registration_ids)
    return count


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


def waitlist_position(registration: Registration) -> int | None:
    """The person's place in their mode's waitlist (1 is next to get a seat), None when not on it."""
    if not registration.is_waitlisted:
        return None
    ahead = db.session.scalar(
        select(func.count()).select_from(Registration)
        .where(Registration.event_id == registration.event_id, Registration.mode == registration.mode,
               Registration.status == RegistrationStatus.WAITLISTED,
               or_(Registration.waitlisted_at < registration.waitlisted_at,
                   and_(Registration.waitlisted_at == registration.waitlisted_at, Registration.id < registration.id))))
    return ahead + 1


def just_registered(event_id: int, registration_id: int | None) -> Registration | None:
    """The registration this browser has just made for the event, for the page that says what happened;
    None when there is none (or it has been cancelled since)."""
    if registration_id is None:
        return None
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.event_id != event_id or registration.is_cancelled:
        return None
    return registration


def renew_link(registration: Registration, keys: Keyring) -> None:
    """A new personal link and ticket; the old ones stop working (e.g. they went to a mistyped
    address that may be someone else's). The caller commits and sends the new ones."""
    registration.token_salt = tokens.new_salt()
    registration.token_hash = tokens.token_hash(tokens.manage_token(keys, registration.token_salt))
    registration.ticket_version += 1


def find_by_token(token: str) -> Registration | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalar(select(Registration).where(Registration.token_hash == tokens.token_hash(token)))


def find_by_unsubscribe_token(token: str, keys: Keyring) -> Registration | None:
    """The registration whose mailings link this is (tokens.unsubscribe_token); None if none is."""
    parsed = tokens.parse_unsubscribe_token(token)
    if parsed is None:
        return None
    registration = db.session.get(Registration, parsed[0])
    if registration is None or registration.anonymised_at is not None or not hmac.compare_digest(
            tokens.unsubscribe_secret(keys, registration.token_salt), parsed[1]):
        return None
    return registration


# --- changing and cancelling -----------------------------------------------------------------

def send_my_link(event_id: int, email: str, keys: Keyring) -> bool:
    """Email the person registered for the event with ``email`` their personal link (the page the
    projector's QR code leads to). The page answers the same either way, so it tells nobody who is
    registered; the return value is for tests. A cancelled registration gets nothing."""
    address = normalise_email(email or "")
    registration = address and db.session.scalar(
        select(Registration).where(Registration.event_id == event_id, Registration.email == address,
                                   Registration.status != RegistrationStatus.CANCELLED))
    if not registration:
        return False
    emails.send(registration, "my_link", keys)
    commit()
    return True


def cancel(registration_id: int, now: datetime, keys: Keyring) -> Registration:
    registration = db.session.get(Registration, registration_id)
    if registration.is_cancelled:
        raise AlreadyCancelled()
    had_a_seat = registration.is_confirmed
    mode = Mode(registration.mode)
    groups.leave_all(registration, keys)
    won = db.session.execute(
        update(Registration)
        .where(Registration.id == registration.id, Registration.status == registration.status)
        .values(status=RegistrationStatus.CANCELLED, cancelled_at=now, waitlisted_at=None, group_wish_id=None,
                ticket_version=Registration.ticket_version + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not won:  # a parallel request changed it first (e.g. a double-clicked cancel)
        db.session.rollback()
        raise AlreadyCancelled()
    if had_a_seat:
        SEATS[mode].release(registration.event_id)
        promote_waitlist(registration.event_id, mode, now, keys)
    db.session.refresh(registration)
    emails.send(registration, "cancelled", keys)
    commit()
    return registration


def leave_waitlist(registration_id: int, now: datetime, keys: Keyring) -> Registration:
    """The person leaves the waitlist (the link in their reminder): their registration is cancelled,
    and only while they wait. Someone who has had a place meanwhile keeps it (NotWaitlisted)."""
    registration = db.session.get(Registration, registration_id)
    if registration.is_cancelled:
        raise AlreadyCancelled()
    if not registration.is_waitlisted:
        raise NotWaitlisted()
    return cancel(registration_id, now, keys)


def change_language(registration_id: int, language: str) -> Registration:
    """The language the person's emails, page, documents and calendar speak from now on."""
    if language not in labels.LANGUAGE:
        raise LanguageNotOffered(language)
    registration = db.session.get(Registration, registration_id)
    registration.language = language
    commit()
    return registration


def change_mode(registration_id: int, new_mode: str, now: datetime, keys: Keyring, *, organiser: bool = False,
                override: bool = False) -> RegistrationResult:
    """Move to the other mode; that takes a seat there (waitlisted people too) and frees the old one."""
    registration = db.session.get(Registration, registration_id)
    event = registration.event
    if registration.is_cancelled:
        raise AlreadyCancelled()
    if not organiser:
        check_open(event, now)
    target = _offered(event, new_mode)
    old = Mode(registration.mode)
    if target == old:
        return RegistrationResult(registration)
    taken = SEATS[target].take(event.id, override=override)
    if taken is None:
        db.session.rollback()
        raise NoSeatsLeft(target)
    had_a_seat = registration.is_confirmed
    registration.mode = target
    registration.status = RegistrationStatus.CONFIRMED
    registration.confirmed_at, registration.waitlisted_at = now, None
    registration.ticket_version += 1  # an on-site ticket must not open the door for a digital registration
    questions.drop_not_asked(registration.id, questions.asked(event), target)
    left_groups = groups.leave_not_allowed(registration, event, keys)
    wish = groups.honour_wish(registration, keys)  # a waitlisted person's wish, now that they have a seat
    db.session.flush()
    if had_a_seat:
        SEATS[old].release(event.id)
        promote_waitlist(event.id, old, now, keys)
    emails.send(registration, "mode_changed", keys, left_groups=left_groups, wish=wish,
                kept_groups=[m.group for m in registration.memberships if wish is None or m is not wish.membership],
                may_choose=bool(event.group_choice_open and groups.choosable(event, target)))
    commit()
    return RegistrationResult(registration, raised=_raised(target, taken))


def promote(registration_id: int, now: datetime, keys: Keyring, *, override: bool = False) -> RegistrationResult:
    """An organiser gives one waitlisted person a seat, whatever their place in the queue."""
    registration = db.session.get(Registration, registration_id)
    if not registration.is_waitlisted:
        raise NotWaitlisted()
    mode = Mode(registration.mode)
    taken = SEATS[mode].take(registration.event_id, override=override)
    if taken is None:
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
    emails.send(registration, "promoted", keys, wish=groups.honour_wish(registration, keys))
    commit()
    return RegistrationResult(registration, raised=_raised(mode, taken))


def update_special_answers(registration_id: int, dietary: str, accessibility: str, consent: bool,
                           now: datetime) -> Registration:
    registration = db.session.get(Registration, registration_id)
    if registration.is_cancelled:
        raise AlreadyCancelled()
    set_special_answers(registration, dietary, accessibility, consent, now)
    commit()
    return registration


def update_answers(registration_id: int, answers: dict[int, object], consents: frozenset[int] | set[int],
                   now: datetime) -> Registration:
    """The person changes their answers to the organiser's questions on their own page (an emptied
    answer, or a special-category one whose consent is unticked, is deleted)."""
    registration = db.session.get(Registration, registration_id)
    if registration.is_cancelled:
        raise AlreadyCancelled()
    asked = questions.asked_of(registration.event, registration.mode)
    values = questions.check_answers(asked, registration.mode, answers, consents)
    questions.keep_answers(registration.id, asked, values, now)
    commit()
    return registration


def sample_registration(event: Event, mode: Mode, language: str, name: str, now: datetime) -> Registration:
    """A made-up confirmed person for the organiser's preview of the personal page. Never added to
    the session: nothing is stored, and its secret link opens nothing."""
    return Registration(event=event, event_id=event.id, name=name, email="alex@example.org", mode=mode.value,
                        status=RegistrationStatus.CONFIRMED, language=language, token_salt=secrets.token_hex(16),
                        ticket_version=1, confirmed_at=now, privacy_accepted_at=now, memberships=[],
                        dietary_needs="", accessibility_needs="")

