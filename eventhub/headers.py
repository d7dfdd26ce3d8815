"""Security headers on every answer, built with the ``secure`` library (docs/security.md).

The Content-Security-Policy allows our own files and nothing else: no inline script or style, no
``eval``, no plugins, no other site's frames, forms posting only here, and no page of ours framed
by anyone (``frame-ancestors 'none'``, with X-Frame-Options for older browsers). The scanner's
service worker, its decoding worker and its install manifest are our own files, so they are allowed.

Referrer-Policy: other sites learn only which site a visitor came from, never the page. A URL that
carries a secret (``/r/<token>``, a password link) sends not even its path to our own server, so the
token is in no Referer and no access log; the origin is still sent, because Flask-WTF's CSRF check
over HTTPS needs a Referer from this site (``no-referrer`` would refuse every form on those pages).

HSTS (``HSTS_MAX_AGE``) is sent in production only: a development server on plain http must not
teach a browser to refuse it, and browsers ignore the header over http anyway.
"""
from __future__ import annotations

from flask import Flask, Response, g, request
from flask.sessions import SecureCookieSessionInterface
from secure import (
    ContentSecurityPolicy,
    PermissionsPolicy,
    ReferrerPolicy,
    Secure,
    StrictTransportSecurity,
    XContentTypeOptions,
    XFrameOptions,
)

SELF, NONE = "'self'", "'none'"
# Signing out: the browser deletes what this site kept on the device (the scanner's ticket list,
# its cached pages and service worker) but not the cookies, which hold the "signed out" message.
CLEAR_SITE_DATA = '"cache", "storage"'

# For URLs that carry a secret: the origin only, even to ourselves (see the module's docstring).
SECRET_URL_REFERRER_POLICY = "strict-origin"  # noqa: S105 (a policy name, not a secret)


def content_security_policy() -> ContentSecurityPolicy:
    return (
        ContentSecurityPolicy()
        .default_src(SELF)
        .script_src(SELF)
        .style_src(SELF)
        .img_src(SELF)
        .font_src(SELF)
        .connect_src(SELF)
        .worker_src(SELF)  # the scanner's service worker and QR decoder
        .manifest_src(SELF)  # the scanner's install manifest
        .object_src(NONE)
        .base_uri(NONE)
        .form_action(SELF)
        .frame_ancestors(NONE)
    )


def build(hsts_max_age: int = 0) -> Secure:
    """The headers of every answer; HSTS only when ``hsts_max_age`` is set (production)."""
    return Secure(
        csp=content_security_policy(),
        hsts=StrictTransportSecurity().max_age(hsts_max_age).include_subdomains() if hsts_max_age else None,
        # The camera is the scanner's (our own pages); nothing else a page of ours needs is allowed.
        permissions=PermissionsPolicy().camera(SELF).geolocation().microphone().payment().usb(),
        referrer=ReferrerPolicy().strict_origin_when_cross_origin(),
        xcto=XContentTypeOptions().nosniff(),
        xfo=XFrameOptions().deny(),
    )


def same_for_everyone() -> None:
    """This answer reads no cookie (the public JSON): no ``Vary: Cookie``, so caches may share it.
    Flask adds the header whenever the session was touched, and Flask-Login touches it on every
    request; the answer does not depend on it."""
    g.same_for_everyone = True


class SessionInterface(SecureCookieSessionInterface):
    def save_session(self, app, session, response) -> None:
        super().save_session(app, session, response)
        if g.get("same_for_everyone") and not session.modified:
            # Lower case: Werkzeug 3.1's HeaderSet.remove compares each entry's lower case with the name as
            # given, so "Cookie" would stay in a Vary that names another header too (Accept-Language).
            response.vary.discard("cookie")


def init_app(app: Flask) -> None:
    headers = build(int(app.config.get("HSTS_MAX_AGE") or 0)).header_items()
    app.session_interface = SessionInterface()

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        # setdefault: a view or guard that chose a stricter value for its answer keeps it.
        if request.view_args and "token" in request.view_args:
            response.headers.setdefault("Referrer-Policy", SECRET_URL_REFERRER_POLICY)
        for name, value in headers:
            response.headers.setdefault(name, value)
        return response
