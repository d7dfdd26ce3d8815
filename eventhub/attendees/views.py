"""Attendee management and statistics (organisers).

The list is a plain GET form (search, filters, sort, pages), so it works without JavaScript
and every view of it has its own address. It has no CSRF token on purpose: it changes
nothing, and a token in a query string would end up in logs and Referer headers. Every
form that changes something is a POST with a token.
"""
from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from eventhub import i18n, keyring, labels, workspace
from eventhub.accounts.access import event_access
from eventhub.attendance import services as attendance
from eventhub.attendees import forms, operations
from eventhub.attendees import services as attendees
from eventhub.attendees import statistics as figures
from eventhub.events.services import is_past
from eventhub.fields import ConfirmForm
from eventhub.groups import services as groups
from eventhub.modes import Mode
from eventhub.questions import services as questions
from eventhub.registration import errors
from eventhub.registration.models import NOTE_MAX
from eventhub.registration.services import RegistrationInput
from eventhub.types import utcnow

bp = Blueprint("attendees", __name__, url_prefix="/manage/events/<slug>")
# Ids in addresses: larger numbers than the database's integers are simply not found (404).
workspace.add_link(30, "attendees.list_registrations", _l("Attendees"))
workspace.add_link(40, "attendees.statistics", _l("Statistics"))

NO_SEATS_LEFT = {
    "on_site": _l("There are no places left on site. Tick “Override the limit” to give a place anyway."),
    "digital": _l("There are no digital places left. Tick “Override the limit” to give a place anyway."),
}
SORT_LABELS = {
    "name": _l("Name, A to Ö"),
    "-name": _l("Name, Ö to A"),
    "-registered": _l("Newest registrations first"),
    "registered": _l("Oldest registrations first"),
    "organisation": _l("Organisation"),
}


def error_message(error: errors.RegistrationError) -> str:
    """One place that turns a rule the organiser's request broke into words."""
    if isinstance(error, errors.NoSeatsLeft):
        return str(NO_SEATS_LEFT[error.mode])
    if isinstance(error, errors.AlreadyCancelled):
        return _("This registration is cancelled.")
    if isinstance(error, errors.NotWaitlisted):
        return _("This person is no longer on the waitlist.")
    if isinstance(error, groups.NeedsSeatFirst):
        return _("Give the person a place at the event before placing them in a discussion group.")
    if isinstance(error, groups.GroupNotAllowed):
        return _("That discussion group is not open to the way this person takes part.")
    if isinstance(error, errors.ModeNotOffered):
        return _("This event cannot be attended that way.")
    if isinstance(error, errors.AlreadyRegistered):
        return _("That address is already registered for this event.")
    if isinstance(error, errors.RegistrationClosed):
        return _("The event is cancelled, so no one can be added.")
    if isinstance(error, errors.MissingEmail):
        return _("Enter the person's email address.")
    if isinstance(error, operations.InvalidChoice):
        return _("Choose one of the options.")
    if isinstance(error, operations.InvalidEmail):
        return _("Enter an email address like name@example.se.")
    if isinstance(error, operations.Anonymised):
        return _("This person's data has been erased, so there is nothing to change or send.")
    if isinstance(error, operations.NoteTooLong):
        return _("At most %(max)d characters.", max=NOTE_MAX)
    if isinstance(error, operations.LinkSentRecently):
        zone = g.event.timezone
        return _("The personal link was sent at %(sent)s. To keep it from flooding the person's inbox, it can be "
                 "sent again from %(again)s.", sent=i18n.time_filter(error.sent_at, zone),
                 again=i18n.time_filter(error.again_at, zone))
    return _("That could not be done.")


def _registration(registration_id: int):
    try:
        return operations.get_registration(g.event.id, registration_id)
    except operations.NotFound:
        abort(404)


def _raised_message(raised) -> str | None:
    if not raised:
        return None
    parts = [_("%(what)s now has %(seats)d places", what=labels.MODE.get(limit.what, limit.what), seats=limit.seats)
             for limit in raised]
    return _("The limit was raised: %(changes)s.", changes="; ".join(str(p) for p in parts))


def _flash_outcome(message: str, outcome: operations.Outcome) -> None:
    flash(message, "success")
    raised = _raised_message(outcome.raised)
    if raised:
        flash(raised, "info")


# --- the list ----------------------------------------------------------------------------------

@bp.get("/attendees")
@event_access("manage")
def list_registrations(slug):
    event_groups = groups.of_event(g.event.id)
    filters = attendees.Filters.from_args(request.args, {group.id for group in event_groups})
    result = attendees.page(g.event.id, filters)
    # The words for each row's values, translated once per page rather than once per row.
    names = {"mode": {key: str(value) for key, value in labels.MODE.items()},
             "sector": {key: str(value) for key, value in labels.SECTOR.items()},
             "status": dict(labels.registration_statuses())}
    return render_template(
        "attendees/list.html", event=g.event, page=result, filters=filters, groups=event_groups, names=names,
        typed_search=(request.args.get("q") or "")[:attendees.SEARCH_MAX], sectors=labels.SECTOR,
        statuses=labels.registration_statuses(), status_label=labels.registration_status, sorts=SORT_LABELS,
        special_form=ConfirmForm(), answer_filters=_answer_filters(),
    )


def _answer_filters() -> list[tuple[questions.Asked, list[tuple[str, str]]]]:
    """The list's answer filter: each question with choices (not special category), and its answers."""
    language = i18n.page_language()
    return [(question, [(f"{question.id}:{value}", questions.shown(question, value, language))
                        for value, _choice in question.values()])
            for question in questions.asked(g.event) if question.is_counted]


# --- one registration --------------------------------------------------------------------------

def _detail_page(registration, details_form=None, mode_form=None, promote_form=None, group_form=None,
                 email_form=None, note_form=None, email_in_use=None, status: int = 200):
    event = g.event
    allowed = [group for group in groups.of_event(event.id) if groups.may_join(event, Mode(registration.mode), group)]
    if details_form is None:
        details_form = forms.DetailsForm(formdata=None, obj=registration)
    if mode_form is None:
        mode_form = forms.MoveModeForm(formdata=None, mode=registration.mode)
    mode_form.set_choices(event)
    promote_form = promote_form or forms.PromoteForm(formdata=None)
    group_form = group_form or forms.GroupPlaceForm(formdata=None)
    group_form.set_choices(allowed)
    email_form = email_form or forms.EmailForm(formdata=None)
    note_form = note_form or forms.NoteForm(formdata=None, note=registration.organiser_note)
    places = attendees.groups_of([registration.id]).get(registration.id, [])
    values = questions.values_of(registration.id)
    answers = [(question, questions.shown(question, values.get(question.id), i18n.page_language()))
               for question in questions.asked(event)
               if question.asked_of(registration.mode) or question.id in values]
    return render_template(
        "attendees/detail.html", event=event, registration=registration, details_form=details_form,
        mode_form=mode_form, promote_form=promote_form, group_form=group_form, places=places,
        email_form=email_form, note_form=note_form, email_in_use=email_in_use, link_form=ConfirmForm(),
        link_pause_minutes=int(operations.LINK_PAUSE.total_seconds() // 60),
        remove_form=ConfirmForm(), sectors=labels.SECTOR, status_label=labels.registration_status, answers=answers,
    ), status


@bp.get("/attendees/<id:registration_id>")
@event_access("manage")
def registration_detail(slug, registration_id):
    return _detail_page(_registration(registration_id))


# The registration changed meanwhile (another organiser, the person themself): the form that was
# sent is no longer on the page, so the message goes above it.
STATE_CHANGED = (errors.AlreadyCancelled, errors.NotWaitlisted)


def _state_changed(registration, error):
    flash(error_message(error), "error")
    return _back(registration)


def _back(registration, anchor: str = ""):
    return redirect(url_for(".registration_detail", slug=g.event.slug, registration_id=registration.id) + anchor,
                    code=303)


def _group_full(name: str) -> str:
    return _("The group is full: %(name)s is on its waitlist. Tick “Override the limit” to "
             "give a place anyway.", name=name)


def _act(registration, form, form_slot: str, run, message, anchor: str = "", error_field=None):
    """One attendee action from the detail page: run it if the form is valid; a state that changed
    meanwhile goes back to the page with a message; a broken rule shows the form again (422)."""
    if form.validate_on_submit():
        try:
            outcome = run()
        except STATE_CHANGED as error:
            return _state_changed(registration, error)
        except errors.RegistrationError as error:
            if error_field is not None:
                error_field.errors = [*error_field.errors, error_message(error)]
            else:
                form.form_errors.append(error_message(error))
        else:
            _flash_outcome(message(outcome), outcome)
            return _back(registration, anchor)
    return _detail_page(registration, status=422, **{form_slot: form})


@bp.post("/attendees/<id:registration_id>/details")
@event_access("manage")
def edit_details(slug, registration_id):
    registration = _registration(registration_id)
    form = forms.DetailsForm()
    if form.validate_on_submit():
        details = operations.Details(name=form.name.data, organisation=form.organisation.data or "",
                                     role_title=form.role_title.data or "", sector=form.sector.data,
                                     language=form.language.data)
        try:
            operations.update_details(g.event.id, registration.id, details, current_user.id)
        except errors.RegistrationError as error:
            form.form_errors.append(error_message(error))
        else:
            flash(_("The details are saved."), "success")
            return _back(registration)
    return _detail_page(registration, details_form=form, status=422)


@bp.post("/attendees/<id:registration_id>/email")
@event_access("manage")
def change_email(slug, registration_id):
    registration = _registration(registration_id)
    form = forms.EmailForm()
    in_use, had_address = None, bool(registration.email)
    if form.validate_on_submit():
        try:
            changed = operations.change_email(g.event.id, registration.id, form.email.data, current_user.id,
                                              utcnow(), keyring.current())
        except STATE_CHANGED as error:
            return _state_changed(registration, error)
        except errors.AlreadyRegistered as error:
            in_use = operations.get_registration(g.event.id, error.registration_id)
            form.email.errors = [*form.email.errors, _("Another registration of this event already uses that "
                                                       "address. Each address can be registered once.")]
        except errors.RegistrationError as error:
            form.email.errors = [*form.email.errors, error_message(error)]
        else:
            flash(_("That is already the person's address: nothing was changed.") if not changed else
                  _("The address is changed. %(name)s is emailed at both addresses: the new one has the "
                    "personal link.", name=registration.name) if had_address else
                  _("The address is added and %(name)s is emailed the personal link.", name=registration.name),
                  "success@email" if changed else "info@email")
            return _back(registration, "#email")
    return _detail_page(registration, email_form=form, email_in_use=in_use, status=422)


@bp.post("/attendees/<id:registration_id>/link")
@event_access("manage")
def send_link(slug, registration_id):
    registration = _registration(registration_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        operations.send_link(g.event.id, registration.id, current_user.id, utcnow(), keyring.current())
    except errors.RegistrationError as error:
        flash(error_message(error), "error@link")
    else:
        flash(_("The personal link is sent to %(email)s.", email=registration.email), "success@link")
    return _back(registration, "#link")


@bp.post("/attendees/<id:registration_id>/note")
@event_access("manage")
def edit_note(slug, registration_id):
    registration = _registration(registration_id)
    form = forms.NoteForm()
    if form.validate_on_submit():
        try:
            operations.update_note(g.event.id, registration.id, form.note.data or "", current_user.id)
        except errors.RegistrationError as error:
            form.note.errors = [*form.note.errors, error_message(error)]
        else:
            flash(_("The note is saved."), "success@note")
            return _back(registration, "#note")
    return _detail_page(registration, note_form=form, status=422)


@bp.post("/attendees/<id:registration_id>/mode")
@event_access("manage")
def move_mode(slug, registration_id):
    registration = _registration(registration_id)
    form = forms.MoveModeForm()
    form.set_choices(g.event)
    return _act(registration, form, "mode_form",
                lambda: operations.change_mode(g.event.id, registration.id, form.mode.data, current_user.id,
                                               utcnow(), keyring.current(), override=form.override.data),
                lambda outcome: _("%(name)s now takes part: %(mode)s.", name=outcome.registration.name,
                                  mode=labels.MODE[outcome.registration.mode]))


@bp.post("/attendees/<id:registration_id>/promote")
@event_access("manage")
def promote(slug, registration_id):
    registration = _registration(registration_id)
    form = forms.PromoteForm()
    return _act(registration, form, "promote_form",
                lambda: operations.promote(g.event.id, registration.id, current_user.id, utcnow(), keyring.current(),
                                           override=form.override.data),
                lambda outcome: _("%(name)s has a place now and is emailed.", name=outcome.registration.name))


@bp.post("/attendees/<id:registration_id>/group")
@event_access("manage")
def place_in_group(slug, registration_id):
    registration = _registration(registration_id)
    form = forms.GroupPlaceForm()
    form.set_choices(groups.of_event(g.event.id))
    return _act(registration, form, "group_form",
                lambda: operations.place_in_group(g.event.id, registration.id, int(form.group.data),
                                                  current_user.id, keyring.current(), override=form.override.data),
                lambda outcome: _("%(name)s has a place in the group.", name=outcome.registration.name)
                if outcome.membership.is_confirmed else _group_full(outcome.registration.name),
                anchor="#groups", error_field=form.group)


@bp.post("/attendees/<id:registration_id>/groups/<id:group_id>/remove")
@event_access("manage")
def remove_from_group(slug, registration_id, group_id):
    registration = _registration(registration_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        operations.remove_from_group(g.event.id, registration.id, group_id, current_user.id, keyring.current())
    except operations.NotFound:
        abort(404)
    flash(_("%(name)s is no longer in the group.", name=registration.name), "success")
    return _back(registration, "#groups")


@bp.route("/attendees/<id:registration_id>/cancel", methods=["GET", "POST"])
@event_access("manage")
def cancel(slug, registration_id):
    registration = _registration(registration_id)
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            operations.cancel_registration(g.event.id, registration.id, current_user.id, utcnow(), keyring.current())
        except errors.RegistrationError as error:
            flash(error_message(error), "error")
        else:
            flash(_("The registration is cancelled and %(name)s is emailed.", name=registration.name), "success")
        return _back(registration)
    return render_template("attendees/cancel.html", event=g.event, registration=registration, form=form), \
        422 if request.method == "POST" else 200


# --- adding by hand ----------------------------------------------------------------------------

@bp.route("/attendees/new", methods=["GET", "POST"])
@event_access("manage")
def add_registration(slug):
    form = forms.AddForm()
    form.set_choices(g.event, groups.of_event(g.event.id))
    existing_id = None
    if form.validate_on_submit():
        data = RegistrationInput(
            name=form.name.data, email=form.email.data, mode=form.mode.data, organisation=form.organisation.data or "",
            role_title=form.role_title.data or "", sector=form.sector.data, language=form.language.data,
            dietary_needs=form.dietary_needs.data or "", accessibility_needs=form.accessibility_needs.data or "",
            special_consent=form.special_consent.data, photo_consent=form.photo_consent.data,
            privacy_accepted=form.informed.data, group_id=int(form.group.data) if form.group.data else None,
        )
        try:
            outcome = operations.add_registration(g.event.id, data, current_user.id, utcnow(), keyring.current(),
                                                  override=form.override.data)
        except errors.AlreadyRegistered as error:
            existing_id = error.registration_id
            form.email.errors = [*form.email.errors, error_message(error)]
        except groups.GroupNotAllowed as error:
            form.group.errors = [*form.group.errors, error_message(error)]
        except errors.RegistrationError as error:
            form.form_errors.append(error_message(error))
        else:
            registration = outcome.registration
            _flash_outcome(_("%(name)s is registered and emailed a confirmation.", name=registration.name)
                           if registration.is_confirmed else
                           _("%(name)s is on the waitlist and emailed about it.", name=registration.name), outcome)
            if data.group_id and not (outcome.membership and outcome.membership.is_confirmed):
                # The chosen group was not given: full (its waitlist), or no event seat yet.
                flash(_group_full(registration.name) if outcome.membership else
                      _("The group is kept as their wish: when they get a place at the event, they get a place "
                        "in the group too (or on its waitlist if it is full).") if registration.group_wish_id else
                      _("Give the person a place at the event before placing them in a discussion group."), "info")
            return _back(registration)
    return render_template("attendees/add.html", event=g.event, form=form, existing_id=existing_id), \
        422 if request.method == "POST" else 200


# --- statistics --------------------------------------------------------------------------------

@bp.get("/statistics")
@event_access("manage")
def statistics(slug):
    return render_template("attendees/statistics.html", event=g.event,
                           stats=figures.for_event(g.event, i18n.page_language()),
                           sectors=labels.SECTOR, status_label=labels.registration_status,
                           attendance=attendance.day_figures(g.event.id), is_past=is_past(g.event, utcnow()))


# --- several at once: the list's bulk actions --------------------------------------------------
# The list's form posts the ticked rows (or "all N matching" with the filters) here; emailing and
# exporting them are the mailings' and the exports' own pages, posted to from the same form.

BULK_REASONS = {
    "no_seats_on_site": _l("no places left on site"),
    "no_seats_digital": _l("no digital places left"),
    "cancelled": _l("the registration is cancelled"),
    "mode_not_offered": _l("the event cannot be attended that way"),
    "waitlisted": _l("on the waitlist, without a place"),
    "digital": _l("takes part digitally"),
    "replaced": _l("the ticket has been replaced"),
}
NAMES_SHOWN = 10


def _names(people) -> str:
    names = [person.name for person in people]
    if len(names) > NAMES_SHOWN:
        return _("%(names)s and %(num)d more", names=", ".join(names[:NAMES_SHOWN]), num=len(names) - NAMES_SHOWN)
    return ", ".join(names)


def _flash_bulk(outcome: operations.BulkOutcome, done: str, unchanged) -> None:
    """What happened, person by person: how many were done, who was already so, who could not and why.
    ``unchanged(num, names)`` words those who already were so."""
    flash(done, "success" if outcome.done else "info")
    if outcome.unchanged:
        flash(unchanged(len(outcome.unchanged), _names(outcome.unchanged)), "info")
    by_reason: dict[str, list] = {}
    for person, reason in outcome.refused:
        by_reason.setdefault(reason, []).append(person)
    for reason, people in by_reason.items():
        words = BULK_REASONS.get(reason) or _("that could not be done")
        flash(_("%(num)d could not: %(reason)s (%(names)s).", num=len(people), reason=words, names=_names(people)),
              "error")


def _group_ids() -> set[int]:
    return {group.id for group in groups.of_event(g.event.id)}


def _bulk_request() -> tuple[list[int], attendees.Filters]:
    """The chosen registrations' ids (name order) and the list's filters, to go back to the same view."""
    if not forms.BulkForm().validate_on_submit():
        abort(400)
    group_ids = _group_ids()
    ids, matching = forms.selection_from(request.form, group_ids)
    return attendees.selected_ids(g.event.id, ids, matching), attendees.Filters.from_args(request.form, group_ids)


def _to_list(filters: attendees.Filters):
    return redirect(url_for(".list_registrations", slug=g.event.slug, **filters.query_args()), code=303)


def _nobody(filters: attendees.Filters):
    flash(_("Choose at least one person in the list first."), "error")
    return _to_list(filters)


@bp.post("/attendees/bulk/mode")
@event_access("manage")
def bulk_move(slug):
    ids, shown = _bulk_request()
    mode = request.form.get("to_mode", "")  # "mode" is the list's filter, kept for the way back
    if not ids:
        return _nobody(shown)
    if mode not in {m.value for m in g.event.modes}:
        abort(400)
    outcome = operations.change_mode_of_many(g.event.id, ids, mode, current_user.id, utcnow(), keyring.current())
    _flash_bulk(outcome, ngettext("%(num)d moved: %(mode)s.", "%(num)d moved: %(mode)s.", len(outcome.done),
                                  mode=labels.MODE[mode]),
                lambda num, names: ngettext("%(num)d already takes part that way (%(names)s).",
                                            "%(num)d already take part that way (%(names)s).", num, names=names))
    return _to_list(shown)


@bp.post("/attendees/bulk/check-in")
@event_access("manage")
def bulk_check_in(slug):
    ids, shown = _bulk_request()
    if not ids:
        return _nobody(shown)
    outcome = operations.check_in_many(g.event.id, ids, current_user.id, utcnow())
    _flash_bulk(outcome, ngettext("%(num)d checked in.", "%(num)d checked in.", len(outcome.done)),
                lambda num, names: ngettext("%(num)d was already checked in (%(names)s).",
                                            "%(num)d were already checked in (%(names)s).", num, names=names))
    return _to_list(shown)


@bp.post("/attendees/bulk/cancel")
@event_access("manage")
def bulk_cancel(slug):
    """First the page that lists who would be cancelled; its button cancels exactly them."""
    ids, shown = _bulk_request()
    if not ids:
        return _nobody(shown)
    if request.form.get("confirmed") != "1":
        people = attendees.people(g.event.id, ids)
        return render_template("attendees/bulk_cancel.html", event=g.event, form=forms.BulkForm(),
                               people=[p for p in people if not p.is_cancelled],
                               cancelled=[p for p in people if p.is_cancelled], filters=shown,
                               status_label=labels.registration_status, names={
                                   "mode": {key: str(value) for key, value in labels.MODE.items()}})
    outcome = operations.cancel_many(g.event.id, ids, current_user.id, utcnow(), keyring.current())
    _flash_bulk(outcome, ngettext("%(num)d registration is cancelled and emailed.",
                                  "%(num)d registrations are cancelled and emailed.", len(outcome.done)),
                lambda num, names: ngettext("%(num)d was already cancelled (%(names)s).",
                                            "%(num)d were already cancelled (%(names)s).", num, names=names))
    return _to_list(shown)
