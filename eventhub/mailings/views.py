"""Emailing attendees (organisers): compose, preview, send through the outbox, progress."""
from __future__ import annotations

import secrets

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from eventhub import keyring, labels, workspace
from eventhub.accounts.access import event_access
from eventhub.attendees import services as attendees
from eventhub.attendees.forms import BulkForm, selection_from
from eventhub.groups import services as groups
from eventhub.mailings import services
from eventhub.mailings.forms import MailingForm
from eventhub.types import utcnow

bp = Blueprint("mailings", __name__, url_prefix="/manage/events/<slug>/email")
workspace.add_link(50, "mailings.compose", _l("Email"))

AUDIENCE = {
    "all": _l("Everyone registered, the waitlist included"),
    "confirmed": _l("Everyone with a place (not the waitlist)"),
    "waitlist": _l("Everyone on the waitlist"),
    "not_checked_in": _l("Everyone with a place on site who has not been checked in"),
    "on_site": _l("Everyone taking part on site, their waitlist included"),
    "digital": _l("Everyone taking part digitally, their waitlist included"),
    "no_group": _l("Everyone in no discussion group (neither a place nor a group's waitlist)"),
    "attended_on_site": _l("Everyone who was checked in at the door"),
    "attended_online": _l("Everyone who took part online"),
    "no_show": _l("Everyone with a place who came neither on site nor online"),
    "selection": _l("People chosen in the attendee list"),
}


# Why an email was given up on (mail.transports.Undeliverable.REASONS), for its organisers.
UNDELIVERED_REASON = {
    "recipient_refused": _l("The receiving mail server does not accept this address. Check it for typing errors."),
    "message_refused": _l("The receiving mail server refused the email."),
    "sender_refused": _l("Our mail server refused to send it. Tell the administrator."),
    "unbuildable": _l("EventHub could not put this email together. Tell the administrator."),
    "needs_smtputf8": _l("The address has letters such as å, ä or ö before the @, and our mail server cannot send "
                         "to such addresses (it does not offer SMTPUTF8). Ask the person for another address."),
}


def _reasons() -> dict[str, str]:
    return {key: str(value) for key, value in UNDELIVERED_REASON.items()}


def audience_labels(event) -> dict[str, str]:
    """Words for every audience this event offers (and ever offered, for past mailings)."""
    names = {key: str(value) for key, value in AUDIENCE.items()}
    for group in groups.of_event(event.id):
        names[f"group:{group.id}"] = _("Discussion group %(group)s (%(mode)s, %(session)s): its members",
                                       group=group.title, mode=labels.MODE[group.mode], session=group.item.title)
    return names


def _label(names: dict[str, str], audience: str) -> str:
    return names.get(audience) or _("A discussion group that has since been removed")


def _chosen_ids() -> list[int]:
    """The people chosen in the attendee list, carried from page to page as hidden fields."""
    return [int(value) for value in request.form.getlist("ids") if value.isdigit() and len(value) <= 12]


def _form(event, selection: bool = False) -> MailingForm:
    form = MailingForm()
    names = audience_labels(event)
    keys = [services.SELECTION] if selection else services.audience_choices(event, utcnow())
    form.audience.choices = [(key, names[key]) for key in keys]
    if form.audience.data is None or selection:
        form.audience.data = keys[0]
    return form


def _reach_hint(reach: services.Reach) -> str:
    """How many an audience reaches, and how many who stopped these emails it skips."""
    hint = ngettext("%(num)d person", "%(num)d people", reach.recipients)
    if reach.unsubscribed:
        hint += "; " + ngettext("%(num)d more stopped these emails and is skipped",
                                "%(num)d more stopped these emails and are skipped", reach.unsubscribed)
    return hint


def _compose_page(form, status=200, chosen: list[int] | None = None):
    event = g.event
    mailings = services.mailings_for(event.id)
    context = {}
    if chosen is not None:
        people = services.recipients(event.id, services.SELECTION, chosen)
        skipped = services.reach(event.id, services.SELECTION, chosen).unsubscribed
        context = {"chosen": chosen, "people": people, "unsubscribed": skipped,
                   "unreachable": len(chosen) - len(people) - skipped}
        hints = {}
    else:
        hints = {key: _reach_hint(services.reach(event.id, key)) for key, _label in form.audience.choices}
    return render_template("mailings/compose.html", event=event, form=form, hints=hints, mailings=mailings,
                           progress=services.progress([m.id for m in mailings]),
                           names=audience_labels(event), label=_label, undelivered=services.undelivered(event.id),
                           reasons=_reasons(), **context), status


def _is_selection() -> bool:
    return request.form.get("audience") == services.SELECTION


@bp.route("/", methods=["GET", "POST"])
@event_access("manage")
def compose(slug):
    """GET: the form and earlier mailings. POST: the preview (or, with ``edit``, the form again)."""
    selection = request.method == "POST" and _is_selection()
    chosen = _chosen_ids() if selection else None
    form = _form(g.event, selection)
    if request.method == "POST" and request.form.get("edit"):
        return _compose_page(form, chosen=chosen)  # back from the preview with what was typed
    if request.method == "GET" or not form.validate_on_submit():
        return _compose_page(form, 422 if request.method == "POST" else 200, chosen=chosen)
    people = services.recipients(g.event.id, form.audience.data, chosen or ())
    skipped = services.reach(g.event.id, form.audience.data, chosen or ()).unsubscribed
    language = get_locale().language if get_locale() else "sv"
    subject, text = services.render_sample(g.event, form.subject.data, form.body.data, language)
    form.send_key.data = secrets.token_urlsafe(24)
    return render_template("mailings/preview.html", event=g.event, form=form, count=len(people), people=people,
                           unsubscribed=skipped,
                           sample={"subject": subject, "text": text, "language": language}, chosen=chosen,
                           audience=_label(audience_labels(g.event), form.audience.data))


@bp.post("/chosen")
@event_access("manage")
def compose_for_chosen(slug):
    """From the attendee list's bulk form: the compose page for exactly the people chosen there."""
    if not BulkForm().validate_on_submit():
        abort(400)
    group_ids = {group.id for group in groups.of_event(g.event.id)}
    ids, matching = selection_from(request.form, group_ids)
    chosen = attendees.selected_ids(g.event.id, ids, matching)
    if not chosen:
        flash(_("Choose at least one person in the list first."), "error")
        return redirect(url_for("attendees.list_registrations", slug=slug,
                                **attendees.Filters.from_args(request.form, group_ids).query_args()), code=303)
    form = _form(g.event, selection=True)
    form.subject.data, form.body.data = "", ""
    return _compose_page(form, chosen=chosen)


@bp.post("/send")
@event_access("manage")
def send(slug):
    selection = _is_selection()
    chosen = _chosen_ids() if selection else None
    form = _form(g.event, selection)
    if not form.validate_on_submit():
        return _compose_page(form, 422, chosen=chosen)
    try:
        mailing = services.send(g.event.id, form.audience.data, form.subject.data, form.body.data,
                                  current_user.id, keyring.current(), utcnow(),
                                  send_key=form.send_key.data or None, registration_ids=chosen or ())
    except services.NoRecipients:
        form.form_errors.append(_("Nobody is in that group of people any more, so nothing was sent."))
        return _compose_page(form, 422, chosen=chosen)
    except services.MailingError:
        form.form_errors.append(_("The email could not be sent. Check the subject and the message."))
        return _compose_page(form, 422, chosen=chosen)
    flash(ngettext("The email is queued for %(num)d person.", "The email is queued for %(num)d people.",
                   mailing.recipient_count), "success")
    return redirect(url_for(".mailing", slug=slug, mailing_id=mailing.id), code=303)


@bp.get("/<id:mailing_id>")
@event_access("manage")
def mailing(slug, mailing_id):
    record = services.mailing_of(g.event.id, mailing_id)
    if record is None:
        abort(404)
    return render_template("mailings/mailing.html", event=g.event, mailing=record,
                           progress=services.progress([record.id])[record.id],
                           failing=services.failing_addresses(record.id),
                           undelivered=services.undelivered(g.event.id, record.id), reasons=_reasons(),
                           audience=_label(audience_labels(g.event), record.audience))
