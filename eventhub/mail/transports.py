"""Where outbox messages go: an SMTP server in production, a folder in development.

A transport raises ``DeliveryFailed`` when a message may go through later (a server down, a
4xx reply) and ``Undeliverable`` when it never will: it cannot be built, or the server refused
it for good (a 5xx reply to its recipient, sender or content).
"""
from __future__ import annotations

import email.policy
import re
import smtplib
import ssl
import unicodedata
from collections.abc import Iterable
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from uuid import uuid4

from eventhub.mail import bodies
from eventhub.types import utcnow

# The stdlib's SMTP policy: CRLF line ends, and a header value with a line break is refused
# (raised) rather than folded into a second header. ``one_line`` keeps such values out.
POLICY = email.policy.SMTP


class DeliveryFailed(Exception):
    """Not sent this time; retried later."""


class Undeliverable(DeliveryFailed):
    """Never to be sent: ``reason`` says why in a word the organiser's page translates."""

    REASONS = ("unbuildable", "recipient_refused", "sender_refused", "message_refused")

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


def build_message(outbox_message, sender: str) -> EmailMessage:
    message = EmailMessage(policy=POLICY)
    message["From"] = sender
    message["To"] = outbox_message.to_address
    message["Subject"] = one_line(outbox_message.subject)
    if outbox_message.reply_to:
        message["Reply-To"] = outbox_message.reply_to
    message["Date"] = format_datetime(outbox_message.created_at or utcnow())
    domain = message["From"].addresses[0].domain or "eventhub.invalid"
    message["Message-ID"] = f"<{outbox_message.message_key or uuid4()}@{domain}>"
    if outbox_message.automatic:
        message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to a confirmation
    bodies.fill(message, outbox_message)  # the text and its HTML, the images they show, the attachments
    return message


def _built(outbox_message, sender: str) -> tuple[EmailMessage, bytes]:
    """The message as sent, or ``Undeliverable`` if it cannot be made (no retry would help)."""
    try:
        message = build_message(outbox_message, sender)
        return message, message.as_bytes()
    except Exception as error:  # noqa: BLE001 - whatever a header or renderer raises, this message fails alone
        raise Undeliverable("unbuildable", _detail(error)) from error


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


class SMTPTransport:
    def __init__(self, host: str, port: int, sender: str, username: str | None = None,
                 password: str | None = None, starttls: bool = False, timeout: float = 10.0):
        self.host, self.port, self.sender = host, port, sender
        self.username, self.password, self.starttls, self.timeout = username, password, starttls, timeout

    def send(self, outbox_message) -> None:
        message, _data = _built(outbox_message, self.sender)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(message)
        except smtplib.SMTPException as error:
            raise (_refusal(error) or DeliveryFailed(_detail(error))) from error
        except OSError as error:
            raise DeliveryFailed(_detail(error)) from error

    def forget(self, message_ids: Iterable[int]) -> None:
        """Nothing is kept here: what was sent is the receiver's."""


class FolderTransport:
    """Development default: each email becomes a .eml file you can open."""

    def __init__(self, folder: Path, sender: str):
        self.folder, self.sender = Path(folder), sender

    def path_of(self, message_id: int) -> Path:
        return self.folder / f"{message_id:06d}.eml"

    def send(self, outbox_message) -> None:
        _message, data = _built(outbox_message, self.sender)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.path_of(outbox_message.id).write_bytes(data)

    def forget(self, message_ids: Iterable[int]) -> None:
        """Delete the files of these messages (their person was erased)."""
        for message_id in message_ids:
            self.path_of(message_id).unlink(missing_ok=True)


def transport_from_config(config: dict, instance_path: str):
    sender = config["MAIL_SENDER"]
    if config["MAIL_BACKEND"] == "smtp":
        return SMTPTransport(
            config["SMTP_HOST"], int(config["SMTP_PORT"]), sender, config.get("SMTP_USERNAME"),
            config.get("SMTP_PASSWORD"), bool(config.get("SMTP_STARTTLS")),
        )
    return FolderTransport(Path(config.get("MAIL_FOLDER") or Path(instance_path) / "mail"), sender)
