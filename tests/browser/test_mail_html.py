"""The HTML part of every email in Chromium, as a mail client shows it: axe-core (WCAG 2.1 A/AA and
axe's best practices) finds nothing in the light or the dark colour scheme, it reflows at 320 px,
and it asks no server for anything (every request is refused and recorded). The ``cid:`` images
are put in as a client does, from the message's own parts (tests/mail/support.html_with_images).
The messages are one of every kind (tests/mail/kinds.py), built once on an app of their own."""
from __future__ import annotations

import io

import pytest
import zxingcpp
from PIL import Image

from tests.browser.support import AXE, AXE_TAGS, NARROW, PHONE, assert_reflows, describe
from tests.mail.kinds import KINDS, WITH_TICKET, write_every_kind
from tests.mail.support import html_with_images, inline_images

pytestmark = pytest.mark.browser

SCHEMES = ["light", "dark"]
# The same letter in English as well: its own words (longer or shorter lines) and lang="en".
IN_ENGLISH = ["confirmed", "mailing", "reminder_on_site", "reminder_digital", "reminder_waitlist"]
LETTERS = [(kind, "sv") for kind in KINDS] + [(kind, "en") for kind in IN_ENGLISH]


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    return write_every_kind(tmp_path_factory.mktemp("mail-html") / "kinds.sqlite")


@pytest.fixture
def open_letter(browser):
    """``open_letter(html, scheme, viewport)``: the HTML in a page that may load nothing. Returns the
    page and the list of addresses it asked for (each refused)."""
    contexts = []

    def opener(html: str, scheme: str, viewport=NARROW):
        context = browser.new_context(**viewport)
        contexts.append(context)
        asked: list[str] = []
        context.route("**/*", lambda route: (asked.append(route.request.url), route.abort()))
        page = context.new_page()
        page.emulate_media(color_scheme=scheme)
        page.set_content(html, wait_until="load")
        return page, asked

    yield opener
    for context in contexts:
        context.close()


# An email is shown inside the mail client's page, in the client's own landmarks: a <main> of its own
# would be a second one there, so the letter is role="article" and these two best practices do not apply.
NOT_FOR_EMAIL = {"landmark-one-main": {"enabled": False}, "region": {"enabled": False}}


def axe_violations(page) -> list[dict]:
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))  # inline: the page may load nothing
    options = {"runOnly": {"type": "tag", "values": [*AXE_TAGS, "best-practice"]}, "rules": NOT_FOR_EMAIL}
    return page.evaluate("options => axe.run(document, options)", options)["violations"]


def luminance(css_colour: str) -> float:
    """The relative luminance (WCAG) of a computed ``rgb(r, g, b)``."""
    channels = [int(value) / 255 for value in css_colour[css_colour.index("(") + 1:-1].split(",")[:3]]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def colours(page, selector: str) -> tuple[float, float]:
    """The luminance of an element's background and of its text."""
    style = page.eval_on_selector(selector, "e => [getComputedStyle(e).backgroundColor, getComputedStyle(e).color]")
    return luminance(style[0]), luminance(style[1])


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize(("kind", "language"), LETTERS)
def test_mail_html_passes_axe_reflows_and_loads_nothing(written, open_letter, kind, language, scheme):
    page, asked = open_letter(html_with_images(written[kind, language].parsed()), scheme)

    violations = axe_violations(page)
    assert not violations, f"axe found {len(violations)} in the {kind} email ({language}, {scheme}):\n" + describe(
        violations)
    assert_reflows(page)
    if kind in WITH_TICKET:
        assert page.eval_on_selector("img", "img => img.complete && img.naturalWidth") > 0  # the QR is shown
    assert asked == []


@pytest.mark.parametrize(("scheme", "dark"), [("light", False), ("dark", True)])
def test_mail_html_follows_the_readers_colour_scheme(written, open_letter, scheme, dark):
    page, _asked = open_letter(html_with_images(written["confirmed", "sv"].parsed()), scheme, PHONE)

    card, text = colours(page, ".mail-card")
    assert (card < 0.05 and text > 0.7) if dark else (card == 1.0 and text < 0.05)
    heading_background, heading = colours(page, "h1")
    link_background, link = colours(page, "a")
    assert (heading > 0.7 and link > 0.4) if dark else (heading < 0.05 and link < 0.15)


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("kind", ["confirmed", "mailing"])
def test_mail_html_without_its_style_is_still_readable(written, open_letter, kind, scheme):
    """A client that drops <style> (and the dark scheme with it) keeps the inline colours: light, and
    enough contrast, whatever scheme the reader asked for."""
    page, asked = open_letter(html_with_images(written[kind, "sv"].parsed()), scheme)
    page.evaluate("() => document.querySelectorAll('style').forEach(style => style.remove())")

    violations = axe_violations(page)
    assert not violations, describe(violations)
    assert colours(page, ".mail-card")[0] == 1.0
    assert asked == []


@pytest.mark.parametrize("scheme", SCHEMES)
def test_mail_html_ticket_scans_from_the_screen(written, open_letter, scheme, tmp_path):
    """The QR code as the reader's screen shows it, in both schemes, reads as the ticket it was drawn from."""
    parsed = written["confirmed", "sv"].parsed()
    [ticket] = inline_images(parsed)
    page, _asked = open_letter(html_with_images(parsed), scheme, PHONE)

    shot = page.locator("img").screenshot(path=tmp_path / f"ticket-{scheme}.png")

    drawn = [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(ticket.get_content())))]
    seen = [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(shot)))]
    assert seen == drawn and drawn[0].startswith("EH1:")
