"""User-written text: Markdown rendered through an allow-list sanitiser, links, addresses, sorting."""
import html as html_entities
import re
import unicodedata
from urllib.parse import urlsplit

import markdown
import nh3
from email_validator import EmailNotValidError, validate_email
from markupsafe import Markup

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "a", "ul", "ol", "li", "blockquote",
    "h3", "h4", "code", "pre", "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(source: str | None) -> Markup:
    """Organiser text to safe HTML: no scripts, styles, images or odd link schemes."""
    if not source:
        return Markup("")
    html = markdown.markdown(source, extensions=["sane_lists"], output_format="html")
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(cleaned)  # noqa: S704 (nh3 has just removed everything outside the allow-list)


def slugify(text: str) -> str:
    """An address part from a title or a name: ASCII letters, digits and dashes ("Möte i Borås" → "mote-i-boras")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:80].rstrip("-") or "evenemang"


def plain_text(source: str | None) -> str:
    """Organiser Markdown as one line of plain text (a meta description, a link preview)."""
    if not source:
        return ""
    html = markdown.markdown(source, extensions=["sane_lists"], output_format="html")
    text = html_entities.unescape(nh3.clean(html, tags=set()))
    return " ".join(text.split())


WEB_URL_SCHEMES = {"http", "https"}


def web_url(value: str | None, field: str = "url") -> str | None:
    """An organiser-given link (recording, partner, join link) as a web address; blank means none.

    Such links go straight into ``href``, so ``javascript:``, ``data:`` and the like are refused
    here, once, instead of trusting every template and serializer to check.
    """
    if value is None or not value.strip():
        return None
    value = value.strip()
    parts = urlsplit(value)  # drops tabs and newlines as browsers do ("java\tscript:")
    if parts.scheme.lower() not in WEB_URL_SCHEMES or not parts.netloc:
        raise ValueError(f"{field} must be an http(s) address, not {value!r}")
    return value


# The three letters after z, mapped to the three characters after "z" in code point order.
_SWEDISH_ORDER = str.maketrans({"å": "{", "ä": "|", "ö": "}", "æ": "|", "ø": "}",
                                "é": "e", "è": "e", "ü": "y", "à": "a", "á": "a"})


def swedish_sort_key(text: str) -> str:
    """Alphabetical order as a Swedish door list expects it: ... x, y, z, å, ä, ö."""
    return text.casefold().translate(_SWEDISH_ORDER)


def name_key(name: str) -> str:
    """A name as compared to find the same person twice: no case, accents or extra spaces
    ("Berit  Müllerström" and "berit mullerstrom" are the same key)."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


# Any of these in a one-line value (a subject, a header) could start a new line: newlines above all.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]")

EMAIL_MAX = 254


def looks_like_email(text: str) -> bool:
    """Whether an address is well formed (email-validator's syntax rules: no empty label as in
    ``anna@example..org``, no missing domain, no spaces or line breaks). Whether it exists is
    told by the email that arrives; nothing here asks the DNS."""
    text = text.strip()
    if not text or len(text) > EMAIL_MAX or CONTROL_CHARACTERS.search(text):
        return False
    try:
        validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def normalise_email(email: str) -> str:
    """Addresses are compared and stored trimmed and in lower case."""
    return email.strip().lower()


def css_string(value: str) -> Markup:
    """Text as a quoted CSS string (a PDF's running footer): shown exactly as written, escaped once.

    Jinja's HTML escaping is wrong inside <style>, where entities are not decoded ("&amp;" would be
    printed). Every character that could end the string or the <style> element is a CSS hex escape
    instead (its closing space is part of the escape), and runs of white space (a line break in a
    name) are one space.
    """
    text = " ".join(value.split())
    escaped = "".join(ch if ch.isalnum() or ch in " .,:;!?()·–-_@/" else f"\\{ord(ch):x} " for ch in text)
    return Markup(f'"{escaped}"')  # noqa: S704 (every character but letters, digits and a few signs is escaped)
