"""The answers where organisers read them: the attendee's page, the list's filter, the exports (CSV and .xlsx,
special-category answers only in their own file) and the statistics per choice and mode."""
from __future__ import annotations

import csv
import html
import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from eventhub.attendees import statistics
from tests.attendees.support import form_token, sign_in, staff_member
from tests.questions.support import add_questions
from tests.registration.support import event_by_slug, register


@pytest.fixture
def answered(app, client, make_event):
    """An event with questions, three people who answered, and its organiser signed in."""
    slug = make_event(on_site_seats=10, digital_seats=10)
    with app.app_context():
        ids = add_questions(slug, "municipality", "lunch", "topics", "share", "staff", "health")
        people = [
            register(slug, "anna@example.se", answers={ids.municipality: "Borås", ids.lunch: "c1",
                                                        ids.topics: ["c1", "c2"], ids.share: "yes", ids.staff: "12,5",
                                                        ids.health: "Rullstol"},
                     answer_consents=frozenset({ids.health})).registration.id,
            register(slug, "bo@example.se", answers={ids.municipality: "Alingsås", ids.lunch: "c2",
                                                      ids.topics: ["c2"], ids.share: "no"}).registration.id,
            register(slug, "cia@example.se", "digital", answers={ids.municipality: "Skövde",
                                                                  ids.share: "yes"}).registration.id,
        ]
    staff_member(app, slug, "ulla@forum.example", "organiser")
    sign_in(client, "ulla@forum.example")
    return slug, ids, people


def _text(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def test_attendee_page_shows_answers_and_only_points_to_the_special_one(client, answered):
    slug, ids, people = answered
    page = _text(client.get(f"/manage/events/{slug}/attendees/{people[0]}"))
    assert "<dt><span>Kommun</span></dt>" in page and "Borås" in page and "Rekrytering; Språk" in page
    assert "12,5" in page and "Rullstol" not in page


@pytest.mark.parametrize(("name", "value", "expected"), [
    ("share", "yes", {"anna@example.se", "cia@example.se"}),
    ("topics", "c2", {"anna@example.se", "bo@example.se"}),
    ("lunch", "c2", {"bo@example.se"}),
], ids=["yes or no", "several choices", "one choice"])
def test_list_filters_by_an_answer(client, answered, name, value, expected):
    slug, ids, people = answered
    rows = csv.reader(io.StringIO(_text(client.get(
        f"/manage/events/{slug}/exports/attendees.csv?answer={getattr(ids, name)}:{value}"))))
    assert {row[1] for row in list(rows)[1:]} == expected
    page = _text(client.get(f"/manage/events/{slug}/attendees?answer={getattr(ids, name)}:{value}"))
    assert f'value="{getattr(ids, name)}:{value}" selected' in page


def test_an_answer_filter_whose_question_is_gone_matches_nobody(client, answered):
    """Dropped, it would widen "all N matching" of a bulk action and the exports to the whole event."""
    slug, ids, _people = answered
    for gone in (f"{ids.health}:yes", "999999:c1"):  # made special category; no such question
        export = _text(client.get(f"/manage/events/{slug}/exports/attendees.csv?answer={gone}"))
        assert list(csv.reader(io.StringIO(export)))[1:] == []


def test_a_special_question_is_no_filter_and_no_column(client, answered):
    slug, ids, people = answered
    rows = list(csv.reader(io.StringIO(_text(client.get(f"/manage/events/{slug}/exports/attendees.csv")))))
    assert rows[0][-5:] == ["Kommun", "Lunch", "Ämnen", "Får vi dela din kontakt med de andra deltagarna?",
                            "Antal anställda"]
    assert rows[1][-5:] == ["Borås", "Kött", "Rekrytering; Språk", "Ja", "12.5"]
    assert "Rullstol" not in str(rows)
    page = _text(client.get(f"/manage/events/{slug}/attendees"))
    assert f'value="{ids.health}:' not in page  # not offered as a filter


def test_special_category_file_holds_the_special_answers(client, answered):
    slug, ids, people = answered
    page = f"/manage/events/{slug}/attendees"
    response = client.post(f"/manage/events/{slug}/exports/special-category.csv",
                           data={"csrf_token": form_token(client, page), "flavour": "standard"})
    rows = list(csv.reader(io.StringIO(_text(response))))
    assert rows[1][-1] == "Har du behov av stöd på grund av hälsa?"
    assert [row[0] for row in rows[2:]] == ["Anna Svensson"] and rows[2][-1] == "Rullstol"


def test_xlsx_has_numbers_as_numbers(client, answered):
    slug, ids, people = answered
    response = client.get(f"/manage/events/{slug}/exports/attendees.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = next(row for row in rows if row and row[0] == "Namn")
    staff = header.index("Antal anställda")
    anna = next(row for row in rows if row and row[1] == "anna@example.se")
    assert float(anna[staff]) == 12.5 and anna[header.index("Kommun")] == "Borås"
    assert "Rullstol" not in str(rows)


def test_statistics_count_each_choice_per_mode(app, client, answered):
    slug, ids, people = answered
    page = _text(client.get(f"/manage/events/{slug}/statistics"))
    assert "Svar på era frågor" in page
    share = page[page.index("Får vi dela din kontakt"):]
    share = share[:share.index("</table>")]
    # Ja: one on site, one digital, two in all; Nej: one on site.
    assert "<th scope=\"row\">Ja</th><td>1</td><td>1</td><td>2</td>" in share
    assert "<th scope=\"row\">Nej</th><td>1</td><td>0</td><td>1</td>" in share
    assert "Har du behov av stöd" not in page
    with app.app_context(), app.test_request_context("/"):
        topics = next(f for f in statistics.answer_figures(event_by_slug(slug)) if f.question.id == ids.topics)
        assert [(row.label, row.total) for row in topics.rows] == [("Rekrytering", 1), ("Språk", 2), ("Mentorskap", 0)]


def test_the_door_list_shows_no_answers(client, answered):
    slug, ids, people = answered
    response = client.get(f"/manage/events/{slug}/door-list.pdf")
    assert response.status_code == 200
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "Anna Svensson" in text and "Rullstol" not in text and "Borås" not in text
