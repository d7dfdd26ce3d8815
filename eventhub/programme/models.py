from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventhub.extensions import db
from eventhub.modes import Audience, sql_in
from eventhub.types import UTCDateTime, utcnow


class ItemKind(StrEnum):
    REGISTRATION = "registration"
    WELCOME = "welcome"
    TALK = "talk"
    PANEL = "panel"
    BREAK = "break"
    PITCH = "pitch"
    GROUP_SESSION = "group_session"
    QA = "qa"
    CLOSING = "closing"
    OTHER = "other"


class SpeakerRole(StrEnum):
    SPEAKER = "speaker"
    MODERATOR = "moderator"
    PANELLIST = "panellist"


class Person(db.Model):
    """A speaker or group leader, reusable across events."""

    __tablename__ = "person"
    __table_args__ = (CheckConstraint("length(name) > 0", name="name_not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    title: Mapped[str] = mapped_column(String(300), default="")  # role/title as printed
    organisation: Mapped[str] = mapped_column(String(300), default="")
    # The event whose organisers added the person: while no programme shows them, they belong to
    # it (who may see and change them, programme.operations). None: added before this was kept,
    # or that event is deleted.
    added_in_event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="SET NULL"), index=True)

    def __repr__(self) -> str:
        return f"<Person {self.name}>"


class ProgrammeItem(db.Model):
    __tablename__ = "programme_item"
    __table_args__ = (
        # An item may have no end: "16.00 Avrundning av dagen" is printed with a start only.
        CheckConstraint("ends_at IS NULL OR ends_at > starts_at", name="ends_after_start"),
        CheckConstraint(f"kind IN {sql_in(ItemKind)}", name="kind_valid"),
        CheckConstraint(f"audience IN {sql_in(Audience)}", name="audience_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(20), default=ItemKind.TALK)
    audience: Mapped[str] = mapped_column(String(16), default=Audience.EVERYONE)
    location: Mapped[str | None] = mapped_column(String(200))  # room or stream name
    position: Mapped[int] = mapped_column(Integer, default=0)  # order among items starting together
    # Grows with every change to the item or its speakers: calendar clients compare SEQUENCE.
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship(back_populates="programme_items")  # noqa: F821
    speakers: Mapped[list[ItemSpeaker]] = relationship(
        back_populates="item", order_by="ItemSpeaker.position", cascade="all, delete-orphan"
    )
    groups: Mapped[list[DiscussionGroup]] = relationship(  # noqa: F821
        back_populates="item",
        order_by="[DiscussionGroup.mode.desc(), DiscussionGroup.position, DiscussionGroup.id]",
        cascade="all, delete-orphan",
    )

    def __repr__(self) -> str:
        return f"<ProgrammeItem {self.title!r}>"


class ItemSpeaker(db.Model):
    """A person's part in one programme item, with their role in it."""

    __tablename__ = "item_speaker"
    __table_args__ = (
        UniqueConstraint("item_id", "person_id", name="uq_item_speaker_item_person"),
        CheckConstraint(f"role IN {sql_in(SpeakerRole)}", name="role_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("programme_item.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="RESTRICT"), index=True)
    role: Mapped[str] = mapped_column(String(16), default=SpeakerRole.SPEAKER)
    position: Mapped[int] = mapped_column(Integer, default=0)

    item: Mapped[ProgrammeItem] = relationship(back_populates="speakers")
    person: Mapped[Person] = relationship()


class CancelledProgrammeItem(db.Model):
    """What is left of a deleted item, so subscribed calendars show it as cancelled, not vanished."""

    __tablename__ = "cancelled_programme_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(Integer)  # the deleted item's id: its calendar UID
    title: Mapped[str] = mapped_column(String(300))
    audience: Mapped[str] = mapped_column(String(16))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revision: Mapped[int] = mapped_column(Integer)
    cancelled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
