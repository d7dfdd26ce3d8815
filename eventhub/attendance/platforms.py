"""Reading the attendance report a meeting platform makes after a meeting: Microsoft Teams, Zoom.

What each vendor writes, and what is read from it:

**Teams**, the meeting's attendance report (Attendance → Download), UTF-16 LE with tabs:

- since 2022, three sections: ``1. Summary`` (Meeting title, Start time, End time, ...),
  ``2. Participants`` (Name, First Join, Last Leave, In-Meeting Duration, Email, Participant ID
  (UPN), Role: one row per person) and ``3. In-Meeting Activities`` (one row per join). The
  participants are read; the activities say the same again, join by join.
- 2021: a ``Meeting Summary`` (Meeting Title, Meeting Start Time, Meeting Id, ...), then one row per
  join: Full Name, Join Time, Leave Time, Duration, Email, Role, Participant ID (UPN).
- 2020: Full Name, User Action (Joined, Left, Joined before), Timestamp; no address at all.

Durations read "1h 2m 10s"; times are in the downloader's own date format ("11/26/25, 4:16:54 PM",
"15/11/22, 09:30:17", "2022-11-15 09:30:17") on their clock, without a zone.

**Zoom**, Reports → Usage → Participants → Export (UTF-8, commas):

- with the meeting's data: a ``Meeting ID,Topic,Start Time,End Time,...`` line and its values, a
  blank line, then Name (Original Name), User Email, Join Time, Leave Time, Duration (Minutes),
  Guest, ...: one row per join;
- without it: the participants' table alone; with "Show unique users": Name (Original Name),
  User Email, Total Duration (Minutes), Guest, one row per person and no times;
- the usage report: each participant's row carries the meeting's columns first (Topic, Meeting
  ID, User Name, User Email and Duration (Minutes) of the host and meeting, ...); the participant's
  own are those from Name (Original Name) on.

Times without a zone are read on the event's clock (the report's reader is the organiser, whose
platform shows their own time). A day and month that could be either way round ("05/06/26") are
read the way that fits every date of the file, and when both fit, the way that puts the meeting
nearest the event's date.

A person who joined several times (several rows: the same address, or without one the same name)
is one attendee: their minutes are summed, but never beyond the time between their first join and
last leave (a phone and a laptop in at once are not twice the minutes).
"""
from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from eventhub.attendance.models import Platform
from eventhub.text import looks_like_email, name_key, normalise_email

MAX_ROWS = 20_000  # more than any meeting's report: a file beyond it is not one
NAME_MAX, EMAIL_MAX, ROLE_MAX, TITLE_MAX = 200, 254, 40, 300


class ReportError(Exception):
    """The file cannot be read as an attendance report."""


class SpreadsheetFile(ReportError):
    """An Excel workbook (or another zip) instead of the CSV."""


class NotAReport(ReportError):
    """Neither Teams' nor Zoom's attendance report."""


class NoParticipants(ReportError):
    """A report, but with nobody in it."""


class TooManyRows(ReportError):
    pass


class SeveralMeetings(ReportError):
    """A usage report covering more than one meeting: each is imported from its own file."""


class UnreadableTime(ReportError):
    def __init__(self, example: str):
        super().__init__(example)
        self.example = example


@dataclass
class Session:
    """One row of the report: a person's join, or (in a per-person table) all of their time."""

    name: str
    email: str = ""
    other_email: str = ""
    role: str = ""
    guest: bool = False
    joined_at: datetime | None = None
    left_at: datetime | None = None
    seconds: int = 0


@dataclass
class Attendee:
    """One person of the report, whatever number of rows they had."""

    name: str
    email: str
    other_email: str
    role: str
    guest: bool
    first_join_at: datetime | None
    last_leave_at: datetime | None
    minutes: int
    sessions: int

    @property
    def identity(self) -> str:
        return identity(self.email, self.name)


def identity(email: str, name: str) -> str:
    """Who a row is: their address, or without one their name (without case or accents)."""
    return email or f"name:{name_key(name)}"


@dataclass
class Report:
    platform: Platform
    meeting_title: str
    meeting_started_at: datetime | None
    meeting_key: str
    rows: int
    attendees: list[Attendee] = field(default_factory=list)


# --- the file's text -------------------------------------------------------------------------

def _decode(data: bytes) -> str:
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise SpreadsheetFile()
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", errors="replace")
    elif data.startswith(codecs.BOM_UTF8):
        text = data[len(codecs.BOM_UTF8):].decode("utf-8", errors="replace")
    elif b"\x00" in data[:400]:
        # UTF-16 without its byte order mark: the zero bytes are the high halves of ASCII letters.
        head = data[:400]
        little = head[1::2].count(0) >= head[0::2].count(0)
        text = data.decode("utf-16-le" if little else "utf-16-be", errors="replace")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")  # Excel's "CSV" on Windows
    if "\x00" in text:
        raise NotAReport()
    return text


def _rows(text: str) -> list[list[str]]:
    lines = text.splitlines()
    sample = [line for line in lines[:60] if line.strip()]
    if any("\t" in line for line in sample):
        delimiter = "\t"
    else:
        delimiter = ";" if sum(line.count(";") for line in sample) > sum(line.count(",") for line in sample) else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    for row in reader:
        rows.append([cell.strip().strip("\ufeff") for cell in row])
        if len(rows) > MAX_ROWS + 50:
            raise TooManyRows()
    return rows


def _header(cell: str) -> str:
    return " ".join(cell.casefold().split())


# --- the columns ----------------------------------------------------------------------------
# Each kind of column by the names the vendors give it, in order of preference.

NAME = ("name (original name)", "full name", "name", "participant name", "display name")
EMAIL = ("email", "user email", "e-mail", "email address", "attendee email")
OTHER_EMAIL = ("participant id (upn)", "upn")
JOIN = ("first join", "join time", "first join time", "joined at")
LEAVE = ("last leave", "leave time", "last leave time", "left at")
DURATION = ("in-meeting duration", "duration (minutes)", "total duration (minutes)", "duration",
            "time in session (minutes)", "attendance duration")
ROLE = ("role",)
GUEST = ("guest",)
ACTION = ("user action", "action")
TIMESTAMP = ("timestamp", "utc event timestamp")
TEAMS_MARKS = {"first join", "last leave", "in-meeting duration", "participant id (upn)", "user action"}
ZOOM_MARKS = {"name (original name)", "user email", "duration (minutes)", "total duration (minutes)", "guest"}

# The lines above the table that name the meeting.
TITLE_KEYS = ("meeting title", "topic", "title")
START_KEYS = ("start time", "meeting start time", "actual start time")
ID_KEYS = ("meeting id", "meeting id (uuid)", "webinar id")


def _find(headers: list[str], names: Iterable[str], start: int = 0) -> int | None:
    for name in names:
        for index in range(start, len(headers)):
            if headers[index] == name:
                return index
    return None


@dataclass
class _Columns:
    name: int
    email: int | None
    other_email: int | None
    join: int | None
    leave: int | None
    duration: int | None
    role: int | None
    guest: int | None
    action: int | None
    timestamp: int | None
    meeting: dict[str, int]  # the usage report's meeting columns, before the participant's

    @classmethod
    def of(cls, headers: list[str]) -> _Columns | None:
        name = _find(headers, NAME)
        if name is None:
            return None
        found = {kind: _find(headers, names, name) for kind, names in (
            ("email", EMAIL), ("other_email", OTHER_EMAIL), ("join", JOIN), ("leave", LEAVE),
            ("duration", DURATION), ("role", ROLE), ("guest", GUEST), ("action", ACTION),
            ("timestamp", TIMESTAMP))}
        if found["duration"] is None and found["join"] is None and found["action"] is None:
            return None  # a list of names is not an attendance report
        meeting = {key: index for key, names in (("title", TITLE_KEYS), ("start", START_KEYS), ("id", ID_KEYS))
                   if (index := _find(headers[:name], names)) is not None}
        return cls(name=name, meeting=meeting, **found)


def _platform(headers: list[str], summary_seen: str | None) -> Platform:
    if summary_seen == "teams" or TEAMS_MARKS & set(headers):
        return Platform.TEAMS
    if summary_seen == "zoom" or ZOOM_MARKS & set(headers):
        return Platform.ZOOM
    raise NotAReport()


# --- times and durations ----------------------------------------------------------------------

_NUMERIC = re.compile(
    r"^(\d{1,4})[./-](\d{1,2})[./-](\d{1,4})[,T\s]+(\d{1,2})[:.](\d{2})(?:[:.](\d{2})(?:[.,]\d+)?)?"
    r"\s*([ap])?\.?\s*(?:m\.?)?\s*(z|utc|gmt|[+-]\d{2}:?\d{2})?$", re.IGNORECASE)
_MONTH_FIRST = re.compile(
    r"^([a-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4}),?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([ap])?\.?\s*(?:m\.?)?$",
    re.IGNORECASE)
_DAY_FIRST = re.compile(
    r"^(\d{1,2})\.?\s+([a-z]{3,9})\.?,?\s+(\d{4}),?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([ap])?\.?\s*(?:m\.?)?$",
    re.IGNORECASE)
MONTHS = {name: number for number, names in enumerate((
    ("jan", "january", "januari"), ("feb", "february", "februari"), ("mar", "march", "mars"),
    ("apr", "april"), ("may", "maj"), ("jun", "june", "juni"), ("jul", "july", "juli"),
    ("aug", "august", "augusti"), ("sep", "sept", "september"), ("oct", "okt", "october", "oktober"),
    ("nov", "november"), ("dec", "december")), start=1) for name in names}


@dataclass(frozen=True)
class _Moment:
    """A time as written: its parts, the day and month perhaps either way round."""

    first: int
    second: int
    year: int
    hour: int
    minute: int
    seconds: int
    offset: timedelta | None  # None: on the reader's clock
    order: str  # "ymd", "either" (numeric, day and month unknown), "fixed" (a month by name)

    def resolve(self, day_first: bool) -> tuple[int, int, int] | None:
        """(year, month, day) read this way, or None when it is no date that way."""
        if self.order in ("ymd", "fixed"):
            year, month, day = self.year, self.first, self.second
        elif day_first:
            year, month, day = self.year, self.second, self.first
        else:
            year, month, day = self.year, self.first, self.second
        if not (1 <= month <= 12 and 1 <= day <= 31):
            return None
        try:
            datetime(year, month, day)
        except ValueError:
            return None
        return year, month, day


def _hour(hour: int, half: str | None) -> int:
    if half:
        hour = hour % 12 + (12 if half.lower() == "p" else 0)
    return hour


def _offset(zone: str | None) -> timedelta | None:
    if not zone:
        return None
    if zone.lower() in ("z", "utc", "gmt"):
        return timedelta(0)
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    return sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))


def _moment(text: str) -> _Moment | None:
    text = " ".join(text.replace("\u202f", " ").split())  # Teams writes a narrow space before PM
    if not text:
        return None
    if match := _NUMERIC.match(text):
        a, b, c, hour, minute, second, half, zone = match.groups()
        hour, minute, second = _hour(int(hour), half), int(minute), int(second or 0)
        if len(a) == 4:
            return _Moment(int(b), int(c), int(a), hour, minute, second, _offset(zone), "ymd")
        year = int(c) + (2000 if len(c) <= 2 else 0)
        return _Moment(int(a), int(b), year, hour, minute, second, _offset(zone), "either")
    for pattern, month_group in ((_MONTH_FIRST, 0), (_DAY_FIRST, 1)):
        if match := pattern.match(text):
            groups = match.groups()
            month = MONTHS.get(groups[month_group].lower().rstrip("."))
            if month is None:
                return None
            day = int(groups[1 - month_group])
            return _Moment(month, day, int(groups[2]), _hour(int(groups[3]), groups[6]), int(groups[4]),
                           int(groups[5] or 0), None, "fixed")
    return None


class _Clock:
    """Every time of the file, read one way: day first or month first, on the event's clock."""

    def __init__(self, texts: list[str], zone: str, near: datetime):
        self.zone = ZoneInfo(zone)
        self.moments: dict[str, _Moment] = {}
        for text in texts:
            if text and text not in self.moments:
                moment = _moment(text)
                if moment is None or (moment.resolve(True) is None and moment.resolve(False) is None) \
                        or not (moment.hour < 24 and moment.minute < 60 and moment.seconds < 60):
                    raise UnreadableTime(text[:60])
                self.moments[text] = moment
        self.day_first = self._choose(near)

    def _choose(self, near: datetime) -> bool:
        fits = [order for order in (True, False)
                if all(moment.resolve(order) is not None for moment in self.moments.values())]
        if not fits:
            example = next(text for text, moment in self.moments.items() if moment.resolve(True) is None)
            raise UnreadableTime(example[:60])
        if len(fits) == 1:
            return fits[0]

        def distance(day_first: bool) -> timedelta:
            return min((abs(self._read(moment, day_first) - near) for moment in self.moments.values()),
                       default=timedelta(0))

        # Both fit: the reading that puts the meeting nearest the event (day first on a tie, as in Europe).
        return distance(True) <= distance(False)

    def _read(self, moment: _Moment, day_first: bool) -> datetime:
        year, month, day = moment.resolve(day_first)
        local = datetime(year, month, day, moment.hour, moment.minute, moment.seconds)
        if moment.offset is not None:
            return (local - moment.offset).replace(tzinfo=UTC)
        return local.replace(tzinfo=self.zone).astimezone(UTC)

    def read(self, text: str) -> datetime | None:
        moment = self.moments.get(text)
        return None if moment is None else self._read(moment, self.day_first)


_UNITS = re.compile(r"(\d+)\s*(h|hr|hrs|hours?|m|min|mins|minutes?|s|sec|secs|seconds?)\b", re.IGNORECASE)
_CLOCK_DURATION = re.compile(r"^(\d{1,3}):(\d{2})(?::(\d{2}))?$")


def _seconds(text: str) -> int:
    """A duration as Teams ("1h 2m 10s", "55m") or Zoom (whole minutes) writes it, in seconds."""
    text = text.strip()
    if not text:
        return 0
    if re.fullmatch(r"\d+([.,]\d+)?", text):  # Zoom's whole minutes; a bare number is minutes anywhere
        return round(float(text.replace(",", ".")) * 60)
    if match := _CLOCK_DURATION.match(text):
        hours, minutes, seconds = match.groups()
        return int(hours) * 3600 + int(minutes) * 60 + int(seconds or 0)
    total = 0
    for number, unit in _UNITS.findall(text):
        unit = unit.lower()
        total += int(number) * (3600 if unit.startswith("h") else 60 if unit.startswith("m") else 1)
    return total


# --- reading ---------------------------------------------------------------------------------

SECTION = re.compile(r"^\d+\.\s+\S")  # Teams' "1. Summary", "2. Participants", "3. In-Meeting Activities"


def _cell(row: list[str], index: int | None) -> str:
    return row[index] if index is not None and index < len(row) else ""


def _email(text: str) -> str:
    text = normalise_email(text)
    return text if looks_like_email(text) else ""


def read(data: bytes, zone: str, near: datetime) -> Report:
    """The report in ``data``, its times on ``zone``'s clock (``near``: the event's start)."""
    if not data.strip():
        raise NotAReport()
    rows = _rows(_decode(data))
    summary: dict[str, str] = {}
    summary_seen = None
    columns: _Columns | None = None
    header_at = 0
    for index, row in enumerate(rows):
        cells = [_header(cell) for cell in row]
        if not any(cells):
            continue
        first = cells[0]
        if first in ("1. summary", "meeting summary"):
            summary_seen = "teams"
            continue
        if (found := _Columns.of(cells)) is not None:
            columns, header_at = found, index
            break
        if "meeting id" in cells and "topic" in cells:  # Zoom's meeting line: its values are on the next line
            summary_seen = "zoom"
            values = next((later for later in rows[index + 1:index + 3] if any(later)), [])
            for key, cell in zip(cells, values, strict=False):
                summary.setdefault(key, cell)
            continue
        if len(row) >= 2 and first and row[1]:
            summary.setdefault(first, row[1])
    if columns is None:
        raise NotAReport()
    platform = _platform([_header(cell) for cell in rows[header_at]], summary_seen)

    table = []
    for row in rows[header_at + 1:]:
        if not any(row):
            if table:
                break  # the end of the table (Teams' next section follows)
            continue
        if len(row) == 1 and SECTION.match(row[0]):
            break
        table.append(row)
    if len(table) > MAX_ROWS:
        raise TooManyRows()

    def meeting_value(keys, column_key):
        if column_key in columns.meeting and table:
            return _cell(table[0], columns.meeting[column_key])
        return next((summary[key] for key in keys if summary.get(key)), "")

    if "id" in columns.meeting and len({_cell(row, columns.meeting["id"]) for row in table}) > 1:
        raise SeveralMeetings()
    title, start_text, meeting_id = (meeting_value(TITLE_KEYS, "title"), meeting_value(START_KEYS, "start"),
                                     meeting_value(ID_KEYS, "id"))
    times = [_cell(row, columns.join) for row in table] + [_cell(row, columns.leave) for row in table]
    times += [_cell(row, columns.timestamp) for row in table] + [start_text]
    clock = _Clock([text for text in times if text], zone, near)

    sessions = _events_to_sessions(table, columns, clock) if columns.action is not None and columns.join is None \
        else [_session(row, columns, clock) for row in table]
    attendees = aggregate(session for session in sessions if session.name or session.email)
    if not attendees:
        raise NoParticipants()
    if (meeting_id or title) and start_text:
        key = "\x1f".join((platform.value, meeting_id or title, start_text))
    else:
        key = "file\x1f" + hashlib.sha256(data).hexdigest()
    return Report(platform=platform, meeting_title=title[:TITLE_MAX], meeting_started_at=clock.read(start_text),
                  meeting_key=hashlib.sha256(key.encode()).hexdigest(), rows=len(table), attendees=attendees)


def _session(row: list[str], columns: _Columns, clock: _Clock) -> Session:
    email = _email(_cell(row, columns.email))
    other = _email(_cell(row, columns.other_email))
    return Session(
        name=_cell(row, columns.name)[:NAME_MAX], email=email, other_email=other if other != email else "",
        role=_cell(row, columns.role)[:ROLE_MAX],
        guest=_cell(row, columns.guest).casefold() in ("yes", "ja", "true", "1"),
        joined_at=clock.read(_cell(row, columns.join)), left_at=clock.read(_cell(row, columns.leave)),
        seconds=_seconds(_cell(row, columns.duration)),
    )


def _events_to_sessions(table: list[list[str]], columns: _Columns, clock: _Clock) -> list[Session]:
    """Teams' 2020 report: a line per "Joined" and "Left"; each join lasts until the next leave
    (or the report's last moment, for someone still there when it was made)."""
    events = []
    for row in table:
        moment = clock.read(_cell(row, columns.timestamp))
        if moment is not None:
            events.append((moment, _cell(row, columns.name)[:NAME_MAX], _cell(row, columns.action).casefold()))
    if not events:
        return []
    end = max(moment for moment, _name, _action in events)
    open_since: dict[str, datetime] = {}
    sessions = []
    for moment, name, action in sorted(events, key=lambda event: event[0]):
        if action.startswith("join"):
            open_since.setdefault(name, moment)
        elif action.startswith("left") and name in open_since:
            joined = open_since.pop(name)
            sessions.append(Session(name=name, joined_at=joined, left_at=moment,
                                    seconds=int((moment - joined).total_seconds())))
    for name, joined in open_since.items():
        sessions.append(Session(name=name, joined_at=joined, left_at=end, seconds=int((end - joined).total_seconds())))
    return sessions


def aggregate(sessions: Iterable[Session]) -> list[Attendee]:
    """One attendee per person, in the order they first appear."""
    people: dict[str, list[Session]] = {}
    for session in sessions:
        people.setdefault(identity(session.email, session.name), []).append(session)
    attendees = []
    for rows in people.values():
        joins = [row.joined_at for row in rows if row.joined_at]
        leaves = [row.left_at for row in rows if row.left_at]
        first, last = min(joins, default=None), max(leaves, default=None)
        seconds = sum(row.seconds for row in rows)
        if first and last:
            seconds = min(seconds, max(0, int((last - first).total_seconds())))
        attendees.append(Attendee(
            name=next((row.name for row in rows if row.name), ""), email=rows[0].email,
            other_email=next((row.other_email for row in rows if row.other_email), ""),
            role=next((row.role for row in rows if row.role), ""), guest=any(row.guest for row in rows),
            first_join_at=first, last_leave_at=last, minutes=(seconds + 30) // 60, sessions=len(rows)))
    return attendees
