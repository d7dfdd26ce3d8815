"""Where outbox messages go: an SMTP server in production, a folder in development."""
from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path


class DeliveryFailed(Exception):
    pass


def build_message(outbox_message, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = outbox_message.to_address
    message["Subject"] = outbox_message.subject
    message["Message-ID"] = f"<outbox-{outbox_message.id}@{sender.rsplit('@', 1)[-1].strip('>')}>"
    message.set_content(outbox_message.body_text)
    attachment = outbox_message.attachment_bytes()
    if attachment:
        maintype, subtype = (outbox_message.attachment_type or "application/octet-stream").split("/", 1)
        message.add_attachment(attachment, maintype=maintype, subtype=subtype,
                               filename=outbox_message.attachment_name)
    if outbox_message.calendar_ics:
        message.add_attachment(outbox_message.calendar_ics, maintype="text", subtype="calendar",
                               filename="event.ics", params={"method": "PUBLISH", "charset": "utf-8"})
    return message


class SMTPTransport:
    def __init__(self, host: str, port: int, sender: str, username: str | None = None,
                 password: str | None = None, starttls: bool = False, timeout: float = 10.0):
        self.host, self.port, self.sender = host, port, sender
        self.username, self.password, self.starttls, self.timeout = username, password, starttls, timeout

    def send(self, outbox_message) -> None:
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(build_message(outbox_message, self.sender))
        except (OSError, smtplib.SMTPException) as error:
            raise DeliveryFailed(f"{type(error).__name__}: {error}"[:500]) from error


class FolderTransport:
    """Development default: each email becomes a .eml file you can open."""

    def __init__(self, folder: Path, sender: str):
        self.folder, self.sender = Path(folder), sender

    def send(self, outbox_message) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{outbox_message.id:06d}.eml"
        path.write_bytes(bytes(build_message(outbox_message, self.sender)))


def transport_from_config(config: dict, instance_path: str):
    sender = config["MAIL_SENDER"]
    if config["MAIL_BACKEND"] == "smtp":
        return SMTPTransport(
            config["SMTP_HOST"], int(config["SMTP_PORT"]), sender, config.get("SMTP_USERNAME"),
            config.get("SMTP_PASSWORD"), bool(config.get("SMTP_STARTTLS")),
        )
    return FolderTransport(Path(config.get("MAIL_FOLDER") or Path(instance_path) / "mail"), sender)
