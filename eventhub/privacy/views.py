"""Privacy pages: the attendee's consents, data download and erasure; the organiser's overview."""
from __future__ import annotations

import json

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from eventhub import keyring, workspace
from eventhub.accounts.access import event_access
from eventhub.extensions import csrf
from eventhub.fields import ConfirmForm
from eventhub.i18n import asked_language
from eventhub.privacy import services
from eventhub.registration.access import personal_link, unsubscribe_link
from eventhub.types import utcnow

bp = Blueprint("privacy", __name__)
workspace.add_link(85, "privacy.event_privacy", _l("Privacy"))


def _check_token_form() -> None:
    if not ConfirmForm().validate_on_submit():
        abort(400)


def _back(token: str):
    return redirect(url_for("registration.manage", token=token) + "#privacy", code=303)


# --- what templates use --------------------------------------------------------------------------

@bp.app_template_global()
def privacy_notice(event):
    """The event's notice (controller, text, retention periods, version)."""
    return services.notice_for(event)


@bp.app_template_global()
def accepted_notice_version(registration) -> str | None:
    return services.accepted_notice_version(registration.id)


# --- the attendee, from their own link -----------------------------------------------------------

@bp.post("/r/<token>/consents/special-category/withdraw")
@personal_link
def withdraw_special(registration, token):
    _check_token_form()
    try:
        services.withdraw_special_consent(registration.id, utcnow())
    except services.NothingToWithdraw:
        flash(_("You have no dietary or accessibility answers stored."), "info")
    else:
        flash(_("Your consent is withdrawn and your dietary and accessibility answers are deleted."), "success")
    return _back(token)


@bp.post("/r/<token>/consents/photo")
@personal_link
def photo_consent(registration, token):
    _check_token_form()
    consent = request.form.get("consent") == "1"
    services.set_photo_consent(registration.id, consent)  # a second click changes nothing
    flash(_("You agree to appear in photos from the event.") if consent else
          _("Your photo consent is withdrawn."), "success")
    return _back(token)


@bp.post("/r/<token>/consents/mailings")
@personal_link
def mailings_choice(registration, token):
    _check_token_form()
    wanted = request.form.get("wanted") == "1"
    services.set_mailings(registration.id, wanted, utcnow(), services.OWN_PAGE)  # a second click changes nothing
    flash(_mailings_said(wanted), "success")
    return _back(token)


def _mailings_said(wanted: bool) -> str:
    return (_("You get the organisers' emails about this event again.") if wanted else
            _("You get no more emails from the organisers about this event. Emails about your registration "
              "itself still reach you."))


# --- the unsubscribe link of the organisers' mailings (List-Unsubscribe, RFC 8058) ----------------

ONE_CLICK_FIELD, ONE_CLICK_VALUE = "List-Unsubscribe", "One-Click"


def _unsubscribe_page(registration, token):
    return render_template("privacy/unsubscribe.html", registration=registration, event=registration.event,
                           token=token)


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # a mail provider's one-click POST carries no form token: the link's own secret authorises it
@unsubscribe_link
def unsubscribe(registration, token):
    """GET: the page that says whether the person gets the organisers' mailings, with a button; it
    changes nothing (mail scanners and link previews fetch every link). POST with the body
    ``List-Unsubscribe=One-Click``: stops them at once, as RFC 8058 asks; again changes nothing.
    Answered here, never by a redirect."""
    if request.method == "POST":
        if request.form.get(ONE_CLICK_FIELD) != ONE_CLICK_VALUE:
            abort(400)
        services.set_mailings(registration.id, False, utcnow(), services.ONE_CLICK)
    return _unsubscribe_page(registration, token)


@bp.post("/unsubscribe/<token>/choice")
@unsubscribe_link
def unsubscribe_choice(registration, token):
    """The page's button (a form with its CSRF token): stop the mailings, or take them up again."""
    _check_token_form()
    wanted = request.form.get("wanted") == "1"
    services.set_mailings(registration.id, wanted, utcnow(), services.UNSUBSCRIBE_PAGE)
    flash(_mailings_said(wanted), "success")
    return redirect(url_for(".unsubscribe", token=token, lang=asked_language()), code=303)


@bp.get("/r/<token>/my-data.json")
@personal_link
def export_data(registration, token):
    data = services.download(registration.id, keyring.current(), utcnow())
    body = json.dumps(data, ensure_ascii=False, indent=2)
    response = current_app.response_class(body, mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="{registration.event.slug}-my-registration.json"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/r/<token>/erase", methods=["GET", "POST"])
@personal_link
def erase(registration, token):
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        services.erase(registration.id, utcnow(), keyring.current())
        return redirect(url_for(".erased"), code=303)
    return render_template("privacy/erase.html", registration=registration, event=registration.event, token=token,
                           form=form, will_cancel=services.erase_cancels(registration, utcnow())), \
        400 if request.method == "POST" else 200


@bp.get("/privacy/erased")
def erased():
    return render_template("privacy/erased.html")


# --- the organiser --------------------------------------------------------------------------------

@bp.get("/manage/events/<slug>/privacy")
@event_access("manage")
def event_privacy(slug):
    return render_template("privacy/event_privacy.html", event=g.event, figures=services.overview(g.event.id),
                           can_anonymise=services.can_anonymise_early(g.event, utcnow()))


@bp.route("/manage/events/<slug>/privacy/anonymise", methods=["GET", "POST"])
@event_access("manage")
def anonymise_event(slug):
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            count = services.anonymise_event(g.event.id, current_user.id, utcnow(), keyring.current())
        except services.EventNotOver:
            flash(_("An event's registrations can be anonymised once the event is over."), "error")
        else:
            flash(_("%(count)d registrations are anonymised.", count=count), "success")
        return redirect(url_for(".event_privacy", slug=slug), code=303)
    return render_template("privacy/anonymise.html", event=g.event, form=form, figures=services.overview(g.event.id),
                           can_anonymise=services.can_anonymise_early(g.event, utcnow())), \
        400 if request.method == "POST" else 200
