"""EventHub: hybrid forum meetings and seminars."""
from __future__ import annotations

from pathlib import Path

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

import config as config_module
from eventhub import caching, database, headers, inputs, keyring, logs
from eventhub.extensions import babel, csrf, db, limiter, login_manager, migrate


def create_app(config: type | None = None, **settings) -> Flask:
    """Build the app from a config class (default: chosen by EVENTHUB_ENV) plus overrides.

    The order is the house's (docs/architecture.md): configuration and the keyring, the
    extensions and the database, the models and their hooks, the outbox's renderers, the
    blueprints, then templates, commands and error pages.
    """
    from eventhub import cli, i18n, templating
    from eventhub.groups import access as leader_access
    from eventhub.live import arrivals as live_arrivals
    from eventhub.live import channel as live_channel
    from eventhub.live import group_choice as live_group_choice
    from eventhub.registration import access as registration_access
    from eventhub.routing import IdConverter

    app = Flask(
        __name__,
        instance_path=str(config_module.INSTANCE_DIR),
        template_folder="../templates",
        static_folder="../static",
    )
    app.config.from_object(config or config_module.config_from_environment())
    app.config.update(settings)
    app.config["SECRET_KEY"] = config_module.resolve_secret_key(app.config)
    keyring.init_app(app)
    _trust_proxies(app)
    logs.init_app(app)  # first, so that the request log times and sees what the other hooks refuse
    inputs.init_app(app)  # no control characters in anything read, no JSON nested past a few levels
    app.url_map.converters["id"] = IdConverter

    db.init_app(app)
    database.init_app(app)
    migrate.init_app(app, db, directory=str(config_module.BASE_DIR / "migrations"), render_as_batch=True)
    babel.init_app(app, locale_selector=i18n.select_locale)
    caching.init_app(app, roots=[app.root_path, Path(app.root_path, app.template_folder).resolve(),
                                 app.config["BABEL_TRANSLATION_DIRECTORIES"]])
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.localize_callback = _translate
    login_manager.login_message = N_("Sign in to see that page.")
    login_manager.login_message_category = "info"

    _import_models()
    _add_privacy_parts()
    _listen_to_model_changes()
    _draw_attachments()

    headers.init_app(app)  # security headers on every answer (docs/security.md)
    registration_access.init_app(app)  # every answer under /r/<token> is private
    leader_access.init_app(app)  # and under /leader/<token>, the group leader's link
    live_channel.init_app(app)  # the live channel's fan-out: this process, or Redis (LIVE_REDIS_URL)
    live_arrivals.init_app(app)  # arrivals and key points on the organisers' live pages, after each commit
    live_group_choice.init_app(app)  # group choice and seats left on every open page, after each commit
    i18n.register(app)
    _register_blueprints(app)
    templating.register(app)
    cli.register(app)
    _register_error_pages(app)
    return app


def _trust_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXIES proxies, the client's address, scheme and host are what they forwarded.

    Every client then has its own address for the rate limits, and links the app makes are https.
    The count matters: ProxyFix takes the address that many hops from the right of X-Forwarded-For,
    so anything a client wrote to the left of it is ignored.
    """
    hops = int(app.config.get("TRUSTED_PROXIES") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def N_(message: str) -> str:
    """Marks a string for extraction; it is translated when shown (localize_callback)."""
    return message


def _translate(message: str) -> str:
    return gettext(message)


def _register_blueprints(app: Flask) -> None:
    """One blueprint per package, named like it; the organiser's workspace areas add their own links."""
    from eventhub.accounts.views import bp as accounts
    from eventhub.api.views import bp as api
    from eventhub.attendance.views import bp as attendance
    from eventhub.attendees.views import bp as attendees
    from eventhub.checkin.views import bp as checkin
    from eventhub.documentation.views import bp as documentation
    from eventhub.evaluation.views import bp as evaluation
    from eventhub.events.views import bp as events
    from eventhub.exports.views import bp as exports
    from eventhub.groups.views import bp as groups
    from eventhub.health.views import bp as health
    from eventhub.live.views import bp as live
    from eventhub.mailings.views import bp as mailings
    from eventhub.materials.views import bp as materials
    from eventhub.privacy.views import bp as privacy
    from eventhub.programme.views import bp as programme
    from eventhub.questions.views import bp as questions
    from eventhub.registration.views import bp as registration
    from eventhub.reminders.views import bp as reminders

    for blueprint in (events, registration, accounts, programme, groups, attendees, attendance, checkin, exports,
                      mailings, materials, documentation, evaluation, privacy, reminders, questions, live, api,
                      health):
        app.register_blueprint(blueprint)
    csrf.exempt(api)  # read-only JSON, no session state changed
    csrf.exempt(health)


def _add_privacy_parts() -> None:
    """What the parts built on the core hold about a person: listed in their data download, deleted with
    erasure and anonymising (privacy.services.PARTS; the core never imports them)."""
    from eventhub.live import qa
    from eventhub.privacy import services as privacy

    privacy.add_part(privacy.PersonalDataPart("live_questions", qa.personal_data, qa.erase))


def _import_models() -> None:
    # Every model module must be imported before metadata is used (migrations, create_all).
    from eventhub.accounts import models as _accounts  # noqa: F401
    from eventhub.attendance import models as _attendance  # noqa: F401
    from eventhub.audit import models as _audit  # noqa: F401
    from eventhub.checkin import models as _checkin  # noqa: F401
    from eventhub.documentation import models as _documentation  # noqa: F401
    from eventhub.evaluation import models as _evaluation  # noqa: F401
    from eventhub.events import models as _events  # noqa: F401
    from eventhub.groups import models as _groups  # noqa: F401
    from eventhub.live import models as _live  # noqa: F401
    from eventhub.mail import models as _mail  # noqa: F401
    from eventhub.mailings import models as _mailings  # noqa: F401
    from eventhub.materials import models as _materials  # noqa: F401
    from eventhub.privacy import models as _privacy  # noqa: F401
    from eventhub.programme import models as _programme  # noqa: F401
    from eventhub.questions import models as _questions  # noqa: F401
    from eventhub.registration import models as _registration  # noqa: F401
    from eventhub.reminders import models as _reminders  # noqa: F401


def _listen_to_model_changes() -> None:
    """ORM hooks that keep derived records whatever code changes the rows (see each module)."""
    from eventhub.privacy import consents
    from eventhub.programme import revisions

    consents.listen()  # consent records on every registration and change of answers
    revisions.listen()  # content versions of the programme, tombstones of deleted items


def _draw_attachments() -> None:
    """The attachments the outbox draws when it sends a message, by the name each message gives."""
    from eventhub.mail import services as outbox
    from eventhub.registration import emails, qr

    outbox.draw_attachments_with(emails.TICKET_RENDERER, qr.qr_png)  # the door ticket of a confirmation


def _register_error_pages(app: Flask) -> None:
    """HTML error pages; the public API (/api/...) answers problem details instead, the door's JSON API
    its own small JSON error that the scanner reads."""
    from eventhub.api import problems

    _ = gettext

    def page(error: HTTPException, title: str, message: str):
        code = error.code
        if problems.in_api(request.path):
            return problems.for_error(error)
        if "/api/" in request.path:
            return jsonify(error={"status": code, "message": message}), code
        return render_template("errors/error.html", code=code, title=title, message=message), code

    @app.errorhandler(HTTPException)
    def other_http_error(error):
        # The public API answers every error as problem details; the pages keep Werkzeug's own answer.
        return problems.for_error(error) if problems.in_api(request.path) else error

    @app.errorhandler(404)
    def not_found(error):
        return page(error, _("Page not found"),
                    _("We could not find that page. The event may have been moved or not yet published."))

    @app.errorhandler(403)
    def forbidden(error):
        return page(error, _("Not allowed"), _("Your account does not have access to that page."))

    @app.errorhandler(405)
    def method_not_allowed(error):
        return page(error, _("Not allowed"), _("That action is not available on this page."))

    @app.errorhandler(429)
    def too_many_requests(error):
        return page(error, _("Too many attempts"),
                    _("You have sent this form many times in a short while. "
                      "Wait a minute and try again; what you typed is still in the form if you go back."))

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        return page(error, _("Something went wrong"),
                    _("An error on our side stopped this page. "
                      "Nothing you entered has been lost; please try again in a moment."))
