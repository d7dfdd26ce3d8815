"""Privacy rules: settings, consents, the attendee's own data (export, erasure) and anonymisation.

Functions take plain arguments (ids, ``now``, the secret key), raise named errors and,
unless they say otherwise, commit. Anonymising a registration wipes what identifies the
person and keeps what the statistics count:

- wiped: name (becomes ``#<id>``, as audit entries name registrations), email (NULL, so
  the (event, email) uniqueness holds and the address can register again), organisation,
  role, the organisers' note, dietary and accessibility answers, the answers to the organiser's own
  questions but a choice or a yes or no (never a special-category one), special-category and photo consent, whether
  the organisers' mailings were stopped, the manage
  link and ticket (a new salt and a hash of no token), consent records, the emails
  written to the registration (the outbox), the name and addresses in the meeting platform's
  attendance reports (matched to it, or with its address), and the link from a named evaluation
  answer to the person, with its written comments (its ratings stay, as anonymous figures);
- kept: mode, status, sector, email language, discussion group places, check-in and join
  times, the minutes online of the attendance reports, and the registration's own timestamps.

Each registration is anonymised with a conditional UPDATE (``anonymised_at IS NULL``), so two
runs at once (a nightly job and an organiser) count each row once.
"""
from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, or_, select, update

from eventhub.attendance import services as attendance
from eventhub.attendance.models import AttendanceImport, ImportedParticipant
from eventhub.audit import services as audit
from eventhub.checkin.models import CheckIn
from eventhub.database import atomic, commit, forget_on_disk
from eventhub.documentation import services as documentation
from eventhub.evaluation import services as evaluation
from eventhub.events.models import Event, EventStatus
from eventhub.extensions import db
from eventhub.groups.models import GroupMembership
from eventhub.keyring import Keyring
from eventhub.mail import services as mail
from eventhub.mail.models import OutboxMessage
from eventhub.privacy import notice as notices
from eventhub.privacy.models import (
    DEFAULT_ANONYMISE_DAYS,
    DEFAULT_SPECIAL_DAYS,
    MAX_RETENTION_DAYS,
    ConsentKind,
    ConsentRecord,
    EventPrivacy,
)
from eventhub.questions import services as questions
from eventhub.registration import errors as registration_errors
from eventhub.registration import services as registration_services
from eventhub.registration import tokens
from eventhub.registration.models import Registration

EXPORT_FORMAT = "eventhub-registration"
EXPORT_VERSION = 1
BATCH = 200


class PrivacyError(Exception):
    pass


class RetentionOutOfRange(PrivacyError):
    pass


class SpecialAfterAnonymising(PrivacyError):
    """Dietary and accessibility answers cannot outlive the registration they belong to."""


class NothingToWithdraw(PrivacyError):
    pass


class EventNotOver(PrivacyError):
    """An event's data can be anonymised early only once it has ended (or was cancelled)."""


# --- settings ----------------------------------------------------------------------------------

@dataclass
class PrivacySettings:
    controller_name: str = ""
    controller_contact: str = ""
    notice_text: str = ""
    special_retention_days: int = DEFAULT_SPECIAL_DAYS
    anonymise_after_days: int = DEFAULT_ANONYMISE_DAYS
    photo_retention_days: int | None = None  # None: photos stay until the organisers delete them


def check_retention(special_days: int, anonymise_days: int, photo_days: int | None = None) -> None:
    if not 0 <= special_days <= MAX_RETENTION_DAYS or not 1 <= anonymise_days <= MAX_RETENTION_DAYS \
            or (photo_days is not None and not 1 <= photo_days <= MAX_RETENTION_DAYS):
        raise RetentionOutOfRange(special_days, anonymise_days)
    if special_days > anonymise_days:
        raise SpecialAfterAnonymising(special_days, anonymise_days)


def settings_of(event: Event) -> PrivacySettings:
    row = event.privacy
    if row is None:
        return PrivacySettings()
    return PrivacySettings(row.controller_name, row.controller_contact, row.notice_text,
                           row.special_retention_days, row.anonymise_after_days, row.photo_retention_days)


def apply_settings(event: Event, settings: PrivacySettings) -> None:
    """Set an event's privacy settings (the caller commits, with the event's own changes)."""
    check_retention(settings.special_retention_days, settings.anonymise_after_days, settings.photo_retention_days)
    row = event.privacy
    if row is None:
        row = event.privacy = EventPrivacy()
    row.controller_name = settings.controller_name.strip()[:200]
    row.controller_contact = settings.controller_contact.strip()[:300]
    row.notice_text = settings.notice_text.strip()
    row.special_retention_days = settings.special_retention_days
    row.anonymise_after_days = settings.anonymise_after_days
    row.photo_retention_days = settings.photo_retention_days


def copy_settings(source: Event, copy: Event) -> None:
    if source.privacy is not None:
        apply_settings(copy, settings_of(source))


def notice_for(event: Event) -> notices.Notice:
    return notices.for_event(event)


# --- consents ------------------------------------------------------------------------------------

def accepted_notice_version(registration_id: int) -> str | None:
    """The version of the privacy notice the person last accepted."""
    return db.session.scalar(
        select(ConsentRecord.notice_version)
        .where(ConsentRecord.registration_id == registration_id, ConsentRecord.kind == ConsentKind.PRIVACY_NOTICE,
               ConsentRecord.granted.is_(True))
        .order_by(ConsentRecord.recorded_at.desc(), ConsentRecord.id.desc()).limit(1)
    )


def consent_history(registration_id: int) -> list[ConsentRecord]:
    return list(db.session.scalars(
        select(ConsentRecord).where(ConsentRecord.registration_id == registration_id)
        .order_by(ConsentRecord.recorded_at, ConsentRecord.id)
    ))


def withdraw_special_consent(registration_id: int, now: datetime) -> Registration:
    """Withdrawn consent deletes the dietary and accessibility answers it covered, at once."""
    registration = db.session.get(Registration, registration_id)
    if registration.special_consent_at is None and not (registration.dietary_needs or
                                                         registration.accessibility_needs):
        raise NothingToWithdraw()
    registration_services.set_special_answers(registration, "", "", False, now)
    commit()
    return registration


def set_photo_consent(registration_id: int, consent: bool) -> Registration:
    """Give or withdraw photo consent; asking for the state it already has changes nothing."""
    registration = db.session.get(Registration, registration_id)
    if registration.photo_consent != consent:
        registration.photo_consent = consent
        commit()
    return registration


# How a person stopped or took up the organisers' mailings (the audit entry's ``via``).
ONE_CLICK, UNSUBSCRIBE_PAGE, OWN_PAGE = "one_click", "unsubscribe_page", "own_page"


def set_mailings(registration_id: int, wanted: bool, now: datetime, via: str) -> bool:
    """Stop (``wanted=False``) or take up again the organisers' mailings about this event for this
    person; whether that changed anything. Asking for the state it already has changes nothing, so a
    mail provider's one-click POST sent twice records one choice. Emails about the registration
    itself (confirmations, tickets, a cancelled or moved event) are not mailings and always go.
    The consent record is written by privacy.consents; the audit entry tells the organisers."""
    registration = db.session.get(Registration, registration_id, with_for_update=True)
    if (registration.mailings_stopped_at is None) == wanted:
        commit()  # ends the transaction the row lock began
        return False
    registration.mailings_stopped_at = None if wanted else now
    audit.record(None, "privacy.mailings_resumed" if wanted else "privacy.mailings_stopped",
                 f"#{registration.id}: {via}", event_id=registration.event_id, registration_id=registration.id,
                 via=via)
    commit()
    return True


# --- the attendee's own data ---------------------------------------------------------------------

def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _messages_of(registration: Registration, keys: Keyring):
    """Emails written to this registration: linked to it, or (older ones) to its address with its link."""
    condition = OutboxMessage.registration_id == registration.id
    if registration.email:
        token = tokens.manage_token(keys, registration.token_salt)
        condition = or_(condition, (OutboxMessage.to_address == registration.email) &
                        OutboxMessage.body_text.contains(f"/r/{token}", autoescape=True))
    return select(OutboxMessage).where(condition).order_by(OutboxMessage.created_at, OutboxMessage.id)


def personal_data(registration_id: int, keys: Keyring, now: datetime) -> dict:
    """Everything stored about one registration, for the person's own download (JSON-ready).

    Included: the registration's fields (the organisers' note and a group wish too), dietary
    and accessibility answers (marked as special category), the answers to the organiser's
    questions, consent records, discussion groups,
    check-ins at the door (not which host), the rows of the meeting platform's attendance reports
    about them, their evaluation answers (when the evaluation took names; an anonymous answer cannot
    be found again, so only that they answered) and the emails written to the registration. Left
    out: the link's salt and hash (secrets that say nothing about the person) and anything
    about other people.
    """
    registration = db.session.get(Registration, registration_id)
    event = registration.event
    notice = notices.for_event(event)
    groups = db.session.scalars(
        select(GroupMembership).where(GroupMembership.registration_id == registration.id)
        .order_by(GroupMembership.created_at, GroupMembership.id)
    ).all()
    check_ins = db.session.scalars(
        select(CheckIn).where(CheckIn.registration_id == registration.id).order_by(CheckIn.scanned_at, CheckIn.id)
    ).all()
    messages = db.session.scalars(_messages_of(registration, keys)).all()
    online = db.session.execute(
        select(ImportedParticipant, AttendanceImport).join(AttendanceImport)
        .where(attendance.about(registration.id, registration.event_id, registration.email),
               ImportedParticipant.anonymised_at.is_(None))
        .order_by(AttendanceImport.meeting_started_at, ImportedParticipant.id)
    ).all()
    return {
        "format": EXPORT_FORMAT,
        "format_version": EXPORT_VERSION,
        "generated_at": _iso(now),
        "event": {
            "title": event.title, "slug": event.slug, "starts_at": _iso(event.starts_at),
            "ends_at": _iso(event.ends_at), "organiser": event.organiser_name,
            "data_controller": notice.controller, "data_controller_contact": notice.contact,
        },
        "registration": {
            "id": registration.id, "name": registration.name, "email": registration.email,
            "organisation": registration.organisation, "role_title": registration.role_title,
            "sector": registration.sector, "mode": registration.mode, "status": registration.status,
            "language": registration.language, "photo_consent": registration.photo_consent,
            # None: the organisers' mailings about the event reach the person (emails about the
            # registration itself always do); else when they stopped them.
            "mailings_stopped_at": _iso(registration.mailings_stopped_at),
            "privacy_accepted_at": _iso(registration.privacy_accepted_at),
            "registered_at": _iso(registration.created_at), "updated_at": _iso(registration.updated_at),
            "confirmed_at": _iso(registration.confirmed_at), "waitlisted_at": _iso(registration.waitlisted_at),
            "cancelled_at": _iso(registration.cancelled_at), "checked_in_at": _iso(registration.checked_in_at),
            "first_joined_at": _iso(registration.first_joined_at),
            "last_joined_at": _iso(registration.last_joined_at),
            "ticket_version": registration.ticket_version,
            # Written by the organisers, but about the person: theirs to see (right of access).
            "organisers_note": registration.organiser_note,
            "discussion_group_wish": registration.group_wish.title if registration.group_wish else None,
        },
        "special_category": {
            "note": "Special-category personal data (may reveal health or religion), kept only with consent.",
            "consent_given_at": _iso(registration.special_consent_at),
            "dietary_needs": registration.dietary_needs,
            "accessibility_needs": registration.accessibility_needs,
            "deleted_on": _iso(notice.special_deleted_on(event.ends_at)),
        },
        "consents": [
            {"kind": record.kind, "granted": record.granted, "privacy_notice_version": record.notice_version,
             "recorded_at": _iso(record.recorded_at)} for record in consent_history(registration.id)
        ],
        "discussion_groups": [
            {"group": membership.group.title, "session": membership.group.item.title, "mode": membership.group.mode,
             "status": membership.status, "since": _iso(membership.created_at)} for membership in groups
        ],
        "check_ins": [
            {"method": record.method, "outcome": record.outcome, "offline": record.offline,
             "scanned_at": _iso(record.scanned_at), "recorded_at": _iso(record.recorded_at),
             "undone_at": _iso(record.undone_at)} for record in check_ins
        ],
        "online_attendance": [
            {"platform": attendance.PLATFORM_NAME.get(record.platform, record.platform),
             "meeting": record.meeting_title, "meeting_started_at": _iso(record.meeting_started_at),
             "name_in_report": row.name, "email_in_report": row.email, "participant_id": row.other_email,
             "role": row.role, "first_join": _iso(row.first_join_at), "last_leave": _iso(row.last_leave_at),
             "minutes": row.minutes, "times_joined": row.sessions, "matched": row.matched_by,
             "imported_at": _iso(record.imported_at)} for row, record in online
        ],
        "questions": questions.personal_data(event, registration.id, registration.language),
        "evaluation": evaluation.personal_data(registration.id, registration.language),
        **{key: part.personal_data(registration.id, registration.language) for key, part in sorted(PARTS.items())},
        "event_photos": {
            "note": "The photos the organisers published from the event. No photo is tied to you; you may be "
                    "recognisable in them only if you agreed to appear in photos (registration.photo_consent).",
            "deleted_on": _iso(notice.photos_deleted_on(event.ends_at)),
            "photos": documentation.personal_data(event.id),
        },
        "emails": [
            {"to": message.to_address, "subject": message.subject, "body": message.body_text,
             "attachments": [name for name in (message.attachment_name,
                                               "event.ics" if message.calendar_ics else None) if name],
             "queued_at": _iso(message.created_at), "sent_at": _iso(message.sent_at)} for message in messages
        ],
        "retention": {
            "privacy_notice_version": notice.version,
            "special_category_deleted_on": _iso(notice.special_deleted_on(event.ends_at)),
            "anonymised_on": _iso(notice.anonymised_on(event.ends_at)),
            "photos_deleted_on": _iso(notice.photos_deleted_on(event.ends_at)),
        },
    }


def download(registration_id: int, keys: Keyring, now: datetime) -> dict:
    """``personal_data`` for the person's own download; the audit log notes that it happened (not what it held)."""
    data = personal_data(registration_id, keys, now)
    audit.record(None, "privacy.downloaded", f"#{registration_id}: the person downloaded their data",
                 event_id=db.session.get(Registration, registration_id).event_id, registration_id=registration_id,
                 special_category=bool(data["special_category"]["consent_given_at"]))
    commit()
    return data


# --- parts built on the core that hold personal data -------------------------------------------------
# The core never imports what is built on it (the live event's questions, ...). Such a part tells privacy
# how to list and delete what it holds about a person, once, when the app is built (``create_app``):
# the data download lists it under its ``key``; erasure, anonymising (the organiser's, the retention
# rule's) delete it.

@dataclass(frozen=True)
class PersonalDataPart:
    key: str  # the data download's section
    personal_data: Callable[[int, str], object]  # (registration id, language) -> JSON-ready
    erase: Callable[[list[int]], None]  # delete what is about these registrations; the caller commits


PARTS: dict[str, PersonalDataPart] = {}


def add_part(part: PersonalDataPart) -> None:
    """Register a part (again with the same key replaces it: every app built in one process registers)."""
    PARTS[part.key] = part


def _erase_parts(registration_ids: list[int]) -> None:
    for part in PARTS.values():
        part.erase(registration_ids)


@dataclass
class Erasure:
    event_id: int
    freed_seat: bool


def erase_cancels(registration: Registration, now: datetime) -> bool:
    """Whether erasing this registration now also cancels it (and frees its seat): before the event ends."""
    return not registration.is_cancelled and registration.event.ends_at > now


def erase(registration_id: int, now: datetime, keys: Keyring) -> Erasure:
    """The person's right to erasure, from their own link.

    Before the event ends the registration is cancelled first (the seat and group places are
    freed and the waitlist moves up, by registration.services); afterwards it keeps its
    status, so attendance figures stay true. Their named evaluation answers are deleted. Then it
    is anonymised: an anonymous row remains for the statistics, and the link stops working.
    """
    registration = db.session.get(Registration, registration_id)
    event_id, freed = registration.event_id, False
    with atomic():
        if erase_cancels(registration, now):
            freed = registration.is_confirmed
            try:
                registration_services.cancel(registration.id, now, keys)
            except registration_errors.AlreadyCancelled:  # cancelled in parallel: nothing to free
                freed = False
        evaluation.erase([registration.id])
        questions.erase([registration.id])
        _erase_parts([registration.id])
        count = anonymise([registration.id], now, keys)
        if count:
            audit.record(None, "privacy.erased", f"#{registration_id}: erased by the person", event_id=event_id,
                         registration_id=registration_id)
    return Erasure(event_id=event_id, freed_seat=freed)


# --- anonymising ---------------------------------------------------------------------------------

def anonymise(registration_ids: list[int], now: datetime, keys: Keyring) -> int:
    """Anonymise these registrations (those not anonymised yet); returns how many. The caller commits,
    and then what was wiped leaves the database's files too."""
    forget_on_disk(Registration.__tablename__, ConsentRecord.__tablename__, OutboxMessage.__tablename__)
    done = 0
    for start in range(0, len(registration_ids), BATCH):
        rows = db.session.execute(
            select(Registration.id, Registration.email, Registration.token_salt, Registration.event_id)
            .where(Registration.id.in_(registration_ids[start:start + BATCH]), Registration.anonymised_at.is_(None))
        ).all()
        _forget_attendance(rows, now)
        evaluation.unlink([registration_id for registration_id, *_rest in rows])
        questions.unlink([registration_id for registration_id, *_rest in rows])
        _erase_parts([registration_id for registration_id, *_rest in rows])
        won = []
        for registration_id, email, salt, _event_id in rows:
            changed = db.session.execute(
                update(Registration)
                .where(Registration.id == registration_id, Registration.anonymised_at.is_(None))
                .values(name=f"#{registration_id}", email=None, organisation="", role_title="", organiser_note="",
                        dietary_needs="", accessibility_needs="", special_consent_at=None, photo_consent=False,
                        mailings_stopped_at=None, token_salt=tokens.new_salt(), token_hash=secrets.token_hex(32),
                        ticket_version=Registration.ticket_version + 1, anonymised_at=now, updated_at=now)
                .execution_options(synchronize_session=False)
            ).rowcount
            if changed:
                won.append((registration_id, email, salt))
        _forget(won, keys)
        done += len(won)
    db.session.expire_all()  # objects in the session still hold the old values
    return done


_WIPED = dict(name="", email="", other_email="", role="")


def _forget_attendance(rows, now: datetime) -> None:
    """The imported attendance rows about these registrations (id, email, salt, event id) lose their
    name and addresses, before the registrations' own are wiped (an unmatched row is found by its
    address); the minutes stay for the figures."""
    events = {event_id for _id, _email, _salt, event_id in rows}
    holding = set(db.session.scalars(select(ImportedParticipant.event_id).distinct().where(
        ImportedParticipant.event_id.in_(events), ImportedParticipant.anonymised_at.is_(None))))
    if holding:
        forget_on_disk(ImportedParticipant.__tablename__)
    for registration_id, email, _salt, event_id in rows:
        if event_id not in holding:  # most events import no report: no query per person for them
            continue
        db.session.execute(
            update(ImportedParticipant)
            .where(attendance.about(registration_id, event_id, email), ImportedParticipant.anonymised_at.is_(None))
            .values(**_WIPED, anonymised_at=now).execution_options(synchronize_session=False))


def forget_imported_attendance(event_id: int, now: datetime) -> int:
    """Every imported attendance row of the event loses its name and addresses, the unmatched too (the
    event's retention rule, an organiser anonymising the event); the caller commits."""
    count = db.session.execute(
        update(ImportedParticipant)
        .where(ImportedParticipant.event_id == event_id, ImportedParticipant.anonymised_at.is_(None))
        .values(**_WIPED, anonymised_at=now).execution_options(synchronize_session=False)
    ).rowcount
    if count:
        forget_on_disk(ImportedParticipant.__tablename__)
    return count


def _forget(rows: list[tuple[int, str | None, str]], keys: Keyring) -> None:
    """Delete the consent records and emails of registrations just anonymised (and the outbox's
    copies of those emails, such as the development mail folder's files)."""
    if not rows:
        return
    ids = [registration_id for registration_id, _, _ in rows]
    db.session.execute(delete(ConsentRecord).where(ConsentRecord.registration_id.in_(ids))
                       .execution_options(synchronize_session=False))
    doomed = list(db.session.scalars(select(OutboxMessage.id).where(OutboxMessage.registration_id.in_(ids))))
    # Emails queued before messages were linked to registrations: their address and personal link.
    links = {email: f"/r/{tokens.manage_token(keys, salt)}" for _, email, salt in rows if email}
    if links:
        older = db.session.execute(
            select(OutboxMessage.id, OutboxMessage.to_address, OutboxMessage.body_text)
            .where(OutboxMessage.to_address.in_(list(links)), OutboxMessage.registration_id.is_(None))
        ).all()
        doomed += [message_id for message_id, to, body in older if links[to] in (body or "")]
    mail.forget(doomed)


def can_anonymise_early(event: Event, now: datetime) -> bool:
    return event.status == EventStatus.CANCELLED or event.ends_at <= now


def anonymise_event(event_id: int, actor_id: int, now: datetime, keys: Keyring) -> int:
    """The organiser anonymises every registration of an event that is over; audit-logged with the count."""
    event = db.session.get(Event, event_id)
    if not can_anonymise_early(event, now):
        raise EventNotOver()
    ids = list(db.session.scalars(
        select(Registration.id).where(Registration.event_id == event_id, Registration.anonymised_at.is_(None))
        .order_by(Registration.id)
    ))
    count = anonymise(ids, now, keys)
    forget_imported_attendance(event_id, now)
    evaluation.forget_comments(event_id)
    audit.record(actor_id, "privacy.anonymised", f"{count} registrations anonymised by an organiser",
                 event_id=event_id, rows=count, reason="organiser")
    commit()
    return count


# --- the organiser's overview ----------------------------------------------------------------------

@dataclass
class Overview:
    registrations: int
    with_special_answers: int
    with_photo_consent: int
    anonymised: int


def overview(event_id: int) -> Overview:
    total, special, photo, anonymised = db.session.execute(
        select(
            func.count(),
            func.count().filter(or_(Registration.dietary_needs != "", Registration.accessibility_needs != "",
                                    questions.special_answer_of(Registration.id))),
            func.count().filter(Registration.photo_consent.is_(True)),
            func.count(Registration.anonymised_at),
        ).where(Registration.event_id == event_id)
    ).one()
    return Overview(total, special, photo, anonymised)
