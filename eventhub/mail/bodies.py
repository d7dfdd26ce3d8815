"""The body of every email: the text as written, and an HTML part made from it when it is sent.

A feature writes one letter, in plain text (its ``emails`` module, ``templates/<package>/emails/``);
the outbox stores that text and builds both parts from it at delivery, so the HTML costs no
storage and cannot say anything the text does not. The text's own structure becomes HTML
(``read``): paragraphs (between blank lines) with their line breaks, lists (lines that start with
"- ", "* ", "• " or "1."), web addresses as links, and the signature below a line "--". A line
that ends with a colon and is followed by an address alone ("Choose your password with this
link:" and the link) becomes one link whose words are that line's last sentence, so a screen
reader announces what the link does, not a token. Everything else is text, escaped by the
template (``templates/mail/letter.html``, autoescaped): organisers' titles and messages are
plain text here, never markup.

An image the message shows (an attachment with a text alternative, the door ticket's QR code) is
part of the message (``cid:``), never fetched from anywhere. The parts are
``multipart/alternative`` (text, then HTML), inside ``multipart/related`` with the images
(around both parts, so a reader that shows only the text still finds the image beside it),
inside ``multipart/mixed`` with the attachments (the calendar) when there are any.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import EmailMessage, MIMEPart

from flask import current_app, render_template
from flask_babel import force_locale

SIGNATURE_LINE = "--"  # the usual signature separator ("-- " by RFC 3676, "--" as the letters write it)
_URL = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)
_URL_TAIL = ".,;:!?'"  # punctuation that ends a sentence, not the address before it
_BULLET = re.compile(r"^\s*[-*•]\s+(\S.*)$")
_NUMBER = re.compile(r"^\s*\d{1,3}[.)]\s+(\S.*)$")
# Where a sentence may end: a full stop, ! or ? and a space before a letter (a capital, checked
# where it is used: "kl. 14" and "t.ex. nu" are no ends).
_SENTENCE_END = re.compile(r"[.!?]\s+(?=[^\W\d_])")


@dataclass(frozen=True)
class Piece:
    """A run of text, or a link (``href``) with its words; ``action``: words that say what it does."""

    text: str
    href: str | None = None
    action: bool = False


@dataclass(frozen=True)
class Block:
    """A paragraph (its lines), or a list (``bullets`` or ``numbers``: one line per item)."""

    kind: str
    lines: tuple[tuple[Piece, ...], ...]


@dataclass(frozen=True)
class Letter:
    blocks: tuple[Block, ...]
    signature: tuple[Block, ...]


@dataclass(frozen=True)
class InlineImage:
    """An image the HTML shows from inside the message (``cid``), with its text alternative."""

    cid: str
    alt: str
    data: bytes
    content_type: str
    filename: str | None


def read(text: str) -> Letter:
    """The structure of a plain-text letter: its paragraphs, lists and links, and its signature."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    separators = [i for i, line in enumerate(lines) if line.rstrip() == SIGNATURE_LINE]
    if separators:
        at = separators[-1]
        return Letter(_blocks(lines[:at]), _blocks(lines[at + 1:]))
    return Letter(_blocks(lines), ())


def _blocks(lines: list[str]) -> tuple[Block, ...]:
    blocks: list[Block] = []
    chunk: list[str] = []
    for line in [*lines, ""]:
        if line.strip():
            chunk.append(line.strip())
        elif chunk:
            blocks.extend(_chunk_blocks(chunk))
            chunk = []
    return tuple(blocks)


def _chunk_blocks(lines: list[str]) -> list[Block]:
    """Lines between blank lines: a paragraph, and any run of list items as a list of its own."""
    blocks: list[Block] = []
    run: list[str] = []
    run_kind = "paragraph"
    for line in lines:
        kind, content = _line_kind(line)
        if kind != run_kind and run:
            blocks.append(_block(run_kind, run))
            run = []
        run_kind = kind
        run.append(content)
    if run:
        blocks.append(_block(run_kind, run))
    return blocks


def _line_kind(line: str) -> tuple[str, str]:
    for kind, pattern in (("bullets", _BULLET), ("numbers", _NUMBER)):
        match = pattern.match(line)
        if match:
            return kind, match.group(1)
    return "paragraph", line


def _block(kind: str, lines: list[str]) -> Block:
    if kind != "paragraph":
        return Block(kind, tuple(_pieces(line) for line in lines))
    out: list[tuple[Piece, ...]] = []
    for index, line in enumerate(lines):
        lead = lines[index - 1] if index else ""
        linked = (_lead_in_link(lead, line) if _is_lone_address(line) and out and lead.endswith(":")
                  and not _URL.search(lead) else None)
        if linked:
            out[-1] = linked
        else:
            out.append(_pieces(line))
    return Block(kind, tuple(out))


def _is_lone_address(line: str) -> bool:
    return bool(_URL.fullmatch(line)) and _address(line) == line


def _lead_in_link(lead: str, url: str) -> tuple[Piece, ...] | None:
    """"Do this with your link:" and the link: the lead's last sentence becomes the link's words."""
    ends = [end.end() for end in _SENTENCE_END.finditer(lead) if lead[end.end()].isupper()]
    start = ends[-1] if ends else 0
    words = lead[start:].rstrip(":").rstrip()
    if not words:  # a colon alone says nothing: the address stays the link's words, on its own line
        return None
    before = (Piece(lead[:start]),) if start else ()
    return (*before, Piece(words, url, action=True))


def _address(candidate: str) -> str:
    """A matched address without the punctuation after it ("see https://x.se." ends at "se")."""
    url = candidate.rstrip(_URL_TAIL)
    while url.endswith(")") and url.count(")") > url.count("("):
        url = url[:-1].rstrip(_URL_TAIL)
    return url


def _pieces(line: str) -> tuple[Piece, ...]:
    pieces: list[Piece] = []
    at = 0
    for match in _URL.finditer(line):
        url = _address(match.group())
        if url.endswith("//"):  # "https://." is no address
            continue
        if match.start() > at:
            pieces.append(Piece(line[at:match.start()]))
        pieces.append(Piece(url, url))
        at = match.start() + len(url)
    if at < len(line):
        pieces.append(Piece(line[at:]))
    return tuple(pieces)


# --- the message's parts ---------------------------------------------------------------------


def html(letter: Letter, subject: str, language: str, images: list[InlineImage]) -> str:
    with force_locale(language):  # as the text was written, and outside any request (the sender's)
        return render_template("mail/letter.html", letter=letter, subject=subject, language=language,
                               images=images)


def fill(message: EmailMessage, outbox_message) -> None:
    """Give ``message`` (its headers written) the body of ``outbox_message``: the text and its HTML,
    the images the HTML shows, the attachments."""
    images, attachments = _files(outbox_message, _cid_domain(message), message.policy)
    language = outbox_message.language or current_app.config["BABEL_DEFAULT_LOCALE"]
    body = MIMEPart(policy=message.policy)
    body.set_content(outbox_message.body_text)
    body.add_alternative(html(read(outbox_message.body_text), outbox_message.subject, language, images),
                         subtype="html")
    if images:
        # RFC 2387: the related parts' root (the first, the alternatives) is named by ``type``.
        body = _multipart("related", [body, *(_image_part(image, message.policy) for image in images)],
                          message.policy, type="multipart/alternative")
    if attachments:
        body = _multipart("mixed", [body, *attachments], message.policy)
    message["MIME-Version"] = "1.0"
    for name, value in body.items():
        message[name] = value
    message.set_payload(body.get_payload())


def _cid_domain(message: EmailMessage) -> str:
    """The right side of the Message-ID: the images' Content-IDs are unique where it is."""
    message_id = str(message.get("Message-ID") or "")
    return message_id.strip("<> ").partition("@")[2] or "eventhub.invalid"


def _files(outbox_message, domain: str, policy) -> tuple[list[InlineImage], list[MIMEPart]]:
    """The images the HTML shows and the other attached files (the calendar last)."""
    images: list[InlineImage] = []
    attachments: list[MIMEPart] = []
    data = outbox_message.attachment_bytes()
    if data:
        content_type = outbox_message.attachment_type or "application/octet-stream"
        if outbox_message.attachment_alt and content_type.startswith("image/"):
            images.append(InlineImage(f"image1.{outbox_message.message_key}@{domain}", outbox_message.attachment_alt,
                                      data, content_type, outbox_message.attachment_name))
        else:
            maintype, subtype = content_type.split("/", 1)
            attachments.append(_file_part(data, maintype, subtype, outbox_message.attachment_name, policy))
    if outbox_message.calendar_ics:
        attachments.append(_file_part(outbox_message.calendar_ics, "text", "calendar", "event.ics", policy,
                                      params={"method": "PUBLISH", "charset": "utf-8"}))
    return images, attachments


def _file_part(data: bytes, maintype: str, subtype: str, filename: str | None, policy, **options) -> MIMEPart:
    part = MIMEPart(policy=policy)
    part.set_content(data, maintype=maintype, subtype=subtype, disposition="attachment", filename=filename,
                     **options)
    return part


def _image_part(image: InlineImage, policy) -> MIMEPart:
    part = MIMEPart(policy=policy)
    maintype, subtype = image.content_type.split("/", 1)
    # Inline with its name: a reader that shows the text alone lists it as the attached ticket.
    part.set_content(image.data, maintype=maintype, subtype=subtype, disposition="inline", filename=image.filename,
                     cid=f"<{image.cid}>")
    return part


def _multipart(subtype: str, parts: list[MIMEPart], policy, **params) -> MIMEPart:
    container = MIMEPart(policy=policy)
    container["Content-Type"] = f"multipart/{subtype}"
    for name, value in params.items():
        container.set_param(name, value)
    for part in parts:
        container.attach(part)
    return container
