"""An event's reminders and who has had each (eventhub.reminders.services sends them)."""
from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventhub.extensions import db
from eventhub.modes import sql_in
from eventhub.types import UTCDateTime, utcnow

INTRO_MAX = 2000  # characters of the organiser's introduction, per language
# A reminder goes out between a quarter of an hour and sixty days before the start.
MIN_MINUTES_BEFORE = 15
MAX_MINUTES_BEFORE = 60 * 24 * 60
DEFAULT_MINUTES_BEFORE = (2 * 24 * 60, 2 * 60)  # two days and two hours before the start


class DeliveryKind(StrEnum):
    """What the person got: the practical information (on site), the join link (digital), or the
    note that they are still on the waitlist."""

    ON_SITE = "on_site"
    DIGITAL = "digital"
    WAITLIST = "waitlist"


class Reminder(db.Model):
    """One reminder of an event: ``minutes_before`` its start, with the organiser's introduction
    in Swedish and English (each person reads theirs)."""

    __tablename__ = "reminder"
    __table_args__ = (
        UniqueConstraint("event_id", "minutes_before", name="uq_reminder_event_minutes"),
        CheckConstraint(f"minutes_before BETWEEN 1 AND {MAX_MINUTES_BEFORE}", name="minutes_before_sane"),
        CheckConstraint(f"length(intro_sv) <= {INTRO_MAX} AND length(intro_en) <= {INTRO_MAX}",
                        name="intro_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    minutes_before: Mapped[int] = mapped_column(Integer)
    intro_sv: Mapped[str] = mapped_column(Text, default="", server_default=text("''"))
    intro_en: Mapped[str] = mapped_column(Text, default="", server_default=text("''"))
    # When its time was last set (added, or its time changed): a reminder whose moment had already
    # passed then is not sent late (nobody gets a "two days before" on the eve).
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship()  # noqa: F821
    deliveries: Mapped[list[ReminderDelivery]] = relationship(back_populates="reminder",
                                                              cascade="all, delete-orphan", passive_deletes=True)

    @property
    def lead(self) -> timedelta:
        return timedelta(minutes=self.minutes_before)

    def due_at(self, starts_at: datetime) -> datetime:
        """When it goes out for an event starting at ``starts_at``."""
        return starts_at - self.lead

    def intro(self, language: str) -> str:
        """The introduction in ``language``, else the one the organiser wrote in the other."""
        own, other = (self.intro_en, self.intro_sv) if language == "en" else (self.intro_sv, self.intro_en)
        return own.strip() or other.strip()

    def __repr__(self) -> str:
        return f"<Reminder {self.minutes_before} min before event {self.event_id}>"


class ReminderDelivery(db.Model):
    """A reminder given to one person, for the start the event had then: the row is the claim, written
    in the transaction that queues the email, so a person gets each reminder once whatever runs twice.
    A moved event is a new start: its reminders go again before it."""

    __tablename__ = "reminder_delivery"
    __table_args__ = (
        UniqueConstraint("reminder_id", "registration_id", "event_starts_at", name="uq_reminder_delivery_once"),
        # The waitlist's note goes once, at the first reminder: whichever reminder two senders pick.
        Index("uq_reminder_delivery_one_waitlist_note", "registration_id", "event_starts_at", unique=True,
              sqlite_where=text("kind = 'waitlist'"), postgresql_where=text("kind = 'waitlist'")),
        CheckConstraint(f"kind IN {sql_in(DeliveryKind)}", name="kind_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reminder_id: Mapped[int] = mapped_column(ForeignKey("reminder.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"), index=True)
    event_starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(16))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)  # queued to the outbox
    # The email, while the outbox keeps it (its delivery state); None for one without an address.
    message_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_message.id", ondelete="SET NULL"), index=True)

    reminder: Mapped[Reminder] = relationship(back_populates="deliveries")
    registration: Mapped[Registration] = relationship()  # noqa: F821
    message: Mapped[OutboxMessage | None] = relationship()  # noqa: F821
