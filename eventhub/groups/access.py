"""The guard of the group leader's link, ``/leader/<token>`` (groups.leaders).

Like the attendee's link (registration.access), the token is the only key to the page, so no
answer under it is kept or passed on: no Referer carries it (only the origin is sent) and no cache
stores the page. ``init_app`` makes every answer under ``/leader/`` so, whatever gives it (the view,
an unknown or revoked token's 404, a refused CSRF token), and ``leader_link`` gives the view the
group its link names.
"""
from __future__ import annotations

from functools import wraps

from flask import after_this_request, g, render_template, request

from eventhub.groups import leaders
from eventhub.headers import SECRET_URL_REFERRER_POLICY

PREFIX = "/leader/<token>"


def _private(response):
    response.headers["Referrer-Policy"] = SECRET_URL_REFERRER_POLICY
    response.headers.setdefault("Cache-Control", "private, no-store")
    response.headers.setdefault("X-Robots-Tag", "noindex")
    return response


def _mark_private(_endpoint, values) -> None:
    rule = request.url_rule.rule if request.url_rule is not None else ""
    if rule.startswith(PREFIX):
        after_this_request(_private)
        g.leader_group = leaders.group_by_token((values or {}).get("token", ""))


def init_app(app) -> None:
    app.url_value_preprocessor(_mark_private)


def leader_link(view):
    """Give the view the group whose leader's link this is, as ``group``; a page saying the link does
    not work (404) if no group's is, as after the organiser revoked it or made a new one."""

    @wraps(view)
    def wrapped(token: str, **kwargs):
        group = g.leader_group if "leader_group" in g else leaders.group_by_token(token)
        if group is None:
            return render_template("groups/leader_link_unknown.html"), 404
        return view(group=group, token=token, **kwargs)

    return wrapped
