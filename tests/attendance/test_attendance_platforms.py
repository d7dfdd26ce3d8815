"""Reading Teams' and Zoom's attendance reports, as the vendors write them (samples/), and their variants.

The samples follow each vendor's documented columns: Teams' report as it is downloaded since 2022
(UTF-16 LE with tabs; 1. Summary, 2. Participants, 3. In-Meeting Activities), Teams' 2021 report (a row
per join, no byte order mark), Zoom's participants export with the meeting's data, and Zoom's "unique
users" export. Åsa Öberg joined twice in each; Gäst Gästsson is a guest without an address.
"""
from __future__ import annotations

import codecs
from datetime import UTC, datetime
from pathlib import Path

import pytest

from eventhub.attendance import platforms
from eventhub.attendance.models import Platform

SAMPLES = Path(__file__).parent / "samples"
ZONE = "Europe/Stockholm"
EVENT_START = datetime(2026, 3, 9, 8, 0, tzinfo=UTC)  # 09:00 in Stockholm (CET, UTC+1)


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def read(data: bytes, near: datetime = EVENT_START) -> platforms.Report:
    return platforms.read(data, ZONE, near)


def by_name(report: platforms.Report) -> dict[str, platforms.Attendee]:
    return {person.name: person for person in report.attendees}


def at(hour: int, minute: int, second: int = 0) -> datetime:
    """A time on the event's day in Stockholm (UTC+1 in March), in UTC."""
    return datetime(2026, 3, 9, hour - 1, minute, second, tzinfo=UTC)


# name in the report → (email, minutes, rows, first join, last leave)
TEAMS = {
    "Ulla Arrangör": ("ulla@forum.example", 183, 1, at(8, 58, 12), at(12, 1, 40)),
    "Åsa Öberg": ("asa.oberg@example.se", 162, 1, at(9, 1, 10), at(11, 58)),  # 2h 41m 50s, her two joins together
    "Örjan Ärlig": ("orjan@example.se", 115, 1, at(9, 5), at(11, 0)),
    "Frasse": ("frasse@hotmail.example", 150, 1, at(9, 10), at(11, 40)),
    "Gäst Gästsson (Guest)": ("", 30, 1, at(9, 20), at(9, 50)),
}
TEAMS_2021 = {
    "Ulla Arrangör": ("ulla@forum.example", 183, 1, at(8, 58, 12), at(12, 1, 40)),
    "Åsa Öberg": ("asa.oberg@example.se", 162, 2, at(9, 1, 10), at(11, 58)),  # two rows, summed
    "Örjan Ärlig": ("orjan@example.se", 115, 1, at(9, 5), at(11, 0)),
    "Gäst Gästsson (Guest)": ("", 30, 1, at(9, 20), at(9, 50)),
}
ZOOM = {
    "Ulla Arrangör": ("ulla@forum.example", 187, 1, at(8, 55), at(12, 2)),
    "Åsa Öberg": ("asa.oberg@example.se", 162, 2, at(9, 1), at(11, 58)),  # 74 + 88
    "Örjan Ärlig (Örjan)": ("orjan@example.se", 115, 1, at(9, 5), at(11, 0)),
    "Gäst Gästsson": ("", 30, 1, at(9, 20), at(9, 50)),
    "Fält, Fredrik": ("frasse@hotmail.example", 150, 1, at(9, 10), at(11, 40)),
}
ZOOM_UNIQUE = {
    "Åsa Öberg": ("asa.oberg@example.se", 162, 1, None, None),
    "Örjan Ärlig": ("orjan@example.se", 115, 1, None, None),
    "Gäst Gästsson": ("", 30, 1, None, None),
}

CASES = [
    ("teams_attendance_report.csv", Platform.TEAMS, "Forumträff: Hållbar arbetsmarknad", at(8, 58, 12), TEAMS),
    ("teams_attendance_2021.csv", Platform.TEAMS, "Forumträff: Hållbar arbetsmarknad", at(8, 58, 12), TEAMS_2021),
    ("zoom_participants.csv", Platform.ZOOM, "Forumträff digitalt", at(8, 55), ZOOM),
    ("zoom_unique_users.csv", Platform.ZOOM, "", None, ZOOM_UNIQUE),
]


@pytest.mark.parametrize(("name", "platform", "title", "started", "people"), CASES, ids=[case[0] for case in CASES])
def test_each_sample_reads_as_its_vendor_wrote_it(name, platform, title, started, people):
    report = read(sample(name))

    assert (report.platform, report.meeting_title, report.meeting_started_at) == (platform, title, started)
    assert {person.name: (person.email, person.minutes, person.sessions, person.first_join_at, person.last_leave_at)
            for person in report.attendees} == people


def test_teams_reads_the_participants_not_their_activities_again():
    """The activities section repeats each join: read, Åsa's two joins would count her twice."""
    report = read(sample("teams_attendance_report.csv"))

    assert report.rows == 5 and len(report.attendees) == 5
    assert by_name(report)["Åsa Öberg"].minutes == 162


def test_teams_keeps_the_participant_id_when_it_is_another_address():
    person = by_name(read(sample("teams_attendance_report.csv")))["Örjan Ärlig"]

    assert (person.email, person.other_email, person.role) == ("orjan@example.se", "orjan.arlig@kommun.example",
                                                               "Attendee")


def test_a_zoom_guest_is_marked_and_keeps_no_address():
    guest = by_name(read(sample("zoom_participants.csv")))["Gäst Gästsson"]

    assert guest.guest and guest.email == ""


def test_the_same_meeting_has_the_same_key_whatever_the_file_and_another_meeting_another():
    first = read(sample("zoom_participants.csv"))
    again = read(sample("zoom_participants.csv").replace(b"Recording Consent", b"Recording consent"))
    other = read(sample("zoom_participants.csv").replace(b"03/09/2026 08:55:00 AM,03/09/2026 12:02",
                                                         b"03/09/2026 01:00:00 PM,03/09/2026 03:02"))

    assert first.meeting_key == again.meeting_key != other.meeting_key


def test_a_report_that_names_no_meeting_is_known_by_its_content():
    data = sample("zoom_unique_users.csv")

    assert read(data).meeting_key == read(data).meeting_key != read(data.replace(b"162", b"161")).meeting_key


# --- the variants organisers' files come in ------------------------------------------------------

def _teams_text() -> str:
    return sample("teams_attendance_report.csv").decode("utf-16")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig", "utf-8", "cp1252"])
def test_teams_in_any_encoding_a_download_or_a_resave_gives(encoding):
    data = _teams_text().encode(encoding, errors="strict")

    assert by_name(read(data))["Åsa Öberg"].minutes == 162
    assert "Örjan Ärlig" in by_name(read(data))


def test_teams_saved_again_by_excel_with_semicolons_reads_the_same():
    text = "\r\n".join(line.replace("\t", ";") for line in _teams_text().splitlines())

    assert by_name(read(text.encode("cp1252")))["Åsa Öberg"].minutes == 162


@pytest.mark.parametrize(("first_join", "expected"), [
    ("3/9/26, 9:01:10 AM", at(9, 1, 10)),  # the United States: month first, 12-hour clock
    ("09/03/2026, 09:01:10", at(9, 1, 10)),  # the United Kingdom: day first
    ("2026-03-09 09:01:10", at(9, 1, 10)),  # Sweden
    ("09.03.2026 09:01", at(9, 1)),  # Germany
    ("3/9/26, 9:01:10\u202fAM", at(9, 1, 10)),  # Teams' narrow space before AM
    ("2026-03-09T08:01:10Z", at(9, 1, 10)),  # with a zone: taken as written
    ("Mar 9, 2026 9:01 AM", at(9, 1)),  # Zoom with the month's name
])
def test_times_are_read_in_the_downloaders_format_on_the_events_clock(first_join, expected):
    text = _teams_text().replace("3/9/26, 9:01:10 AM", first_join, 1)
    # The other times keep their own format: only Åsa's first join is written this way.
    report = read(text.replace("\t3/9/26, 8:58:12 AM\t3/9/26, 12:01:40 PM\t3h", "\t\t\t3h").encode("utf-16"))

    assert by_name(report)["Åsa Öberg"].first_join_at == expected


def test_a_day_and_month_either_way_round_are_read_as_the_date_near_the_event():
    """05/03 is 5 March or 3 May: an event on 3 May reads it as 3 May."""
    text = "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n" \
           "Åsa,asa@example.se,05/03/2026 09:00:00,05/03/2026 10:00:00,60,No\n"

    near_may = read(text.encode(), near=datetime(2026, 5, 3, 7, tzinfo=UTC)).attendees[0]
    near_march = read(text.encode(), near=datetime(2026, 3, 5, 8, tzinfo=UTC)).attendees[0]

    assert near_may.first_join_at == datetime(2026, 5, 3, 7, tzinfo=UTC)  # CEST, UTC+2
    assert near_march.first_join_at == datetime(2026, 3, 5, 8, tzinfo=UTC)


def test_overlapping_joins_count_no_more_than_the_time_between_first_join_and_last_leave():
    """A phone and a laptop in the meeting at once are not twice the minutes."""
    text = "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n" \
           "Åsa,asa@example.se,2026-03-09 09:00:00,2026-03-09 10:00:00,60,No\n" \
           "Åsa,asa@example.se,2026-03-09 09:10:00,2026-03-09 10:00:00,50,No\n"

    assert read(text.encode()).attendees[0].minutes == 60


def test_zoom_usage_report_reads_the_participants_columns_not_the_hosts():
    text = ("Topic,Meeting ID,User Name,User Email,Start Time,End Time,Duration (Minutes),Participants,"
            "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"
            "Forum,612 3456 7890,Ulla,ulla@forum.example,03/09/2026 08:55:00 AM,03/09/2026 12:02:00 PM,187,2,"
            "Åsa Öberg,asa.oberg@example.se,03/09/2026 09:01:00 AM,03/09/2026 10:15:00 AM,74,No\n"
            "Forum,612 3456 7890,Ulla,ulla@forum.example,03/09/2026 08:55:00 AM,03/09/2026 12:02:00 PM,187,2,"
            "Åsa Öberg,asa.oberg@example.se,03/09/2026 10:30:00 AM,03/09/2026 11:58:00 AM,88,No\n")

    report = read(text.encode())

    assert report.meeting_title == "Forum" and report.meeting_started_at == at(8, 55)
    assert [(person.name, person.email, person.minutes) for person in report.attendees] == [
        ("Åsa Öberg", "asa.oberg@example.se", 162)]


def test_teams_2020_joined_and_left_lines_become_sessions():
    text = ("Full Name\tUser Action\tTimestamp\r\n"
            "Åsa Öberg\tJoined\t3/9/2026, 9:00:00 AM\r\n"
            "Bengt\tJoined before\t3/9/2026, 9:00:00 AM\r\n"
            "Åsa Öberg\tLeft\t3/9/2026, 9:30:00 AM\r\n"
            "Åsa Öberg\tJoined\t3/9/2026, 10:00:00 AM\r\n"
            "Åsa Öberg\tLeft\t3/9/2026, 10:20:00 AM\r\n"
            "Bengt\tLeft\t3/9/2026, 10:45:00 AM\r\n")

    people = by_name(read(text.encode("utf-16")))

    assert (people["Åsa Öberg"].minutes, people["Åsa Öberg"].sessions) == (50, 2)
    assert people["Bengt"].minutes == 105 and people["Bengt"].email == ""


@pytest.mark.parametrize(("data", "error"), [
    (b"", platforms.NotAReport),
    (b"PK\x03\x04" + b"\x00" * 100, platforms.SpreadsheetFile),  # an .xlsx
    (b"Namn;E-post\nAnna;anna@example.se\n", platforms.NotAReport),  # a list of names
    (b"Name,Email,Join time,Duration\nAnna,anna@example.se,2026-03-09 09:00,60\n", platforms.NotAReport),  # whose?
    (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), platforms.NotAReport),
    (b"Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n",
     platforms.NoParticipants),
    ("Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"
     "Åsa,asa@example.se,yesterday,today,60,No\n".encode(), platforms.UnreadableTime),
    ("Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"
     "Åsa,asa@example.se,13/13/2026 09:00,13/13/2026 10:00,60,No\n".encode(), platforms.UnreadableTime),
    ("Meeting ID,Name (Original Name),User Email,Join Time,Duration (Minutes)\n"
     "1,Åsa,asa@example.se,2026-03-09 09:00,60\n2,Bo,bo@example.se,2026-03-10 09:00,60\n".encode(),
     platforms.SeveralMeetings),
], ids=["empty", "excel", "names-only", "no-vendor", "binary", "no-rows", "words-for-times", "no-such-date",
        "several-meetings"])
def test_a_file_that_is_no_report_is_named_for_what_it_is(data, error):
    with pytest.raises(error):
        read(data)


def test_a_file_past_the_row_limit_is_refused(monkeypatch):
    monkeypatch.setattr(platforms, "MAX_ROWS", 3)
    rows = "".join(f"P{i},p{i}@example.se,2026-03-09 09:00,2026-03-09 10:00,60,No\n" for i in range(10))

    with pytest.raises(platforms.TooManyRows):
        read(("Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n" + rows).encode())


def test_the_samples_are_in_the_encodings_the_vendors_use():
    assert sample("teams_attendance_report.csv").startswith(codecs.BOM_UTF16_LE)
    assert b"\t\x00" in sample("teams_attendance_2021.csv")[:200]  # UTF-16 LE tabs, no mark
    assert sample("zoom_participants.csv").startswith(codecs.BOM_UTF8)
