"""Emailing attendees (organisers): compose, preview, send through the outbox, progress."""
from __future__ import annotations

import secrets

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from eventhub import keyring, labels, workspace
from eventhub.accounts.access import event_access
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
    "selection": _l("People chosen in the attendee list"),
}


def audience_labels(event) -> dict[str, str]:
    """Words for every audience this event offers (and ever offered, for past mailings)."""
    names = {key: str(value) for key, value in AUDIENCE.items()}
    for group in groups.of_event(event.id):
        names[f"group:{group.id}"] = _("Discussion group %(group)s (%(mode)s, %(session)s): its members",
                                       group=group.title, mode=labels.MODE[group.mode], session=group.item.title)
    return names


def _label(names: dict[str, str], audience: str) -> str:
    return names.get(audience) or _("A discussion group that has since been removed")


def _form(event) -> MailingForm:
    form = MailingForm()
    names = audience_labels(event)
    form.audience.choices = [(key, names[key]) for key in services.audience_choices(event)]
    if form.audience.data is None:
        form.audience.data = "all"
    return form


def _compose_page(form, status=200):
    event = g.event
    counts = {key: services.recipient_count(event.id, key) for key, _label in form.audience.choices}
    hints = {key: ngettext("%(num)d person", "%(num)d people", count) for key, count in counts.items()}
    mailings = services.mailings_for(event.id)
    return render_template("mailings/compose.html", event=event, form=form, hints=hints, mailings=mailings,
                           progress=services.progress([m.id for m in mailings]),
                           names=audience_labels(event), label=_label), status


@bp.route("/", methods=["GET", "POST"])
@event_access("manage")
def compose(slug):
    """GET: the form and earlier mailings. POST: the preview (or, with ``edit``, the form again)."""
    form = _form(g.event)
    if request.method == "POST" and request.form.get("edit"):
        return _compose_page(form)  # back from the preview with what was typed
    if request.method == "GET" or not form.validate_on_submit():
        return _compose_page(form, 422 if request.method == "POST" else 200)
    people = services.recipients(g.event.id, form.audience.data)
    sample = None
    if people:
        subject, text = services.render(g.event, people[0], form.subject.data, form.body.data,
                                          keyring.current())
        sample = {"to": people[0], "subject": subject, "text": text}
    form.send_key.data = secrets.token_urlsafe(24)
    return render_template("mailings/preview.html", event=g.event, form=form, count=len(people), sample=sample,
                           audience=_label(audience_labels(g.event), form.audience.data))


@bp.post("/send")
@event_access("manage")
def send(slug):
    form = _form(g.event)
    if not form.validate_on_submit():
        return _compose_page(form, 422)
    try:
        mailing = services.send(g.event.id, form.audience.data, form.subject.data, form.body.data,
                                  current_user.id, keyring.current(), utcnow(),
                                  send_key=form.send_key.data or None)
    except services.NoRecipients:
        form.form_errors.append(_("Nobody is in that group of people any more, so nothing was sent."))
        return _compose_page(form, 422)
    except services.MailingError:
        form.form_errors.append(_("The email could not be sent. Check the subject and the message."))
        return _compose_page(form, 422)
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
                           audience=_label(audience_labels(g.event), record.audience))
