"""Language choice and the formatting of times in an event's own time zone."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_time, get_timezone_name
from babel.numbers import format_decimal, format_percent
from flask import Blueprint, current_app, g, redirect, request
from flask_babel import get_locale

LANGUAGE_COOKIE = "lang"
bp = Blueprint("i18n", __name__)


def asked_language() -> str | None:
    """The language asked for with ``?lang=`` on this request, if it is one we speak."""
    language = request.args.get("lang")
    return language if language in current_app.config["LANGUAGES"] else None


def select_locale() -> str:
    """The page's language: an explicit ``?lang=`` first, then the language the person chose when
    registering (on pages behind their secret link, ``g.person_language``), then the cookie the
    language switch sets; Swedish otherwise."""
    languages = current_app.config["LANGUAGES"]
    candidates = (asked_language(), g.get("person_language"), request.cookies.get(LANGUAGE_COOKIE))
    for candidate in candidates:
        if candidate in languages:
            return candidate
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def page_language() -> str:
    """The language of the page being served, as a code ("sv", "en")."""
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def content_language(language: str | None) -> str | None:
    """The language to mark on what the organiser wrote (titles, descriptions, places) when it is not
    the page's (WCAG 3.1.2: a screen reader reading the English page reads a Swedish title as Swedish);
    None when they agree. The event says its content's language (`Event.language`), whatever
    languages its pages are offered in."""
    return language if language and language != page_language() else None


def safe_next(target: str | None) -> str:
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
    response = redirect(safe_next(request.args.get("next")))
    if code in current_app.config["LANGUAGES"]:
        response.set_cookie(
            LANGUAGE_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax",
            secure=current_app.config.get("SESSION_COOKIE_SECURE", False), httponly=True,
        )
    return response


def local(dt: datetime, tz_name: str) -> datetime:
    return dt.astimezone(ZoneInfo(tz_name))


# Dates and times are written as people in Sweden and Europe write them: English in the British
# style ("Wednesday, 20 October 2027", zones as "CEST"), not the American one babel's "en" gives.
_FORMAT_LOCALES = {"sv": Locale.parse("sv"), "en": Locale.parse("en_GB")}


def _locale() -> Locale:
    return _FORMAT_LOCALES.get(str(get_locale() or "sv"), _FORMAT_LOCALES["sv"])


def time_filter(dt: datetime | None, tz_name: str) -> str:
    return "" if dt is None else format_time(local(dt, tz_name), "HH:mm", locale=_locale())


def date_filter(dt: datetime | None, tz_name: str, style: str = "full") -> str:
    return "" if dt is None else format_date(local(dt, tz_name), style, locale=_locale())


def datetime_filter(dt: datetime | None, tz_name: str) -> str:
    if dt is None:
        return ""
    return format_datetime(local(dt, tz_name), "d MMMM y HH:mm", locale=_locale())


def zone_filter(dt: datetime | None, tz_name: str) -> str:
    """The time zone a time is given in, for someone reading it abroad: "Central European Summer
    Time, UTC+2", "centraleuropeisk sommartid, UTC+2"."""
    if dt is None:
        return ""
    moment = local(dt, tz_name)
    offset = moment.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign, minutes = ("+" if minutes >= 0 else "−"), abs(minutes)
    hours = f"{minutes // 60}" + (f":{minutes % 60:02d}" if minutes % 60 else "")
    name = get_timezone_name(moment, width="long", locale=_locale())
    return f"{name}, UTC{sign}{hours}"


def decimal_filter(value: float | None, digits: int = 1) -> str:
    """A number as the page's language writes it: "4,3" in Swedish, "4.3" in English."""
    return "" if value is None else format_decimal(value, "0." + "0" * digits if digits else "0", locale=_locale())


def percent_filter(share: float | None) -> str:
    """A share (0 to 1) as a whole percentage: "40 %" in Swedish, "40%" in English."""
    return "" if share is None else format_percent(share, locale=_locale())


def iso_filter(dt: datetime | None, tz_name: str) -> str:
    return "" if dt is None else local(dt, tz_name).isoformat()


def register(app) -> None:
    app.register_blueprint(bp)
    app.add_template_filter(time_filter, "time")
    app.add_template_filter(date_filter, "date")
    app.add_template_filter(datetime_filter, "datetime")
    app.add_template_filter(iso_filter, "iso")
    app.add_template_filter(decimal_filter, "decimal")
    app.add_template_filter(percent_filter, "percent")
    app.add_template_filter(zone_filter, "zone")
