"""Spreadsheets as real Excel workbooks (.xlsx), through openpyxl, and the attendance report as one.

Numbers are numbers and times are times (Excel can sum minutes and sort by arrival), in the
event's zone, which the column's header names: Excel has no time zones. A text a spreadsheet
would run as a formula (``=HYPERLINK(...)`` typed into the public form as a name) is stored as
text, never as a formula: openpyxl would otherwise write a cell starting with "=" as one.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from eventhub import i18n, labels
from eventhub.attendance import services as attendance
from eventhub.evaluation import results as evaluation_results

TIME_FORMAT = "yyyy-mm-dd hh:mm"
SHEET_TITLE_MAX = 31  # Excel's limit
BOLD = Font(bold=True)


@dataclass
class Table:
    """One block of a sheet: an optional heading line, a header row, then rows."""

    header: list[str]
    rows: list[list]
    heading: str = ""


@dataclass
class Sheet:
    title: str
    tables: list[Table]
    intro: list[str] = field(default_factory=list)  # lines above the tables (what the sheet holds)
    widths: list[int] = field(default_factory=list)  # in characters, per column


def _cell(sheet, value, bold: bool = False) -> WriteOnlyCell:
    if isinstance(value, datetime):
        # Excel keeps no zone: the local wall-clock time the header names.
        cell = WriteOnlyCell(sheet, value.replace(tzinfo=None))
        cell.number_format = TIME_FORMAT
    elif isinstance(value, str):
        cell = WriteOnlyCell(sheet, value)
        cell.data_type = "s"  # text stays text, even "=..."
    else:
        cell = WriteOnlyCell(sheet, value)
    if bold:
        cell.font = BOLD
    return cell


def workbook(sheets: list[Sheet], title: str, creator: str) -> bytes:
    """The sheets as an .xlsx file's bytes."""
    book = Workbook(write_only=True)
    book.properties.title = title
    book.properties.creator = creator
    for spec in sheets:
        sheet = book.create_sheet(spec.title[:SHEET_TITLE_MAX])
        for index, width in enumerate(spec.widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        first_header = len(spec.intro) + (2 if spec.intro else 1) + (1 if spec.tables and spec.tables[0].heading else 0)
        if len(spec.tables) == 1:
            sheet.freeze_panes = f"A{first_header + 1}"  # the header stays in view while scrolling
        for line in spec.intro:
            sheet.append([_cell(sheet, line)])
        if spec.intro:
            sheet.append([])
        for number, table in enumerate(spec.tables):
            if number:
                sheet.append([])
            if table.heading:
                sheet.append([_cell(sheet, table.heading, bold=True)])
            sheet.append([_cell(sheet, text, bold=True) for text in table.header])
            for row in table.rows:
                sheet.append([_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def attendance_workbook(event, result: attendance.AttendanceReport, zone_label: str) -> bytes:
    """The attendance report for a grant report: the figures by mode and sector, then everyone with
    a place (the CSV's rows), in the page's language; ``zone_label`` names the zone the times are in."""
    header, rows = attendance.people_table(result, event.timezone)
    figures = attendance.tally_header()
    heading = gettext("Attendance report")
    intro = [f"{heading}: {event.title}",
             f"{i18n.date_filter(event.starts_at, event.timezone)} · {event.organiser_name or ''}".strip(" ·"),
             gettext("Times are in %(zone)s (%(name)s).", zone=zone_label, name=event.timezone)]
    summary = Sheet(gettext("Figures"), intro=intro, widths=[34, 14, 14, 14, 14, 14, 14], tables=[
        Table([gettext("Taking part"), *figures],
              [[str(labels.MODE.get(mode, mode)), *attendance.tally_row(tally)] for mode, tally in result.by_mode]
              + [[gettext("Total"), *attendance.tally_row(result.total)]], heading=gettext("By mode")),
        Table([gettext("Sector"), *figures],
              [[str(labels.SECTOR.get(sector, sector)), *attendance.tally_row(tally)]
               for sector, tally in result.by_sector], heading=gettext("By sector")),
    ])
    people = Sheet(gettext("People"), tables=[Table(header, rows)], widths=[28, 30, 26, 22, 14, 20, 20, 20, 10, 18])
    return workbook([summary, people], title=f"{heading}: {event.title}", creator=event.organiser_name or "EventHub")


def _group_label(row: evaluation_results.FigureRow) -> str:
    if row.split == "mode":
        return str(labels.MODE.get(row.group, row.group))
    if row.split == "sector":
        return str(labels.SECTOR.get(row.group, row.group))
    return gettext("Everyone")


def evaluation_figures(results: evaluation_results.Results, language: str, words: dict[int, str]):
    """The figures as rows (the workbook's and the CSV's): question, split, group, answers, average, each rating."""
    split_names = {"all": gettext("Everyone"), "mode": gettext("Taking part"), "sector": gettext("Sector")}
    header = [gettext("Question"), gettext("Split by"), gettext("Group"), gettext("Answers"), gettext("Average"),
              *[f"{value} – {words[value]}" for value in evaluation_results.SCALE]]
    rows = [[row.question.text_in(language)[0], split_names[row.split], _group_label(row), row.figures.answers,
             round(row.figures.average, 2) if row.figures.average is not None else None,
             *[row.figures.counts[value] for value in evaluation_results.SCALE]]
            for row in evaluation_results.figure_rows(results)]
    return header, rows


def evaluation_comments(results: evaluation_results.Results, language: str):
    """The written answers: question, (how the person took part, when shown), (name and organisation, when named)."""
    named = not results.anonymous
    by_mode = named or results.split_by_mode
    header = [gettext("Question")] + ([gettext("Taking part")] if by_mode else []) + \
        ([gettext("Name"), gettext("Organisation")] if named else []) + [gettext("Answer")]
    rows = []
    for result in results.texts:
        for comment in result.comments:
            rows.append([result.question.text_in(language)[0]]
                        + ([str(labels.MODE.get(comment.mode, comment.mode or ""))] if by_mode else [])
                        + ([comment.name or "", comment.organisation or ""] if named else []) + [comment.text])
    return header, rows


def evaluation_workbook(event, results: evaluation_results.Results, language: str, words: dict[int, str],
                        zone_label: str) -> bytes:
    """The evaluation's results: the figures (everyone, by way of taking part, by sector), the written answers,
    and, when the answers carry names, everyone's answers; in the page's language."""
    heading = gettext("Evaluation results")
    answered = gettext("%(answers)d of %(people)d with a place answered.", answers=results.total_responses,
                       people=results.total_with_a_place)
    intro = [f"{heading}: {event.title}",
             f"{i18n.date_filter(event.starts_at, event.timezone)} · {event.organiser_name or ''}".strip(" ·"),
             answered]
    if results.anonymous:
        intro.append(gettext("Anonymous answers: a group with fewer than %(num)d answers is not shown on its own.",
                             num=evaluation_results.MIN_GROUP))
    header, rows = evaluation_figures(results, language, words)
    sheets = [Sheet(gettext("Figures"), intro=intro, tables=[Table(header, rows)],
                    widths=[50, 14, 26, 10, 10, 12, 12, 12, 12, 12])]
    header, rows = evaluation_comments(results, language)
    sheets.append(Sheet(gettext("Written answers"), tables=[Table(header, rows)],
                        widths=[40] + [14] * (len(header) - 2) + [80]))
    people = evaluation_results.people_rows(results)
    if people:
        questions = [question for question in results.evaluation.questions]
        header = [gettext("Name"), gettext("Organisation"), gettext("Taking part"), gettext("Sector"),
                  gettext("Answered (%(zone)s)", zone=zone_label)] + [q.text_in(language)[0] for q in questions]
        rows = [[person.name, person.organisation, str(labels.MODE.get(person.mode, person.mode)),
                 str(labels.SECTOR.get(person.sector, person.sector)),
                 i18n.local(person.submitted_at, event.timezone) if person.submitted_at else None]
                + [person.answers.get(q.id) for q in questions] for person in people]
        sheets.append(Sheet(gettext("Answers by name"), tables=[Table(header, rows)],
                            widths=[28, 30, 12, 22, 18] + [24] * len(questions)))
    return workbook(sheets, title=f"{heading}: {event.title}", creator=event.organiser_name or "EventHub")
