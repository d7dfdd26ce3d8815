"""What every template can use: labels, the language switch, Markdown."""
from functools import lru_cache
from urllib.parse import urlencode

from flask import has_request_context, request
from flask_babel import get_locale

from eventhub import labels, workspace
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


def _format_size(size_bytes: int | None) -> str:
    if size_bytes is None:
        return ""
    from babel.numbers import format_decimal

    locale = str(get_locale() or "sv")
    if size_bytes >= 1_000_000:
        return format_decimal(round(size_bytes / 1_000_000, 1), locale=locale) + " MB"
    return format_decimal(max(1, round(size_bytes / 1000)), locale=locale) + " kB"


def register(app) -> None:
    app.add_template_filter(_markdown_html, "markdown")
    app.add_template_filter(_format_size, "filesize")

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
        }
