"""Accounts, sign-in and who may do what with which event."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import contains_eager
from werkzeug.security import check_password_hash, generate_password_hash

from eventhub.accounts.models import AccountToken, EventStaff, Role, StaffRole, User
from eventhub.audit import services as audit
from eventhub.database import atomic, commit
from eventhub.events.models import Event
from eventhub.extensions import db
from eventhub.mail import services as mail
from eventhub.registration.tokens import token_hash
from eventhub.text import normalise_email
from eventhub.types import MAX_ID

MIN_PASSWORD_LENGTH = 10
INVITATION_TTL = timedelta(days=7)
RESET_TTL = timedelta(hours=2)
ACCOUNT_EMAIL_LANGUAGE = "sv"  # an account has no language of its own: its emails are in Swedish


def _password_hash(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


@cache
def dummy_hash(method: str) -> str:
    """Checked against when the address is unknown, so a wrong address takes as long as a wrong password."""
    return generate_password_hash(secrets.token_hex(16), method=method)


class AccountError(Exception):
    pass


class EmailTaken(AccountError):
    pass


class InvalidCredentials(AccountError):
    """Wrong address or password: deliberately the same error for both."""


class InvalidToken(AccountError):
    pass


class WeakPassword(AccountError):
    pass


def user_for_session(session_id: str) -> User | None:
    """The signed-in account a session names (``User.get_id``): none once a password change or a
    deactivation has bumped its version, which ends every other session."""
    try:
        pk, version = (int(part) for part in session_id.split(":", 1))
    except ValueError:
        return None
    user = db.session.get(User, pk) if 0 < pk <= MAX_ID else None
    if user is None or user.session_version != version or not user.active:
        return None
    return user


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(email: str, name: str, role: str, now: datetime, actor_id: int | None = None,
                password: str | None = None) -> tuple[User, str | None]:
    """Create an account. Without a password, returns a one-time invitation token to set one."""
    email = normalise_email(email)
    if find_user(email) is not None:
        raise EmailTaken(email)
    user = User(email=email, name=name.strip(), role=Role(role))
    if password is not None:
        _check_strength(password)
        user.password_hash = _password_hash(password)
    db.session.add(user)
    db.session.flush()
    token = None if password is not None else _issue_token(user, "invitation", now, INVITATION_TTL)
    audit.record(actor_id, "account.created", f"{user.name} ({user.role})", user_id=user.id)
    commit()
    return user, token


def invite(email: str, name: str, role: str, now: datetime, actor_id: int) -> User:
    with atomic():
        user, token = create_user(email, name, role, now, actor_id=actor_id)
        _queue_token_email(user, token, "invitation")
    return user


def _spend_links(user_id: int, now: datetime) -> None:
    """Every link of the account that could still set its password stops working (the caller commits)."""
    db.session.execute(update(AccountToken)
                       .where(AccountToken.user_id == user_id, AccountToken.used_at.is_(None))
                       .values(used_at=now))


def _issue_token(user: User, purpose: str, now: datetime, ttl: timedelta) -> str:
    """A new link to set the password; the account's older links stop working (only the newest email counts)."""
    _spend_links(user.id, now)
    token = secrets.token_urlsafe(32)
    db.session.add(AccountToken(user_id=user.id, token_hash=token_hash(token), purpose=purpose,
                                expires_at=now + ttl))
    return token


def _queue_token_email(user: User, token: str, purpose: str, event_title: str | None = None) -> None:
    base_url = current_app.config["BASE_URL"].rstrip("/")
    with force_locale(ACCOUNT_EMAIL_LANGUAGE):
        subject = render_template("accounts/emails/account_subject.txt", purpose=purpose).strip()
        body = render_template("accounts/emails/account.txt", user=user, purpose=purpose, event_title=event_title,
                               url=f"{base_url}/account/password/{token}")
    mail.queue(user.email, subject, body, language=ACCOUNT_EMAIL_LANGUAGE)


def authenticate(email: str, password: str, now: datetime) -> User:
    user = find_user(email)
    if user is None or user.password_hash is None:
        check_password_hash(dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
        raise InvalidCredentials()
    if not check_password_hash(user.password_hash, password) or not user.active:
        raise InvalidCredentials()
    user.last_login_at = now
    commit()
    return user


def request_password_reset(email: str, now: datetime) -> None:
    """Email a reset link if the account exists; the caller says the same thing either way."""
    user = find_user(email)
    if user is not None and user.active:
        _queue_token_email(user, _issue_token(user, "reset", now, RESET_TTL), "reset")
        commit()


def user_for_token(token: str, now: datetime) -> AccountToken:
    record = db.session.scalar(select(AccountToken).where(AccountToken.token_hash == token_hash(token)))
    if record is None or record.used_at is not None or record.expires_at <= now or not record.user.active:
        raise InvalidToken()
    return record


def set_password_with_token(token: str, password: str, now: datetime) -> User:
    record = user_for_token(token, now)
    _check_strength(password)
    # Using one link spends every link of the account; the condition makes two uses at once one.
    spent = db.session.execute(update(AccountToken)
                               .where(AccountToken.id == record.id, AccountToken.used_at.is_(None))
                               .values(used_at=now)).rowcount
    if spent != 1:
        raise InvalidToken()
    _spend_links(record.user_id, now)
    user = record.user
    user.password_hash = _password_hash(password)
    user.session_version += 1  # other sessions end
    audit.record(user.id, "account.password_set", user.name)
    commit()
    return user


def _check_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword()


class UnknownUser(AccountError):
    pass


def set_active(user_id: int, active: bool, actor_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise UnknownUser(user_id)
    user.active = active
    user.session_version += 1
    audit.record(actor_id, "account.activated" if active else "account.deactivated", user.name, user_id=user.id)
    commit()
    return user


def list_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.name)))


# --- access to events --------------------------------------------------------------------------

def staff_role(user: User, event: Event) -> str | None:
    if not user.is_authenticated:
        return None
    return db.session.scalar(
        select(EventStaff.role).where(EventStaff.event_id == event.id, EventStaff.user_id == user.id)
    )


def can_manage(user: User, event: Event) -> bool:
    if not user.is_authenticated or not user.active:
        return False
    if user.is_admin:
        return True
    return user.role == Role.ORGANISER and staff_role(user, event) == StaffRole.ORGANISER


@dataclass(frozen=True)
class ManagedEvents:
    """The events an account may manage (the rule of ``can_manage``), for rules that span events."""

    every: bool = False  # an administrator
    ids: frozenset[int] = frozenset()
    organiser: bool = False  # an active organiser or admin account

    def __contains__(self, event_id: object) -> bool:
        return self.every or event_id in self.ids


def managed_events(user_id: int) -> ManagedEvents:
    user = db.session.get(User, user_id) if 0 < user_id <= MAX_ID else None
    if user is None or not user.active:
        return ManagedEvents()
    if user.is_admin:
        return ManagedEvents(every=True, organiser=True)
    if user.role != Role.ORGANISER:
        return ManagedEvents()
    ids = db.session.scalars(select(EventStaff.event_id).where(
        EventStaff.user_id == user.id, EventStaff.role == StaffRole.ORGANISER))
    return ManagedEvents(ids=frozenset(ids), organiser=True)


def _may_host(user: User, role_in_event: str | None) -> bool:
    """The door rule: an active admin, or anyone active on the event's staff (host or organiser)."""
    return user.is_authenticated and user.active and (user.is_admin or role_in_event is not None)


def can_host(user: User, event: Event) -> bool:
    """Hosts work the door of their events; organisers and admins may too."""
    return _may_host(user, staff_role(user, event) if user.is_authenticated and not user.is_admin else None)


_HOSTED_EVENT = (  # built once: hosted_event_id runs on every scan
    select(Event.id, EventStaff.role)
    .outerjoin(EventStaff, (EventStaff.event_id == Event.id) & (EventStaff.user_id == bindparam("user_id")))
    .where(Event.slug == bindparam("slug"))
)


def hosted_event_id(user: User, slug: str) -> int | None:
    """The id of the event ``slug`` if ``user`` may work its door (as ``can_host`` decides), else None.

    One statement for the event and the user's part in it: the scanner asks this on every scan.
    """
    if not user.is_authenticated or not user.active:
        return None
    row = db.session.connection().execute(_HOSTED_EVENT, {"user_id": user.id, "slug": slug}).first()
    return row.id if row is not None and _may_host(user, row.role) else None


def can_create_events(user: User) -> bool:
    return user.is_authenticated and user.role in (Role.ADMIN, Role.ORGANISER)


def events_for(user: User) -> list[tuple[Event, str]]:
    """The events a person works on, with their part in each, newest first."""
    if user.is_admin:
        return [(event, "organiser") for event in db.session.scalars(select(Event).order_by(Event.starts_at.desc()))]
    rows = db.session.execute(
        select(Event, EventStaff.role).join(EventStaff, EventStaff.event_id == Event.id)
        .where(EventStaff.user_id == user.id).order_by(Event.starts_at.desc())
    ).all()
    return [(event, role) for event, role in rows]


def add_staff(event_id: int, user_id: int, role: str, actor_id: int | None) -> EventStaff:
    existing = db.session.scalar(
        select(EventStaff).where(EventStaff.event_id == event_id, EventStaff.user_id == user_id)
    )
    staff = existing or EventStaff(event_id=event_id, user_id=user_id)
    staff.role = StaffRole(role)
    db.session.add(staff)
    audit.record(actor_id, "event.staff_added", f"{role}", event_id=event_id, user_id=user_id, role=role)
    commit()
    return staff


class NoSuchAccount(AccountError):
    """No active account has that address (an administrator can invite one)."""


class HostCannotOrganise(AccountError):
    """A door host account may scan tickets, not run an event."""


class NotStaff(AccountError):
    """The person does not work on this event (any more)."""


class LastOrganiser(AccountError):
    """An event keeps at least one organiser: someone must be able to run it."""


def add_staff_by_email(event_id: int, email: str, role: str, actor_id: int) -> User:
    """Make the account with this address an organiser or host of the event."""
    user = find_user(email)
    if user is None or not user.active:
        raise NoSuchAccount(email)
    if role == StaffRole.ORGANISER and user.role == Role.HOST:
        raise HostCannotOrganise(email)
    add_staff(event_id, user.id, role, actor_id)
    return user


def _staff_row_locked(event_id: int, user_id: int) -> EventStaff:
    """The person's row on the event's staff, with the event locked: two organisers removing each
    other at the same moment must not leave the event with none (PostgreSQL; SQLite writes one at a time)."""
    db.session.execute(select(Event.id).where(Event.id == event_id).with_for_update())
    staff = db.session.scalar(
        select(EventStaff).where(EventStaff.event_id == event_id, EventStaff.user_id == user_id)
    )
    if staff is None:
        raise NotStaff(user_id)
    return staff


def _check_another_organiser(staff: EventStaff) -> None:
    if staff.role != StaffRole.ORGANISER:
        return
    others = db.session.scalar(
        select(func.count()).select_from(EventStaff)
        .where(EventStaff.event_id == staff.event_id, EventStaff.role == StaffRole.ORGANISER,
               EventStaff.id != staff.id)
    )
    if not others:
        raise LastOrganiser(staff.user_id)


def remove_staff(event_id: int, user_id: int, actor_id: int) -> User:
    """Take the person off the event's staff. The right ends with the row: every guard
    (``can_manage``, ``can_host``, ``hosted_event_id``) reads it on each request, so their next
    request to the workspace or the scanner's API is refused."""
    staff = _staff_row_locked(event_id, user_id)
    _check_another_organiser(staff)
    user = staff.user
    audit.record(actor_id, "event.staff_removed", f"{user.name} ({staff.role})", event_id=event_id,
                 user_id=user.id, role=staff.role)
    db.session.delete(staff)
    commit()
    return user


def change_staff_role(event_id: int, user_id: int, role: str, actor_id: int) -> User:
    """Make a door host an organiser of the event, or an organiser a door host."""
    role = StaffRole(role)
    staff = _staff_row_locked(event_id, user_id)
    if staff.role == role:
        return staff.user
    if role == StaffRole.ORGANISER and staff.user.role == Role.HOST:
        raise HostCannotOrganise(staff.user.email)
    _check_another_organiser(staff)
    audit.record(actor_id, "event.staff_role_changed", f"{staff.user.name}: {staff.role} → {role}",
                 event_id=event_id, user_id=user_id, role=role, previous_role=staff.role)
    staff.role = role
    commit()
    return staff.user


def invite_host(event_id: int, email: str, name: str, now: datetime, actor_id: int) -> User:
    """A new door host account for this event, invited by one of its organisers.

    Always a host account and always a new one: an organiser cannot make organisers or
    administrators this way, nor reach an account that exists (add that one by its address).
    """
    event = db.session.get(Event, event_id)
    with atomic():
        user, token = create_user(email, name, Role.HOST, now, actor_id=actor_id)
        db.session.add(EventStaff(event_id=event_id, user_id=user.id, role=StaffRole.HOST))
        audit.record(actor_id, "event.host_invited", f"{user.name} <{user.email}>", event_id=event_id,
                     user_id=user.id, role=StaffRole.HOST)
        _queue_token_email(user, token, "invitation", event_title=event.title)
    return user


def staff_of(event_id: int) -> list[EventStaff]:
    """The event's organisers, then its door hosts, each with their account (one query)."""
    return list(db.session.scalars(
        select(EventStaff).join(EventStaff.user).options(contains_eager(EventStaff.user))
        .where(EventStaff.event_id == event_id)
        .order_by(EventStaff.role.desc(), User.name, EventStaff.id)))


def actors_in_log(event_id: int) -> list[User]:
    """Everyone who has an entry in the event's audit log, by name: the log's "who" filter."""
    return list(db.session.scalars(select(User).where(User.id.in_(audit.actor_ids_for_event(event_id)))
                                   .order_by(User.name, User.id)))
