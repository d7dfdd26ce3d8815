"""Registration (the public form) and the attendee's own page behind their secret link."""
from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError

from eventhub import i18n, keyring, labels
from eventhub.accounts.access import event_access
from eventhub.attendance import services as attendance
from eventhub.events import services as events
from eventhub.extensions import limiter
from eventhub.fields import ConfirmForm
from eventhub.groups import services as groups
from eventhub.modes import Mode
from eventhub.programme import services as programme
from eventhub.questions import forms as question_forms
from eventhub.questions import services as questions
from eventhub.registration import access, errors, forms, qr, services, tokens
from eventhub.registration.access import personal_link
from eventhub.text import normalise_email
from eventhub.types import utcnow

bp = Blueprint("registration", __name__)

NO_SEATS_LEFT = {
    "on_site": _l("There are no places left on site. Your registration is unchanged."),
    "digital": _l("There are no digital places left. Your registration is unchanged."),
}


def error_message(error: errors.RegistrationError) -> str:
    """One place that turns a rule the request broke into words for the person."""
    if isinstance(error, errors.RegistrationClosed):
        return str(labels.REGISTRATION_CLOSED[error.reason])
    if isinstance(error, errors.NoSeatsLeft):
        return str(NO_SEATS_LEFT[error.mode])
    if isinstance(error, errors.ModeNotOffered):
        return _("This event cannot be attended that way.")
    if isinstance(error, groups.GroupChoiceClosed):
        return _("Choosing a discussion group is not open right now.")
    if isinstance(error, groups.GroupNotAllowed):
        return _("That discussion group is not open to the way you take part. Choose a group for your mode.")
    if isinstance(error, groups.NeedsSeatFirst):
        return _("You can choose a discussion group once you have a place.")
    if isinstance(error, questions.AnswersInvalid):
        return _("Check your answers to the questions and send the form again.")
    if isinstance(error, errors.AlreadyCancelled):
        return _("This registration is cancelled.")
    if isinstance(error, errors.NotWaitlisted):
        return _("You are no longer on the waitlist: you have a place now. If you cannot come, cancel your "
                 "registration below.")
    return _("That could not be done.")


def _load_event(slug):
    event = services.get_event_for_registration(slug)
    if event is None:
        abort(404)
    return event


def _registration_limit():
    return current_app.config["REGISTRATION_RATE_LIMIT"]


def _registration_email_limit():
    return current_app.config["REGISTRATION_EMAIL_RATE_LIMIT"]


def _posted_email() -> str:
    return normalise_email(request.form.get("email", ""))[:254]


def _email_key() -> str:
    return f"email:{_posted_email()}"


@bp.errorhandler(429)
def too_many_attempts(_error):
    """Over the limit: show the form again with what was typed, and say why nothing was saved.

    The register view and the page that sends a person their link are rate-limited in this blueprint.
    """
    event = _load_event(request.view_args["slug"])
    if request.endpoint == "registration.my_link":
        form = forms.MyLinkForm()
        form.form_errors.append(_("You have sent this form many times in a short while. Nothing was sent: "
                                  "wait a minute and send it again."))
        html = render_template("registration/my_link.html", event=event, form=form, sent=False)
        return current_app.response_class(html, status=429, headers={"Retry-After": "60"})
    form, groups = forms.registration_form(event, request.form)
    form.form_errors.append(_("You have sent this form many times in a short while. Nothing was saved: "
                              "wait a minute and send it again."))
    html = render_template("registration/register.html", event=event, form=form, groups=groups, state="open",
                           closed_message=None)
    return current_app.response_class(html, status=429, headers={"Retry-After": "60"})


@bp.errorhandler(CSRFError)
def form_expired(_error):
    """The form's token was missing or did not match the session (e.g. the browser was restarted).

    CSRFProtect refuses the request before the view runs, so nothing is saved. The registration
    form comes back with what was typed and says why; other forms get the message in the site layout.
    """
    message = _("The form had expired, so nothing was saved. Check your answers and send it again.")
    if request.endpoint == "registration.register":
        event = _load_event(request.view_args["slug"])
        form, groups = forms.registration_form(event, request.form)
        form.validate()  # marks the token, so the form's error summary explains, and any field to fix
        state = services.registration_state(event, utcnow())
        return render_template("registration/register.html", event=event, form=form, groups=groups, state=state,
                               closed_message=labels.REGISTRATION_CLOSED.get(state)), 400
    return render_template("errors/error.html", code=400, title=_("Please check the form"), message=message), 400


# Per address, generously: colleagues behind one office or venue network register together. Per
# email address, tightly: one inbox is not sent a link again and again. A form without an address
# yet (the person is told to fill it in) counts only for the address.
@bp.route("/events/<slug>/register", methods=["GET", "POST"])
@limiter.limit(_registration_limit, methods=["POST"])
@limiter.limit(_registration_email_limit, methods=["POST"], key_func=_email_key,
               exempt_when=lambda: not _posted_email())
def register(slug):
    event = _load_event(slug)
    state = services.registration_state(event, utcnow())
    form, groups = forms.registration_form(event, request.form if request.method == "POST" else None)
    if state == "open" and form.validate_on_submit():
        data = services.RegistrationInput(
            name=form.name.data, email=form.email.data, mode=form.mode.data, organisation=form.organisation.data or "",
            role_title=form.role_title.data or "", sector=form.sector.data, language=form.language.data,
            dietary_needs=form.dietary_needs.data or "", accessibility_needs=form.accessibility_needs.data or "",
            special_consent=form.special_consent.data, photo_consent=form.photo_consent.data,
            privacy_accepted=form.privacy.data, group_id=int(form.group.data) if form.group.data else None,
            answers=form.raw_answers(), answer_consents=frozenset(form.consents()),
        )
        try:
            result = services.register(event.id, data, utcnow(), keyring.current())
        except errors.RegistrationError as error:
            form.form_errors.append(error_message(error))
        else:
            session["registered_email"] = normalise_email(form.email.data)
            # Only a new registration is shown on screen; an address already registered gets its link by
            # email, so the page never shows a stranger someone else's registration.
            session["registered_id"] = result.registration.id if result.created else None
            return redirect(url_for("registration.registered", slug=slug), code=303)
    status = 422 if request.method == "POST" else 200
    return render_template("registration/register.html", event=event, form=form, groups=groups, state=state,
                           closed_message=labels.REGISTRATION_CLOSED.get(state)), status


@bp.get("/events/<slug>/registered")
def registered(slug):
    event = _load_event(slug)
    registration = services.just_registered(event.id, session.get("registered_id"))
    if registration is None:
        # An address that was already registered: its link went by email, and the page reveals nothing.
        return render_template("registration/registered.html", event=event, email=session.get("registered_email"))
    token = tokens.manage_token(keyring.current(), registration.token_salt)
    access.speak_to(registration, token)  # in the language the person chose, as their page and emails
    with force_locale(registration.language):
        html = render_template("registration/registered.html", event=event, email=registration.email,
                               **_status_context(registration, token))
    response = current_app.make_response(html)
    response.headers.update(access.PRIVATE_HEADERS)  # it holds the person's secret link and ticket
    return response


def _status_context(registration, token: str) -> dict:
    """What the status box (registration/_status.html) shows: seat or waitlist, group, ticket and code."""
    return dict(registration=registration, token=token, waitlist_position=services.waitlist_position(registration),
                ticket_code=tokens.ticket_code(keyring.current(), registration))


@bp.get("/events/<slug>/privacy")
def privacy(slug):
    return render_template("registration/privacy.html", event=_load_event(slug))


@bp.route("/events/<slug>/my-link", methods=["GET", "POST"])
@limiter.limit(_registration_limit, methods=["POST"])
@limiter.limit(_registration_email_limit, methods=["POST"], key_func=_email_key,
               exempt_when=lambda: not _posted_email())
def my_link(slug):
    """Where the projector's QR code leads: type your email, get your personal link by email. The answer
    is the same whether or not the address is registered."""
    event = _load_event(slug)
    form = forms.MyLinkForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("registration/my_link.html", event=event, form=form, sent=False), 422
        services.send_my_link(event.id, form.email.data, keyring.current())
        return redirect(url_for(".my_link", slug=slug, sent=1), code=303)
    return render_template("registration/my_link.html", event=event, form=form, sent=request.args.get("sent") == "1")


# --- the attendee's own page (every view behind personal_link) -------------------------------------

def _questions_form(registration, posted: bool = False):
    """The person's answers to the organiser's questions of their mode (None: none are asked)."""
    asked = questions.asked_of(registration.event, registration.mode)
    if not asked:
        return None
    values = {} if posted or registration.id is None else questions.values_of(registration.id)
    return question_forms.answers_form(registration.event, asked, registration.mode, posted=posted, values=values)


def _manage_page(registration, token, mode_form=None, group_form=None, answers_form=None, status=200,
                 template="registration/manage.html", preview=False, questions_form=None):
    event = registration.event
    viewer = None if registration.is_cancelled else Mode(registration.mode)
    items = programme.items_for(event, viewer)
    allowed = groups.choosable(event, Mode(registration.mode)) if event.group_choice_open else []
    mode_form = mode_form or forms.ModeForm(formdata=None, mode=registration.mode)
    mode_form.mode.choices = [(m.value, labels.MODE[m]) for m in event.modes]
    # What a change of mode would do to the person's groups, said before they choose it.
    lost_groups = {m.value: groups.lost_by_mode_change(registration, event, m) for m in event.modes
                   if m != registration.mode}
    current = next((m.group_id for m in registration.memberships if m.group_id in {g.id for g in allowed}), None)
    group_form = group_form or forms.GroupForm(formdata=None, group=str(current) if current else None)
    group_form.group.choices = [(str(g.id), g.title) for g in allowed]
    answers_form = answers_form or forms.SpecialAnswersForm(
        formdata=None, dietary_needs=registration.dietary_needs,
        accessibility_needs=registration.accessibility_needs,
        special_consent=registration.special_consent_at is not None)
    now = utcnow()
    return render_template(
        template, event=event, **_status_context(registration, token),
        slots=programme.slots(items), memberships={m.item_id: m for m in registration.memberships},
        allowed_groups=allowed, lost_groups=lost_groups, mode_form=mode_form, group_form=group_form,
        answers_form=answers_form, cancel_form=ConfirmForm(), state=services.registration_state(event, now),
        questions_form=questions_form or _questions_form(registration),
        is_past=events.is_past(event, now),
        join_opens_at=event.join_opens_at, join_open=event.join_is_open(now), preview=preview,
        certificate=None if preview else attendance.certificate_state(registration, now),
    ), status


@bp.get("/manage/events/<slug>/preview/personal")
@event_access("manage")
def preview_personal_page(slug):
    """The organiser sees the personal page of a made-up person who takes part in one mode."""
    try:
        mode = Mode(request.args.get("mode", ""))
    except ValueError:
        mode = g.event.modes[0]
    if mode not in g.event.modes:
        mode = g.event.modes[0]
    sample = services.sample_registration(g.event, mode, i18n.page_language(), _("Alex Example"), utcnow())
    return _manage_page(sample, "preview", template="registration/preview_personal.html", preview=True)[0]


@bp.get("/manage/events/<slug>/preview/ticket.svg")
@event_access("manage")
def preview_ticket_svg(slug):
    """A QR code for the preview's made-up ticket: it opens no door."""
    return current_app.response_class(qr.qr_svg("PREVIEW"), mimetype="image/svg+xml")


@bp.get("/r/<token>")
@personal_link
def manage(registration, token):
    return _manage_page(registration, token)[0]


@bp.post("/r/<token>/mode")
@personal_link
def change_mode(registration, token):
    form = forms.ModeForm()
    form.mode.choices = [(m.value, labels.MODE[m]) for m in registration.event.modes]
    if not form.validate_on_submit():
        return _manage_page(registration, token, mode_form=form, status=422)
    try:
        services.change_mode(registration.id, form.mode.data, utcnow(), keyring.current())
    except errors.RegistrationError as error:
        flash(error_message(error), "error")
    else:
        flash(_("Your registration has changed. We have emailed you a confirmation."), "success")
    return redirect(url_for(".manage", token=token), code=303)


@bp.post("/r/<token>/group")
@personal_link
def choose_group(registration, token):
    form = forms.GroupForm()
    form.group.choices = [(str(g.id), g.title) for g in groups.choosable(registration.event)]
    if not form.validate_on_submit():
        return _manage_page(registration, token, group_form=form, status=422)
    try:
        membership = groups.choose(registration.id, int(form.group.data), utcnow(), keyring.current())
    except errors.RegistrationError as error:
        flash(error_message(error), "error@choose-group")
    else:
        if membership.is_confirmed:
            flash(_("You have a place in the group %(group)s.", group=membership.group.title), "success@choose-group")
        else:
            flash(_("The group %(group)s is full: you are on its waitlist, not in the group yet.",
                    group=membership.group.title), "warning@choose-group")
    return redirect(url_for(".manage", token=token) + "#choose-group", code=303)


@bp.post("/r/<token>/answers")
@personal_link
def update_answers(registration, token):
    form = forms.SpecialAnswersForm()
    if not form.validate_on_submit():
        return _manage_page(registration, token, answers_form=form, status=422)
    try:
        services.update_special_answers(registration.id, form.dietary_needs.data or "",
                                        form.accessibility_needs.data or "", form.special_consent.data, utcnow())
    except errors.RegistrationError as error:
        flash(error_message(error), "error")
    else:
        flash(_("Your answers are saved."), "success")
    return redirect(url_for(".manage", token=token), code=303)


@bp.post("/r/<token>/questions")
@personal_link
def update_questions(registration, token):
    form = _questions_form(registration, posted=True)
    if form is None:
        return redirect(url_for(".manage", token=token), code=303)
    if not form.validate_on_submit():
        return _manage_page(registration, token, questions_form=form, status=422)
    try:
        services.update_answers(registration.id, form.raw_answers(), form.consents(), utcnow())
    except errors.RegistrationError as error:
        flash(error_message(error), "error@your-answers")
    else:
        flash(_("Your answers are saved."), "success@your-answers")
    return redirect(url_for(".manage", token=token) + "#your-answers", code=303)


@bp.post("/r/<token>/language")
@personal_link
def change_language(registration, token):
    form = forms.LanguageForm()
    if form.validate_on_submit():
        services.change_language(registration.id, form.language.data)
        with force_locale(form.language.data):
            flash(_("From now on your emails and your page are in this language."), "success")
    else:
        flash(_("Choose one of the languages offered."), "error")
    own = url_for(".manage", token=token)
    back = i18n.safe_next(form.next.data)
    just_registered = url_for(".registered", slug=registration.event.slug)
    if back not in (own, just_registered) and not back.startswith((own + "/", own + "?", own + "#")):
        back = own  # only back to the person's own pages
    return redirect(back, code=303)


@bp.route("/r/<token>/cancel", methods=["GET", "POST"])
@personal_link
def cancel(registration, token):
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            services.cancel(registration.id, utcnow(), keyring.current())
        except errors.RegistrationError as error:
            flash(error_message(error), "error")
        else:
            flash(_("Your registration is cancelled. We have emailed you a confirmation."), "success")
        return redirect(url_for(".manage", token=token), code=303)
    return render_template("registration/cancel.html", registration=registration, event=registration.event,
                           token=token, form=form)


@bp.route("/r/<token>/waitlist/leave", methods=["GET", "POST"])
@personal_link
def leave_waitlist(registration, token):
    """The link in a waitlisted person's reminder: a page that asks, and one POST that leaves."""
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            services.leave_waitlist(registration.id, utcnow(), keyring.current())
        except errors.RegistrationError as error:
            flash(error_message(error), "error")
        else:
            flash(_("You have left the waitlist. We have emailed you a confirmation."), "success")
        return redirect(url_for(".manage", token=token), code=303)
    return render_template("registration/leave_waitlist.html", registration=registration, event=registration.event,
                           token=token, form=form, waitlist_position=services.waitlist_position(registration))


@bp.get("/r/<token>/ticket.svg")
@personal_link
def ticket_svg(registration, token):
    if not (registration.is_confirmed and registration.mode == Mode.ON_SITE):
        abort(404)
    payload = tokens.ticket_payload(keyring.current(), registration)
    return current_app.response_class(qr.qr_svg(payload), mimetype="image/svg+xml")
