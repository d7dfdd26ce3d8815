"""Every email is text and HTML: read back with Python's email parser under the strict policy, one
message of every kind (tests/mail/kinds.py). The text part is the letter as written; the HTML is
made from it (eventhub/mail/bodies.py) and is checked here as markup: its parts, its language, its
headings and links, that it loads nothing and shows organisers' text as text. The HTML in a
browser (axe, dark mode, 320 px) is tests/browser/test_mail_html.py."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from eventhub.mail import bodies
from eventhub.mail import services as mail
from eventhub.mail.bodies import Block, Piece
from tests.mail.kinds import CANCELLATION, KINDS, TITLE, WITH_CALENDAR, WITH_TICKET, write_every_kind
from tests.mail.support import inline_images, read_back

ALTERNATIVE = ("multipart/alternative", ("text/plain", "text/html"))
RELATED = ("multipart/related", (ALTERNATIVE, "image/png"))
# Accounts are written to in Swedish whatever the reader chose elsewhere.
SWEDISH_ONLY = {"account_invitation", "host_invitation", "password_reset"}


def shape(part):
    """A part's MIME tree: its type, and its parts' shapes in order."""
    if part.is_multipart():
        return part.get_content_type(), tuple(shape(sub) for sub in part.iter_parts())
    return part.get_content_type()


def expected_shape(kind: str):
    body = RELATED if kind in WITH_TICKET else ALTERNATIVE
    return ("multipart/mixed", (body, "text/calendar")) if kind in WITH_CALENDAR else body


class Markup(HTMLParser):
    """The HTML's elements (tag, attributes), its text by element, and its <style> contents."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.text: dict[str, list[str]] = {}
        self.styles: list[str] = []
        self._open: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        if tag not in ("br", "img", "meta", "link", "hr"):
            self._open.append(tag)

    def handle_endtag(self, tag):
        if tag in self._open:
            while self._open.pop() != tag:
                pass

    def handle_data(self, data):
        if self._open and self._open[-1] == "style":
            self.styles.append(data)
        for tag in set(self._open):
            self.text.setdefault(tag, []).append(data)

    def all(self, tag: str) -> list[dict]:
        return [attrs for name, attrs in self.elements if name == tag]


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    return write_every_kind(tmp_path_factory.mktemp("mail-kinds") / "kinds.sqlite")


@pytest.fixture(params=KINDS)
def kind(request):
    return request.param


# --- the text's structure ------------------------------------------------------------------------


def _paragraph(*lines):
    return Block("paragraph", tuple(tuple(line) for line in lines))


@pytest.mark.parametrize(("text", "blocks"), [
    ("Hej!\n\nRad ett\nrad två", (_paragraph([Piece("Hej!")]), _paragraph([Piece("Rad ett")], [Piece("rad två")]))),
    ("Ta med:\n- en penna\n* en bok\n• frågor",
     (_paragraph([Piece("Ta med:")]),
      Block("bullets", ((Piece("en penna"),), (Piece("en bok"),), (Piece("frågor"),))))),
    ("1. Kom\n2) Gå", (Block("numbers", ((Piece("Kom"),), (Piece("Gå"),))),)),
    ("Se ditt program eller avanmäl dig:\nhttps://x.se/r/abc?lang=sv",
     (_paragraph([Piece("Se ditt program eller avanmäl dig", "https://x.se/r/abc?lang=sv", action=True)]),)),
    # The link's words are the lead's last sentence: "kl. 14" ends none, "UTC+1). Du" does.
    ("Det börjar kl. 14:00 (UTC+1). Du kan ansluta med din länk:\nhttps://x.se/j",
     (_paragraph([Piece("Det börjar kl. 14:00 (UTC+1). "), Piece("Du kan ansluta med din länk", "https://x.se/j",
                                                               action=True)]),)),
    ("Läs mer på https://x.se/a?b=1&c=2. Eller (https://x.se/b).",
     (_paragraph([Piece("Läs mer på "), Piece("https://x.se/a?b=1&c=2", "https://x.se/a?b=1&c=2"), Piece(". Eller ("),
                  Piece("https://x.se/b", "https://x.se/b"), Piece(").")]),)),
    ("Ta med t.ex. en penna. Anmäl dig t.ex. här:\nhttps://x.se/a",
     (_paragraph([Piece("Ta med t.ex. en penna. "), Piece("Anmäl dig t.ex. här", "https://x.se/a", action=True)]),)),
    ("Se https://. och https://x.se", (_paragraph([Piece("Se https://. och "), Piece("https://x.se", "https://x.se")]),)),
    ("En länk utan kolon före\nhttps://x.se", (_paragraph([Piece("En länk utan kolon före")],
                                                          [Piece("https://x.se", "https://x.se")]),)),
    # Only web addresses become links: no javascript:, data: or a scheme-less "www."
    ("Klicka javascript:alert(1) eller data:text/html,x eller www.x.se",
     (_paragraph([Piece("Klicka javascript:alert(1) eller data:text/html,x eller www.x.se")]),)),
    ("- ", (_paragraph([Piece("-")]),)),
    (":\nhttps://x.se", (_paragraph([Piece(":")], [Piece("https://x.se", "https://x.se")]),)),
])
def test_read_text_structure_becomes_blocks(text, blocks):
    assert bodies.read(text).blocks == blocks


def test_read_the_last_signature_line_starts_the_signature():
    letter = bodies.read("Hej\n--\ninte här\n\n--\nAgenda 2030 i Väst\nhttps://x.se")

    assert letter.blocks == (_paragraph([Piece("Hej")], [Piece("--")], [Piece("inte här")]),)
    assert letter.signature == (_paragraph([Piece("Agenda 2030 i Väst")], [Piece("https://x.se", "https://x.se")]),)


# --- every kind, read back -----------------------------------------------------------------------


def test_every_kind_is_text_then_html_in_its_parts(written, kind):
    message = written[kind, "sv"]
    parsed = message.parsed()

    assert shape(parsed) == expected_shape(kind)
    assert all(not part.defects for part in parsed.walk())
    text, html = parsed.get_body(("plain",)), parsed.get_body(("html",))
    assert text.get_content_charset() == html.get_content_charset() == "utf-8"
    if kind in WITH_TICKET:
        assert parsed.get_body(("related",)).get_param("type") == "multipart/alternative"  # RFC 2387


def test_every_kind_text_part_is_the_letter_as_written(written, kind):
    """A reader that shows only the text gets what the feature wrote, nothing of the HTML."""
    message = written[kind, "sv"]
    parsed = message.parsed()

    text = parsed.get_body(("plain",)).get_content()
    # As written, line for line (the parser ends the part with a line break, as it always did).
    assert text.replace("\r\n", "\n") == message.body_text.removesuffix("\n") + "\n"
    assert "<" not in text.replace(TITLE, "").replace(CANCELLATION, "").replace("<Organisatör>", "").replace(
        "<ekonomi>", "").replace("<onsdag>", "").replace("<b>nyfikenhet</b>", "")
    if kind in WITH_TICKET:
        # The ticket the text speaks of is beside it (in related, around both parts), with its name.
        [ticket] = inline_images(parsed)
        assert "QR" in text and ticket.get_filename() == "biljett.png"
        assert ticket.get_content_disposition() == "inline"


def test_every_kind_html_shows_its_images_from_inside_the_message(written, kind):
    message = written[kind, "sv"]
    parsed = message.parsed()

    markup = Markup(parsed.get_body(("html",)).get_content())
    sources = [attrs["src"] for attrs in markup.all("img")]
    ids = {part["Content-ID"].strip("<>") for part in inline_images(parsed)}
    assert {source.removeprefix("cid:") for source in sources} == ids  # each cid: resolves, each image shown
    assert all(source.startswith("cid:") for source in sources)
    assert len(ids) == (1 if kind in WITH_TICKET else 0)
    assert all(attrs.get("alt") for attrs in markup.all("img"))


def test_every_kind_html_loads_nothing_from_anywhere(written, kind):
    parsed = written[kind, "sv"].parsed()

    html = parsed.get_body(("html",)).get_content()
    markup = Markup(html)
    assert not {tag for tag, _attrs in markup.elements} & {"link", "script", "iframe", "object", "embed", "base",
                                                          "video", "audio", "source", "form"}
    for tag, attrs in markup.elements:
        for name in ("src", "srcset", "background", "poster", "data"):
            assert name not in attrs or attrs[name].startswith("cid:"), (tag, attrs)
        if tag != "a":
            assert "href" not in attrs, (tag, attrs)
    assert not re.search(r"url\(|@import", html, re.IGNORECASE)


def test_every_kind_html_shows_organisers_text_as_text(written, kind):
    message = written[kind, "sv"]
    parsed = message.parsed()

    html = parsed.get_body(("html",)).get_content()
    markup = Markup(html)
    assert not {"script", "i", "b", "ekonomi", "onsdag", "organisatör"} & {tag for tag, _attrs in markup.elements}
    assert "&lt;i&gt;" in html or kind in ("account_invitation", "password_reset")  # the title, escaped
    if kind == "event_cancelled":
        assert "Lokalen &lt;script&gt;alert(1)&lt;/script&gt; är stängd &amp; vi ses i höst." in html


def test_every_kind_html_has_a_heading_links_that_say_where_and_layout_tables(written, kind):
    message = written[kind, "sv"]
    parsed = message.parsed()

    markup = Markup(parsed.get_body(("html",)).get_content())
    assert [tag for tag, _attrs in markup.elements if re.fullmatch(r"h[1-6]", tag)] == ["h1"]
    assert "".join(markup.text["h1"]) == message.subject == parsed["Subject"]
    assert all(attrs.get("role") == "presentation" for attrs in markup.all("table"))
    links = markup.all("a")
    assert all(attrs["href"].startswith(("https://", "http://")) for attrs in links)
    # Each link to a person's own page (a secret token) has words that say what it does.
    personal = [attrs["href"] for attrs in links if re.search(r"/(r|account/password)/", attrs["href"])]
    assert personal or kind in ("email_changed_old", "cancelled", "event_cancelled")
    assert not any(text.strip().startswith("http") and "/r/" in text for text in markup.text.get("a", []))


def test_every_kind_html_declares_light_and_dark_and_survives_losing_its_style(written, kind):
    parsed = written[kind, "sv"].parsed()

    html = parsed.get_body(("html",)).get_content()
    markup = Markup(html)
    assert {"name": "color-scheme", "content": "light dark"} in markup.all("meta")
    style = "".join(markup.styles)
    assert "color-scheme: light dark" in style and "@media (prefers-color-scheme: dark)" in style
    # Without the <style> (clients that drop it) every element with text still has its colours inline.
    for tag in ("h1", "p", "a"):
        assert all("color:" in attrs.get("style", "") for attrs in markup.all(tag)), tag
    assert "background-color:#ffffff" in markup.all("table")[0]["style"]


@pytest.mark.parametrize("language", ["sv", "en"])
def test_every_kind_html_is_in_the_readers_language(written, kind, language):
    parsed = written[kind, language].parsed()

    markup = Markup(parsed.get_body(("html",)).get_content())
    expected = "sv" if kind in SWEDISH_ONLY else language
    assert markup.all("html")[0]["lang"] == expected
    assert all(attrs["alt"].startswith({"sv": "QR-kod för din biljett", "en": "QR code for your ticket"}[expected])
               for attrs in markup.all("img"))


def test_calendar_attachment_is_as_stored(written):
    message = written["confirmed", "sv"]
    parsed = message.parsed()

    [calendar] = list(parsed.iter_attachments())
    assert calendar.get_payload(decode=True) == message.calendar_ics
    assert calendar.get_filename() == "event.ics" and calendar.get_param("method") == "PUBLISH"


def test_a_message_without_a_language_is_in_the_default_one(app_ctx):
    message = mail.queue("anna@example.se", "Hej", "Hej Anna,\n\nVälkommen.")

    markup = Markup(read_back(message).get_body(("html",)).get_content())

    assert markup.all("html")[0]["lang"] == "sv"


def test_an_attachment_without_alt_stays_an_attachment(app_ctx):
    message = mail.queue("anna@example.se", "Hej", "Hej", attachment=mail.Attachment("a.png", "image/png", b"\x89PNG"))

    parsed = read_back(message)

    assert shape(parsed) == ("multipart/mixed", (ALTERNATIVE, "image/png"))
    assert not Markup(parsed.get_body(("html",)).get_content()).all("img")
