"""The guard of the attendee's secret links, ``/r/<token>/...`` and the mailings' unsubscribe link
``/unsubscribe/<token>``, for every blueprint that serves one.

The token is the only key to a person's registration, so no answer under it is kept or passed
on: no Referer carries the token, to another site or to ours (only the origin is sent), and no
shared or browser cache stores the page (a view may ask for revalidation instead, with an ETag).
``init_app`` makes every answer under ``/r/`` so, whatever gives it (the view, an unknown token's
404, a refused CSRF token), and looks the registration up once, so that the page speaks the person's language
(``g.person_language``, read by ``i18n.select_locale``) even when it is an error page;
``personal_link`` gives the view the registration its link names. The unsubscribe link is private
in the same way and speaks the person's language too, but it is a key to that one choice only
(``unsubscribe_link``): its pages offer no language switch that changes the registration.
"""
from __future__ import annotations

from functools import wraps

from flask import abort, after_this_request, g, request

from eventhub import keyring
from eventhub.headers import SECRET_URL_REFERRER_POLICY
from eventhub.registration import services

PREFIX = "/r/<token>"
UNSUBSCRIBE_PREFIX = "/unsubscribe/<token>"
PRIVATE_HEADERS = {"Referrer-Policy": SECRET_URL_REFERRER_POLICY, "Cache-Control": "private, no-store"}


def _private(response):
    response.headers["Referrer-Policy"] = PRIVATE_HEADERS["Referrer-Policy"]
    response.headers.setdefault("Cache-Control", PRIVATE_HEADERS["Cache-Control"])
    return response


def _mark_private(_endpoint, values) -> None:
    # URL value preprocessors run before any before_request function (CSRFProtect's among them).
    rule = request.url_rule.rule if request.url_rule is not None else ""
    token = (values or {}).get("token", "")
    if rule.startswith(PREFIX):
        after_this_request(_private)
        registration = services.find_by_token(token)
        g.personal_registration = registration
        if registration is not None:
            speak_to(registration, token)
    elif rule.startswith(UNSUBSCRIBE_PREFIX):
        after_this_request(_private)
        registration = services.find_by_unsubscribe_token(token, keyring.current())
        g.unsubscribing = registration
        if registration is not None:
            g.person_language = registration.language


def speak_to(registration, token: str) -> None:
    """This page is the person's own: it speaks their language, and its language switch changes it."""
    g.personal_registration, g.personal_token = registration, token
    g.person_language = registration.language


def init_app(app) -> None:
    app.url_value_preprocessor(_mark_private)


def personal_link(view):
    """Give the view the registration its link names, as ``registration`` (404 if none), with the token."""

    @wraps(view)
    def wrapped(token: str, **kwargs):
        registration = g.personal_registration if "personal_registration" in g else services.find_by_token(token)
        if registration is None:
            abort(404)
        return view(registration=registration, token=token, **kwargs)

    return wrapped


def unsubscribe_link(view):
    """Give the view the registration whose unsubscribe link this is, as ``registration`` (404 if none)."""

    @wraps(view)
    def wrapped(token: str, **kwargs):
        registration = g.unsubscribing if "unsubscribing" in g else \
            services.find_by_unsubscribe_token(token, keyring.current())
        if registration is None:
            abort(404)
        return view(registration=registration, token=token, **kwargs)

    return wrapped
