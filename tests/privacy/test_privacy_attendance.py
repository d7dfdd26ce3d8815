"""The rows of imported attendance reports are personal data: in the person's data download, wiped by erasure
and by the event's retention rule (the unmatched too), the minutes kept for the figures."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from eventhub.attendance import services as attendance
from eventhub.attendance.models import ImportedParticipant
from eventhub.audit.models import AuditEntry
from eventhub.extensions import db
from eventhub.privacy import retention
from eventhub.privacy import services as privacy
from tests.attendance.support import AFTER, STARTS, import_sample, make_forum, rows_of, seat_people
from tests.privacy.support import token_of
from tests.registration.support import KEYS, event_by_slug

ENDS = STARTS + timedelta(hours=3)
TEAMS = "teams_attendance_report.csv"


@pytest.fixture
def forum(app, make_event):
    slug = make_forum(make_event)
    with app.app_context():
        ids = seat_people(slug)
        outcome = import_sample(slug, TEAMS)
    return slug, ids, outcome.import_id


def _rows(slug: str) -> dict[str, ImportedParticipant]:
    return {row.email or row.name or f"#{row.id}": row for row in rows_of(slug)}


def test_the_data_download_holds_the_rows_about_the_person(app, client, forum):
    slug, ids, _import_id = forum
    with app.app_context():
        token = token_of(ids["Örjan"])
    response = client.get(f"/r/{token}/my-data.json")
    assert response.status_code == 200
    data = json.loads(response.data)

    assert data["online_attendance"] == [{
        "platform": "Microsoft Teams", "meeting": "Forumträff: Hållbar arbetsmarknad",
        "meeting_started_at": "2026-03-09T07:58:12+00:00", "name_in_report": "Örjan Ärlig",
        "email_in_report": "orjan@example.se", "participant_id": "orjan.arlig@kommun.example", "role": "Attendee",
        "first_join": "2026-03-09T08:05:00+00:00", "last_leave": "2026-03-09T10:00:00+00:00", "minutes": 115,
        "times_joined": 1, "matched": "email", "imported_at": AFTER.isoformat()}]
    assert data["registration"]["name"] == "Örjan Ärlig"


def test_the_data_download_holds_a_row_with_the_persons_address_even_unmatched(app, forum):
    slug, ids, import_id = forum
    with app.app_context():
        orjan = _rows(slug)["orjan@example.se"]
        attendance.unmatch(event_by_slug(slug).id, import_id, orjan.id, None)
        data = privacy.personal_data(ids["Örjan"], KEYS, AFTER)
        others = privacy.personal_data(ids["Dan"], KEYS, AFTER)

    assert [row["name_in_report"] for row in data["online_attendance"]] == ["Örjan Ärlig"]
    assert others["online_attendance"] == []


def test_erasure_wipes_the_persons_rows_and_keeps_their_minutes_in_the_figures(app, forum):
    slug, ids, _import_id = forum
    with app.app_context():
        privacy.erase(ids["Åsa"], AFTER, KEYS)
        rows = _rows(slug)
        wiped = next(row for row in rows.values() if row.registration_id == ids["Åsa"])
        report = attendance.report(event_by_slug(slug).id)

    assert (wiped.name, wiped.email, wiped.other_email, wiped.role) == ("", "", "", "")
    assert wiped.anonymised_at == AFTER and wiped.minutes == 162
    assert "frasse@hotmail.example" in rows and "ulla@forum.example" in rows  # the others' rows are untouched
    assert report.total.minutes == 162 + 115


def test_erasure_wipes_an_unmatched_row_with_the_persons_address(app, forum):
    slug, ids, import_id = forum
    with app.app_context():
        orjan = _rows(slug)["orjan@example.se"]
        attendance.unmatch(event_by_slug(slug).id, import_id, orjan.id, None)
        privacy.erase(ids["Örjan"], AFTER, KEYS)
        db.session.expire_all()
        row = db.session.get(ImportedParticipant, orjan.id)

    assert (row.name, row.email, row.other_email, row.anonymised_at) == ("", "", "", AFTER)


def test_retention_wipes_every_row_of_the_event_the_unmatched_too_once_the_period_is_over(app, forum):
    slug, _ids, _import_id = forum
    due = ENDS + timedelta(days=365)
    with app.app_context():
        early = retention.purge(due - timedelta(minutes=1), KEYS)
        kept = [row.name for row in rows_of(slug)]
        report = retention.purge(due, KEYS)
        names = [(row.name, row.email, row.anonymised_at) for row in rows_of(slug)]
        again = retention.purge(due + timedelta(days=1), KEYS)
        entries = list(db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == "privacy.attendance_reports_anonymised")))

    assert early.attendance_rows == 0 and "Gäst Gästsson (Guest)" in kept
    # The two matched rows went with their registrations' anonymising; the three unmatched on their own.
    assert (report.anonymised, report.attendance_rows) == (9, 3)
    assert names == [("", "", due)] * 5
    assert again.attendance_rows == 0 and len(entries) == 1 and entries[0].details["rows"] == 3


def test_the_purge_command_says_how_many_rows_it_wiped(app, runner, forum):
    due = ENDS + timedelta(days=365)
    result = runner.invoke(args=["privacy", "purge", "--now", due.isoformat()])

    assert result.exit_code == 0, result.output
    assert "9 registrations anonymised, 3 rows of attendance reports anonymised" in result.output


def test_an_organiser_anonymising_the_event_wipes_the_rows(app, forum):
    slug, _ids, _import_id = forum
    with app.app_context():
        from tests.attendees.support import staff_member

        user_id = staff_member(app, slug, "ulla@forum.example", "organiser")
        privacy.anonymise_event(event_by_slug(slug).id, user_id, AFTER, KEYS)
        rows = rows_of(slug)

    assert {row.name for row in rows} == {""} and all(row.anonymised_at == AFTER for row in rows)


def test_a_wiped_row_cannot_be_matched_by_hand(app, forum):
    slug, ids, import_id = forum
    with app.app_context():
        event_id = event_by_slug(slug).id
        privacy.forget_imported_attendance(event_id, AFTER)
        db.session.commit()
        guest = next(row for row in rows_of(slug) if row.registration_id is None)

        with pytest.raises(attendance.Anonymised):
            attendance.match_by_hand(event_id, import_id, guest.id, ids["Dan"], None)
