from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from uuid import uuid4

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text, and_, false, text, true
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from eventhub.extensions import db
from eventhub.modes import Mode, sql_in
from eventhub.seats import SeatCounter
from eventhub.text import web_url
from eventhub.types import UTCDateTime, utcnow


class EventFormat(StrEnum):
    ON_SITE = "on_site"
    DIGITAL = "digital"
    HYBRID = "hybrid"


class EventStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


PUBLIC_STATUSES = (EventStatus.PUBLISHED, EventStatus.CANCELLED)


class Event(db.Model):
    __tablename__ = "event"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint(f"format IN {sql_in(EventFormat)}", name="format_valid"),
        CheckConstraint(f"status IN {sql_in(EventStatus)}", name="status_valid"),
        CheckConstraint("on_site_seats IS NULL OR on_site_seats >= 0", name="on_site_seats_non_negative"),
        CheckConstraint("digital_seats IS NULL OR digital_seats >= 0", name="digital_seats_non_negative"),
        CheckConstraint(
            "registration_opens_at IS NULL OR registration_closes_at IS NULL"
            " OR registration_closes_at > registration_opens_at",
            name="registration_closes_after_opening",
        ),
        CheckConstraint("length(slug) > 0", name="slug_not_empty"),
        CheckConstraint("length(directions) <= 2000", name="directions_length"),
        CheckConstraint("join_opens_minutes_before BETWEEN 0 AND 1440", name="join_window_sane"),
        CheckConstraint("on_site_seats_added >= 0 AND digital_seats_added >= 0", name="seats_added_non_negative"),
        # The backstop under the conditional seat updates in registration.services:
        # whatever the code does, the database never holds more people than seats.
        CheckConstraint("on_site_taken >= 0 AND (on_site_seats IS NULL OR on_site_taken <= on_site_seats)",
                        name="on_site_taken_within_seats"),
        CheckConstraint("digital_taken >= 0 AND (digital_seats IS NULL OR digital_taken <= digital_seats)",
                        name="digital_taken_within_seats"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500), default="")
    description: Mapped[str] = mapped_column(Text, default="")  # Markdown, sanitised on output
    language: Mapped[str] = mapped_column(String(8), default="sv")  # language of the content
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Stockholm")
    format: Mapped[str] = mapped_column(String(16), default=EventFormat.HYBRID)
    status: Mapped[str] = mapped_column(String(16), default=EventStatus.DRAFT, index=True)
    organiser_name: Mapped[str] = mapped_column(String(200), default="")
    venue_name: Mapped[str | None] = mapped_column(String(200))
    venue_address: Mapped[str | None] = mapped_column(String(300))
    platform_name: Mapped[str | None] = mapped_column(String(100))
    # Never shown publicly: only registered digital participants get it (through their own page).
    join_url: Mapped[str | None] = mapped_column(String(500))
    # Where digital participants try the platform before the day (the reminders give it, eventhub.reminders).
    platform_test_url: Mapped[str | None] = mapped_column(String(500))
    # How to get to the venue, in the organiser's words (plain text): the reminders to people on site give it.
    directions: Mapped[str] = mapped_column(Text, default="", server_default=text("''"))
    on_site_seats: Mapped[int | None] = mapped_column(Integer)  # None means unlimited
    digital_seats: Mapped[int | None] = mapped_column(Integer)
    # Confirmed seats per mode, kept by conditional UPDATEs (see registration.services).
    on_site_taken: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    digital_taken: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Attendees may choose a discussion group (in advance, or live at the pitch).
    group_choice_open: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Seed 001 had computers on site so people in the room could join digital groups.
    on_site_may_join_digital_groups: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Digital participants' join link works from this many minutes before the start.
    join_opens_minutes_before: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    recording_url: Mapped[str | None] = mapped_column(String(500))
    # Seats an organiser's override added beyond the planned limit (eventhub.seats): a copy of the
    # event starts from the plan, not from the limits the last one ended with.
    on_site_seats_added: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    digital_seats_added: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Dietary needs are asked only when someone will eat with us: of people on site, if the organiser asks.
    asks_dietary_needs: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # What the organiser told registrants when cancelling (reason, a new date): the email and the page say it.
    cancellation_message: Mapped[str] = mapped_column(Text, default="")
    # Whether those who took part may download a certificate of attendance from their page (after the
    # event), and who signs it (a name and title; empty: no signature line).
    certificates_enabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    certificate_signatory: Mapped[str] = mapped_column(String(200), default="", server_default=text("''"))
    # When it was first published: an event the public never saw stays private, even cancelled.
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The calendar SEQUENCE of the event: one up with every change to the row (programme.revisions).
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # The content version of the public page: one up with every change to anything it shows (the row,
    # partners, material, privacy notice, programme items, speakers and their entries in the people
    # directory, groups and leaders), kept by ORM hooks (programme.revisions). The page's cached parts
    # are keyed by it (eventhub.caching), so a change is seen at once.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # One up with every seat taken or given back, the event's or a discussion group's (the seat
    # counters, eventhub.seats): the registration form's places left are keyed by it.
    seats_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # One up with every change to the organiser's own registration questions (programme.revisions):
    # each worker reads an event's questions once per this version (eventhub.questions.services.asked).
    questions_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # The event's part of every calendar UID: random, so that it is unique beyond this installation, and
    # kept for good, so that subscribers' calendars recognise the event whatever address serves it.
    calendar_uid: Mapped[str] = mapped_column(String(36), unique=True, default=lambda: str(uuid4()))
    # The start the public first saw, while the event is moved from it (search engines show "rescheduled").
    previous_starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    partners: Mapped[list[Partner]] = relationship(
        back_populates="event", order_by="Partner.position", cascade="all, delete-orphan"
    )
    materials: Mapped[list[EventMaterial]] = relationship(  # noqa: F821 (eventhub.materials.models)
        back_populates="event", order_by="EventMaterial.position", cascade="all, delete-orphan"
    )
    programme_items: Mapped[list[ProgrammeItem]] = relationship(  # noqa: F821
        back_populates="event",
        order_by="[ProgrammeItem.starts_at, ProgrammeItem.position, ProgrammeItem.id]",
        cascade="all, delete-orphan",
    )

    @property
    def modes(self) -> tuple[Mode, ...]:
        """The participation modes this event offers, in display order."""
        return {
            EventFormat.ON_SITE: (Mode.ON_SITE,),
            EventFormat.DIGITAL: (Mode.DIGITAL,),
            EventFormat.HYBRID: (Mode.ON_SITE, Mode.DIGITAL),
        }[EventFormat(self.format)]

    def seats_for(self, mode: Mode) -> int | None:
        return self.on_site_seats if mode == Mode.ON_SITE else self.digital_seats

    def taken_for(self, mode: Mode) -> int:
        return self.on_site_taken if mode == Mode.ON_SITE else self.digital_taken

    @property
    def join_opens_at(self) -> datetime:
        """When digital participants' join links start to work (they work until the end)."""
        return self.starts_at - timedelta(minutes=self.join_opens_minutes_before)

    def join_is_open(self, now: datetime) -> bool:
        return self.join_opens_at <= now <= self.ends_at

    def seats_left(self, mode: Mode) -> int | None:
        """None means unlimited."""
        seats = self.seats_for(mode)
        return None if seats is None else max(0, seats - self.taken_for(mode))

    def planned_seats(self, mode: Mode) -> int | None:
        """The limit as the organiser set it, without the seats overrides added."""
        seats = self.seats_for(mode)
        added = self.on_site_seats_added if mode == Mode.ON_SITE else self.digital_seats_added
        return None if seats is None else max(0, seats - added)

    @property
    def asks_about_food(self) -> bool:
        """The dietary question: only when someone will eat with us, and the organiser asks it."""
        return self.asks_dietary_needs and Mode.ON_SITE in self.modes

    @property
    def is_draft(self) -> bool:
        return self.status == EventStatus.DRAFT

    @property
    def is_published(self) -> bool:
        return self.status == EventStatus.PUBLISHED

    @property
    def is_cancelled(self) -> bool:
        return self.status == EventStatus.CANCELLED

    @hybrid_property
    def is_public(self) -> bool:
        """Published, or cancelled after the public saw it (then it stays listed, marked cancelled)."""
        return self.published_at is not None and self.status in PUBLIC_STATUSES

    @is_public.inplace.expression
    @classmethod
    def _is_public_expression(cls):
        return and_(cls.published_at.is_not(None), cls.status.in_(PUBLIC_STATUSES))

    @validates("status")
    def _remember_publication(self, _key: str, value: str) -> str:
        # The first publication is what makes an event public for good (cancelled, it stays listed).
        if value == EventStatus.PUBLISHED and self.published_at is None:
            self.published_at = utcnow()
        return value

    @validates("recording_url", "join_url", "platform_test_url")
    def _check_url(self, key: str, value: str | None) -> str | None:
        return web_url(value, key)

    def __repr__(self) -> str:
        return f"<Event {self.slug}>"


# The seats of each mode, taken and given back by registrations (eventhub.seats).
SEATS = {
    Mode.ON_SITE: SeatCounter(Event.id, Event.on_site_taken, Event.on_site_seats, unchanged=[Event.updated_at],
                              added=Event.on_site_seats_added, version=Event.seats_version),
    Mode.DIGITAL: SeatCounter(Event.id, Event.digital_taken, Event.digital_seats, unchanged=[Event.updated_at],
                              added=Event.digital_seats_added, version=Event.seats_version),
}


class Partner(db.Model):
    """A co-organiser or partner named on the event ("i samarbete med")."""

    __tablename__ = "partner"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(500))
    position: Mapped[int] = mapped_column(Integer, default=0)

    event: Mapped[Event] = relationship(back_populates="partners")

    @validates("url")
    def _check_url(self, key: str, value: str | None) -> str | None:
        return web_url(value, key)
