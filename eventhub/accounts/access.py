"""View guards. Each organiser route names the level it needs; one place decides."""
from __future__ import annotations

from functools import wraps

from flask import abort, g
from flask_login import current_user
from sqlalchemy import select

from eventhub.accounts import services
from eventhub.events.models import Event
from eventhub.extensions import db, login_manager


def _event_or_404(slug: str) -> Event:
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        abort(404)
    return event


def event_access(level: str):
    """Load ``slug`` into ``g.event`` and require ``manage`` or ``host`` rights on it.

    Anonymous people are sent to sign in. A signed-in person who works on the event
    but lacks the level gets 403; someone with no part in it gets 404, so drafts do
    not reveal that they exist.
    """
    check = {"manage": services.can_manage, "host": services.can_host}[level]

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            event = _event_or_404(kwargs["slug"])
            if not check(current_user, event):
                abort(403 if services.can_host(current_user, event) else 404)
            g.event = event
            return view(*args, **kwargs)

        return wrapped

    return decorator


def role_required(*roles: str):
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
