"""The documentation of an event (seeds 000 and 001 as they read afterwards): the organiser's summary
and photos. The groups' key points are the groups' own (``groups.models.GroupKeyPoints``); the
recording and slides are the material's (``materials``).

A photo's bytes are kept in the database in pieces (``PhotoChunk``), as material is: every app
server behind the proxy has them and a backup holds them. Two sizes of each are kept, both made
from the upload with its metadata (EXIF, GPS, XMP, comments) left out (``documentation.photos``).
"""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from eventhub.events.models import Event
from eventhub.extensions import db
from eventhub.modes import sql_in
from eventhub.types import UTCDateTime, utcnow

SUMMARY_MAX = 20_000
ALT_MAX = 300
CAPTION_MAX = 300


class EventDocumentation(db.Model):
    """The organiser's summary of the event (Markdown, sanitised when shown). No row: none yet."""

    __tablename__ = "event_documentation"
    __table_args__ = (CheckConstraint(f"length(summary) <= {SUMMARY_MAX}", name="summary_length"),)

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), primary_key=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    # Event.documentation without touching the events module.
    event: Mapped[Event] = relationship(
        backref=backref("documentation", uselist=False, cascade="all, delete-orphan", passive_deletes=True))


class PhotoFormat(StrEnum):
    JPEG = "jpeg"
    PNG = "png"
    WEBP = "webp"


class PhotoSize(StrEnum):
    LARGE = "large"  # opened on its own
    SMALL = "small"  # on the page


class EventPhoto(db.Model):
    """A photo from the event on its documentation page, described for those who cannot see it.

    The alternative text is required in the event's language (``Event.language``) and may be given in
    the other too; the page shows the one in its own language, else the event's, marked as such.
    """

    __tablename__ = "event_photo"
    __table_args__ = (
        CheckConstraint(f"format IN {sql_in(PhotoFormat)}", name="format_valid"),
        CheckConstraint("length(alt_sv) > 0 OR length(alt_en) > 0", name="has_alt_text"),
        CheckConstraint("width > 0 AND height > 0 AND small_width > 0 AND small_height > 0", name="sizes_positive"),
        CheckConstraint("size_bytes > 0 AND small_size_bytes > 0", name="bytes_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    # Random, <32 hex>: the photo's identity in addresses and its ETag; never the uploader's file name.
    stored_name: Mapped[str] = mapped_column(String(32), unique=True)
    format: Mapped[str] = mapped_column(String(8))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    size_bytes: Mapped[int] = mapped_column(Integer)
    small_width: Mapped[int] = mapped_column(Integer)
    small_height: Mapped[int] = mapped_column(Integer)
    small_size_bytes: Mapped[int] = mapped_column(Integer)
    alt_sv: Mapped[str] = mapped_column(String(ALT_MAX), default="")
    alt_en: Mapped[str] = mapped_column(String(ALT_MAX), default="")
    caption: Mapped[str] = mapped_column(String(CAPTION_MAX), default="")  # in the event's language
    position: Mapped[int] = mapped_column(Integer, default=0)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship()

    @property
    def content_type(self) -> str:
        return f"image/{self.format}"

    def alt_in(self, language: str) -> tuple[str, str]:
        """(alternative text, its language) for a page in ``language``: that language's if given."""
        own = self.alt_en if language == "en" else self.alt_sv
        if own:
            return own, language
        return (self.alt_sv, "sv") if self.alt_sv else (self.alt_en, "en")


class PhotoChunk(db.Model):
    """One piece of one size of a photo, ``number`` counting from 0, each ``materials.models.CHUNK_BYTES``
    long but the last."""

    __tablename__ = "photo_chunk"
    __table_args__ = (
        CheckConstraint("number >= 0", name="number_non_negative"),
        CheckConstraint(f"size IN {sql_in(PhotoSize)}", name="size_valid"),
    )

    photo_id: Mapped[int] = mapped_column(ForeignKey("event_photo.id", ondelete="CASCADE"), primary_key=True)
    size: Mapped[str] = mapped_column(String(8), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary)
