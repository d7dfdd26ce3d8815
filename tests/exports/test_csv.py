"""Attendee CSV exports: the exact bytes Excel gets, a standard CSV, and special-category data kept apart."""
from __future__ import annotations

import csv
import io
import secrets
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from eventhub.audit.models import AuditEntry
from eventhub.exports.csv import guard
from eventhub.extensions import db
from eventhub.groups.models import GroupMembership
from eventhub.registration.models import Registration
from tests.attendees.support import post_form, sign_in, staff_member
from tests.registration.support import add_group_session, event_by_slug

# Summer time starts in Stockholm at 01:00 UTC on 29 March 2026: the two rows straddle it.
BEFORE_DST = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # 01:30 +01:00
AFTER_DST = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 03:30 +02:00


def add_person(slug: str, name: str, email: str, created_at: datetime, **fields) -> int:
    values = dict(organisation="", role_title="", sector="other", mode="on_site", status="confirmed", language="sv",
                  privacy_accepted_at=created_at, token_salt=secrets.token_hex(8), token_hash=secrets.token_hex(32))
    values.update(fields)
    registration = Registration(event_id=event_by_slug(slug).id, name=name, email=email, created_at=created_at,
                                **values)
    db.session.add(registration)
    db.session.commit()
    return registration.id


@pytest.fixture
def organiser(app, client, make_event):
    slug = make_event(on_site_seats=10, digital_seats=10)
    staff_member(app, slug, "organiser@example.se", "organiser")
    sign_in(client, "organiser@example.se")
    with app.app_context():
        (room,) = add_group_session(slug, [("Rum A", "on_site", 5)], title="Samtal")
        asa = add_person(slug, "Åsa Öberg", "asa@example.se", BEFORE_DST, organisation="Malmö högskola; Institutionen",
                         role_title="Lektor", sector="academia")
        db.session.add(GroupMembership(registration_id=asa, group_id=room, item_id=event_by_slug(slug)
                                       .programme_items[0].id, status="confirmed"))
        add_person(slug, '=HYPERLINK("http://evil.example")', "evil@example.se", AFTER_DST,
                   organisation="+46 70 123", role_title="-1", mode="digital", status="waitlisted")
        add_person(slug, "@Bo Ek", "bo@example.se", AFTER_DST, organisation="\tTabbed", role_title="\rCarriage",
                   status="cancelled", sector="public")
        add_person(slug, "Diet Person", "diet@example.se", AFTER_DST, dietary_needs="Vegan, ingen nöt",
                   accessibility_needs="=Rullstol", special_consent_at=AFTER_DST)
        add_person(slug, "Gone Person", "gone@example.se", AFTER_DST, dietary_needs="Glutenfri",
                   special_consent_at=AFTER_DST, status="cancelled")
        db.session.commit()
    return client, slug


EXCEL_ROWS = [
    "Name;Email;Organisation;Role;Sector;Taking part;Status;Discussion groups;Registered at;Checked in;First online;"
    "Minutes online",
    'Åsa Öberg;asa@example.se;"Malmö högskola; Institutionen";Lektor;Academia;On site;Confirmed;Rum A;2026-03-29 01:30'
    ";;;",
    '"\'=HYPERLINK(""http://evil.example"")";evil@example.se;\'+46 70 123;\'-1;Other;Digital;Waitlisted;;'
    "2026-03-29 03:30;;;",
    "'@Bo Ek;bo@example.se;'\tTabbed;\"'\rCarriage\";Public sector;On site;Cancelled;;2026-03-29 03:30;;;",
    "Diet Person;diet@example.se;;;Other;On site;Confirmed;;2026-03-29 03:30;;;",
    "Gone Person;gone@example.se;;;Other;On site;Cancelled;;2026-03-29 03:30;;;",
]


def test_excel_csv_exact_bytes(organiser):
    client, slug = organiser
    response = client.get(f"/manage/events/{slug}/exports/attendees-excel.csv?lang=en")
    assert response.status_code == 200
    assert response.is_streamed
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{slug}-attendees-excel.csv"'
    assert response.headers["Cache-Control"] == "private, no-store"
    expected = b"\xef\xbb\xbf" + "".join(row + "\r\n" for row in EXCEL_ROWS).encode("utf-8")
    assert response.get_data() == expected
    # No special-category answers in the attendee list.
    assert b"Vegan" not in response.get_data() and b"Rullstol" not in response.get_data()


def test_standard_csv_parses_with_the_csv_module(organiser):
    client, slug = organiser
    response = client.get(f"/manage/events/{slug}/exports/attendees.csv?lang=en")
    assert response.status_code == 200
    data = response.get_data()
    assert not data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    assert rows[0] == ["Name", "Email", "Organisation", "Role", "Sector", "Taking part", "Status",
                       "Discussion groups", "Registered at", "Checked in", "First online", "Minutes online"]
    assert rows[1] == ["Åsa Öberg", "asa@example.se", "Malmö högskola; Institutionen", "Lektor", "Academia",
                       "On site", "Confirmed", "Rum A", "2026-03-29T01:30:00+01:00", "", "", ""]
    assert rows[2][0] == "'=HYPERLINK(\"http://evil.example\")" and rows[2][8] == "2026-03-29T03:30:00+02:00"
    assert rows[3][3] == "'\rCarriage"
    assert len(rows) == 6 and all(len(row) == 12 for row in rows)


def test_exports_follow_the_list_filters(organiser):
    client, slug = organiser
    response = client.get(f"/manage/events/{slug}/exports/attendees.csv?status=cancelled&lang=en")
    names = [row[0] for row in csv.reader(io.StringIO(response.get_data(as_text=True), newline=""))][1:]
    assert names == ["'@Bo Ek", "Gone Person"]
    response = client.get(f"/manage/events/{slug}/exports/attendees.csv?q=%C3%85SA&mode=zz")
    assert len(response.get_data(as_text=True).strip().split("\r\n")) == 2


def test_swedish_headers_by_default(organiser):
    client, slug = organiser
    body = client.get(f"/manage/events/{slug}/exports/attendees-excel.csv").get_data().decode("utf-8-sig")
    assert body.startswith("Namn;E-post;")


def test_an_unknown_flavour_is_404(organiser):
    client, slug = organiser
    assert client.get(f"/manage/events/{slug}/exports/attendees-pdf.csv").status_code == 404


def test_large_exports_stream_in_batches(app, organiser, count_queries):
    from tests.attendees.support import seed_registrations

    client, slug = organiser
    with app.app_context():
        seed_registrations(slug, 1200)
    with count_queries() as queries:
        response = client.get(f"/manage/events/{slug}/exports/attendees.csv")
        body = response.get_data()
    assert body.count(b"\r\n") == 1 + 5 + 1200
    page_queries = [q for q in queries if "FROM registration" in q and "LIMIT" in q]
    assert len(page_queries) == 3  # 500 + 500 + 205 rows: keyset batches, never everything at once


@pytest.mark.parametrize(("flavour", "bom", "delimiter"), [("excel", True, ";"), ("standard", False, ",")])
def test_special_category_export_is_separate_labelled_and_logged(app, organiser, flavour, bom, delimiter):
    client, slug = organiser
    assert client.get(f"/manage/events/{slug}/exports/special-category.csv").status_code == 405
    page = f"/manage/events/{slug}/attendees?lang=en"
    response = post_form(client, page, f"/manage/events/{slug}/exports/special-category.csv?lang=en", flavour=flavour)
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert "SPECIAL-CATEGORY-DATA" in disposition
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf") == bom
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=delimiter))
    assert rows[0][0].startswith("SPECIAL-CATEGORY PERSONAL DATA")
    assert rows[1] == ["Name", "Email", "Taking part", "Status", "Dietary needs", "Accessibility needs"]
    # Only those still registered who answered with consent; the formula guard applies here too.
    assert rows[2:] == [["Diet Person", "diet@example.se", "On site", "Confirmed", "Vegan, ingen nöt", "'=Rullstol"]]

    with app.app_context():
        (entry,) = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "exports.special_category"))
        assert entry.event_id == event_by_slug(slug).id
        assert entry.user_id is not None and entry.created_at is not None
        assert entry.details == {"rows": 1, "flavour": flavour}
        logged = f"{entry.summary} {entry.details}"
        assert "Diet" not in logged and "Vegan" not in logged and "diet@" not in logged


def test_special_category_export_needs_the_form_token_and_logs_nothing_without_it(app, organiser):
    client, slug = organiser
    response = client.post(f"/manage/events/{slug}/exports/special-category.csv", data={"flavour": "excel"})
    assert response.status_code == 400
    assert b"Vegan" not in response.get_data()
    with app.app_context():
        assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "exports.special_category")).all() \
            == []


def test_the_attendee_list_offers_the_downloads(organiser):
    client, slug = organiser
    body = client.get(f"/manage/events/{slug}/attendees?status=confirmed&lang=en").get_data(as_text=True)
    assert f'href="/manage/events/{slug}/exports/attendees-excel.csv?status=confirmed"' in body
    assert f'href="/manage/events/{slug}/exports/attendees.csv?status=confirmed"' in body
    assert f'action="/manage/events/{slug}/exports/special-category.csv"' in body


@pytest.mark.parametrize(("value", "expected"), [
    ("=1+1", "'=1+1"), ("+46", "'+46"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("Anna", "Anna"), ("", ""), (None, ""), ("a=b", "a=b"), (" =x", " =x"),
])
def test_formula_guard(value, expected):
    assert guard(value) == expected
