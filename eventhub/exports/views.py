"""Exports for organisers: CSV (and later PDF and calendars)."""
from flask import Blueprint, abort, current_app, g, request, stream_with_context
from flask_login import current_user

from eventhub.accounts.access import event_access
from eventhub.attendees import services as attendees
from eventhub.exports import csv
from eventhub.groups import services as group_services
from eventhub.registration.forms import ConfirmForm

bp = Blueprint("exports", __name__)

CSV_TYPE = "text/csv; charset=utf-8"


def _csv_response(chunks, filename: str):
    response = current_app.response_class(stream_with_context(chunks), mimetype="text/csv")
    response.headers["Content-Type"] = CSV_TYPE
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Personal data: not kept by browsers or proxies.
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/manage/events/<slug>/exports/attendees.csv", defaults={"flavour": "standard"})
@bp.get("/manage/events/<slug>/exports/attendees-excel.csv", defaults={"flavour": "excel"})
@event_access("manage")
def attendees_csv(slug, flavour):
    """The attendee list (no dietary or accessibility answers), with the list page's search and filters."""
    groups = {group.id for group in group_services.of_event(g.event.id)}
    filters = attendees.Filters.from_args(request.args, groups)
    suffix = "-excel" if flavour == "excel" else ""
    rows = csv.attendee_rows(g.event.id, g.event.timezone, filters, csv.FLAVOURS[flavour])
    return _csv_response(csv.encode(rows, csv.FLAVOURS[flavour]), f"{slug}-attendees{suffix}.csv")


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
    return _csv_response(csv.encode(csv.special_category_rows(event_id), flavour),
                         f"{slug}-SPECIAL-CATEGORY-DATA-dietary-accessibility{suffix}.csv")
