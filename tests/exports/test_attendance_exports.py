"""The attendance report's downloads, each opened by a real reader: openpyxl for the workbook, the csv module for
the CSVs, pypdf for the PDFs' text and structure tags; the signature list; the attendee list's new columns."""
from __future__ import annotations

import csv
import io
from datetime import datetime

import openpyxl
import pytest
from pypdf import PdfReader

from eventhub.attendance import services as attendance
from tests.attendance.support import import_sample, make_forum, rows_of, seat_people
from tests.attendees.support import sign_in, staff_member
from tests.registration.support import event_by_slug

NAME_ORDER = ["Bengt Bäck", "Cecilia Ström", "Dan Dahl", "Eva Ek", "Fredrik Fält", "Zäta Zetterlund", "Åsa Öberg",
              "Örjan Ärlig"]


@pytest.fixture
def reported(app, client, make_event):
    """The forum of the samples, its Teams report imported (Frasse matched by hand), an organiser signed in."""
    slug = make_forum(make_event)
    with app.app_context():
        ids = seat_people(slug)
        outcome = import_sample(slug, "teams_attendance_report.csv")
        frasse = next(row for row in rows_of(slug) if row.name == "Frasse")
        attendance.match_by_hand(event_by_slug(slug).id, outcome.import_id, frasse.id, ids["Fredrik"], None)
    staff_member(app, slug, "ulla@forum.example", "organiser")
    sign_in(client, "ulla@forum.example")
    return slug


def _get(client, url: str, lang: str | None = None):
    response = client.get(url, query_string={"lang": lang} if lang else None)
    assert response.status_code == 200, (url, response.status_code)
    assert response.headers["Cache-Control"] == "private, no-store"  # names and addresses: kept by no cache
    return response


# --- the workbook ----------------------------------------------------------------------------

@pytest.mark.parametrize(("lang", "sheets", "header", "took_part"), [
    ("sv", ["Siffror", "Personer"], ["Namn", "E-post", "Organisation", "Sektor", "Anmäld till",
                                     "Incheckad i entrén (Europe/Stockholm)", "Första anslutning (Europe/Stockholm)",
                                     "Senast ansluten (Europe/Stockholm)", "Minuter digitalt", "Deltog"],
     ["På plats", "Digitalt", "Kom inte", "Kom inte", "Digitalt", "På plats och digitalt", "Digitalt", "Digitalt"]),
    ("en", ["Figures", "People"], ["Name", "Email", "Organisation", "Sector", "Registered for",
                                   "Checked in at the door (Europe/Stockholm)", "First online (Europe/Stockholm)",
                                   "Last online (Europe/Stockholm)", "Minutes online", "Took part"],
     ["On site", "Online", "Did not come", "Did not come", "Online", "On site and online", "Online", "Online"]),
])
def test_the_workbook_opens_in_openpyxl_with_numbers_times_and_the_organisers_language(client, reported, lang,
                                                                                      sheets, header, took_part):
    response = _get(client, f"/manage/events/{reported}/attendance.xlsx", lang)
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    book = openpyxl.load_workbook(io.BytesIO(response.data))

    assert book.sheetnames == sheets
    people = list(book[sheets[1]].iter_rows(values_only=True))
    assert list(people[0]) == header
    assert [row[0] for row in people[1:]] == NAME_ORDER
    assert [row[9] for row in people[1:]] == took_part
    bengt, asa = people[1], people[7]
    assert bengt[5] == datetime(2026, 3, 9, 8, 50)  # a real time, on Stockholm's clock (the header says so)
    assert (asa[6], asa[7], asa[8]) == (datetime(2026, 3, 9, 9, 1, 10), datetime(2026, 3, 9, 11, 58), 162)
    assert book[sheets[1]]["F2"].number_format == "yyyy-mm-dd hh:mm"
    assert book[sheets[1]].freeze_panes == "A2"


def test_the_workbooks_figures_sheet_holds_the_tables_by_mode_and_sector(client, reported):
    book = openpyxl.load_workbook(io.BytesIO(_get(client, f"/manage/events/{reported}/attendance.xlsx").data))
    rows = [list(row) for row in book["Siffror"].iter_rows(values_only=True)]
    labelled = {row[0]: tuple(row[1:7]) for row in rows if row and row[0]}

    assert rows[0][0] == "Närvarorapport: Forumträff om arbetsmarknaden"
    assert "Tiderna anges i centraleuropeisk normaltid, UTC+1 (Europe/Stockholm)." in [row[0] for row in rows]
    assert labelled["Digitalt"] == (5, 0, 4, 4, 1, 427)
    assert labelled["Totalt"] == (8, 2, 5, 6, 2, 427)
    assert labelled["Näringsliv"] == (2, 0, 2, 2, 0, 265)


def test_a_name_like_a_formula_is_text_in_the_workbook(app, client, reported):
    from sqlalchemy import update

    from eventhub.extensions import db
    from eventhub.registration.models import Registration

    with app.app_context():
        db.session.execute(update(Registration).where(Registration.name == "Dan Dahl").values(
            name='=HYPERLINK("https://evil.example","Dan")'))
        db.session.commit()
    book = openpyxl.load_workbook(io.BytesIO(_get(client, f"/manage/events/{reported}/attendance.xlsx").data))
    cell = next(row[0] for row in book["Personer"].iter_rows() if str(row[0].value).startswith("="))

    assert cell.data_type == "s"  # a string, never a formula


# --- the CSVs --------------------------------------------------------------------------------

def test_the_attendance_csv_for_swedish_excel_reads_back_with_the_csv_module(client, reported):
    body = _get(client, f"/manage/events/{reported}/attendance-excel.csv").data
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))

    assert rows[0][0] == "Namn" and rows[0][5] == "Incheckad i entrén (Europe/Stockholm)"
    assert [row[0] for row in rows[1:]] == NAME_ORDER
    assert rows[1][5] == "2026-03-09 08:50" and rows[7][6:10] == ["2026-03-09 09:01", "2026-03-09 11:58", "162",
                                                                   "Digitalt"]


def test_the_standard_attendance_csv_has_iso_times_with_their_offset(client, reported):
    body = _get(client, f"/manage/events/{reported}/attendance.csv").data
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))

    assert rows[1][5] == "2026-03-09T08:50:00+01:00"


def test_the_attendee_list_csv_has_the_attendance_columns(client, reported):
    body = _get(client, f"/manage/events/{reported}/exports/attendees-excel.csv").data
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    header, people = rows[0], {row[0]: row for row in rows[1:]}

    assert header[-3:] == ["Incheckad", "Första anslutning", "Minuter digitalt"]
    assert people["Bengt Bäck"][-3:] == ["2026-03-09 08:50", "", ""]
    assert people["Åsa Öberg"][-3:] == ["", "2026-03-09 09:01", "162"]
    assert people["Cecilia Ström"][-3:] == ["", "2026-03-09 09:02", ""]


def test_the_attendee_list_csv_follows_the_came_filter(client, reported):
    body = _get(client, f"/manage/events/{reported}/exports/attendees.csv?arrived=no_show").data
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))

    assert sorted(row[0] for row in rows[1:]) == ["Dan Dahl", "Eva Ek"]


# --- the PDFs --------------------------------------------------------------------------------

def _structure(reader: PdfReader) -> list[tuple[str, object]]:
    """Every structure element of the tagged PDF as (tag, element), in document order."""
    found = []

    def walk(node):
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, list):
            for kid in node:
                walk(kid)
            return
        if not hasattr(node, "get"):
            return
        if "/S" in node:
            found.append((str(node["/S"]), node))
        if "/K" in node:
            walk(node["/K"])

    walk(reader.trailer["/Root"]["/StructTreeRoot"]["/K"])
    return found


def _text(reader: PdfReader) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


@pytest.mark.parametrize(("lang", "title", "words"), [
    ("sv", "Forumträff om arbetsmarknaden – Närvarorapport", ["Närvarorapport", "Efter sektor", "Deltog digitalt",
                                                               "centraleuropeisk normaltid, UTC+1"]),
    ("en", "Forumträff om arbetsmarknaden – Attendance report", ["Attendance report", "By sector",
                                                                  "Took part online", "Central European"]),
])
def test_the_report_pdf_is_tagged_in_the_organisers_language_with_header_cells(client, reported, lang, title, words):
    body = _get(client, f"/manage/events/{reported}/attendance.pdf", lang).data
    reader = PdfReader(io.BytesIO(body))
    text = _text(reader)

    assert reader.trailer["/Root"]["/Lang"] == lang
    assert reader.metadata.title == title
    for word in words:
        assert word in text, word
    positions = [text.find(name) for name in NAME_ORDER]
    assert -1 not in positions and positions == sorted(positions)  # by name, in Swedish order
    tags = _structure(reader)
    kinds = [tag for tag, _node in tags]
    assert kinds.count("/Table") >= 3 and "/Caption" in kinds  # a table across a page break is tagged twice
    headers = {str(node["/ID"]) for tag, node in tags if tag == "/TH" and "/ID" in node}
    cells = [node for tag, node in tags if tag == "/TD"]
    # Every data cell names its header cells (<th scope="col"> and the row's <th scope="row">).
    assert cells and all(len(cell["/A"]["/Headers"]) == 2 for cell in cells)
    assert all(str(reference) in headers for cell in cells for reference in cell["/A"]["/Headers"])


def test_the_signature_list_holds_everyone_with_a_place_on_site_by_name_with_room_to_sign(client, reported):
    body = _get(client, f"/manage/events/{reported}/signature-list.pdf").data
    reader = PdfReader(io.BytesIO(body))
    text = _text(reader)

    assert reader.trailer["/Root"]["/Lang"] == "sv" and reader.metadata.title.endswith("Närvarolista")
    assert "Underskrift" in text and "Med min underskrift intygar jag" in text
    on_site = ["Bengt Bäck", "Eva Ek", "Zäta Zetterlund"]
    positions = [text.find(name) for name in on_site]
    assert -1 not in positions and positions == sorted(positions)
    for not_there in ("Åsa Öberg", "Ylva Ytter"):  # digital; cancelled
        assert not_there not in text
    kinds = [tag for tag, _node in _structure(reader)]
    assert kinds.count("/TH") == 4 + len(on_site)  # the column headers, and each name as its row's header


@pytest.mark.parametrize("path", ["attendance.xlsx", "attendance.csv", "attendance-excel.csv", "attendance.pdf",
                                  "signature-list.pdf"])
def test_the_downloads_need_a_signed_in_organiser(app, make_event, path):
    slug = make_forum(make_event)
    response = app.test_client().get(f"/manage/events/{slug}/{path}")

    assert response.status_code == 302 and "/account/login" in response.headers["Location"]
