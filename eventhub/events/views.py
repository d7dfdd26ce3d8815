"""Events: the public pages (the list, each event's page) and the organiser's workspace for an event
(dashboard, create, edit, publish, cancel, duplicate, staff, audit log)."""
from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup

from eventhub import keyring, labels, workspace
from eventhub.accounts import services as accounts
from eventhub.accounts.access import event_access, role_required
from eventhub.audit import services as audit
from eventhub.events import forms, fragments, operations, services
from eventhub.fields import ConfirmForm
from eventhub.privacy import forms as privacy_forms
from eventhub.programme import services as programme
from eventhub.registration import forms as registration_forms
from eventhub.registration import services as registration
from eventhub.types import utcnow

bp = Blueprint("events", __name__)
workspace.add_link(0, "events.event_overview", _l("Overview"))
workspace.add_link(10, "events.edit_event", _l("Details"))
workspace.add_link(80, "events.staff", _l("Organisers and hosts"))
workspace.add_link(90, "events.audit_log", _l("Audit log"))

EVENT_ERRORS = {
    operations.EndsBeforeStart: ("ends_at", _l("The end must be after the start.")),
    operations.RegistrationClosesBeforeOpening: ("registration_closes_at",
                                                 _l("Registration must close after it opens.")),
    operations.SlugTaken: ("slug", _l("Another event already uses that address.")),
    operations.InvalidSlug: ("slug", _l("Use only lower-case letters, digits and hyphens.")),
}

SEATS_BELOW_TAKEN = {
    "on_site": _l("%(taken)d people already have a place on site; the limit cannot be lower."),
    "digital": _l("%(taken)d people already have a digital place; the limit cannot be lower."),
}


# --- the public pages --------------------------------------------------------------------------


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


# --- the organiser's workspace -------------------------------------------------------------------

def _event_data(form: forms.EventForm) -> operations.EventData:
    return operations.EventData(
        title=form.title.data, slug=form.slug.data or "", summary=form.summary.data or "",
        description=form.description.data or "", format=form.format.data, timezone=form.timezone.data,
        language=form.language.data, starts_at=form.aware(form.starts_at.data), ends_at=form.aware(form.ends_at.data),
        organiser_name=form.organiser_name.data or "", venue_name=form.venue_name.data or None,
        venue_address=form.venue_address.data or None, platform_name=form.platform_name.data or None,
        join_url=form.join_url.data or None, on_site_seats=form.on_site_seats.data,
        digital_seats=form.digital_seats.data, registration_opens_at=form.aware(form.registration_opens_at.data),
        registration_closes_at=form.aware(form.registration_closes_at.data),
        contact_name=form.contact_name.data or None, contact_email=form.contact_email.data or None,
        recording_url=form.recording_url.data or None, group_choice_open=form.group_choice_open.data,
        on_site_may_join_digital_groups=form.on_site_may_join_digital_groups.data,
        partners=forms.parse_partners(form.partners.data), privacy=privacy_forms.settings(form),
    )


def _show_error(form, error) -> None:
    if isinstance(error, operations.SeatsBelowTaken):
        field = form.on_site_seats if error.mode == "on_site" else form.digital_seats
        message = SEATS_BELOW_TAKEN[error.mode]
        field.errors = [*field.errors, str(message) % {"taken": error.taken}]
        return
    name, message = EVENT_ERRORS[type(error)]
    field = getattr(form, name)
    field.errors = [*field.errors, str(message)]


@bp.get("/manage/")
@login_required
def dashboard():
    return render_template("events/dashboard.html", events=accounts.events_for(current_user),
                           can_create=accounts.can_create_events(current_user))


@bp.route("/manage/events/new", methods=["GET", "POST"])
@role_required("admin", "organiser")
def new_event():
    form = forms.EventForm()
    if form.validate_on_submit():
        try:
            event = operations.create_event(_event_data(form), current_user.id)
        except operations.EventError as error:
            _show_error(form, error)
        else:
            flash(_("The event is created as a draft. Add its programme, then publish it."), "success")
            return redirect(url_for(".event_overview", slug=event.slug), code=303)
    return render_template("events/event_form.html", form=form, event=None), 422 if request.method == "POST" else 200


@bp.get("/manage/events/<slug>")
@event_access("manage")
def event_overview(slug):
    return render_template("events/event_overview.html", event=g.event)


@bp.route("/manage/events/<slug>/edit", methods=["GET", "POST"])
@event_access("manage")
def edit_event(slug):
    form = forms.EventForm()
    form.keep_zone(g.event.timezone)
    if request.method == "GET":
        form.fill_from(g.event)
    elif form.validate_on_submit():
        form.slug.data = g.event.slug  # the address stays: links to it are out in the world
        try:
            operations.update_event(g.event.id, _event_data(form), current_user.id, utcnow(),
                                    keyring.current())
        except operations.EventError as error:
            _show_error(form, error)
        else:
            flash(_("The event is saved."), "success")
            return redirect(url_for(".event_overview", slug=slug), code=303)
    return render_template("events/event_form.html", form=form, event=g.event), 422 if request.method == "POST" else 200


@bp.post("/manage/events/<slug>/publish")
@event_access("manage")
def publish(slug):
    published = request.form.get("published") == "1"
    try:
        operations.set_published(g.event.id, published, current_user.id)
    except operations.AlreadyCancelled:
        flash(_("A cancelled event cannot be published again. Duplicate it to a new date instead."), "error")
    else:
        flash(_("The event is published.") if published else _("The event is now a draft and hidden."), "success")
    return redirect(url_for(".event_overview", slug=slug), code=303)


@bp.route("/manage/events/<slug>/cancel", methods=["GET", "POST"])
@event_access("manage")
def cancel_event(slug):
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            emailed = operations.cancel_event(g.event.id, current_user.id, keyring.current())
        except operations.AlreadyCancelled:
            flash(_("The event is already cancelled."), "error")
        else:
            flash(_("The event is cancelled and %(count)d registered people are being emailed.", count=emailed),
                  "success")
        return redirect(url_for(".event_overview", slug=slug), code=303)
    return render_template("events/cancel_event.html", event=g.event, form=form)


@bp.route("/manage/events/<slug>/duplicate", methods=["GET", "POST"])
@event_access("manage")
def duplicate(slug):
    form = forms.DuplicateForm()
    if form.validate_on_submit():
        copy = operations.duplicate_event(g.event.id, form.new_date.data, current_user.id)
        flash(_("A copy is created as a draft on the new date. Check it and publish it."), "success")
        return redirect(url_for(".event_overview", slug=copy.slug), code=303)
    return render_template("events/duplicate.html", event=g.event, form=form), 422 if request.method == "POST" else 200


@bp.route("/manage/events/<slug>/staff", methods=["GET", "POST"])
@event_access("manage")
def staff(slug):
    form = forms.StaffForm()
    if form.validate_on_submit():
        try:
            user = accounts.add_staff_by_email(g.event.id, form.email.data, form.role.data, current_user.id)
        except accounts.NoSuchAccount:
            form.email.errors = [_("There is no active account with that address. An administrator can invite it.")]
        except accounts.HostCannotOrganise:
            form.role.errors = [_("A door host account cannot be an organiser of an event.")]
        else:
            flash(_("%(name)s is added.", name=user.name), "success")
            return redirect(url_for(".staff", slug=slug), code=303)
    people = accounts.staff_of(g.event.id)
    return render_template("events/staff.html", event=g.event, form=form, people=people), \
        422 if request.method == "POST" else 200


@bp.get("/manage/events/<slug>/audit")
@event_access("manage")
def audit_log(slug):
    return render_template("events/audit.html", event=g.event, entries=audit.entries_for_event(g.event.id))


