"""The evaluation's results as downloads, each opened by a real reader: openpyxl for the workbook, the csv
module for the CSVs, pypdf for the PDF's text and structure tags. The small-number rule holds in each."""
from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from pypdf import PdfReader

from tests.evaluation.support import answer, make_forum_with_people, set_up, sign_in_organiser
from tests.exports.test_attendance_exports import _structure, _text

# on site: Bengt, Eva, Zäta; digital: Åsa, Örjan, Cecilia, Dan
ANSWERS = {"Bengt": (5, "Mer tid för samtalen"), "Eva": (4, ""), "Zäta": (4, "=HYPERLINK(\"https://x.example\")"),
           "Åsa": (3, "Ljudet hackade"), "Örjan": (2, ""), "Cecilia": (3, ""), "Dan": (4, "")}


@pytest.fixture
def forum(app, make_event):
    """The forum of the attendance samples with its people (tests/evaluation/support)."""
    return make_forum_with_people(app, make_event)


@pytest.fixture
def organiser(app, client, forum):
    return sign_in_organiser(app, client, forum)


@pytest.fixture
def answered(app, organiser):
    def make(anonymous=True, people=ANSWERS):
        with app.app_context():
            set_up(organiser.slug, anonymous=anonymous)
            for name, (overall, change) in people.items():
                answer(organiser.slug, organiser.ids[name], overall=overall, change=change)
        return organiser
    return make


def _get(client, url: str, lang: str | None = None):
    response = client.get(url, query_string={"lang": lang} if lang else None)
    assert response.status_code == 200, (url, response.status_code)
    assert response.headers["Cache-Control"] == "private, no-store"
    return response


def _figures(book, sheet):
    rows = [list(row) for row in book[sheet].iter_rows(values_only=True)]
    start = next(i for i, row in enumerate(rows) if row[0] in ("Fråga", "Question"))
    return rows[start], [row for row in rows[start + 1:] if row and row[0]]


def test_the_workbook_holds_the_figures_by_mode_and_the_written_answers(client, answered):
    forum = answered()
    response = _get(client, f"/manage/events/{forum.slug}/evaluation/results.xlsx", "en")
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = openpyxl.load_workbook(io.BytesIO(response.data))

    assert book.sheetnames == ["Figures", "Written answers"]  # anonymous: no sheet of answers by name
    header, rows = _figures(book, "Figures")
    assert header == ["Question", "Split by", "Group", "Answers", "Average", "1 – Very poor", "2 – Poor",
                      "3 – Neither good nor poor", "4 – Good", "5 – Very good"]
    overall = {row[2]: row[3:] for row in rows if row[0] == "How was the event as a whole?"}
    assert overall["Everyone"] == [7, 3.57, 0, 1, 2, 3, 1]
    assert overall["On site"] == [3, 4.33, 0, 0, 0, 2, 1]
    assert overall["Digital"] == [4, 3.0, 0, 1, 2, 1, 0]
    assert not any(row[1] == "Sector" for row in rows)  # every sector under 3
    comments = [list(row) for row in book["Written answers"].iter_rows(values_only=True)]
    assert comments[0] == ["Question", "Taking part", "Answer"]
    assert sorted(row[2] for row in comments[1:]) == ['=HYPERLINK("https://x.example")', "Ljudet hackade",
                                                      "Mer tid för samtalen"]
    formula = next(cell for row in book["Written answers"].iter_rows() for cell in row
                   if str(cell.value).startswith("="))
    assert formula.data_type == "s"  # text, never a formula


def test_a_named_evaluations_workbook_lists_everyone_by_name_in_swedish(client, answered):
    forum = answered(anonymous=False, people={name: ANSWERS[name] for name in ("Bengt", "Åsa")})
    book = openpyxl.load_workbook(io.BytesIO(_get(client, f"/manage/events/{forum.slug}/evaluation/results.xlsx",
                                                  "sv").data))

    assert book.sheetnames == ["Siffror", "Skrivna svar", "Svar med namn"]
    people = [list(row) for row in book["Svar med namn"].iter_rows(values_only=True)]
    assert people[0][:5] == ["Namn", "Organisation", "Deltagande", "Sektor",
                             "Svarade (centraleuropeisk normaltid, UTC+1)"]
    assert people[0][5] == "Hur var träffen som helhet?"
    by_name = {row[0]: row for row in people[1:]}
    assert by_name["Bengt Bäck"][2:4] == ["På plats", "Akademi"] and by_name["Bengt Bäck"][5] == 5
    assert by_name["Åsa Öberg"][-1] == "Ljudet hackade"


def test_the_csv_for_swedish_excel_reads_back_with_decimal_commas(client, answered):
    forum = answered()
    body = _get(client, f"/manage/events/{forum.slug}/evaluation/results-excel.csv").data
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))

    assert rows[0][:5] == ["Fråga", "Uppdelat efter", "Grupp", "Svar", "Medelvärde"]
    overall = {row[2]: row[3:] for row in rows[1:] if row[0] == "Hur var träffen som helhet?"}
    assert overall["Alla"] == ["7", "3,57", "0", "1", "2", "3", "1"]
    assert overall["Digitalt"][:2] == ["4", "3,00"]


def test_the_standard_csv_has_decimal_points(client, answered):
    forum = answered()
    rows = list(csv.reader(io.StringIO(_get(client, f"/manage/events/{forum.slug}/evaluation/results.csv",
                                            "en").data.decode("utf-8"))))
    overall = {row[2]: row[3:5] for row in rows[1:] if row[0] == "How was the event as a whole?"}
    assert overall == {"Everyone": ["7", "3.57"], "On site": ["3", "4.33"], "Digital": ["4", "3.00"]}


@pytest.mark.parametrize(("lang", "title", "words"), [
    ("sv", "Forumträff om arbetsmarknaden – Utvärderingens resultat",
     ["På plats och digitalt, sida vid sida", "Hur var träffen som helhet?", "4,3 (3 svar)", "Ljudet hackade"]),
    ("en", "Forumträff om arbetsmarknaden – Evaluation results",
     ["On site and digital, side by side", "How was the event as a whole?", "4.3 (3 answers)", "Ljudet hackade"]),
])
def test_the_results_pdf_is_tagged_in_the_organisers_language(client, answered, lang, title, words):
    forum = answered()
    reader = PdfReader(io.BytesIO(_get(client, f"/manage/events/{forum.slug}/evaluation/results.pdf", lang).data))
    text = _text(reader)

    assert reader.trailer["/Root"]["/Lang"] == lang
    assert reader.metadata.title == title
    for word in words:
        assert word in text, word
    tags = _structure(reader)
    kinds = [tag for tag, _node in tags]
    assert kinds.count("/Table") >= 2 and "/Caption" in kinds and "/TH" in kinds
    cells = [node for tag, node in tags if tag == "/TD"]
    assert cells and all(len(cell["/A"]["/Headers"]) == 2 for cell in cells)  # column and row header


def test_with_too_few_anonymous_answers_the_downloads_hold_no_figures_or_comments(client, answered):
    forum = answered(people={"Bengt": ANSWERS["Bengt"], "Åsa": ANSWERS["Åsa"]})
    book = openpyxl.load_workbook(io.BytesIO(_get(client, f"/manage/events/{forum.slug}/evaluation/results.xlsx",
                                                  "en").data))
    assert _figures(book, "Figures")[1] == []
    assert [list(row) for row in book["Written answers"].iter_rows(values_only=True)][1:] == []
    text = _text(PdfReader(io.BytesIO(_get(client, f"/manage/events/{forum.slug}/evaluation/results.pdf",
                                           "en").data)))
    assert "Mer tid för samtalen" not in text and "The results are shown once at least 3 have." in text


@pytest.mark.parametrize("path", ["results.xlsx", "results.csv", "results-excel.csv", "results.pdf"])
def test_without_an_evaluation_the_downloads_lead_back_to_setting_one_up(client, organiser, path):
    response = client.get(f"/manage/events/{organiser.slug}/evaluation/{path}")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/manage/events/{organiser.slug}/evaluation/")
