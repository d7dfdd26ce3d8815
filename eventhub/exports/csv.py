"""Attendee lists as CSV, streamed row by row.

Two flavours of the same rows:

- ``EXCEL``: what Excel with Swedish settings opens correctly by double-click: UTF-8 with a
  byte order mark (else Å, Ä and Ö come out garbled), semicolons (the comma is the Swedish
  decimal sign, so Excel expects ``;``), CRLF, times as ``YYYY-MM-DD HH:MM`` in the event's zone.
- ``STANDARD``: RFC 4180 for other programs: UTF-8 without a BOM, commas, CRLF, times in
  ISO 8601 with their offset (still the event's zone).

Every text cell that a spreadsheet would read as a formula (it starts with = + - @, a tab
or a carriage return) gets a leading apostrophe, so a name like ``=HYPERLINK(...)`` typed
into the public form stays text. Dietary and accessibility answers, and the answers to the
organiser's special-category questions, are special-category data: they are never in the
attendee list, only in ``special_category_rows``, whose first row says what the file holds.
The organiser's other questions are columns of the attendee list.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import Select, func, select

from eventhub import labels
from eventhub.attendance import services as attendance
from eventhub.attendees import services as attendees
from eventhub.audit import services as audit
from eventhub.database import commit
from eventhub.extensions import db
from eventhub.questions import services as questions
from eventhub.questions.models import QuestionKind
from eventhub.registration import services as registration_services
from eventhub.registration.models import Registration, RegistrationStatus

BOM = "\ufeff"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Flavour:
    name: str
    delimiter: str
    bom: bool
    excel_dates: bool


EXCEL = Flavour("excel", ";", bom=True, excel_dates=True)
STANDARD = Flavour("standard", ",", bom=False, excel_dates=False)
FLAVOURS = {flavour.name: flavour for flavour in (EXCEL, STANDARD)}


def guard(value: str | None) -> str:
    """Text a spreadsheet would run as a formula is prefixed with an apostrophe; None is an empty cell."""
    if value is None:
        return ""
    return "'" + value if value.startswith(FORMULA_START) else value


def encode(rows: Iterable[list[str]], flavour: Flavour) -> Iterator[bytes]:
    """Each row as CSV bytes as soon as it is made (the BOM first, for Excel)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=flavour.delimiter, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    if flavour.bom:
        yield BOM.encode("utf-8")
    for row in rows:
        writer.writerow([guard(cell) for cell in row])
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()


def _moment(value: datetime | None, zone: ZoneInfo, flavour: Flavour) -> str:
    if value is None:
        return ""
    local = value.astimezone(zone)
    return local.strftime("%Y-%m-%d %H:%M") if flavour.excel_dates else local.isoformat(timespec="seconds")


def _label(table, value: str) -> str:
    return str(table.get(value, value))


def attendee_rows(event_id: int, timezone: str, filters: attendees.Filters, flavour: Flavour,
                  asked: tuple[questions.Asked, ...] = (), language: str = "sv") -> Iterator[list[str]]:
    """The header, then one row per registration the filters select, in registration order; with a column
    per organiser's question (``asked``, never a special-category one).

    Takes plain values, not the Event: the rows are made while the response streams, after
    the view's database session has been closed.
    """
    return _as_text(attendee_table(attendees.filtered(event_id, filters), timezone, asked, language), flavour)


def selection_rows(event_id: int, timezone: str, registration_ids: list[int], flavour: Flavour,
                   asked: tuple[questions.Asked, ...] = (), language: str = "sv") -> Iterator[list[str]]:
    """The same columns for the people chosen in the list (ids of other events are left out)."""
    query = select(Registration).where(Registration.event_id == event_id, Registration.id.in_(registration_ids))
    return _as_text(attendee_table(query, timezone, asked, language), flavour)


def record_selection_export(event_id: int, actor_id: int, rows: int, flavour: Flavour) -> None:
    """A download of chosen people is in the audit log: who, when and how many rows."""
    audit.record(actor_id, "exports.selection", f"{rows} rows ({flavour.name})", event_id=event_id, rows=rows,
                 flavour=flavour.name)
    commit()


def _as_text(rows: Iterator[list], flavour: Flavour) -> Iterator[list[str]]:
    """Typed cells (times in the event's zone, numbers) as CSV text in the flavour's way."""
    for row in rows:
        yield [_text(value, flavour) for value in row]


def _text(value, flavour: Flavour) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M") if flavour.excel_dates else value.isoformat(timespec="seconds")
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text.replace(".", ",") if flavour.excel_dates else text
    return str(value)


def _typed(question: questions.Asked, value: str | None, language: str):
    """An answer as a cell: a number as a number, a date as a date, else the words (``questions.shown``)."""
    if value and question.kind == QuestionKind.NUMBER:
        return Decimal(value)
    if value and question.kind == QuestionKind.DATE:
        return date.fromisoformat(value)
    return questions.shown(question, value, language)


def attendee_table(query: Select, timezone: str, asked: tuple[questions.Asked, ...] = (),
                   language: str = "sv") -> Iterator[list]:
    """The attendee list's header and rows as typed cells: times local to the event's zone (for CSV and .xlsx)."""
    zone = ZoneInfo(timezone)
    shown = [question for question in asked if not question.special]
    # Translated once, not once per row.
    sectors = {key: str(value) for key, value in labels.SECTOR.items()}
    modes = {key: str(value) for key, value in labels.MODE.items()}
    statuses = {status.value: labels.registration_status(status.value) for status in RegistrationStatus}
    waitlist = _("%(group)s (waitlist)")
    yield [_("Name"), _("Email"), _("Organisation"), _("Role"), _("Sector"), _("Taking part"), _("Status"),
           _("Discussion groups"), _("Registered at"), _("Checked in"), _("First online"),
           _("Minutes online")] + [question.label_in(language)[0] for question in shown]

    def local(value: datetime | None) -> datetime | None:
        return value.astimezone(zone) if value is not None else None

    for batch in attendees.batches(query):
        groups = attendees.groups_of([registration.id for registration in batch])
        online = attendance.online_of(batch[0].event_id, batch)
        answers = questions.values_for([registration.id for registration in batch]) if shown else {}
        for registration in batch:
            places = groups.get(registration.id, [])
            time_online = online.get(registration.id)
            own = answers.get(registration.id, {})
            yield [
                registration.name, registration.email, registration.organisation, registration.role_title,
                sectors.get(registration.sector, registration.sector), modes.get(registration.mode, registration.mode),
                statuses.get(registration.status, registration.status),
                " | ".join(place.title if place.is_confirmed else waitlist % {"group": place.title}
                           for place in places),
                local(registration.created_at), local(registration.checked_in_at),
                local(time_online.first_at if time_online else None),
                time_online.minutes if time_online and time_online.minutes is not None else None,
            ] + [_typed(question, own.get(question.id), language) for question in shown]


def attendance_rows(result: attendance.AttendanceReport, timezone: str, flavour: Flavour) -> list[list[str]]:
    """The attendance report's people, as the spreadsheet's second sheet has them."""
    zone = ZoneInfo(timezone)
    header, rows = attendance.people_table(result, timezone)
    return [header] + [[_moment(value, zone, flavour) if isinstance(value, datetime) else
                        "" if value is None else str(value) for value in row] for row in rows]


def _special_query(event_id: int) -> Select:
    return select(Registration).where(
        Registration.event_id == event_id,
        Registration.status != RegistrationStatus.CANCELLED,
        registration_services.holds_special(),
    )


def special_category_count(event_id: int) -> int:
    query = _special_query(event_id)
    return db.session.scalar(query.with_only_columns(func.count(Registration.id)).order_by(None))


def record_special_category_export(event_id: int, actor_id: int, flavour: Flavour) -> int:
    """Each download of the special-category file is in the audit log: who, when, how many rows, never whose."""
    count = special_category_count(event_id)
    audit.record(actor_id, "exports.special_category", f"{count} rows ({flavour.name})", event_id=event_id,
                 rows=count, flavour=flavour.name)
    commit()
    return count


def special_category_rows(event_id: int, asked: tuple[questions.Asked, ...] = (),
                          language: str = "sv") -> Iterator[list[str]]:
    """A warning row, the header, then everyone still registered who gave these answers with consent: the
    dietary and accessibility needs and the answers to the organiser's special-category questions."""
    special = [question for question in asked if question.special]
    yield [_("SPECIAL-CATEGORY PERSONAL DATA: dietary and accessibility needs (may reveal health or religion). "
             "Share it only with those who need it to plan the event, and delete it after the event.")]
    yield [_("Name"), _("Email"), _("Taking part"), _("Status"), _("Dietary needs"), _("Accessibility needs")] + [
        question.label_in(language)[0] for question in special]
    for batch in attendees.batches(_special_query(event_id)):
        answers = questions.values_for([registration.id for registration in batch]) if special else {}
        for registration in batch:
            own = answers.get(registration.id, {})
            yield [registration.name, registration.email, _label(labels.MODE, registration.mode),
                   labels.registration_status(registration.status), registration.dietary_needs,
                   registration.accessibility_needs] + [questions.shown(question, own.get(question.id), language)
                                                        for question in special]


def evaluation_rows(header: list[str], rows: list[list], flavour: Flavour) -> list[list[str]]:
    """The evaluation's figures (``exports.xlsx.evaluation_figures``) as CSV cells: an average with the
    decimal comma Swedish Excel reads (the Excel flavour), or a point (the standard one)."""
    def cell(value) -> str:
        if value is None:
            return ""
        if isinstance(value, float):
            text = f"{value:.2f}"
            return text.replace(".", ",") if flavour.excel_dates else text
        return str(value)

    return [header] + [[cell(value) for value in row] for row in rows]
