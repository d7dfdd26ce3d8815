"""Interface text: every message has a Swedish translation; language choice and time formatting."""
from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from config import TestingConfig
from eventhub import create_app, i18n

ROOT = Path(__file__).parents[1]
SV_PO = ROOT / "translations" / "sv" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")


@pytest.fixture(scope="module")
def web_app():
    """Language and formatting need no database."""
    return create_app(TestingConfig, SQLALCHEMY_DATABASE_URI="sqlite://")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The messages in the code and templates, extracted as the README says."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    CommandLineInterface().run([
        "pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-k", "_l", "-k", "lazy_gettext",
        "--no-location", "-o", str(pot), str(ROOT),
    ])
    with pot.open("rb") as handle:
        catalog = read_po(handle)
    return [message for message in catalog if message.id]


@pytest.fixture(scope="module")
def swedish():
    with SV_PO.open("rb") as handle:
        return read_po(handle)


def _ids(messages) -> list[str]:
    return [message.id if isinstance(message.id, str) else message.id[0] for message in messages]


def test_extraction_finds_messages_from_code_and_templates(extracted):
    ids = _ids(extracted)
    assert "Page not found" in ids  # eventhub/__init__.py, gettext
    assert "For digital participants" in ids  # eventhub/labels.py, lazy_gettext as _l
    assert "Programme as PDF" in ids  # templates/events/event.html
    assert "Times are given in %(zone)s, where the event is held." in ids


def test_every_message_has_a_swedish_translation(extracted, swedish):
    problems = []
    for message in extracted:
        translated = swedish.get(message.id, message.context)
        if translated is None:
            problems.append(f"missing: {message.id!r}")
            continue
        strings = translated.string if isinstance(translated.string, tuple) else (translated.string,)
        if not all(strings):
            problems.append(f"empty: {message.id!r}")
        if translated.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
    assert problems == []


def test_swedish_translations_keep_placeholders(extracted, swedish):
    problems = []
    for message in extracted:
        translated = swedish.get(message.id, message.context)
        if translated is None:
            continue  # reported by the test above
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = translated.string if isinstance(translated.string, tuple) else (translated.string,)
        wanted = sorted(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            if sorted(PLACEHOLDER.findall(string or "")) != wanted:
                problems.append((message.id, string))
    assert problems == []


def test_swedish_catalog_has_translations_that_differ_from_english(swedish):
    # A catalogue filled with copies of the English would pass the tests above.
    translated = [m for m in swedish if m.id and m.string]
    different = [m for m in translated if m.string != m.id]
    assert len(different) > 0.8 * len(translated)


def test_select_locale_prefers_query_then_cookie_then_swedish(web_app):
    with web_app.test_request_context("/"):
        assert i18n.select_locale() == "sv"
    with web_app.test_request_context("/?lang=en"):
        assert i18n.select_locale() == "en"
    with web_app.test_request_context("/", headers={"Cookie": "lang=en"}):
        assert i18n.select_locale() == "en"
    with web_app.test_request_context("/?lang=sv", headers={"Cookie": "lang=en"}):
        assert i18n.select_locale() == "sv"
    with web_app.test_request_context("/?lang=fr", headers={"Cookie": "lang=de"}):
        assert i18n.select_locale() == "sv"


def test_browser_language_does_not_override_swedish_default(web_app):
    with web_app.test_request_context("/", headers={"Accept-Language": "en-GB,en;q=0.9"}):
        assert i18n.select_locale() == "sv"


def test_time_filters_format_in_event_zone_and_language(web_app):
    moment = datetime(2026, 10, 20, 11, 0, tzinfo=UTC)
    with web_app.test_request_context("/"):
        assert i18n.time_filter(moment, "Europe/Stockholm") == "13:00"
        assert i18n.date_filter(moment, "Europe/Stockholm") == "tisdag 20 oktober 2026"
        assert i18n.datetime_filter(moment, "Europe/Stockholm") == "20 oktober 2026 13:00"
        assert i18n.iso_filter(moment, "Europe/Stockholm") == "2026-10-20T13:00:00+02:00"
        assert i18n.time_filter(None, "Europe/Stockholm") == ""
    with web_app.test_request_context("/?lang=en"):
        # One date style per language: British English, as people in Europe write it.
        assert i18n.date_filter(moment, "Europe/Stockholm") == "Tuesday, 20 October 2026"
        assert i18n.zone_filter(moment, "Europe/Stockholm") == "Central European Summer Time, UTC+2"
        assert i18n.time_filter(moment, "Europe/London") == "12:00"


def test_date_filter_uses_local_date_not_utc_date(web_app):
    late = datetime(2026, 10, 20, 22, 30, tzinfo=UTC)  # already 21 October in Stockholm
    with web_app.test_request_context("/"):
        assert i18n.date_filter(late, "Europe/Stockholm", "long") == "21 oktober 2026"
