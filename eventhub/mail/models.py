from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventhub.extensions import db
from eventhub.types import UTCDateTime, utcnow


class Mailing(db.Model):
    """One email an organiser sent to part of an event's attendees: one outbox message per person."""

    __tablename__ = "mailing"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    # all, on_site, digital, waitlist or group:<id> (see mail.operations)
    audience: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recipient_count: Mapped[int] = mapped_column(Integer, default=0)
    # Set by the preview page: sending the same preview twice (a double click) queues it once.
    send_key: Mapped[str | None] = mapped_column(String(64), unique=True)

    author: Mapped[User | None] = relationship("User")  # noqa: F821


class OutboxMessage(db.Model):
    """An email written in the same transaction as the change it reports.

    A rolled-back change takes its email with it; a committed one is delivered by
    ``flask outbox deliver`` however long the mail server is down.
    """

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    # Registration emails carry at most two files: the ticket QR (PNG) and the event's calendar.
    attachment_name: Mapped[str | None] = mapped_column(String(100))
    attachment_type: Mapped[str | None] = mapped_column(String(100))
    attachment_data: Mapped[bytes | None] = mapped_column(LargeBinary)
    # A ticket's QR code is stored as its payload and drawn when the email is sent: drawing it
    # costs more than the rest of a registration, and the request holds the seat lock meanwhile.
    # The PNG shows the same secret, so storing the payload keeps no more than the image did.
    ticket_payload: Mapped[str | None] = mapped_column(String(120))
    calendar_ics: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    last_error: Mapped[str | None] = mapped_column(String(500))
    # The organiser mailing this message belongs to, if any (progress on the mailing's page).
    mailing_id: Mapped[int | None] = mapped_column(ForeignKey("mailing.id", ondelete="SET NULL"), index=True)
    # The registration it was written to, if any: its data export lists it, anonymising deletes it.
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registration.id", ondelete="SET NULL"),
                                                        index=True)

    def attachment_bytes(self) -> bytes | None:
        """The attached file's content: stored, or the ticket's QR code drawn now."""
        if self.attachment_data is not None:
            return self.attachment_data
        if self.ticket_payload:
            from eventhub.registration.qr import qr_png  # registration imports the mail package

            return qr_png(self.ticket_payload)
        return None
