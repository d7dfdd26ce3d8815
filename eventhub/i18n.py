"""Language choice and the formatting of times in an event's own time zone."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_time
from flask import Blueprint, current_app, redirect, request
from flask_babel import get_locale

LANGUAGE_COOKIE = "lang"
bp = Blueprint("i18n", __name__)


def select_locale() -> str:
    """An explicit choice (``?lang=`` or the cookie the switch sets) wins; Swedish otherwise."""
    languages = current_app.config["LANGUAGES"]
    for candidate in (request.args.get("lang"), request.cookies.get(LANGUAGE_COOKIE)):
        if candidate in languages:
            return candidate
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _safe_next(target: str | None) -> str:
    # Only same-site paths: an open redirect would let a link on our domain send people anywhere.
    # Browsers drop tabs and newlines from URLs ("/\t/evil" becomes "//evil"), and a newline
    # cannot go in a header at all, so any control character sends people home.
    if (
        not target
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or any(ord(char) < 0x20 or ord(char) == 0x7F for char in target)
    ):
        return "/"
    return target


@bp.get("/language/<code>")
def switch_language(code: str):
    response = redirect(_safe_next(request.args.get("next")))
    if code in current_app.config["LANGUAGES"]:
        response.set_cookie(
            LANGUAGE_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax",
            secure=current_app.config.get("SESSION_COOKIE_SECURE", False), httponly=True,
        )
    return response


def local(dt: datetime, tz_name: str) -> datetime:
    return dt.astimezone(ZoneInfo(tz_name))


def _locale() -> Locale | str:
    # The request's Locale object itself: given the string, babel would parse it into a new
    # Locale on each of the thirty-odd times a programme formats.
    return get_locale() or "sv"


def time_filter(dt: datetime | None, tz_name: str) -> str:
    return "" if dt is None else format_time(local(dt, tz_name), "HH:mm", locale=_locale())


def date_filter(dt: datetime | None, tz_name: str, style: str = "full") -> str:
    return "" if dt is None else format_date(local(dt, tz_name), style, locale=_locale())


def datetime_filter(dt: datetime | None, tz_name: str) -> str:
    if dt is None:
        return ""
    return format_datetime(local(dt, tz_name), "d MMMM y HH:mm", locale=_locale())


def iso_filter(dt: datetime | None, tz_name: str) -> str:
    return "" if dt is None else local(dt, tz_name).isoformat()


def register(app) -> None:
    app.register_blueprint(bp)
    app.add_template_filter(time_filter, "time")
    app.add_template_filter(date_filter, "date")
    app.add_template_filter(datetime_filter, "datetime")
    app.add_template_filter(iso_filter, "iso")
