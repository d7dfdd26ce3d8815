"""The organiser's reminders: their times and words, a preview of each as a person gets it, who has had it."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from eventhub import i18n, keyring, labels, workspace
from eventhub.accounts.access import event_access
from eventhub.fields import ConfirmForm
from eventhub.modes import Mode
from eventhub.reminders import services
from eventhub.reminders.forms import PracticalForm, ReminderForm
from eventhub.reminders.models import DeliveryKind
from eventhub.types import utcnow

bp = Blueprint("reminders", __name__, url_prefix="/manage/events/<slug>/reminders")
workspace.add_link(47, "reminders.reminders", _l("Reminders"))

KIND = {
    DeliveryKind.ON_SITE: _l("On site"),
    DeliveryKind.DIGITAL: _l("Digital"),
    DeliveryKind.WAITLIST: _l("Waitlist note"),
}
OUTCOME = {
    "sent": _l("Delivered to the mail server"),
    "waiting": _l("Waiting to be sent"),
    "failed": _l("Not delivered"),
    "gone": _l("Sent (no longer kept)"),
}


def lead_words(minutes: int) -> str:
    """ "2 days before the start" """
    if minutes % (24 * 60) == 0:
        days = minutes // (24 * 60)
        return ngettext("%(num)d day before the start", "%(num)d days before the start", days)
    if minutes % 60 == 0:
        return ngettext("%(num)d hour before the start", "%(num)d hours before the start", minutes // 60)
    return ngettext("%(num)d minute before the start", "%(num)d minutes before the start", minutes)


def error_message(error: services.ReminderError) -> str:
    if isinstance(error, services.SameTime):
        return _("The event already has a reminder at that time.")
    if isinstance(error, services.TimePassed):
        return _("That moment has passed (%(when)s): a reminder goes out at a moment still ahead.",
                 when=f"{i18n.datetime_filter(error.due_at, g.event.timezone)}, "
                      f"{i18n.zone_filter(error.due_at, g.event.timezone)}")
    if isinstance(error, services.BadLink):
        return _("Enter a full link starting with https://.")
    if isinstance(error, services.TooLong):
        return _("The text is too long.")
    return _("Choose a time between 15 minutes and 60 days before the start.")


def _page(form=None, practical=None, status=200):
    event = g.event
    if practical is None:
        practical = PracticalForm(formdata=None, directions=event.directions,
                                  platform_test_url=event.platform_test_url)
    return render_template(
        "reminders/index.html", event=event, standings=services.standings(event, utcnow()),
        form=form or ReminderForm(formdata=None), practical=practical, lead_words=lead_words,
        kinds=services.preview_kinds(event), kind_names=KIND,
        registration_opens_at=services.registration_opens_at(event.id),
    ), status


@bp.get("")
@event_access("manage")
def reminders(slug):
    return _page()[0]


@bp.post("")
@event_access("manage")
def add_reminder(slug):
    form = ReminderForm()
    if not form.validate_on_submit():
        return _page(form, status=422)
    try:
        reminder = services.add(g.event.id, form.minutes_before, form.intro_sv.data or "", form.intro_en.data or "",
                                current_user.id, utcnow())
    except services.ReminderError as error:
        form.form_errors.append(error_message(error))
        return _page(form, status=422)
    flash(_("The reminder %(when)s is added.", when=lead_words(reminder.minutes_before)), "success")
    return redirect(url_for(".reminders", slug=slug), code=303)


@bp.post("/practical")
@event_access("manage")
def save_practical(slug):
    practical = PracticalForm()
    if not practical.validate_on_submit():
        return _page(practical=practical, status=422)
    event = g.event  # a field the page does not show (the event has no such mode) keeps its value
    directions = practical.directions.data or "" if Mode.ON_SITE in event.modes else event.directions
    test_url = practical.platform_test_url.data if Mode.DIGITAL in event.modes else event.platform_test_url
    try:
        services.save_practical(event.id, directions, test_url, current_user.id)
    except services.ReminderError as error:
        practical.form_errors.append(error_message(error))
        return _page(practical=practical, status=422)
    flash(_("The practical information is saved."), "success")
    return redirect(url_for(".reminders", slug=slug) + "#practical-heading", code=303)


def _reminder(reminder_id: int):
    try:
        return services.get(g.event.id, reminder_id)
    except services.NotFound:
        abort(404)


@bp.route("/<id:reminder_id>", methods=["GET", "POST"])
@event_access("manage")
def edit_reminder(slug, reminder_id):
    reminder = _reminder(reminder_id)
    form = ReminderForm() if request.method == "POST" else ReminderForm(formdata=None)
    if request.method == "GET":
        form.fill_from(reminder)
    elif form.validate_on_submit():
        try:
            services.change(g.event.id, reminder.id, form.minutes_before, form.intro_sv.data or "",
                            form.intro_en.data or "", current_user.id, utcnow())
        except services.ReminderError as error:
            form.form_errors.append(error_message(error))
        else:
            flash(_("The reminder is saved."), "success")
            return redirect(url_for(".reminders", slug=slug), code=303)
    standing = next(s for s in services.standings(g.event, utcnow()) if s.reminder.id == reminder.id)
    status = 422 if request.method == "POST" else 200
    return render_template("reminders/reminder.html", event=g.event, reminder=reminder, standing=standing, form=form,
                           deliveries=services.deliveries(reminder), lead_words=lead_words, kind_names=KIND,
                           outcomes=OUTCOME, kinds=services.preview_kinds(g.event)), status


@bp.route("/<id:reminder_id>/remove", methods=["GET", "POST"])
@event_access("manage")
def remove_reminder(slug, reminder_id):
    reminder = _reminder(reminder_id)
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        words = lead_words(reminder.minutes_before)
        services.remove(g.event.id, reminder.id, current_user.id)
        flash(_("The reminder %(when)s is removed.", when=words), "success")
        return redirect(url_for(".reminders", slug=slug), code=303)
    return render_template("reminders/remove.html", event=g.event, reminder=reminder, form=form,
                           lead_words=lead_words, delivered=len(reminder.deliveries))


@bp.get("/<id:reminder_id>/preview")
@event_access("manage")
def preview(slug, reminder_id):
    """The reminder as a made-up person gets it: by how they take part (``kind``) and in ``language``."""
    reminder = _reminder(reminder_id)
    kinds = services.preview_kinds(g.event)
    try:
        kind = DeliveryKind(request.args.get("kind", ""))
    except ValueError:
        kind = kinds[0]
    if kind not in kinds:
        kind = kinds[0]
    language = request.args.get("language")
    if language not in labels.LANGUAGE:
        language = i18n.page_language()
    with force_locale(language):
        name = _("Alex Example")
    draft = services.preview(reminder, kind, language, name, keyring.current(), utcnow())
    return render_template("reminders/preview.html", event=g.event, reminder=reminder, draft=draft, kind=kind,
                           language=language, kinds=kinds, kind_names=KIND, lead_words=lead_words)
