from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from uuid import uuid4

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column

from eventhub.extensions import db
from eventhub.types import UTCDateTime, utcnow

# What draws the attachments that are made when a message is sent, by name: the packages that
# queue such messages register theirs when the app is built (mail.services.draw_attachments_with).
RENDERERS: dict[str, Callable[[str], bytes]] = {}


class OutboxMessage(db.Model):
    """An email written in the same transaction as the change it reports.

    A rolled-back change takes its email with it; a committed one is delivered by
    ``flask outbox deliver`` however long the mail server is down.
    """

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    # The letter as written; its HTML part is made from it when it is sent (mail.bodies), never stored.
    body_text: Mapped[str] = mapped_column(Text)
    # The reader's language (the HTML's lang), or None for the default locale.
    language: Mapped[str | None] = mapped_column(String(8))
    # A message carries at most two files: one attachment and a calendar.
    attachment_name: Mapped[str | None] = mapped_column(String(100))
    attachment_type: Mapped[str | None] = mapped_column(String(100))
    attachment_data: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Or the attachment is drawn when the message is sent, by a named renderer from a short source:
    # a ticket's QR code costs more to draw than the rest of a registration, while the request
    # holds the seat lock. (The source of a ticket shows the same secret as the image would.)
    attachment_renderer: Mapped[str | None] = mapped_column(String(40))
    attachment_source: Mapped[str | None] = mapped_column(String(120))
    # An image with a text alternative is shown in the HTML part (from inside the message, cid:).
    attachment_alt: Mapped[str | None] = mapped_column(String(200))
    calendar_ics: Mapped[bytes | None] = mapped_column(LargeBinary)
    # The Message-ID's unique part: random, so no two messages of any installation share one, and kept,
    # so that a message sent again after a lapsed lease has the same id (receivers drop the copy).
    message_key: Mapped[str] = mapped_column(String(36), default=lambda: str(uuid4()))
    reply_to: Mapped[str | None] = mapped_column(String(254))  # the event's contact, where there is one
    # Written by the system, not by a person (Auto-Submitted, RFC 3834): out-of-office replies stay away.
    automatic: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Where the person stops such messages with one click (List-Unsubscribe, RFC 8058): organisers'
    # mailings carry it, what the system writes about a registration never.
    unsubscribe_url: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Until a message is sent, ``next_attempt_at`` is when a sender may take it: when it is due, or,
    # while a sender has claimed it, when that claim lapses (mail.services.deliver_due).
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    last_error: Mapped[str | None] = mapped_column(String(500))
    # Given up on for good: it could not be built, or the server refused it (a 5xx reply). ``failure``
    # says why in one word (mail.transports.Undeliverable.REASONS); ``last_error`` has the details.
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    failure: Mapped[str | None] = mapped_column(String(40))
    # Who it was written for, as plain references (the outbox imports no feature): the organiser
    # mailing it belongs to, if any (progress on the mailing's page).
    mailing_id: Mapped[int | None] = mapped_column(ForeignKey("mailing.id", ondelete="SET NULL"), index=True)
    # The registration it was written to, if any: its data export lists it, anonymising deletes it.
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registration.id", ondelete="SET NULL"),
                                                        index=True)

    def attachment_bytes(self) -> bytes | None:
        """The attached file's content: stored, or drawn now by its renderer."""
        if self.attachment_data is not None:
            return self.attachment_data
        if self.attachment_renderer and self.attachment_source is not None:
            return RENDERERS[self.attachment_renderer](self.attachment_source)
        return None
