"""Events: the public pages (the list, each event's page) and the organiser's workspace for an event
(dashboard, create, edit, publish, cancel, duplicate, staff, audit log)."""
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from eventhub import caching, keyring, labels, workspace
from eventhub.accounts import forms as account_forms
from eventhub.accounts import services as accounts
from eventhub.accounts.access import event_access, role_required
from eventhub.audit import forms as audit_forms
from eventhub.audit import services as audit
from eventhub.documentation import services as documentation_pages
from eventhub.events import feeds, forms, linked_data, operations, services
from eventhub.fields import ConfirmForm
from eventhub.privacy import forms as privacy_forms
from eventhub.programme import services as programme
from eventhub.programme import warnings as programme_warnings
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


@bp.get("/favicon.ico")
def favicon():
    return send_from_directory(current_app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon",
                               max_age=86400)


@bp.get("/robots.txt")
def robots():
    """Search engines may read the public pages; the workspace, personal links and the door are no
    business of theirs (they are private anyway; this saves them the visits)."""
    body = render_template("events/robots.txt", sitemap=url_for("events.sitemap", _external=True))
    return _public_text(body, "text/plain; charset=utf-8")


@bp.get("/sitemap.xml")
def sitemap():
    listing = services.list_public_events(utcnow())
    body = render_template("events/sitemap.xml", events=listing.upcoming + listing.past)
    return _public_text(body, "application/xml; charset=utf-8")


def _public_text(body: str, content_type: str):
    response = current_app.response_class(body, content_type=content_type)
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response


@bp.get("/organisers/<key>")
def organiser(key: str):
    """An organiser's public events, upcoming and past, with their calendar and news feed."""
    listing = _organiser_listing(key)
    return render_template("events/organiser.html", listing=listing)


@bp.get("/organisers/<key>/feed.atom")
def organiser_feed(key: str):
    listing = _organiser_listing(key)
    body = feeds.organiser_atom(
        listing, url_for("events.organiser", key=key, _external=True),
        url_for("events.organiser_feed", key=key, _external=True),
        lambda event: url_for("events.event_page", slug=event.slug, _external=True),
        str(get_locale()), _("New events from %(name)s", name=listing.name))
    return _public_text(body, "application/atom+xml; charset=utf-8")


def _organiser_listing(key: str) -> services.OrganiserListing:
    try:
        return services.organiser_listing(key, utcnow())
    except services.EventNotFound:
        abort(404)


@bp.get("/events/<slug>")
def event_page(slug: str):
    try:
        event = services.get_public_event(slug, with_programme=False)
    except services.EventNotFound:
        abort(404)
    return _event_page(event, request.args.get("audience"))


@bp.get("/manage/events/<slug>/preview")
@event_access("manage")
def preview(slug):
    """The event page as the public, people on site or digital participants see it, drafts too; its form
    registers nobody. With ``after=1``, as it will look once the event is over: its documentation."""
    return _event_page(g.event, request.args.get("audience"), preview=True, after=request.args.get("after") == "1")


def _event_page(event, audience: str | None, preview: bool = False, after: bool = False):
    """The event page: what every visitor sees alike is kept (eventhub.caching) by the event's versions
    and whatever else it depends on; the visitor's own parts are added per request. The organiser's
    preview (drafts too, a form that registers nobody; with ``after``, as it will be once the event is
    over) is rendered afresh every time."""
    notice = notice_kind = None
    try:
        viewer = programme.parse_audience(event, audience)
    except programme.UnknownAudience:
        viewer, notice, notice_kind = None, _("There is no such audience; showing the whole programme."), "unknown"
    except programme.AudienceNotOffered as error:
        viewer, notice, notice_kind = None, labels.NOT_OFFERED[error.mode], f"not offered: {error.mode}"
    now = utcnow()
    parts = _PublicParts(event, viewer, notice, registration.registration_state(event, now),
                         services.is_past(event, now) or after, preview, after)
    if preview:
        head, *article = parts.page()
        form = parts.form() if parts.shows_form else ()
    else:
        # Everything the kept HTML depends on beyond the versions: language, where the app is served
        # (the links' host and root), audience, what the notice says, where registration stands by the
        # clock, the offers' availability.
        varies = (str(get_locale()), request.url_root, viewer, notice_kind, parts.state, parts.is_past)
        head, *article = caching.kept(caching.key(
            "event-page", event.calendar_uid, event.version, *varies,
            linked_data.availability(event, parts.state)), parts.page)
        form = caching.kept(caching.key(
            "event-form", event.calendar_uid, event.version, event.seats_version, *varies), parts.form,
        ) if parts.shows_form else ()
    form_html = str(escape(generate_csrf())).join(form) if len(form) > 1 else "".join(form)
    page = {"head": Markup(head), "main": Markup(form_html.join(article))}  # noqa: S704 (our templates' output)
    return render_template("events/event.html", event=event, page=page)


# Where the visitor's own parts go in the kept HTML: no text of a page can hold a NUL (inputs.py takes
# control characters out of everything sent, and PostgreSQL refuses them).
FORM_SLOT = Markup("\x00registration-form\x00")
CSRF_SLOT = Markup("\x00csrf-token\x00")


class _NothingPersonal:
    """What a kept part's templates see instead of the visitor's session: reading it is an error, so a
    template change cannot put one visitor's token, messages or name into what everyone is served."""

    def __init__(self, name: str):
        self._personal = name

    def __call__(self, *_args, **_kwargs):
        raise RuntimeError(f"{self._personal} is personal: it cannot be in a kept part of the event page")

    def __getattr__(self, _attribute):
        self()

    def __str__(self):
        self()


NOTHING_PERSONAL = {name: _NothingPersonal(name) for name in (
    "csrf_token", "current_user", "get_flashed_messages", "session", "request", "clear_device")}


class _PublicParts:
    """The event page's parts that are the same for every visitor, rendered when they are not kept."""

    def __init__(self, event, viewer, notice, state: str, is_past: bool, preview: bool, after: bool = False):
        self.event, self.viewer, self.notice, self.state, self.is_past = event, viewer, notice, state, is_past
        self.preview, self.after = preview, after

    @property
    def shows_form(self) -> bool:
        """The registration section holds the form (or why there is none yet): not cancelled, not past."""
        return not self.event.is_cancelled and not self.is_past

    def _context(self) -> dict:
        return {"event": self.event, "viewer": self.viewer, "state": self.state, "preview": self.preview,
                "after": self.after,
                # The form's place says why there is no form.
                "closed_message": labels.REGISTRATION_CLOSED.get(self.state), **NOTHING_PERSONAL}

    def page(self) -> tuple[str, ...]:
        """The head, then the main part in pieces around the registration form's place."""
        event = services.get_public_event(self.event.slug, public=False)  # the same row, its programme loaded
        items = programme.items_for(event, self.viewer)
        documentation = documentation_pages.page_after(event) if self.is_past else None
        photos = documentation.photos if documentation else []
        context = self._context() | {
            "event": event, "notice": self.notice, "is_past": self.is_past,
            "documentation": documentation, "share_photo": photos[0] if photos else None,
            "description": linked_data.description(event),
            "organiser_key": services.organiser_key(event.organiser_name) if event.organiser_name else None,
            "json_ld": None if self.preview else linked_data.event_json_ld(
                event, url_for("events.event_page", slug=event.slug, _external=True),
                {mode: str(labels.MODE[mode.value]) for mode in event.modes}, self.state,
                images=[url_for("documentation.photo", slug=event.slug, photo_id=photo.id, _external=True)
                        for photo in photos]),
            "slots": programme.slots(items), "group_sessions": [item for item in items if item.groups],
            "groups_by_mode": programme.groups_by_mode, "registration_form_html": FORM_SLOT,
        }
        head = render_template("events/_event_head.html", **context)
        return head, *render_template("events/_event_article.html", **context).split(FORM_SLOT)

    def form(self) -> tuple[str, ...]:
        """The registration form (or why there is none yet), in pieces around the CSRF token's place."""
        form, groups = (registration_forms.registration_form(self.event, viewer=self.viewer)
                        if self.state == "open" else (None, []))
        html = render_template("registration/_form.html", **self._context(), form=form, groups=groups,
                               csrf_slot=CSRF_SLOT)
        return tuple(html.split(CSRF_SLOT))


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
        asks_dietary_needs=form.asks_dietary_needs.data,
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
            saved = operations.update_event(g.event.id, _event_data(form), current_user.id, utcnow(),
                                            keyring.current())
        except operations.EventError as error:
            _show_error(form, error)
        else:
            flash(_("The event is saved."), "success")
            if saved.items_moved:
                flash(ngettext("%(num)d programme item moved with the date.",
                               "%(num)d programme items moved with the date.", saved.items_moved), "success")
            if saved.told:
                flash(ngettext("%(num)d registered person is being emailed the new time.",
                               "%(num)d registered people are being emailed the new time.", saved.told), "success")
            return redirect(url_for(".event_overview", slug=slug), code=303)
    return render_template("events/event_form.html", form=form, event=g.event), 422 if request.method == "POST" else 200


@bp.route("/manage/events/<slug>/publish", methods=["GET", "POST"])
@event_access("manage")
def publish(slug):
    """Publishing shows what to check first; unpublishing an event people registered for asks first."""
    published = request.values.get("published") == "1"
    registered = operations.registered_count(g.event.id)
    form = ConfirmForm()
    needs_page = published or registered
    if request.method == "POST" and form.validate_on_submit() and (not needs_page or request.form.get("confirm")):
        try:
            operations.set_published(g.event.id, published, current_user.id)
        except operations.AlreadyCancelled:
            flash(_("A cancelled event cannot be published again. Duplicate it to a new date instead."), "error")
        else:
            flash(_("The event is published.") if published else _("The event is now a draft and hidden."), "success")
        return redirect(url_for(".event_overview", slug=slug), code=303)
    return render_template("events/publish.html", event=g.event, form=form, published=published,
                           registered=registered, checks=services.publication_checks(g.event),
                           warnings=programme_warnings.find_warnings(g.event))


@bp.route("/manage/events/<slug>/cancel", methods=["GET", "POST"])
@event_access("manage")
def cancel_event(slug):
    form = forms.CancelEventForm()
    if form.validate_on_submit():
        try:
            emailed = operations.cancel_event(g.event.id, current_user.id, keyring.current(), form.message.data or "")
        except operations.AlreadyCancelled:
            flash(_("The event is already cancelled."), "error")
        else:
            flash(_("The event is cancelled and %(count)d registered people are being emailed.", count=emailed),
                  "success")
        return redirect(url_for(".event_overview", slug=slug), code=303)
    return render_template("events/cancel_event.html", event=g.event, form=form,
                           registered=operations.registered_count(g.event.id)), _status()


@bp.route("/manage/events/<slug>/delete", methods=["GET", "POST"])
@event_access("manage")
def delete_event(slug):
    form = ConfirmForm()
    registered = operations.registered_count(g.event.id)
    if request.method == "POST" and form.validate_on_submit():
        try:
            title = operations.delete_draft(g.event.id, current_user.id)
        except operations.NotADraft:
            flash(_("Only a draft that was never published can be deleted. Cancel the event instead."), "error")
        except operations.HasRegistrations:
            flash(_("People have registered for this event, so it cannot be deleted. Cancel it instead."), "error")
        else:
            flash(_("“%(title)s” is deleted.", title=title), "success")
            return redirect(url_for(".dashboard"), code=303)
        return redirect(url_for(".event_overview", slug=slug), code=303)
    return render_template("events/delete_event.html", event=g.event, form=form, registered=registered)


@bp.route("/manage/events/<slug>/duplicate", methods=["GET", "POST"])
@event_access("manage")
def duplicate(slug):
    form = forms.DuplicateForm()
    if request.method == "GET":
        form.title.data = g.event.title
    if form.validate_on_submit():
        try:
            copy = operations.duplicate_event(g.event.id, form.new_date.data, current_user.id, title=form.title.data,
                                              copy_team=form.copy_team.data)
        except operations.SameTitleAndDay:
            form.title.errors = [_("Another event already has this title on that day. Give the new one its own "
                                   "title, for example with its number or theme.")]
        else:
            flash(_("A copy is created as a draft on the new date. Check it and publish it."), "success")
            if copy.join_links_left_out:
                flash(_("The old meeting links are not copied: set the new join link (and the digital groups' "
                        "links) before you publish."), "warning")
            return redirect(url_for(".event_overview", slug=copy.event.slug), code=303)
    return render_template("events/duplicate.html", event=g.event, form=form), _status()


@bp.route("/manage/events/<slug>/programme/shift", methods=["GET", "POST"])
@event_access("manage")
def shift_programme(slug):
    form = forms.ShiftProgrammeForm()
    if form.validate_on_submit():
        shifted = operations.shift_programme(g.event.id, form.minutes.data, current_user.id, keyring.current(),
                                             with_event=form.with_event.data)
        flash(ngettext("%(num)d programme item moved.", "%(num)d programme items moved.", shifted.items_moved),
              "success")
        if shifted.told:
            flash(ngettext("%(num)d registered person is being emailed the new time.",
                           "%(num)d registered people are being emailed the new time.", shifted.told), "success")
        return redirect(url_for("programme.programme", slug=slug), code=303)
    return render_template("events/shift_programme.html", event=g.event, form=form), _status()


def _status() -> int:
    return 422 if request.method == "POST" else 200


@bp.route("/manage/events/<slug>/staff", methods=["GET", "POST"])
@event_access("manage")
def staff(slug):
    form = forms.StaffForm()
    if form.validate_on_submit():
        try:
            user = accounts.add_staff_by_email(g.event.id, form.email.data, form.role.data, current_user.id)
        except accounts.NoSuchAccount:
            form.email.errors = [_("There is no active account with that address. "
                                   "Invite a new door host below, or ask an administrator to invite an organiser.")]
        except accounts.HostCannotOrganise:
            form.role.errors = [_("A door host account cannot be an organiser of an event.")]
        else:
            flash(_("%(name)s is added.", name=user.name), "success")
            return redirect(url_for(".staff", slug=slug), code=303)
    return _staff_page(form=form, status=422 if request.method == "POST" else 200)


def _staff_page(form=None, invite=None, status=200):
    return render_template("events/staff.html", event=g.event, form=form or forms.StaffForm(formdata=None),
                           invite=invite or account_forms.InviteHostForm(formdata=None),
                           people=accounts.staff_of(g.event.id)), status


@bp.post("/manage/events/<slug>/staff/invite")
@event_access("manage")
def invite_host(slug):
    invite = account_forms.InviteHostForm()
    if invite.validate_on_submit():
        try:
            user = accounts.invite_host(g.event.id, invite.host_email.data, invite.host_name.data, utcnow(),
                                       current_user.id)
        except accounts.EmailTaken:
            invite.host_email.errors = [
                _("There is already an account with that address: add it by its address above.")]
        else:
            # Said under the invitation form, where the person is looking (the page opens there).
            flash(_("%(name)s is a door host of this event and an invitation is on its way to %(email)s.",
                    name=user.name, email=user.email), "success@invite")
            return redirect(url_for(".staff", slug=slug, _anchor="invite"), code=303)
    return _staff_page(invite=invite, status=422)


@bp.route("/manage/events/<slug>/staff/<id:user_id>/remove", methods=["GET", "POST"])
@event_access("manage")
def remove_staff(slug, user_id):
    person = next((row for row in accounts.staff_of(g.event.id) if row.user_id == user_id), None)
    if person is None:
        abort(404)
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            user = accounts.remove_staff(g.event.id, user_id, current_user.id)
        except accounts.NotStaff:
            abort(404)
        except accounts.LastOrganiser:
            flash(_("%(name)s is the event's only organiser and cannot be removed. "
                    "Add another organiser first.", name=person.user.name), "error")
        else:
            flash(_("%(name)s no longer works on this event.", name=user.name), "success")
            if user.id == current_user.id:
                return redirect(url_for(".dashboard"), code=303)
        return redirect(url_for(".staff", slug=slug), code=303)
    return render_template("events/remove_staff.html", event=g.event, person=person, form=form)


@bp.post("/manage/events/<slug>/staff/<id:user_id>/role")
@event_access("manage")
def change_staff_role(slug, user_id):
    form = account_forms.StaffRoleForm()
    if not form.validate_on_submit():
        flash(_("Choose organiser or door host."), "error")
        return redirect(url_for(".staff", slug=slug), code=303)
    try:
        user = accounts.change_staff_role(g.event.id, user_id, form.role.data, current_user.id)
    except accounts.NotStaff:
        abort(404)
    except accounts.HostCannotOrganise:
        flash(_("A door host account cannot be an organiser of an event."), "error")
    except accounts.LastOrganiser:
        flash(_("The event's only organiser cannot become a door host. Add another organiser first."), "error")
    else:
        flash(_("%(name)s is now an organiser of this event.", name=user.name) if form.role.data == "organiser"
              else _("%(name)s is now a door host of this event.", name=user.name), "success")
        if user.id == current_user.id and not accounts.can_manage(current_user, g.event):
            return redirect(url_for(".dashboard"), code=303)
    return redirect(url_for(".staff", slug=slug), code=303)


@bp.get("/manage/events/<slug>/audit")
@event_access("manage")
def audit_log(slug):
    actors = accounts.actors_in_log(g.event.id)
    form = audit_forms.AuditFilterForm(
        [(str(user.id), f"{user.name} ({user.email})") for user in actors] + [(str(audit.SYSTEM), _("System"))],
        formdata=request.args if request.args else None)
    filters = _audit_filters(form) if request.args and form.validate() else audit.Filters()
    page = audit.page_for_event(g.event.id, filters, request.args.get("page", 1, type=int))
    subjects = services.audit_subjects(g.event.id, page.entries)
    lines = [(entry, _audit_sentence(entry, subjects, slug)) for entry in page.entries]
    filtered = filters != audit.Filters()
    return render_template("events/audit.html", event=g.event, form=form, page=page, lines=lines,
                           filtered=filtered, page_url=_audit_page_url), 422 if form.errors else 200


def _audit_filters(form) -> audit.Filters:
    """The form's choices as the log's filters; dates are whole days where the event takes place."""
    zone = ZoneInfo(g.event.timezone)

    def midnight(day):
        return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)

    return audit.Filters(
        actions=tuple(labels.audit_actions_of_kind(form.kind.data)) if form.kind.data else None,
        actor_id=int(form.actor.data) if form.actor.data else None,
        since=midnight(form.since.data) if form.since.data else None,
        before=midnight(form.until.data + timedelta(days=1)) if form.until.data else None)


def _audit_page_url(number: int) -> str:
    return url_for(".audit_log", **{**request.view_args, **request.args.to_dict(), "page": number})


class _AuditWords(dict):
    """A sentence's placeholders; one the entry cannot fill reads as a dash rather than failing."""

    def __missing__(self, key):
        return "–"


# Which id in an entry's details names which thing, and the page that shows it.
_AUDIT_LINKS = (
    ("registration_id", "registration", "attendees.registration_detail"),
    ("item_id", "item", "programme.edit_item"),
    ("group_id", "group", "programme.edit_group"),
    ("person_id", "person", "programme.edit_person"),
)


def _audit_sentence(entry, subjects, slug) -> Markup:
    """The entry as a sentence in the reader's language, naming what it changed, with links."""
    details = entry.details if isinstance(entry.details, dict) else {}
    words = _AuditWords({key: value for key, value in details.items() if isinstance(value, int | str)})
    for key, placeholder, endpoint in _AUDIT_LINKS:
        if (ident := details.get(key)) is None:
            continue
        found = subjects.get(key, {}).get(ident)
        if found is None:  # since deleted or erased: the name the entry was written with
            words[placeholder] = entry.summary if key != "registration_id" else _("registration #%(id)s", id=ident)
        else:
            words[placeholder] = Markup('<a href="%s">%s</a>') % (
                url_for(endpoint, slug=slug, **{key: ident}), found[0])
    if (account := subjects.get("user_id", {}).get(details.get("user_id"))) is not None:
        words["account"] = f"{account[0]} ({account[1]})"
    if (source := subjects.get("source_event_id", {}).get(details.get("source_event_id"))) is not None:
        words["source"] = Markup('<a href="%s">%s</a>') % (url_for(".event_overview", slug=source[1]), source[0])
    if entry.action.startswith("questions."):
        words["question"] = entry.summary
    if "mailing_id" in details:
        words["mailing"] = Markup('<a href="%s">%s</a>') % (
            url_for("mailings.mailing", slug=slug, mailing_id=details["mailing_id"]), entry.summary)
    if "material_id" in details or entry.action.startswith("material."):
        words["material"] = Markup('<a href="%s">%s</a>') % (url_for("materials.manage_materials", slug=slug),
                                                             entry.summary)
    for key in ("role", "previous_role"):
        part = details.get(key, entry.summary if key == "role" else None)
        if part in labels.AUDIT_STAFF_PART:
            words[key] = labels.AUDIT_STAFF_PART[part]
    for key in ("mode", "previous_mode"):
        if details.get(key) in labels.AUDIT_MODE:
            words[key] = labels.AUDIT_MODE[details[key]]
    if isinstance(details.get("fields"), list):
        words["fields"] = ", ".join(str(labels.AUDIT_FIELD.get(name, name)) for name in details["fields"])
    _kind, sentence = labels.AUDIT_ACTION.get(entry.action, (None, entry.action))
    return Markup.escape(str(sentence)) % words
