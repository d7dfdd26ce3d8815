from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from eventhub import keyring
from eventhub.accounts import devices, forms, services
from eventhub.accounts.access import role_required
from eventhub.extensions import db, limiter, login_manager
from eventhub.i18n import safe_next
from eventhub.types import utcnow

bp = Blueprint("accounts", __name__, url_prefix="/account")


login_manager.user_loader(services.user_for_session)


def _login_limit():
    return current_app.config["LOGIN_RATE_LIMIT"]


def _account_login_limit():
    return current_app.config["ACCOUNT_LOGIN_RATE_LIMIT"]


def _account_address_login_limit():
    return current_app.config["ACCOUNT_ADDRESS_LOGIN_RATE_LIMIT"]


def _password_reset_limit():
    return current_app.config["PASSWORD_RESET_RATE_LIMIT"]


def _posted_email() -> str:
    return services.normalise_email(request.form.get("email", ""))[:254]


def _account_key() -> str:
    return f"account:{_posted_email()}"


def _account_address_key() -> str:
    return f"account:{_posted_email()}@{request.remote_addr}"


def _known_device() -> bool:
    return devices.is_known(keyring.current(), request.cookies.get(devices.COOKIE), _posted_email())


def _failed_sign_in(_response) -> bool:
    """Only a refused email and password counts: signing in, a form to correct and a refusal by a limit
    use up nothing."""
    return g.get("sign_in_refused", False)


@bp.errorhandler(429)
def too_many_attempts(_error):
    """Over a limit: the form again, with what was typed and why nothing was tried."""
    if request.endpoint == "accounts.forgot_password":
        form = forms.ForgotPasswordForm()
        form.form_errors.append(_("Many links have been asked for from here in a short while, so none was sent. "
                                  "Wait a few minutes and try again."))
        html = render_template("accounts/forgot.html", form=form)
    else:
        form = forms.LoginForm()
        form.form_errors.append(_("There have been too many failed sign-ins to this account in a short while, "
                                  "so this one was not tried. Wait a few minutes and try again, or choose a new "
                                  "password with “Forgot your password?”."))
        html = render_template("accounts/login.html", form=form)
    return current_app.response_class(html, status=429)


# Three limits, all on failed attempts only, so signing in and out during the day never locks anyone:
# - per account and address (tight): a forgotten password, or someone guessing one organiser's
#   password, waits, and never uses up the address's allowance that colleagues behind the same
#   office or venue network share (this limit is below the address's);
# - per address (generous): guessing many accounts' passwords from one place;
# - per account from any address: guessing one organiser's password from many addresses. A browser
#   that has signed in to the account before is exempt, so a stranger's failed attempts cannot
#   lock its owner out (see accounts.devices).
@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_account_address_login_limit, methods=["POST"], key_func=_account_address_key,
               deduct_when=_failed_sign_in)
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed_sign_in)
@limiter.limit(_account_login_limit, methods=["POST"], key_func=_account_key, exempt_when=_known_device,
               deduct_when=_failed_sign_in)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("events.dashboard"))
    form = forms.LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data, utcnow())
        except services.InvalidCredentials:
            g.sign_in_refused = True
            form.form_errors.append(_("That email address and password do not match an account."))
        else:
            login_user(user)
            response = redirect(safe_next(request.args.get("next")) if request.args.get("next")
                                else url_for("events.dashboard"), code=303)
            _remember_device(response, user.email)
            return response
    return render_template("accounts/login.html", form=form), 422 if request.method == "POST" else 200


def _remember_device(response, email: str) -> None:
    config = current_app.config
    token = devices.remember(keyring.current(), request.cookies.get(devices.COOKIE), email)
    response.set_cookie(devices.COOKIE, token, max_age=devices.MAX_AGE, path=url_for(".login"), httponly=True,
                        secure=config["SESSION_COOKIE_SECURE"], samesite="Lax")


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    flash(_("You are signed out."), "success")
    return redirect(url_for("events.index"), code=303)


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_password_reset_limit, methods=["POST"])
def forgot_password():
    form = forms.ForgotPasswordForm()
    if form.validate_on_submit():
        # The same answer whether or not the account exists, and in the same time: the link is
        # made and queued once the answer has been sent, so its cost cannot tell the two apart.
        flash(_("If there is an account for that address, we have emailed it a link to choose a new password."),
              "success")
        response = redirect(url_for(".login"), code=303)
        response.call_on_close(_after_the_answer(services.request_password_reset, form.email.data, utcnow()))
        return response
    return render_template("accounts/forgot.html", form=form), 422 if request.method == "POST" else 200


def _after_the_answer(work, *args):
    """``work(*args)`` in an application context of its own, for Response.call_on_close."""
    app = current_app._get_current_object()

    def run():
        with app.app_context():
            try:
                work(*args)
            except Exception:  # noqa: BLE001 - nobody is waiting for this answer: log it, do not raise
                db.session.rollback()
                app.logger.exception("work after the answer failed")

    return run


@bp.route("/password/<token>", methods=["GET", "POST"])
def set_password(token):
    try:
        services.user_for_token(token, utcnow())
    except services.InvalidToken:
        return render_template("accounts/token_invalid.html"), 404
    form = forms.SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.set_password_with_token(token, form.password.data, utcnow())
        except (services.InvalidToken, services.WeakPassword):
            form.password.errors = [*form.password.errors, _("Use at least 10 characters.")]
        else:
            login_user(user)
            flash(_("Your password is set."), "success")
            return redirect(url_for("events.dashboard"), code=303)
    return render_template("accounts/set_password.html", form=form), 422 if request.method == "POST" else 200


@bp.route("/users", methods=["GET", "POST"])
@role_required("admin")
def users():
    form = forms.InviteForm()
    if form.validate_on_submit():
        try:
            services.invite(form.email.data, form.name.data, form.role.data, utcnow(), current_user.id)
        except services.EmailTaken:
            form.email.errors = [*form.email.errors, _("There is already an account with that address.")]
        else:
            flash(_("The account is created and an invitation is on its way."), "success")
            return redirect(url_for(".users"), code=303)
    status = 422 if request.method == "POST" else 200
    return render_template("accounts/users.html", form=form, users=services.list_users()), status


@bp.post("/users/<id:user_id>/active")
@role_required("admin")
def toggle_active(user_id):
    if user_id == current_user.id:
        flash(_("You cannot deactivate your own account."), "error")
    else:
        try:
            user = services.set_active(user_id, request.form.get("active") == "1", current_user.id)
        except services.UnknownUser:
            abort(404)
        flash(_("%(name)s is updated.", name=user.name), "success")
    return redirect(url_for(".users"), code=303)
