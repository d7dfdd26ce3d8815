"""What every template can use: labels, the language switch, Markdown."""
import re
import threading
from functools import lru_cache
from urllib.parse import urlencode

from babel.numbers import format_decimal
from flask import g, has_request_context, request, session, url_for
from flask_babel import get_locale
from jinja2 import BytecodeCache
from markupsafe import Markup, escape

from eventhub import i18n, labels, workspace
from eventhub.text import render_markdown

# The HTML depends on the source text alone, so it is cached by that text: an edited description
# is a new key and renders afresh, so nothing stale can be shown. Without it every description on
# a page builds a fresh Markdown parser on every request.
_markdown_html = lru_cache(maxsize=1024)(render_markdown)


def _current_path_without_lang() -> str:
    if not has_request_context():  # emails rendered by services and commands
        return "/"
    args = [(key, value) for key, value in request.args.items(multi=True) if key != "lang"]
    return request.path + ("?" + urlencode(args) if args else "")


def _clear_device() -> bool:
    """True once, on the first page after signing out (base.html asks; forms.js clears the device)."""
    return bool(has_request_context() and session.pop("clear_device", False))


def _personal_language_action() -> str | None:
    """On the pages behind a person's secret link, where their language switch posts to."""
    if not has_request_context() or g.get("personal_registration") is None or not g.get("personal_token"):
        return None
    return url_for("registration.change_language", token=g.personal_token)


def _language_link(code: str) -> str | None:
    """On a page that speaks a person's language without being theirs to change (the unsubscribe
    link's), the language switch asks for ``?lang=`` on the same page; elsewhere None (the cookie)."""
    if not has_request_context() or g.get("unsubscribing") is None:
        return None
    path = _current_path_without_lang()
    return f"{path}{'&' if '?' in path else '?'}{urlencode({'lang': code})}"


def _format_size(size_bytes: int | None) -> str:
    if size_bytes is None:
        return ""
    locale = str(get_locale() or "sv")
    if size_bytes >= 1_000_000:
        return format_decimal(round(size_bytes / 1_000_000, 1), locale=locale) + " MB"
    return format_decimal(max(1, round(size_bytes / 1000)), locale=locale) + " kB"


def _email_breaks(address: str | None) -> Markup:
    """An email address that wraps only after its @ or before a dot, never inside a part (not even
    at a hyphen, which would read as part of the address), unless that part alone is wider than the
    line (app.css: `.email-part`)."""
    if not address:
        return Markup("")
    parts = re.split(r"(?<=@)|(?=\.)", address)
    return Markup("<wbr>").join(Markup('<span class="email-part">%s</span>') % part for part in parts if part)


def _content_lang(language: str | None) -> Markup:
    """` lang="sv"` on an element holding what the organiser wrote, when that is not in the page's
    language (`i18n.content_language`); nothing when they agree."""
    marked = i18n.content_language(language)
    return Markup(' lang="%s"') % marked if marked else Markup("")


def _content_in(text: str | None, language: str | None) -> Markup:
    """What the organiser wrote, inside a sentence of the page: in a span of its language when that is
    not the page's (as ``content_lang``), else as it is."""
    marked = i18n.content_language(language)
    return Markup('<span lang="%s">%s</span>') % (marked, text or "") if marked else escape(text or "")


class _CompiledTemplates(BytecodeCache):
    """Compiled templates shared by every app built in this process.

    One app per process compiles each template once anyway; the test suite builds an app per
    test, and compiling the templates afresh each time cost more than most tests. The key holds
    the template's name and a checksum of its source, so an edited template compiles anew.
    """

    def __init__(self):
        self._code: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def load_bytecode(self, bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket) -> None:
        with self._lock:
            self._code[bucket.key] = bucket.bytecode_to_string()


_compiled_templates = _CompiledTemplates()


def register(app) -> None:
    app.jinja_env.bytecode_cache = _compiled_templates
    app.add_template_filter(_markdown_html, "markdown")
    app.add_template_filter(_format_size, "filesize")
    app.add_template_filter(_email_breaks, "email_breaks")
    app.add_template_global(_content_lang, "content_lang")
    app.add_template_filter(_content_in, "content_in")

    @app.context_processor
    def inject():
        locale = str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"])
        return {
            "workspace_links": workspace.links,
            "has_endpoint": lambda name: name in app.view_functions,
            "labels": labels.ALL,
            "current_locale": locale,
            "other_locales": [code for code in app.config["LANGUAGES"] if code != locale],
            "current_path": _current_path_without_lang(),
            "personal_language_action": _personal_language_action(),
            "language_link": _language_link,
            "clear_device": _clear_device,
            # A language asked for with ?lang= on this view, kept by its forms (None when not asked).
            "shown_lang": i18n.asked_language() if has_request_context() else None,
        }
