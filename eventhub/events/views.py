from flask import Blueprint, abort, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from eventhub import labels
from eventhub.events import fragments, services
from eventhub.programme import services as programme
from eventhub.registration import forms as registration_forms
from eventhub.registration import services as registration
from eventhub.types import utcnow

bp = Blueprint("events", __name__)


@bp.get("/")
def index():
    listing = services.list_public_events(utcnow())
    return render_template("events/index.html", listing=listing)


@bp.get("/events/<slug>")
def event_page(slug: str):
    try:
        event = services.get_public_event(slug, with_programme=False)
    except services.EventNotFound:
        abort(404)
    notice = None
    try:
        viewer = programme.parse_audience(event, request.args.get("audience"))
    except programme.UnknownAudience:
        viewer, notice = None, _("There is no such audience; showing the whole programme.")
    except programme.AudienceNotOffered as error:
        viewer, notice = None, labels.NOT_OFFERED[error.mode]
    now = utcnow()
    state = registration.registration_state(event, now)
    form, groups = registration_forms.registration_form(event, viewer=viewer) if state == "open" else (None, [])
    return render_template(
        "events/event.html",
        event=event,
        viewer=viewer,
        notice=notice,
        programme_html=_programme_html(slug, event, viewer),
        is_past=services.is_past(event, now),
        state=state,
        closed_message=labels.REGISTRATION_CLOSED.get(state),  # the form's place says why there is no form
        form=form,
        groups=groups,
    )


def _programme_html(slug: str, event, viewer):
    key = (event.id, event.updated_at.isoformat(), str(get_locale()), viewer)
    html = fragments.get(key)
    if html is None:
        full = services.get_public_event(slug)  # the same row, now with its programme loaded
        items = programme.items_for(full, viewer)
        html = Markup(render_template(  # noqa: S704 (our autoescaped template's output)
            "events/_programme.html", event=full, viewer=viewer, slots=programme.slots(items),
            group_sessions=[item for item in items if item.groups], groups_by_mode=programme.groups_by_mode,
        ))
        fragments.put(key, html)
    return html
