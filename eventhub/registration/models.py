from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventhub.extensions import db
from eventhub.modes import Mode, sql_in
from eventhub.types import UTCDateTime, utcnow

# The organisers' internal note on a registration, in characters.
NOTE_MAX = 2000


class RegistrationStatus(StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


class Sector(StrEnum):
    """The four sectors of seed 001, and other."""

    BUSINESS = "business"
    ACADEMIA = "academia"
    PUBLIC = "public"
    NON_PROFIT = "non_profit"
    OTHER = "other"


class RegistrationState:
    """``is_confirmed`` and friends from a ``status``: for the model and for plain rows alike."""

    @property
    def is_confirmed(self) -> bool:
        return self.status == RegistrationStatus.CONFIRMED

    @property
    def is_waitlisted(self) -> bool:
        return self.status == RegistrationStatus.WAITLISTED

    @property
    def is_cancelled(self) -> bool:
        return self.status == RegistrationStatus.CANCELLED


class Registration(RegistrationState, db.Model):
    __tablename__ = "registration"
    __table_args__ = (
        # One registration per address and event; a second attempt gets the manage link again.
        UniqueConstraint("event_id", "email", name="uq_registration_event_email"),
        CheckConstraint(f"mode IN {sql_in(Mode)}", name="mode_valid"),
        CheckConstraint(f"status IN {sql_in(RegistrationStatus)}", name="status_valid"),
        CheckConstraint(f"sector IN {sql_in(Sector)}", name="sector_valid"),
        CheckConstraint("language IN ('sv', 'en')", name="language_valid"),
        # Special-category answers only with their own consent.
        CheckConstraint(
            "special_consent_at IS NOT NULL OR (dietary_needs = '' AND accessibility_needs = '')",
            name="special_answers_need_consent",
        ),
        CheckConstraint(f"length(organiser_note) <= {NOTE_MAX}", name="organiser_note_length"),
        # The organisers' attendee list and statistics (eventhub.attendees):
        # filters by status and mode, pages sorted by name or by registration time.
        Index("ix_registration_event_status_mode", "event_id", "status", "mode"),
        Index("ix_registration_event_name", "event_id", "name", "id"),
        Index("ix_registration_event_created", "event_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    # Normalised: trimmed, lower case. None only for a walk-in registered at the door without one.
    email: Mapped[str | None] = mapped_column(String(254))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    role_title: Mapped[str] = mapped_column(String(200), default="")
    sector: Mapped[str] = mapped_column(String(16), default=Sector.OTHER)
    mode: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), index=True)
    language: Mapped[str] = mapped_column(String(2), default="sv")
    dietary_needs: Mapped[str] = mapped_column(Text, default="")
    accessibility_needs: Mapped[str] = mapped_column(Text, default="")
    special_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    privacy_accepted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    photo_consent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The manage link's token is derived from this salt and the app's secret key; only its
    # hash is stored for look-up, so a copy of the database alone gives no working link.
    token_salt: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Bumped whenever a ticket must stop working (cancel, mode change).
    ticket_version: Mapped[int] = mapped_column(Integer, default=1)
    waitlisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # waitlist order: first come, first served
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Arrival: set once by a conditional UPDATE at the door (see checkin.services).
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # Digital participants' own join link: first and latest use.
    first_joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    join_reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # sent once
    # The organisers' own note: on their detail page and in the person's data download (it is about
    # them), wiped on anonymising; never shown to hosts, at the door or in exports.
    organiser_note: Mapped[str] = mapped_column(Text, default="", server_default=text("''"))
    # A group chosen while on the event's waitlist: honoured (a place, or the group's waitlist) when
    # the person gets a seat, then cleared (groups.services.honour_wish).
    group_wish_id: Mapped[int | None] = mapped_column(
        ForeignKey("discussion_group.id", ondelete="SET NULL"), index=True)
    # When an organiser last sent the person their personal link (again, or to a corrected address).
    link_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the person stopped the organisers' mailings about this event (one click in their mail
    # program, or their own page); None: they get them. Emails about their registration still go.
    mailings_stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when the person's data was wiped (retention, erasure, the organiser): see eventhub.privacy.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()  # noqa: F821
    group_wish: Mapped[DiscussionGroup | None] = relationship()  # noqa: F821
    memberships: Mapped[list[GroupMembership]] = relationship(  # noqa: F821
        back_populates="registration", cascade="all, delete-orphan"
    )
