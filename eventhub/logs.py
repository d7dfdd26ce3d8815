"""Structured logs: JSON lines, one per request, with no personal data and no secrets.

Each request is logged once, by ``eventhub.requests``: method, path, status, duration and a
request id (the proxy's ``X-Request-ID`` when it sends a well-formed one, so its log and ours
join up; it is sent back in the answer). The path is the one place a secret could travel: the
attendee's own link ``/r/<token>/...``, the mailings' unsubscribe link ``/unsubscribe/<token>``, the
group leader's link ``/leader/<token>`` and the password links ``/account/password/<token>`` (reset and
invitation) name their token, which is
replaced by ``<token>``; the query string is
never logged (the attendee list's search puts names in it). Everything the app logs goes out as
one JSON object a line, also under gunicorn (see ``gunicorn.conf.py``, whose access log uses the
same redaction).
"""
from __future__ import annotations

import json
import logging
import re
import secrets
import time
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

from flask import Flask, g, request  # noqa: TID251 (the request log is part of the web layer)
from flask.logging import wsgi_errors_stream

# The first path segment after each of these is a secret token.
TOKEN_PREFIXES = ("/r/", "/unsubscribe/", "/account/password/", "/leader/")
REDACTED = "<token>"
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
request_log = logging.getLogger("eventhub.requests")


def redact_path(path: str) -> str:
    """The path with any secret token in it replaced: ``/r/abc123/join`` is ``/r/<token>/join``."""
    for prefix in TOKEN_PREFIXES:
        if path.startswith(prefix):
            rest = path[len(prefix):]
            _, slash, tail = rest.partition("/")
            return f"{prefix}{REDACTED}{slash}{tail}"
    return path


def redact_url(url: str) -> str:
    """A full address (a Referer) with its path redacted and its query string and fragment left out."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, redact_path(parts.path), "", ""))


_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """A record as one line of JSON: time, level, logger, message, and the fields given in ``extra``."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({key: value for key, value in vars(record).items() if key not in _STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def _handler() -> logging.Handler:
    # The WSGI server's error stream (gunicorn's error log), else stderr, looked up per record.
    handler = logging.StreamHandler(wsgi_errors_stream)
    handler.setFormatter(JsonFormatter())
    handler.name = "eventhub-json"
    return handler


def init_app(app: Flask) -> None:
    """JSON lines for the app's logger (once per process) and the request log's hooks."""
    logger = logging.getLogger(app.name)
    if not any(handler.name == "eventhub-json" for handler in logger.handlers):
        logger.addHandler(_handler())  # before Flask's own default handler would be added
        if logger.level == logging.NOTSET:
            logger.setLevel(logging.INFO)

    @app.before_request
    def start_clock():
        g.request_started = time.perf_counter()
        offered = request.headers.get("X-Request-ID", "")
        g.request_id = offered if REQUEST_ID.fullmatch(offered) else secrets.token_hex(8)

    @app.after_request
    def log_request(response):
        started = g.get("request_started")
        if started is None:  # refused before our hooks ran
            return response
        response.headers["X-Request-ID"] = g.request_id
        request_log.info("request", extra={
            "method": request.method, "path": redact_path(request.path), "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1), "request_id": g.request_id,
        })
        return response
