"""Who took part, for the organiser's report: at the door, online, and who did not come.

One rule, used by the report, the attendee list's filters and the mailings' audiences alike:

- **on site**: checked in at the door (``Registration.checked_in_at``, set by eventhub.checkin);
- **online**: used their personal join link (``first_joined_at``), or is in an attendance report
  imported from the meeting platform (so someone who joined without their link counts too);
- **no-show**: had a place (confirmed) and did neither.

Importing a report (``import_report``) matches its people to registrations by email (trimmed, in
any case; Teams' Participant ID too) and keeps the import, so the people it could not match can be
matched by hand later (``match_by_hand``). The same meeting imported again replaces the earlier
import (its hand matches carried over by address or name), so no minutes count twice; reports of
different meetings (a morning and an afternoon session) add up.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from flask_babel import gettext, pgettext
from sqlalchemy import ColumnElement, delete, exists, func, or_, select
from sqlalchemy.exc import IntegrityError

from eventhub import labels
from eventhub.attendance import platforms
from eventhub.attendance.models import AttendanceImport, ImportedParticipant, MatchedBy, Platform
from eventhub.audit import services as audit
from eventhub.database import atomic, commit
from eventhub.events.models import Event
from eventhub.extensions import db
from eventhub.modes import Mode
from eventhub.registration.models import Registration, RegistrationStatus, Sector
from eventhub.text import name_key, swedish_sort_key

MAX_BYTES = 5_000_000  # a report of 20 000 rows is under 3 MB, even in UTF-16
PLATFORM_NAME = {Platform.TEAMS: "Microsoft Teams", Platform.ZOOM: "Zoom"}


class AttendanceError(Exception):
    pass


class NotFound(AttendanceError):
    """No such import, row or registration in this event."""


class EmptyFile(AttendanceError):
    pass


class TooLarge(AttendanceError):
    pass


class Anonymised(AttendanceError):
    """The row's or the registration's personal data is wiped: there is no one left to match."""


# --- the rule --------------------------------------------------------------------------------

def attended_on_site() -> ColumnElement[bool]:
    return Registration.checked_in_at.is_not(None)


def attended_online() -> ColumnElement[bool]:
    imported = exists().where(ImportedParticipant.registration_id == Registration.id)
    return Registration.first_joined_at.is_not(None) | imported


def no_show() -> ColumnElement[bool]:
    return (Registration.status == RegistrationStatus.CONFIRMED) & ~attended_on_site() & ~attended_online()


# --- importing ---------------------------------------------------------------------------------

@dataclass
class ImportOutcome:
    import_id: int
    platform: str
    people: int
    matched: int
    replaced: bool


def read_upload(stream) -> bytes:
    """The uploaded file, refused when empty or larger than ``MAX_BYTES`` (read no further)."""
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise TooLarge()
    if not data.strip():
        raise EmptyFile()
    return data


def _registrations_by_email(event_id: int, addresses: set[str]) -> dict[str, int]:
    if not addresses:
        return {}
    rows = db.session.execute(select(Registration.email, Registration.id).where(
        Registration.event_id == event_id, Registration.email.in_(sorted(addresses)),
        Registration.anonymised_at.is_(None)))
    return dict(rows.all())


def import_report(event_id: int, data: bytes, filename: str, actor_id: int | None, now: datetime) -> ImportOutcome:
    """Read ``data`` as Teams' or Zoom's attendance report and keep it, matched by email.

    Raises ``platforms.ReportError`` (which one says what is wrong with the file).
    """
    event = db.session.get(Event, event_id)
    report = platforms.read(data, event.timezone, event.starts_at)
    try:
        return _store(event_id, report, filename, actor_id, now)
    except IntegrityError:
        # The same meeting imported at the same moment by someone else: replace theirs instead.
        db.session.rollback()
        return _store(event_id, report, filename, actor_id, now)


def _store(event_id: int, report: platforms.Report, filename: str, actor_id: int | None,
           now: datetime) -> ImportOutcome:
    with atomic():
        previous = db.session.scalar(select(AttendanceImport).where(
            AttendanceImport.event_id == event_id, AttendanceImport.meeting_key == report.meeting_key))
        by_hand: dict[str, int] = {}
        if previous is not None:
            by_hand = {platforms.identity(row.email, row.name): row.registration_id for row in previous.participants
                       if row.matched_by == MatchedBy.HAND and row.registration_id is not None}
            db.session.delete(previous)
            db.session.flush()
        addresses = {address for person in report.attendees for address in (person.email, person.other_email)
                     if address}
        registrations = _registrations_by_email(event_id, addresses)
        record = AttendanceImport(event_id=event_id, platform=report.platform.value, meeting_key=report.meeting_key,
                                  meeting_title=report.meeting_title, meeting_started_at=report.meeting_started_at,
                                  filename=(filename or "")[:255], rows_read=report.rows, imported_at=now,
                                  imported_by_id=actor_id)
        matched = 0
        for position, person in enumerate(report.attendees):
            registration_id = registrations.get(person.email) or registrations.get(person.other_email)
            how = MatchedBy.EMAIL if registration_id else None
            if registration_id is None and (kept := by_hand.get(person.identity)) is not None:
                registration_id, how = kept, MatchedBy.HAND
            matched += registration_id is not None
            record.participants.append(ImportedParticipant(
                event_id=event_id, position=position, name=person.name, email=person.email,
                other_email=person.other_email, role=person.role, guest=person.guest,
                first_join_at=person.first_join_at, last_leave_at=person.last_leave_at, minutes=person.minutes,
                sessions=person.sessions, registration_id=registration_id, matched_by=how))
        db.session.add(record)
        db.session.flush()
        details = dict(event_id=event_id, import_id=record.id, platform=PLATFORM_NAME[report.platform],
                       title=report.meeting_title or record.filename, rows=len(report.attendees), matched=matched,
                       unmatched=len(report.attendees) - matched)
        if previous is None:
            audit.record(actor_id, "attendance.imported", f"{record.filename}: {len(report.attendees)} people",
                         **details)
        else:
            audit.record(actor_id, "attendance.reimported", f"{record.filename}: {len(report.attendees)} people",
                         **details)
    return ImportOutcome(import_id=record.id, platform=report.platform.value, people=len(report.attendees),
                         matched=matched, replaced=previous is not None)


# --- the imports and their rows ------------------------------------------------------------------

@dataclass
class ImportSummary:
    record: AttendanceImport
    people: int
    matched: int

    @property
    def unmatched(self) -> int:
        return self.people - self.matched

    @property
    def platform_name(self) -> str:
        return PLATFORM_NAME.get(self.record.platform, self.record.platform)


def imports_of(event_id: int) -> list[ImportSummary]:
    """The event's imports, the latest meeting first, with how many people each matched (two queries)."""
    records = list(db.session.scalars(
        select(AttendanceImport).where(AttendanceImport.event_id == event_id)
        .order_by(AttendanceImport.meeting_started_at.desc().nulls_last(), AttendanceImport.id.desc())))
    counts = {import_id: (people, matched) for import_id, people, matched in db.session.execute(
        select(ImportedParticipant.import_id, func.count(), func.count(ImportedParticipant.registration_id))
        .where(ImportedParticipant.event_id == event_id).group_by(ImportedParticipant.import_id))}
    return [ImportSummary(record, *counts.get(record.id, (0, 0))) for record in records]


def get_import(event_id: int, import_id: int) -> AttendanceImport:
    record = db.session.get(AttendanceImport, import_id)
    if record is None or record.event_id != event_id:
        raise NotFound()
    return record


def _participant(event_id: int, import_id: int, participant_id: int) -> ImportedParticipant:
    row = db.session.get(ImportedParticipant, participant_id)
    if row is None or row.event_id != event_id or row.import_id != import_id:
        raise NotFound()
    return row


@dataclass
class Candidate:
    registration_id: int
    name: str
    email: str
    mode: str


@dataclass
class Candidates:
    """Whom a row of the report could be: everyone still registered, and first those with its name."""

    everyone: list[Candidate]
    suggested: dict[int, list[Candidate]] = field(default_factory=dict)  # by row id


def candidates(event_id: int, rows: list[ImportedParticipant]) -> Candidates:
    people = [Candidate(*row) for row in db.session.execute(
        select(Registration.id, Registration.name, Registration.email, Registration.mode)
        .where(Registration.event_id == event_id, Registration.status != RegistrationStatus.CANCELLED,
               Registration.anonymised_at.is_(None)))]
    people.sort(key=lambda person: (swedish_sort_key(person.name), person.registration_id))
    by_word: dict[str, list[Candidate]] = defaultdict(list)
    for person in people:
        for word in set(name_key(person.name).split()):
            by_word[word].append(person)
    suggested = {}
    for row in rows:
        words = [word for word in name_key(row.name).split() if len(word) > 1]
        # Those sharing the most words of the row's name (its surname alone is a hint too).
        scores: dict[int, int] = defaultdict(int)
        for word in set(words):
            for person in by_word.get(word, ()):
                scores[person.registration_id] += 1
        if scores:
            best = max(scores.values())
            suggested[row.id] = [person for person in people if scores.get(person.registration_id) == best][:5]
    return Candidates(everyone=people, suggested=suggested)


def match_by_hand(event_id: int, import_id: int, participant_id: int, registration_id: int,
                  actor_id: int) -> ImportedParticipant:
    """An organiser says who a row of the report is (any registration of the event still registered)."""
    row = _participant(event_id, import_id, participant_id)
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.event_id != event_id or registration.is_cancelled:
        raise NotFound()
    if row.anonymised_at is not None or registration.anonymised_at is not None:
        raise Anonymised()
    if row.registration_id != registration.id:
        row.registration_id, row.matched_by = registration.id, MatchedBy.HAND
        audit.record(actor_id, "attendance.matched", f"#{registration.id}: a row of an attendance report",
                     event_id=event_id, registration_id=registration.id, import_id=import_id)
        commit()
    return row


def unmatch(event_id: int, import_id: int, participant_id: int, actor_id: int) -> ImportedParticipant:
    """The row is not that person after all (a wrong address in the report, a wrong hand match)."""
    row = _participant(event_id, import_id, participant_id)
    if row.registration_id is not None:
        audit.record(actor_id, "attendance.unmatched", f"#{row.registration_id}: a row of an attendance report",
                     event_id=event_id, registration_id=row.registration_id, import_id=import_id)
        row.registration_id, row.matched_by = None, None
        commit()
    return row


def delete_import(event_id: int, import_id: int, actor_id: int) -> None:
    record = get_import(event_id, import_id)
    audit.record(actor_id, "attendance.import_deleted", record.filename, event_id=event_id,
                 platform=PLATFORM_NAME.get(record.platform, record.platform),
                 title=record.meeting_title or record.filename)
    db.session.execute(delete(ImportedParticipant).where(ImportedParticipant.import_id == record.id)
                       .execution_options(synchronize_session=False))
    db.session.delete(record)
    commit()


# --- certificates of attendance -----------------------------------------------------------------
# When the organiser switches them on (``Event.certificates_enabled``), everyone who took part (the rule
# above) may download a certificate from their own page once the event has ended (exports makes the PDF).

SIGNATORY_MAX = 200


class CertificateState(StrEnum):
    AFTER_THE_EVENT = "after_the_event"  # switched on; the event has not ended yet
    AVAILABLE = "available"
    NOT_ATTENDED = "not_attended"  # the event has ended and the person did not take part (a no-show)


@dataclass(frozen=True)
class Participation:
    """How a person took part, by the rule: checked in at the door, online, or both."""

    on_site: bool
    online: bool

    @property
    def attended(self) -> bool:
        return self.on_site or self.online


def participation(registration_id: int) -> Participation:
    on_site, online = db.session.execute(select(attended_on_site(), attended_online())
                                         .where(Registration.id == registration_id)).one()
    return Participation(bool(on_site), bool(online))


def certificate_state(registration: Registration, now: datetime) -> CertificateState | None:
    """Whether the person may download their certificate now (None: the organiser has not switched them on)."""
    event = registration.event
    if not event.certificates_enabled:
        return None
    if now < event.ends_at:
        return CertificateState.AFTER_THE_EVENT
    if registration.anonymised_at is None and participation(registration.id).attended:
        return CertificateState.AVAILABLE
    return CertificateState.NOT_ATTENDED


def set_certificates(event_id: int, enabled: bool, signatory: str, actor_id: int) -> Event:
    """Switch the certificates on or off, and who signs them (a name and title; empty: no signature line)."""
    event = db.session.get(Event, event_id)
    signatory = " ".join(signatory.split())[:SIGNATORY_MAX]
    changed = enabled != event.certificates_enabled
    event.certificates_enabled, event.certificate_signatory = enabled, signatory
    audit.record(actor_id, ("attendance.certificates_on" if enabled else "attendance.certificates_off") if changed
                 else "attendance.certificates_changed", signatory, event_id=event_id, signatory=signatory)
    commit()
    return event


# --- each registration's time online -----------------------------------------------------------

@dataclass(frozen=True)
class Online:
    """A registration's time online, from the join link and the imported reports together."""

    first_at: datetime | None
    last_at: datetime | None
    minutes: int | None  # only the imported reports count minutes; None when none has the person


def online_of(event_id: int, registrations: list[Registration]) -> dict[int, Online]:
    """Each of these registrations' time online (one query), for those who were online."""
    if not registrations:
        return {}
    imported = {registration_id: (first, last, minutes) for registration_id, first, last, minutes in
                db.session.execute(
                    select(ImportedParticipant.registration_id, func.min(ImportedParticipant.first_join_at),
                           func.max(ImportedParticipant.last_leave_at), func.sum(ImportedParticipant.minutes))
                    .where(ImportedParticipant.event_id == event_id,
                           ImportedParticipant.registration_id.in_([person.id for person in registrations]))
                    .group_by(ImportedParticipant.registration_id))}
    found = {}
    for person in registrations:
        first, last, minutes = imported.get(person.id, (None, None, None))
        if person.id not in imported and person.first_joined_at is None:
            continue
        firsts = [moment for moment in (person.first_joined_at, first) if moment is not None]
        lasts = [moment for moment in (person.last_joined_at, last) if moment is not None]
        found[person.id] = Online(min(firsts, default=None), max(lasts, default=None),
                                  int(minutes) if minutes is not None else None)
    return found


# --- the report ------------------------------------------------------------------------------------

@dataclass
class Tally:
    registered: int = 0  # with a place
    on_site: int = 0
    online: int = 0
    attended: int = 0  # either way (someone can be both)
    no_show: int = 0
    minutes: int = 0  # online, from the imported reports

    def add(self, person: PersonAttendance) -> None:
        self.registered += 1
        self.on_site += person.on_site
        self.online += person.online_attended
        self.attended += person.attended
        self.no_show += not person.attended
        self.minutes += person.minutes or 0


@dataclass
class PersonAttendance:
    registration_id: int
    name: str
    email: str
    organisation: str
    sector: str
    mode: str
    checked_in_at: datetime | None
    online: Online | None

    @property
    def on_site(self) -> bool:
        return self.checked_in_at is not None

    @property
    def online_attended(self) -> bool:
        return self.online is not None

    @property
    def attended(self) -> bool:
        return self.on_site or self.online_attended

    @property
    def minutes(self) -> int | None:
        return self.online.minutes if self.online else None


@dataclass
class AttendanceReport:
    people: list[PersonAttendance]
    by_mode: list[tuple[str, Tally]]
    by_sector: list[tuple[str, Tally]]
    total: Tally
    imports: list[ImportSummary]
    unmatched: int  # people in the imported reports matched to no registration
    waitlisted: int  # never had a place: not in the figures
    cancelled: int


BATCH = 1000


def report(event_id: int) -> AttendanceReport:
    """Everyone with a place, by name, and the figures by mode and by sector (a few queries)."""
    event = db.session.get(Event, event_id)
    registrations = list(db.session.scalars(select(Registration).where(
        Registration.event_id == event_id, Registration.status == RegistrationStatus.CONFIRMED)))
    online: dict[int, Online] = {}
    for start in range(0, len(registrations), BATCH):
        online.update(online_of(event_id, registrations[start:start + BATCH]))
    people = [PersonAttendance(person.id, person.name, person.email or "", person.organisation, person.sector,
                               person.mode, person.checked_in_at, online.get(person.id))
              for person in registrations]
    people.sort(key=lambda person: (swedish_sort_key(person.name), person.registration_id))
    modes = [mode.value for mode in event.modes]
    by_mode = {mode: Tally() for mode in modes}
    by_sector = {sector.value: Tally() for sector in Sector}
    total = Tally()
    for person in people:
        by_mode.setdefault(person.mode, Tally()).add(person)
        by_sector.setdefault(person.sector, Tally()).add(person)
        total.add(person)
    others = dict(db.session.execute(
        select(Registration.status, func.count()).where(Registration.event_id == event_id,
                                                        Registration.status != RegistrationStatus.CONFIRMED)
        .group_by(Registration.status)).all())
    unmatched = db.session.scalar(select(func.count()).select_from(ImportedParticipant).where(
        ImportedParticipant.event_id == event_id, ImportedParticipant.registration_id.is_(None))) or 0
    return AttendanceReport(
        people=people, by_mode=list(by_mode.items()), by_sector=list(by_sector.items()), total=total,
        imports=imports_of(event_id), unmatched=unmatched,
        waitlisted=others.get(RegistrationStatus.WAITLISTED, 0), cancelled=others.get(RegistrationStatus.CANCELLED, 0))


def day_figures(event_id: int) -> dict:
    """Arrivals and online attendance among those with a place, for the statistics page."""
    confirmed = (Registration.event_id == event_id) & (Registration.status == RegistrationStatus.CONFIRMED)
    row = db.session.execute(select(
        func.count().filter(Registration.mode == Mode.ON_SITE),
        func.count().filter(Registration.mode == Mode.ON_SITE, attended_on_site()),
        func.count().filter(Registration.mode == Mode.DIGITAL),
        func.count().filter(Registration.mode == Mode.DIGITAL, attended_online()),
        func.count().filter(no_show()),
    ).where(confirmed)).one()
    return {"on_site_expected": row[0], "checked_in": row[1], "digital_expected": row[2], "digital_joined": row[3],
            "no_show": row[4]}


def about(registration_id: int, event_id: int, email: str | None) -> ColumnElement[bool]:
    """The imported rows about a registration: matched to it, or with its address, matched or not
    (eventhub.privacy: the person's data download, erasure)."""
    condition = ImportedParticipant.registration_id == registration_id
    if email:
        condition = or_(condition, (ImportedParticipant.event_id == event_id)
                        & or_(ImportedParticipant.email == email, ImportedParticipant.other_email == email))
    return condition


# --- the report as tables (for the spreadsheet and the CSV) ---------------------------------------

def took_part(person: PersonAttendance) -> str:
    """How the person took part, in words."""
    if person.on_site and person.online_attended:
        return gettext("On site and online")
    if person.on_site:
        return gettext("On site")
    if person.online_attended:
        return pgettext("attendance", "Online")
    return gettext("Did not come")


def people_table(result: AttendanceReport, timezone: str) -> tuple[list[str], list[list]]:
    """The header and one row per person with a place: texts, numbers and times (aware, in ``timezone``)."""
    zone = ZoneInfo(timezone)
    sectors = {key: str(value) for key, value in labels.SECTOR.items()}
    modes = {key: str(value) for key, value in labels.MODE.items()}

    def local(moment: datetime | None) -> datetime | None:
        return moment.astimezone(zone) if moment else None

    header = [gettext("Name"), gettext("Email"), gettext("Organisation"), gettext("Sector"),
              gettext("Registered for"), gettext("Checked in at the door (%(zone)s)", zone=timezone),
              gettext("First online (%(zone)s)", zone=timezone), gettext("Last online (%(zone)s)", zone=timezone),
              gettext("Minutes online"), gettext("Took part")]
    rows = [[person.name, person.email, person.organisation, sectors.get(person.sector, person.sector),
             modes.get(person.mode, person.mode), local(person.checked_in_at),
             local(person.online.first_at) if person.online else None,
             local(person.online.last_at) if person.online else None, person.minutes, took_part(person)]
            for person in result.people]
    return header, rows


def tally_header() -> list[str]:
    return [gettext("With a place"), gettext("Checked in at the door"), gettext("Took part online"),
            gettext("Took part"), gettext("Did not come"), gettext("Minutes online")]


def tally_row(tally: Tally) -> list[int]:
    return [tally.registered, tally.on_site, tally.online, tally.attended, tally.no_show, tally.minutes]
