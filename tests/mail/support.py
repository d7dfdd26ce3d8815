"""A real SMTP server for the outbox tests: aiosmtpd in the test process, on 127.0.0.1."""
from __future__ import annotations

import asyncio
import base64
import email
import email.policy
import socket

from aiosmtpd.controller import Controller

from eventhub.mail.transports import SMTPTransport, build_message

SENDER = "EventHub <noreply@eventhub.invalid>"


def read_back(outbox_message, sender: str = SENDER) -> email.message.EmailMessage:
    """The message as it is sent, read by Python's parser under the strict policy (a defect raises)."""
    return email.message_from_bytes(build_message(outbox_message, sender).as_bytes(), policy=email.policy.strict)


def html_with_images(message: email.message.EmailMessage) -> str:
    """The HTML part as a mail client shows it: each ``cid:`` replaced by the image of that Content-ID
    (as a data: address, so a browser shows it without asking any server)."""
    html = message.get_body(("html",)).get_content()
    for part in inline_images(message):
        data = base64.b64encode(part.get_content()).decode()
        html = html.replace(f"cid:{part['Content-ID'].strip('<>')}", f"data:{part.get_content_type()};base64,{data}")
    return html


def inline_images(message: email.message.EmailMessage) -> list[email.message.EmailMessage]:
    """The images the HTML part shows from inside the message (by Content-ID), such as the ticket."""
    return [part for part in message.walk() if part.get_content_maintype() == "image" and part["Content-ID"]]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps what it receives.

    ``refuse`` maps a recipient to the reply its RCPT gets (say "550 5.1.1 No such user here");
    ``refuse_sender`` is the reply to every MAIL FROM and ``refuse_data`` to every DATA, if set;
    ``delay`` seconds pass before DATA is answered.
    """

    def __init__(self):
        self.envelopes = []
        self.refuse: dict[str, str] = {}
        self.refuse_sender: str | None = None
        self.refuse_data: str | None = None
        self.delay = 0.0

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.refuse_sender:
            return self.refuse_sender
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.refuse_data:
            return self.refuse_data
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self) -> list[email.message.EmailMessage]:
        return [email.message_from_bytes(e.content, policy=email.policy.default) for e in self.envelopes]


class SMTPServer:
    """An SMTP server on a fixed free port that a test starts when it wants it up; with ``smtputf8``
    its EHLO offers SMTPUTF8 (RFC 6531), as most servers do today, else it offers no such thing."""

    def __init__(self, smtputf8: bool = False):
        self.port = free_port()
        self.inbox = Inbox()
        self.smtputf8 = smtputf8
        self._controller = None

    def start(self):
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port,
                                      enable_SMTPUTF8=self.smtputf8)
        self._controller.start()
        return self

    def stop(self):
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def transport(self, smtputf8: str = "auto", sender: str = SENDER) -> SMTPTransport:
        return SMTPTransport("127.0.0.1", self.port, sender, timeout=5, smtputf8=smtputf8)
