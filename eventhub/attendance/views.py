"""Attendance for the organiser: the report page, importing Teams' and Zoom's reports, matching by hand.

The downloads of the report (spreadsheet, CSV, PDF) and the signature list are the exports'.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from eventhub import labels, workspace
from eventhub.accounts.access import event_access
from eventhub.attendance import platforms, services
from eventhub.attendance.forms import CertificateForm, ImportForm, MatchForm
from eventhub.fields import ConfirmForm
from eventhub.types import utcnow

bp = Blueprint("attendance", __name__, url_prefix="/manage/events/<slug>/attendance")
workspace.add_link(45, "attendance.report", _l("Attendance"))

HOW_TO = {
    "teams": _l("In Teams: open the meeting in the calendar, choose Attendance, then Download (.csv)."),
    "zoom": _l("In Zoom: on the web, choose Reports, Usage, find the meeting, click its number of participants, "
               "then Export (with meeting data)."),
}


def report_error(error: Exception) -> str:
    """What is wrong with a file that was meant to be an attendance report, in the reader's language."""
    if isinstance(error, services.TooLarge):
        return _("The file is larger than %(size)d MB: an attendance report is much smaller. Check that it is the "
                 "right file.", size=services.MAX_BYTES // 1_000_000)
    if isinstance(error, services.EmptyFile):
        return _("The file is empty.")
    if isinstance(error, platforms.SpreadsheetFile):
        return _("This is an Excel workbook. Download the attendance report as a CSV file (Teams: Download (.csv); "
                 "Zoom: Export) and import that file.")
    if isinstance(error, platforms.NoParticipants):
        return _("The attendance report lists no participants.")
    if isinstance(error, platforms.TooManyRows):
        return _("The file has more than %(rows)d rows: that is no attendance report of one meeting.",
                 rows=platforms.MAX_ROWS)
    if isinstance(error, platforms.SeveralMeetings):
        return _("The file holds several meetings. Export the participants of one meeting at a time and import "
                 "each file.")
    if isinstance(error, platforms.UnreadableTime):
        return _("A time in the file could not be read: “%(example)s”. Import the file as Teams or Zoom made it, "
                 "without opening and saving it in Excel first.", example=error.example)
    return _("This file is not an attendance report from Microsoft Teams or Zoom. Import the CSV file that Teams "
             "(Attendance, Download) or Zoom (Reports, Usage, Participants, Export) makes: it has columns such as "
             "Name, Email, Join time and Duration.")


def _report_page(form=None, status: int = 200, certificate_form=None):
    event = g.event
    certificate_form = certificate_form or CertificateForm(formdata=None, enabled=event.certificates_enabled,
                                                           signatory=event.certificate_signatory)
    result = services.report(event.id)
    by_mode = [(labels.MODE.get(mode, mode), tally) for mode, tally in result.by_mode] + [(_("Total"), result.total)]
    by_sector = [(labels.SECTOR.get(sector, sector), tally) for sector, tally in result.by_sector]
    return render_template(
        "attendance/report.html", event=event, report=result, by_mode=by_mode, by_sector=by_sector,
        took_part=services.took_part, form=form or ImportForm(formdata=None), how_to=HOW_TO,
        begun=event.starts_at <= utcnow(), max_mb=services.MAX_BYTES // 1_000_000,
        certificate_form=certificate_form,
    ), status


@bp.get("")
@event_access("manage")
def report(slug):
    return _report_page()


@bp.post("/imports")
@event_access("manage")
def import_report(slug):
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.report.data
        try:
            data = services.read_upload(upload.stream)
            outcome = services.import_report(g.event.id, data, upload.filename, current_user.id, utcnow())
        except (services.AttendanceError, platforms.ReportError) as error:
            form.report.errors = [*form.report.errors, report_error(error)]
        else:
            unmatched = outcome.people - outcome.matched
            flash((_("The report replaces the earlier import of the same meeting.") + " " if outcome.replaced else "")
                  + ngettext("%(num)d person in the report, %(matched)d matched to a registration by email.",
                             "%(num)d people in the report, %(matched)d matched to a registration by email.",
                             outcome.people, matched=outcome.matched), "success")
            if unmatched:
                flash(ngettext("%(num)d could not be matched: say who they are below.",
                               "%(num)d could not be matched: say who they are below.", unmatched), "info")
            return redirect(url_for(".import_detail", slug=slug, import_id=outcome.import_id), code=303)
    return _report_page(form, status=422)


@bp.post("/certificates")
@event_access("manage")
def certificates(slug):
    form = CertificateForm()
    if not form.validate_on_submit():
        return _report_page(certificate_form=form, status=422)
    event = services.set_certificates(g.event.id, form.enabled.data, form.signatory.data or "", current_user.id)
    flash(_("Certificates are switched on: those who took part can download theirs from their page after the "
            "event.") if event.certificates_enabled else _("Certificates are switched off."), "success@certificates")
    return redirect(url_for(".report", slug=slug) + "#certificates-result", code=303)


def _import(import_id: int):
    try:
        return services.get_import(g.event.id, import_id)
    except services.NotFound:
        abort(404)


def _import_page(record, failed: tuple[int, MatchForm] | None = None, status: int = 200):
    rows = record.participants
    unmatched = [row for row in rows if row.registration_id is None and row.anonymised_at is None]
    candidates = services.candidates(g.event.id, unmatched)
    return render_template(
        "attendance/import.html", event=g.event, record=record, platform=services.PLATFORM_NAME.get(record.platform),
        unmatched=unmatched, matched=[row for row in rows if row.registration_id is not None],
        wiped=[row for row in rows if row.registration_id is None and row.anonymised_at is not None],
        candidates=candidates, failed=failed, confirm=ConfirmForm(formdata=None),
    ), status


@bp.get("/imports/<id:import_id>")
@event_access("manage")
def import_detail(slug, import_id):
    return _import_page(_import(import_id))


def _back(import_id: int, anchor: str = ""):
    return redirect(url_for(".import_detail", slug=g.event.slug, import_id=import_id) + anchor, code=303)


@bp.post("/imports/<id:import_id>/rows/<id:participant_id>/match")
@event_access("manage")
def match(slug, import_id, participant_id):
    record = _import(import_id)
    form = MatchForm()
    candidates = services.candidates(g.event.id, [])
    form.set_choices(candidates)
    if form.validate_on_submit():
        try:
            row = services.match_by_hand(g.event.id, import_id, participant_id, int(form.registration.data),
                                         current_user.id)
        except services.NotFound:
            abort(404)
        except services.Anonymised:
            form.registration.errors = [*form.registration.errors, _("That person's data has been erased, so there "
                                                                     "is no one to match.")]
        else:
            flash(_("%(name)s in the report is now %(registration)s.", name=row.name,
                    registration=row.registration.name), "success@matched")
            return _back(import_id, "#matched-result")
    if not any(row.id == participant_id for row in record.participants):
        abort(404)
    return _import_page(record, failed=(participant_id, form), status=422)


@bp.post("/imports/<id:import_id>/rows/<id:participant_id>/unmatch")
@event_access("manage")
def unmatch(slug, import_id, participant_id):
    _import(import_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        row = services.unmatch(g.event.id, import_id, participant_id, current_user.id)
    except services.NotFound:
        abort(404)
    flash(_("%(name)s in the report is matched to no one now.", name=row.name), "success@unmatched")
    return _back(import_id, "#unmatched-result")


@bp.post("/imports/<id:import_id>/delete")
@event_access("manage")
def delete_import(slug, import_id):
    _import(import_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.delete_import(g.event.id, import_id, current_user.id)
    flash(_("The import is deleted: its people no longer count as having taken part online (unless they used "
            "their join link)."), "success")
    return redirect(url_for(".report", slug=slug), code=303)

