"""What attendees, the public and organisers download: calendars, PDFs (programme, ticket, badges,
door list, signature list, attendance report, evaluation results), the attendee lists as CSV and the
attendance report and the evaluation's results as spreadsheets."""
from __future__ import annotations

import base64
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import force_locale, gettext
from flask_login import current_user

from eventhub import i18n, keyring, labels, text
from eventhub.accounts.access import event_access
from eventhub.attendance import services as attendance
from eventhub.attendees import services as attendees
from eventhub.attendees.forms import BulkForm, selection_from
from eventhub.evaluation import results as evaluation_results
from eventhub.evaluation import services as evaluation
from eventhub.events import services as events
from eventhub.exports import csv, pdf, xlsx
from eventhub.fields import ConfirmForm
from eventhub.groups import services as groups
from eventhub.modes import Mode
from eventhub.programme import calendars
from eventhub.programme import services as programme
from eventhub.questions import services as questions
from eventhub.registration import qr, tokens
from eventhub.registration import services as registrations
from eventhub.registration.access import personal_link
from eventhub.types import utcnow

bp = Blueprint("exports", __name__)

CALENDAR_TYPE = "text/calendar; charset=utf-8"


def _links(event, token: str | None = None, language: str | None = None) -> calendars.Links:
    return calendars.links_for(event, current_app.config["BASE_URL"], token,
                               has_join_page="checkin.join" in current_app.view_functions, language=language)


def _public_event(slug: str):
    try:
        return events.get_public_event(slug)
    except events.EventNotFound:
        abort(404)


def _calendar_response(body: bytes, filename: str):
    response = current_app.response_class(body, mimetype="text/calendar")
    response.headers["Content-Type"] = CALENDAR_TYPE
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _viewer(event):
    try:
        return programme.parse_audience(event, request.args.get("audience"))
    except programme.AudienceError:
        abort(404)


@bp.get("/events/<slug>/event.ics")
def event_ics(slug):
    event = _public_event(slug)
    return _calendar_response(calendars.event_calendar(event, _links(event, language=i18n.asked_language())),
                              f"{slug}.ics")


@bp.get("/events/<slug>/programme.ics")
def programme_ics(slug):
    event = _public_event(slug)
    viewer = _viewer(event)
    name = f"{slug}-{viewer.value}.ics" if viewer else f"{slug}-programme.ics"
    links = _links(event, language=i18n.asked_language())
    return _calendar_response(calendars.programme_calendar(event, viewer, links), name)


@bp.get("/organisers/<key>/events.ics")
def organiser_ics(key):
    try:
        listing = events.organiser_listing(key, utcnow())
    except events.EventNotFound:
        abort(404)
    language = i18n.asked_language()
    body = calendars.organiser_calendar(listing.name, listing.events, lambda event: _links(event, language=language))
    return _calendar_response(body, f"{key}.ics")


@bp.get("/r/<token>/calendar.ics")
@personal_link
def personal_ics(registration, token):
    event = _public_event(registration.event.slug)
    body = calendars.personal_calendar(event, Mode(registration.mode), groups.places_of(registration),
                                       _links(event, token, registration.language))
    if registration.is_cancelled:
        # A cancelled registration keeps a valid feed (subscribed clients do not error) with every item cancelled.
        body = body.replace(b"STATUS:CONFIRMED", b"STATUS:CANCELLED")
    return _calendar_response(body, f"{event.slug}.ics")


# --- PDFs -----------------------------------------------------------------------------------

def _static_root() -> Path:
    return Path(current_app.static_folder)


def _pdf_cache() -> pdf.DiskCache:
    return pdf.DiskCache(Path(current_app.instance_path) / "cache" / "pdf")


def _pdf_response(body: bytes, filename: str, etag: str, private: bool = False):
    response = current_app.response_class(body, mimetype="application/pdf")
    response.set_etag(etag)
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-cache" if private else "public, no-cache"
    return response


def _not_modified(etag: str, private: bool = False):
    response = current_app.response_class(status=304)
    response.set_etag(etag)
    response.headers["Cache-Control"] = "private, no-cache" if private else "public, no-cache"
    return response


def _render_event_pdf(template: str, event, language: str | None = None, **context) -> bytes:
    """Any of the event's PDFs, through the safe renderer: in ``language`` (the person's own, or the
    one a visitor asked for), else in the event's language."""
    language = language or event.language
    with force_locale(language):
        html = render_template(template, event=event, lang=language, footer_left=_pdf_footer(event),
                               page_label=text.css_string(gettext("Page")), **context)
    return pdf.render(html, _static_root())


def _private_pdf(body: bytes, filename: str):
    """A PDF with names in it: never stored by a browser or proxy cache."""
    response = current_app.response_class(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def render_programme_pdf(event, viewer: Mode | None, person=None, language: str | None = None) -> bytes:
    """The printed programme, for one audience or one attendee (in their language)."""
    memberships = groups.places_of(person) if person else {}
    return _render_event_pdf(
        "exports/programme.html", event, language=person.language if person else language, viewer=viewer,
        person=person, memberships=memberships,
        items=programme.items_for(event, viewer), groups_by_mode=programme.groups_by_mode,
        show_audience=viewer is None and len(event.modes) > 1,
    )


def _pdf_footer(event) -> str:
    return text.css_string(f"{event.title} · {event.organiser_name or 'EventHub'}")


@bp.get("/events/<slug>/programme.pdf")
def programme_pdf(slug):
    version = events.public_version(slug)
    if version is None:
        abort(404)
    audience = request.args.get("audience") or ""
    language = i18n.asked_language()
    etag = pdf.DiskCache.key("programme", slug, version.isoformat(), audience, language or "")
    if request.if_none_match.contains(etag):
        return _not_modified(etag)
    cache = _pdf_cache()
    body = cache.get(etag)
    if body is None:
        event = _public_event(slug)
        body = render_programme_pdf(event, _viewer(event), language=language)
        cache.put(etag, body)
    suffix = f"-{audience}" if audience else ""
    return _pdf_response(body, f"{slug}{suffix}.pdf", etag)


@bp.get("/r/<token>/programme.pdf")
@personal_link
def personal_programme_pdf(registration, token):
    person = registration
    if person.is_cancelled:
        abort(404)
    event = _public_event(person.event.slug)
    groups = ",".join(f"{m.group_id}:{m.status}" for m in person.memberships)
    etag = pdf.DiskCache.key("personal", person.id, event.updated_at.isoformat(), person.updated_at.isoformat(),
                             person.mode, groups, person.language)
    if request.if_none_match.contains(etag):
        return _not_modified(etag, private=True)
    # Personal documents are not kept on disk: they hold a name and a group choice.
    body = render_programme_pdf(event, Mode(person.mode), person)
    return _pdf_response(body, f"{event.slug}-program.pdf", etag, private=True)


def _qr_data_url(person, box_size: int = 8) -> str:
    """The ticket QR as a PNG data URL.

    PNG, not SVG: WeasyPrint lays out an SVG QR path several times slower, which matters
    for 500 badges; the pixel art stays sharp with image-rendering: pixelated.
    """
    png = qr.qr_png(tokens.ticket_payload(keyring.current(), person), box_size=box_size)
    return "data:image/png;base64," + base64.b64encode(png).decode()


def _short_code(person) -> str:
    return tokens.short_code(keyring.current(), person.token_salt, person.ticket_version)


@bp.get("/r/<token>/ticket.pdf")
@personal_link
def ticket_pdf(registration, token):
    person = registration
    if not (person.is_confirmed and person.mode == Mode.ON_SITE):
        abort(404)
    group = next((m.group for m in groups.places_of(person).values()), None)
    body = _render_event_pdf("exports/ticket.html", person.event, language=person.language, person=person,
                             qr_url=_qr_data_url(person),
                             code=_short_code(person), group=group)
    return _private_pdf(body, f"{person.event.slug}-biljett.pdf")


@bp.get("/manage/events/<slug>/badges.pdf")
@event_access("host")
def badges_pdf(slug):
    badges = [{"person": person, "qr_url": _qr_data_url(person, box_size=4)}
              for person in attendees.confirmed_by_name(g.event.id, (Mode.ON_SITE,))]
    return _private_pdf(_render_event_pdf("exports/badges.html", g.event, badges=badges), f"{slug}-namnbrickor.pdf")


@bp.get("/manage/events/<slug>/door-list.pdf")
@event_access("host")
def door_list_pdf(slug):
    rows = [{
        "person": person,
        "groups": ", ".join(m.group.title for m in groups.places_of(person).values()),
        "code": _short_code(person),
    } for person in attendees.confirmed_by_name(g.event.id, (Mode.ON_SITE,))]  # who comes to the door
    return _private_pdf(_render_event_pdf("exports/door_list.html", g.event, people=rows), f"{slug}-dorrlista.pdf")


# --- certificates of attendance ------------------------------------------------------------------

def _certificate_body(person, took_part, language: str, *, sample: bool = False) -> bytes:
    event = person.event
    return _render_event_pdf("exports/certificate.html", event, language=language, person=person, took_part=took_part,
                             sample=sample, issued_on=utcnow())


@bp.get("/r/<token>/certificate.pdf")
@personal_link
def certificate_pdf(registration, token):
    """The person's certificate of attendance, in their language: for those who took part, after the event."""
    state = attendance.certificate_state(registration, utcnow())
    if state is None:
        abort(404)
    if state != attendance.CertificateState.AVAILABLE:
        return render_template("exports/certificate_unavailable.html", registration=registration,
                               event=registration.event, state=state, token=token), 403
    body = _certificate_body(registration, attendance.participation(registration.id), registration.language)
    with force_locale(registration.language):
        name = gettext("certificate")  # ASCII letters: a header carries it
    return _private_pdf(body, f"{registration.event.slug}-{name}.pdf")


@bp.get("/manage/events/<slug>/certificate-sample.pdf")
@event_access("manage")
def certificate_sample_pdf(slug):
    """A certificate as a made-up person who took part gets it, marked as a sample, in the page's language."""
    event, language = g.event, i18n.page_language()
    mode = event.modes[0]
    with force_locale(language):
        name = gettext("Alex Example")
    sample = registrations.sample_registration(event, mode, language, name, utcnow())
    took_part = attendance.Participation(on_site=mode == Mode.ON_SITE, online=mode == Mode.DIGITAL)
    return _private_pdf(_certificate_body(sample, took_part, language, sample=True), f"{slug}-sample.pdf")


# --- CSV for organisers ------------------------------------------------------------------------

CSV_TYPE = "text/csv; charset=utf-8"


def _download(body, content_type: str, filename: str):
    """A file of personal data to save: never kept by browsers or proxies."""
    response = current_app.response_class(body, content_type=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _csv_response(chunks, filename: str):
    return _download(stream_with_context(chunks), CSV_TYPE, filename)


@bp.get("/manage/events/<slug>/exports/attendees.csv", defaults={"flavour": "standard"})
@bp.get("/manage/events/<slug>/exports/attendees-excel.csv", defaults={"flavour": "excel"})
@event_access("manage")
def attendees_csv(slug, flavour):
    """The attendee list (no dietary or accessibility answers), with the list page's search and filters."""
    group_ids = {group.id for group in groups.of_event(g.event.id)}
    filters = attendees.Filters.from_args(request.args, group_ids)
    suffix = "-excel" if flavour == "excel" else ""
    rows = csv.attendee_rows(g.event.id, g.event.timezone, filters, csv.FLAVOURS[flavour], questions.asked(g.event),
                             i18n.page_language())
    return _csv_response(csv.encode(rows, csv.FLAVOURS[flavour]), f"{slug}-attendees{suffix}.csv")


@bp.get("/manage/events/<slug>/exports/attendees.xlsx")
@event_access("manage")
def attendees_xlsx(slug):
    """The attendee list as an Excel workbook, with the list page's search and filters (times and numbers
    as such; no special-category answers)."""
    group_ids = {group.id for group in groups.of_event(g.event.id)}
    filters = attendees.Filters.from_args(request.args, group_ids)
    header, *rows = csv.attendee_table(attendees.filtered(g.event.id, filters), g.event.timezone,
                                       questions.asked(g.event), i18n.page_language())
    sheet = xlsx.Sheet(gettext("Attendees"), [xlsx.Table(header, rows)],
                       intro=[gettext("Times in %(zone)s.", zone=g.event.timezone)])
    body = xlsx.workbook([sheet], g.event.title, g.event.organiser_name or "EventHub")
    return _download(body, XLSX_TYPE, f"{slug}-attendees.xlsx")


@bp.post("/manage/events/<slug>/exports/special-category.csv")
@event_access("manage")
def special_category_csv(slug):
    """Dietary and accessibility answers: a file of their own, each download in the audit log.

    A POST with a CSRF token, so that no link, prefetch or other site can make one happen.
    The log says who, when and how many rows, never whose.
    """
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    flavour = csv.FLAVOURS.get(request.form.get("flavour", "excel"), csv.EXCEL)
    event_id = g.event.id
    csv.record_special_category_export(event_id, current_user.id, flavour)
    suffix = "-excel" if flavour is csv.EXCEL else ""
    rows = csv.special_category_rows(event_id, questions.asked(g.event), i18n.page_language())
    return _csv_response(csv.encode(rows, flavour),
                         f"{slug}-SPECIAL-CATEGORY-DATA-dietary-accessibility{suffix}.csv")


@bp.post("/manage/events/<slug>/exports/selection.csv")
@event_access("manage")
def selection_csv(slug):
    """The people chosen in the attendee list (its bulk form), as the list's CSV; logged."""
    group_ids = {group.id for group in groups.of_event(g.event.id)}
    if not BulkForm().validate_on_submit():
        abort(400)
    ids, matching = selection_from(request.form, group_ids)
    ids = attendees.selected_ids(g.event.id, ids, matching)
    if not ids:
        flash(gettext("Choose at least one person in the list first."), "error")
        return redirect(url_for("attendees.list_registrations", slug=slug,
                                **attendees.Filters.from_args(request.form, group_ids).query_args()), code=303)
    flavour = csv.FLAVOURS.get(request.form.get("flavour", "excel"), csv.EXCEL)
    csv.record_selection_export(g.event.id, current_user.id, len(ids), flavour)
    suffix = "-excel" if flavour is csv.EXCEL else ""
    rows = csv.selection_rows(g.event.id, g.event.timezone, ids, flavour, questions.asked(g.event),
                              i18n.page_language())
    return _csv_response(csv.encode(rows, flavour), f"{slug}-selection{suffix}.csv")


# --- attendance, for reporting -----------------------------------------------------------------
# In the organiser's own language (the page's), not the event's: the report is theirs to send on.

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _attendance_file(slug: str, suffix: str) -> str:
    # The file's name in the reader's language, in ASCII letters ("narvaro"): a header carries it.
    name = gettext("attendance")
    return f"{slug}-{name}{suffix}"


def _attendance_words(event) -> dict:
    zone = event.timezone
    return {"zone": i18n.zone_filter(event.starts_at, zone), "zone_name": zone}


@bp.get("/manage/events/<slug>/attendance.xlsx")
@event_access("manage")
def attendance_xlsx(slug):
    """The attendance report as an Excel workbook: the figures, then everyone with a place."""
    body = xlsx.attendance_workbook(g.event, attendance.report(g.event.id), _attendance_words(g.event)["zone"])
    return _download(body, XLSX_TYPE, _attendance_file(slug, ".xlsx"))


@bp.get("/manage/events/<slug>/attendance.csv", defaults={"flavour": "standard"})
@bp.get("/manage/events/<slug>/attendance-excel.csv", defaults={"flavour": "excel"})
@event_access("manage")
def attendance_csv(slug, flavour):
    """Everyone with a place and how they took part, as the spreadsheet's second sheet."""
    rows = csv.attendance_rows(attendance.report(g.event.id), g.event.timezone, csv.FLAVOURS[flavour])
    suffix = "-excel" if flavour == "excel" else ""
    return _csv_response(csv.encode(rows, csv.FLAVOURS[flavour]), _attendance_file(slug, f"{suffix}.csv"))


@bp.get("/manage/events/<slug>/attendance.pdf")
@event_access("manage")
def attendance_pdf(slug):
    """The attendance report for a grant report: the figures by mode and sector, then everyone by name."""
    event = g.event
    body = _render_event_pdf("exports/attendance_report.html", event, language=i18n.page_language(),
                             report=attendance.report(event.id), words=_attendance_words(event),
                             sectors=labels.SECTOR, modes=labels.MODE, took_part=attendance.took_part)
    return _private_pdf(body, _attendance_file(slug, ".pdf"))


@bp.get("/manage/events/<slug>/signature-list.pdf")
@event_access("host")
def signature_list_pdf(slug):
    """A närvarolista: everyone with a place on site, by name, with room to sign (funders ask for one)."""
    event = g.event
    body = _render_event_pdf("exports/signature_list.html", event, language=i18n.page_language(),
                             people=attendees.confirmed_by_name(event.id, (Mode.ON_SITE,)),
                             words=_attendance_words(event))
    name = gettext("signature-list")  # ASCII letters: a header carries it
    return _private_pdf(body, f"{slug}-{name}.pdf")


# --- the evaluation's results ---------------------------------------------------------------------
# In the organiser's own language, as the attendance report; the same figures (and small-number rule)
# as the results page (eventhub.evaluation.results).

def _evaluation_results():
    found = evaluation_results.for_event(g.event.id)
    if found is None:
        flash(gettext("This event has no evaluation yet."), "info")
    return found


def _evaluation_file(slug: str, suffix: str) -> str:
    name = gettext("evaluation")  # ASCII letters: a header carries it
    return f"{slug}-{name}{suffix}"


@bp.get("/manage/events/<slug>/evaluation/results.xlsx")
@event_access("manage")
def evaluation_xlsx(slug):
    found = _evaluation_results()
    if found is None:
        return redirect(url_for("evaluation.overview", slug=slug), code=303)
    body = xlsx.evaluation_workbook(g.event, found, i18n.page_language(), evaluation.rating_words(),
                                    _attendance_words(g.event)["zone"])
    return _download(body, XLSX_TYPE, _evaluation_file(slug, ".xlsx"))


@bp.get("/manage/events/<slug>/evaluation/results.csv", defaults={"flavour": "standard"})
@bp.get("/manage/events/<slug>/evaluation/results-excel.csv", defaults={"flavour": "excel"})
@event_access("manage")
def evaluation_csv(slug, flavour):
    """The figures, one row per question and group (everyone, each way of taking part, each sector shown)."""
    found = _evaluation_results()
    if found is None:
        return redirect(url_for("evaluation.overview", slug=slug), code=303)
    header, rows = xlsx.evaluation_figures(found, i18n.page_language(), evaluation.rating_words())
    body = csv.evaluation_rows(header, rows, csv.FLAVOURS[flavour])
    suffix = "-excel" if flavour == "excel" else ""
    return _csv_response(csv.encode(body, csv.FLAVOURS[flavour]), _evaluation_file(slug, f"{suffix}.csv"))


@bp.get("/manage/events/<slug>/evaluation/results.pdf")
@event_access("manage")
def evaluation_pdf(slug):
    """The results to print or send on: on site beside digital, by sector, the written answers."""
    found = _evaluation_results()
    if found is None:
        return redirect(url_for("evaluation.overview", slug=slug), code=303)
    body = _render_event_pdf("exports/evaluation_results.html", g.event, language=i18n.page_language(),
                             results=found, minimum=evaluation_results.MIN_GROUP, scale=evaluation_results.SCALE,
                             words=evaluation.rating_words(), sectors=labels.SECTOR, modes=labels.MODE)
    return _private_pdf(body, _evaluation_file(slug, ".pdf"))
