"""Material published after an event: slides and documents (seed 000), stored files or links.

A stored file's bytes are in the database (``MaterialChunk``), so every app server has them.
"""
from __future__ import annotations

from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from eventhub.extensions import db
from eventhub.modes import sql_in
from eventhub.text import web_url


class MaterialKind(StrEnum):
    SLIDES = "slides"
    DOCUMENT = "document"
    OTHER = "other"


class EventMaterial(db.Model):
    """Material published after the event: slides and documents (seed 000)."""

    __tablename__ = "event_material"
    __table_args__ = (
        CheckConstraint(f"kind IN {sql_in(MaterialKind)}", name="kind_valid"),
        CheckConstraint("size_bytes IS NULL OR size_bytes >= 0", name="size_non_negative"),
        CheckConstraint("url IS NOT NULL OR stored_name IS NOT NULL", name="has_location"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default=MaterialKind.DOCUMENT)
    title: Mapped[str] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(500))  # material hosted elsewhere
    # A random name, <32 hex>.<ext>: the file's identity (and ETag) in the database; never the uploader's.
    stored_name: Mapped[str | None] = mapped_column(String(200))
    # The uploader's file name, sanitised: only ever sent back in Content-Disposition, never used on disk.
    original_filename: Mapped[str | None] = mapped_column(String(200))
    content_type: Mapped[str | None] = mapped_column(String(100))
    file_format: Mapped[str | None] = mapped_column(String(40))  # e.g. "PowerPoint", "PDF"
    size_bytes: Mapped[int | None] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)

    event: Mapped[Event] = relationship(back_populates="materials")  # noqa: F821

    @validates("url")
    def _check_url(self, key: str, value: str | None) -> str | None:
        return web_url(value, key)


class MaterialChunk(db.Model):
    """One piece of a stored file, ``number`` counting from 0, each ``CHUNK_BYTES`` long but the last.

    In pieces rather than one value so that an upload or a download holds one piece in memory at a
    time, however large the file (up to MATERIAL_MAX_BYTES).
    """

    __tablename__ = "material_chunk"
    __table_args__ = (CheckConstraint("number >= 0", name="number_non_negative"),)

    material_id: Mapped[int] = mapped_column(ForeignKey("event_material.id", ondelete="CASCADE"), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary)


# Where each piece starts is number * CHUNK_BYTES: stored files depend on it, so it never changes.
CHUNK_BYTES = 1024 * 1024
