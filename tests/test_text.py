"""Organiser Markdown rendered through the allow-list sanitiser (eventhub.text)."""
from __future__ import annotations

import pytest
from markupsafe import Markup

from eventhub.text import looks_like_email, render_markdown, web_url


def test_render_markdown_bold_becomes_strong():
    assert "<strong>bold</strong>" in render_markdown("Some **bold** text")


def test_render_markdown_returns_markup_so_templates_do_not_escape_it():
    assert isinstance(render_markdown("x"), Markup)


@pytest.mark.parametrize("empty", [None, ""])
def test_render_markdown_empty_is_empty(empty):
    assert render_markdown(empty) == ""


@pytest.mark.parametrize("source", [
    "<script>alert(1)</script>",
    "Text <script>alert(1)</script> more",
    "<SCRIPT src=https://evil.example/x.js></SCRIPT>",
    "<style>body{display:none}</style>",
])
def test_render_markdown_drops_scripts_and_styles(source):
    html = render_markdown(source).lower()
    assert "<script" not in html and "<style" not in html
    assert "alert(1)" not in html


@pytest.mark.parametrize("source", [
    "[click](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "[x](vbscript:msgbox)",
])
def test_render_markdown_drops_dangerous_link_schemes(source):
    html = render_markdown(source).lower()
    assert "javascript:" not in html and "data:" not in html and "vbscript:" not in html


def test_render_markdown_drops_event_handlers_images_and_iframes():
    html = render_markdown('<p onclick="x()">hi</p><img src=x onerror=alert(1)><iframe src="https://e.example"></iframe>')
    assert "onclick" not in html and "onerror" not in html and "<img" not in html and "<iframe" not in html
    assert "hi" in html


def test_render_markdown_keeps_safe_links_with_rel():
    html = render_markdown("[Agenda 2030 i Väst](https://example.org/a) and <mailto:info@example.org>")
    assert 'href="https://example.org/a"' in html
    assert 'rel="noopener noreferrer nofollow"' in html
    assert "mailto:info@example.org" in html


def test_render_markdown_keeps_lists_and_paragraphs():
    html = render_markdown("First\n\n- one\n- two\n\n1. a\n2. b")
    assert "<p>First</p>" in html and "<ul>" in html and "<li>one</li>" in html and "<ol>" in html


@pytest.mark.parametrize("url", ["https://example.org/x", "http://example.org", " https://example.org/y "])
def test_web_url_accepts_http_addresses(url):
    assert web_url(url) == url.strip()


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "java\nscript:alert(1)", "\x00javascript:alert(1)", "data:,x", "mailto:a@example.org",
    "/local/path", "//evil.example", "ftp://example.org/file",
])
def test_web_url_refuses_other_schemes_with_field_name(url):
    with pytest.raises(ValueError, match="recording_url"):
        web_url(url, "recording_url")


def test_swedish_sort_key_puts_a_ring_a_umlaut_o_umlaut_after_z():
    from eventhub.text import swedish_sort_key

    names = ["Örjan", "Zoran", "Åsa", "Anna", "Ärla", "ärla", "Bo"]
    assert sorted(names, key=swedish_sort_key) == ["Anna", "Bo", "Zoran", "Åsa", "Ärla", "ärla", "Örjan"]


@pytest.mark.parametrize(("address", "valid"), [
    ("anna@example.se", True),
    (" Anna@Example.SE ", True),  # trimmed and compared in lower case elsewhere
    ("åsa.öhman@exempel.se", True),
    ("anna@exämple.se", True),
    ("anna@example..org", False),  # an empty label
    ("anna..svensson@example.se", False),
    ("anna@example.se.", False),
    ("anna@-example.se", False),
    ("anna@example", False),
    ("anna example@example.se", False),
    ("anna@example.se\nBcc: x@example.se", False),
    ("anna@exa\u2028mple.se", False),
    ("@example.se", False),
    ("anna@", False),
    ("", False),
    ("a" * 250 + "@example.se", False),
])
def test_looks_like_email_table(address, valid):
    assert looks_like_email(address) is valid
