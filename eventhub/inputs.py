"""The one rule for what people send: no control characters, no JSON nested past a few levels.

NUL and the other control characters (C0 but tab, line feed and carriage return; DEL; C1) and
lone surrogates are never text anyone typed, and PostgreSQL refuses a NUL in any text (a 500
where SQLite stored it). They are taken out where the request is read, before any view, form,
service or database sees them:

- form fields and query strings (``Request.parameter_storage_class``): the characters are
  removed, and the names of the fields that held some are kept (``CleanedFields.cleaned``), so
  that every form (``eventhub.fields.Form``) refuses them with a message in the person's
  language and shows the rest of what was typed again;
- JSON bodies (``app.json``, which ``request.get_json()`` uses): removed from every string; a body nested deeper than
  ``MAX_JSON_DEPTH`` (the scanner's deepest is 3) is answered 400 with a JSON error
  before any view, instead of running Python out of stack;
- an address (path) holding them names no page: 404.

Everything else typed is kept as it is (line breaks, U+2028, any script, emoji).
"""
from __future__ import annotations

import json
import re
from typing import Any

from flask import Flask, abort, jsonify
from flask import Request as FlaskRequest
from flask import request as current_request
from flask.json.provider import DefaultJSONProvider
from flask_babel import gettext as _
from werkzeug.datastructures import CombinedMultiDict, ImmutableMultiDict, iter_multi_items

DISALLOWED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
MAX_JSON_DEPTH = 10


def clean(text: str) -> str:
    """The text without the characters no one types (see the module's docstring)."""
    return DISALLOWED.sub("", text)


def has_disallowed(text: Any) -> bool:
    return isinstance(text, str) and DISALLOWED.search(text) is not None


class CleanedFields(ImmutableMultiDict):
    """Form fields and query-string values as every view reads them; ``cleaned`` names the fields
    that held disallowed characters (removed here), for the form to say so."""

    def __init__(self, mapping=None):
        pairs = list(iter_multi_items(mapping)) if mapping is not None else []
        self.cleaned = frozenset(clean(key) for key, value in pairs if has_disallowed(key) or has_disallowed(value))
        super().__init__([(clean(key), clean(value) if isinstance(value, str) else value) for key, value in pairs])


class TooDeep(ValueError):
    """A JSON body nested deeper than MAX_JSON_DEPTH."""


def _depth(value: Any) -> int:
    """How deeply containers nest in a parsed JSON value; counted without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            if deepest > MAX_JSON_DEPTH:
                break
            stack.extend((child, level + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def _cleaned(value: Any) -> Any:
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, list):
        return [_cleaned(item) for item in value]
    if isinstance(value, dict):
        return {clean(key): _cleaned(item) for key, item in value.items()}
    return value


def read_json(data: str | bytes) -> Any:
    """A JSON body, refused past MAX_JSON_DEPTH (TooDeep), its strings cleaned; ValueError if it is no JSON."""
    try:
        value = json.loads(data)
    except RecursionError:
        raise TooDeep() from None
    if _depth(value) > MAX_JSON_DEPTH:
        raise TooDeep()
    return _cleaned(value)


class JSONProvider(DefaultJSONProvider):
    """The app's JSON (``app.json``), which ``request.get_json()`` reads bodies with."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return read_json(s)


class Request(FlaskRequest):
    parameter_storage_class = CleanedFields


def submitted_fields() -> CombinedMultiDict | CleanedFields | None:
    """What a form reads when it is given nothing: the fields (and files) of a request that sends
    some, never a JSON body (Flask-WTF would make one into fields, and a list or a number fails)."""
    if current_request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return None
    if current_request.files:
        return CombinedMultiDict((current_request.files, current_request.form))
    return current_request.form or None


def _guard():
    """Before every view: an address with control characters is no page; a JSON body too deep is refused."""
    if DISALLOWED.search(current_request.path):
        abort(404)
    # No view reads this body: the address or the method is wrong (that answer follows, in the public
    # API's problem details too), or it is a GET, whose body nobody reads.
    if current_request.routing_exception is not None or current_request.method in ("GET", "HEAD"):
        return None
    if current_request.is_json:
        try:
            read_json(current_request.get_data(cache=True))
        except TooDeep:
            message = _("What was sent is nested too deeply to be read.")
            return jsonify(error={"code": "too_deep", "message": message}), 400
        except ValueError:
            pass  # no JSON at all: the view that reads it answers that
    return None


def init_app(app: Flask) -> None:
    app.request_class = Request
    app.json = JSONProvider(app)
    app.before_request(_guard)
