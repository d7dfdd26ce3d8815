"""Where outbox messages go: an SMTP server in production, a folder in development.

A transport raises ``DeliveryFailed`` when a message may go through later (a server down, a
4xx reply) and ``Undeliverable`` when it never will: it cannot be built, the server refused
it for good (a 5xx reply to its recipient, sender or content), or an address in it needs
SMTPUTF8 (mail.addresses) that the server does not offer or ``MAIL_SMTPUTF8`` turns off.
"""
from __future__ import annotations

import email.policy
import re
import smtplib
import ssl
import time
import unicodedata
from collections.abc import Iterable
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from uuid import uuid4

from eventhub.mail import bodies
from eventhub.mail.addresses import needs_smtputf8, wire_address
from eventhub.types import utcnow

# The stdlib's SMTP policy: CRLF line ends, and a header value with a line break is refused
# (raised) rather than folded into a second header. ``one_line`` keeps such values out.
# refold_source="none" touches only headers set raw (List-Unsubscribe): the policy would otherwise
# fold a long URL into encoded words, which no mail program reads as a link.
POLICY = email.policy.SMTP.clone(refold_source="none")
# An address whose local part is not ASCII: the headers in UTF-8 (RFC 6532), sent with SMTPUTF8.
UTF8_POLICY = POLICY.clone(utf8=True)

# MAIL_SMTPUTF8: "auto" uses SMTPUTF8 when the server's EHLO offers it; "true" promises that it does
# (registration does not ask the server); "false" never uses it. docs/outbox.md.
SMTPUTF8_SETTINGS = ("auto", "true", "false")


class DeliveryFailed(Exception):
    """Not sent this time; retried later."""


class Undeliverable(DeliveryFailed):
    """Never to be sent: ``reason`` says why in a word the organiser's page translates."""

    REASONS = ("unbuildable", "recipient_refused", "sender_refused", "message_refused", "needs_smtputf8")

    def __init__(self, reason: str, detail: str):
        assert reason in self.REASONS, reason
        super().__init__(detail)
        self.reason = reason


_SPACES = re.compile(r"\s+")


def one_line(value: str) -> str:
    """A header value on one line: line breaks (CR, LF, U+2028, U+2029, NEL, ...) and other control
    characters become one space, so a title pasted with a line break can neither add a header nor
    make the message impossible to build."""
    text = "".join(" " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in " ".join(value.splitlines()))
    return _SPACES.sub(" ", text).strip()


def _addresses(outbox_message, sender: str) -> dict:
    """The message's addresses by header, each with its domain in ASCII (mail.addresses)."""
    found = {"From": wire_address(sender), "To": wire_address(outbox_message.to_address)}
    if outbox_message.reply_to:
        found["Reply-To"] = wire_address(outbox_message.reply_to)
    return found


# A URL as a header holds it: printable ASCII, no space, nothing that ends the <...> or the list.
_HEADER_URL = re.compile(r"https?://[!-~]+")


def _list_unsubscribe(message: EmailMessage, url: str) -> None:
    """List-Unsubscribe with one-click (RFC 8058): the mail program's button posts to the URL."""
    if not _HEADER_URL.fullmatch(url) or any(c in url for c in "<>,"):
        raise ValueError(f"not a URL for List-Unsubscribe: {url!r}")
    message.set_raw("List-Unsubscribe", f"<{url}>")  # on one line (< 998): see POLICY
    if url.startswith("https://"):  # RFC 8058 asks for HTTPS; a development server on http gets no button
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"


def build_message(outbox_message, sender: str) -> EmailMessage:
    """The message as sent. Its headers are UTF-8 (RFC 6532) only when an address needs it (a local
    part outside ASCII: ``message.policy.utf8``); the transport decides whether it may send it."""
    addresses = _addresses(outbox_message, sender)
    utf8 = any(needs_smtputf8(address) for address in addresses.values())
    message = EmailMessage(policy=UTF8_POLICY if utf8 else POLICY)
    for name, address in addresses.items():
        message[name] = address  # an Address: the display name may be encoded, the address never
    message["Subject"] = one_line(outbox_message.subject)
    message["Date"] = format_datetime(outbox_message.created_at or utcnow())
    domain = addresses["From"].domain or "eventhub.invalid"
    message["Message-ID"] = f"<{outbox_message.message_key or uuid4()}@{domain}>"
    if outbox_message.automatic:
        message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to a confirmation
    if outbox_message.unsubscribe_url:
        _list_unsubscribe(message, outbox_message.unsubscribe_url)
    bodies.fill(message, outbox_message)  # the text and its HTML, the images they show, the attachments
    return message


def _built(outbox_message, sender: str, smtputf8: str = "auto") -> tuple[EmailMessage, bytes]:
    """The message as sent, or ``Undeliverable`` if it cannot be made (no retry would help), or if it
    needs SMTPUTF8 and ``smtputf8`` is "false"."""
    try:
        message = build_message(outbox_message, sender)
        data = message.as_bytes()
    except Exception as error:  # noqa: BLE001 - whatever a header or renderer raises, this message fails alone
        raise Undeliverable("unbuildable", _detail(error)) from error
    if message.policy.utf8 and smtputf8 == "false":
        raise Undeliverable("needs_smtputf8", "an address has letters outside ASCII before the @, "
                                              "and MAIL_SMTPUTF8 is false")
    return message, data


def _detail(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:500]


def _refusal(error: smtplib.SMTPException) -> Undeliverable | None:
    """The server's refusal for good (a 5xx reply), if it is one; a 4xx reply is for now."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _reply in error.recipients.values()]
        if codes and all(code >= 500 for code in codes):
            return Undeliverable("recipient_refused", _detail(error))
    elif isinstance(error, smtplib.SMTPSenderRefused) and error.smtp_code >= 500:
        return Undeliverable("sender_refused", _detail(error))
    elif isinstance(error, smtplib.SMTPDataError) and error.smtp_code >= 500:
        return Undeliverable("message_refused", _detail(error))
    return None


# What servers said about SMTPUTF8 in their EHLO, by (host, port, starttls): (offered, when asked).
_OFFERS_SMTPUTF8: dict[tuple, tuple[bool, float]] = {}
OFFERS_SMTPUTF8_KEPT = 3600.0  # seconds: a server's configuration rarely changes, and asking costs a connection
PROBE_TIMEOUT = 3.0


class SMTPTransport:
    def __init__(self, host: str, port: int, sender: str, username: str | None = None,
                 password: str | None = None, starttls: bool = False, timeout: float = 10.0,
                 smtputf8: str = "auto"):
        self.host, self.port, self.sender = host, port, sender
        self.username, self.password, self.starttls, self.timeout = username, password, starttls, timeout
        self.smtputf8 = smtputf8

    def _hello(self, smtp: smtplib.SMTP) -> None:
        smtp.ehlo_or_helo_if_needed()
        if self.starttls:
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()  # what the server offers after STARTTLS is what counts
        _OFFERS_SMTPUTF8[(self.host, self.port, self.starttls)] = (smtp.has_extn("smtputf8"), time.monotonic())

    def send(self, outbox_message) -> None:
        message, _data = _built(outbox_message, self.sender, self.smtputf8)
        international = message.policy.utf8
        sender = wire_address(self.sender).addr_spec
        recipient = wire_address(outbox_message.to_address).addr_spec
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                self._hello(smtp)
                if international and not smtp.has_extn("smtputf8"):
                    raise Undeliverable("needs_smtputf8", f"{self.host} does not offer SMTPUTF8 in its EHLO, and an "
                                                          "address has letters outside ASCII before the @")
                if self.username:
                    smtp.login(self.username, self.password or "")
                # send_message asks for SMTPUTF8 itself when the envelope is not ASCII; when only a
                # header is (a Reply-To), it must be asked for here. The domains are punycode already.
                envelope_ascii = (sender + recipient).isascii()
                smtp.send_message(message, from_addr=sender, to_addrs=[recipient],
                                  mail_options=("SMTPUTF8", "BODY=8BITMIME") if international and envelope_ascii
                                  else ())
        except smtplib.SMTPException as error:
            raise (_refusal(error) or DeliveryFailed(_detail(error))) from error
        except OSError as error:
            raise DeliveryFailed(_detail(error)) from error

    def takes_smtputf8(self) -> bool:
        """Whether an address with letters outside ASCII before the @ can be sent (at registration):
        per MAIL_SMTPUTF8, and with "auto" per the server's EHLO, asked at most once an hour. A
        server that cannot be asked right now is taken at its word later: the message then waits
        in the outbox, and fails for good with its reason if the server does not offer SMTPUTF8."""
        if self.smtputf8 != "auto":
            return self.smtputf8 == "true"
        key = (self.host, self.port, self.starttls)
        known = _OFFERS_SMTPUTF8.get(key)
        if known is not None and time.monotonic() - known[1] < OFFERS_SMTPUTF8_KEPT:
            return known[0]
        try:
            with smtplib.SMTP(self.host, self.port, timeout=min(self.timeout, PROBE_TIMEOUT)) as smtp:
                self._hello(smtp)
        except (smtplib.SMTPException, OSError):
            return True
        return _OFFERS_SMTPUTF8[key][0]

    def forget(self, message_ids: Iterable[int]) -> None:
        """Nothing is kept here: what was sent is the receiver's."""


class FolderTransport:
    """Development default: each email becomes a .eml file you can open."""

    def __init__(self, folder: Path, sender: str, smtputf8: str = "auto"):
        self.folder, self.sender, self.smtputf8 = Path(folder), sender, smtputf8

    def path_of(self, message_id: int) -> Path:
        return self.folder / f"{message_id:06d}.eml"

    def takes_smtputf8(self) -> bool:
        return self.smtputf8 != "false"  # a file takes UTF-8 headers

    def send(self, outbox_message) -> None:
        _message, data = _built(outbox_message, self.sender, self.smtputf8)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.path_of(outbox_message.id).write_bytes(data)

    def forget(self, message_ids: Iterable[int]) -> None:
        """Delete the files of these messages (their person was erased)."""
        for message_id in message_ids:
            self.path_of(message_id).unlink(missing_ok=True)


def smtputf8_setting(config: dict) -> str:
    """MAIL_SMTPUTF8 as one of ``SMTPUTF8_SETTINGS`` (auto when not set); ValueError for anything else."""
    value = str(config.get("MAIL_SMTPUTF8") or "auto").strip().lower()
    value = {"1": "true", "yes": "true", "on": "true", "0": "false", "no": "false", "off": "false"}.get(value, value)
    if value not in SMTPUTF8_SETTINGS:
        raise ValueError(f"MAIL_SMTPUTF8 must be one of {', '.join(SMTPUTF8_SETTINGS)}, not {value!r}")
    return value


def transport_from_config(config: dict, instance_path: str):
    sender, smtputf8 = config["MAIL_SENDER"], smtputf8_setting(config)
    if config["MAIL_BACKEND"] == "smtp":
        return SMTPTransport(
            config["SMTP_HOST"], int(config["SMTP_PORT"]), sender, config.get("SMTP_USERNAME"),
            config.get("SMTP_PASSWORD"), bool(config.get("SMTP_STARTTLS")), smtputf8=smtputf8,
        )
    return FolderTransport(Path(config.get("MAIL_FOLDER") or Path(instance_path) / "mail"), sender, smtputf8)
