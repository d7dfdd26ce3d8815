"""Post-event material: files organisers upload, links they add, and where the files are kept.

A file is kept in the database, in pieces (``MaterialChunk``), under a random name
``<32 hex>.<ext>``: every app server behind the proxy sees it, and a backup of the database holds
it. Nothing the uploader typed reaches a file system; the original name, cleaned, is only sent
back in Content-Disposition.
"""
from __future__ import annotations

import io
import re
import secrets
import tempfile
from datetime import datetime

from sqlalchemy import Engine, delete, func, select

from eventhub.audit import services as audit
from eventhub.database import commit
from eventhub.events.models import Event
from eventhub.events.services import is_past
from eventhub.extensions import db
from eventhub.materials.filetypes import FILE_TYPES, clean_filename, content_matches, extension_of
from eventhub.materials.models import CHUNK_BYTES, EventMaterial, MaterialChunk, MaterialKind

STORED_NAME = re.compile(r"^[0-9a-f]{32}\.[a-z]{3,4}$")
_READ = 64 * 1024


class MaterialError(Exception):
    pass


class NotFound(MaterialError):
    """No such material in this event."""


class WrongType(MaterialError):
    """Not an allowed extension, or the content is not what the extension says."""


class TooLarge(MaterialError):
    pass


class EmptyFile(MaterialError):
    pass


# --- which material ------------------------------------------------------------------------

def materials_of(event_id: int) -> list[EventMaterial]:
    return list(db.session.scalars(
        select(EventMaterial).where(EventMaterial.event_id == event_id)
        .order_by(EventMaterial.position, EventMaterial.id)))


def material_of(slug: str, material_id: int) -> EventMaterial | None:
    """The material, if it belongs to the event with this address."""
    return db.session.scalar(select(EventMaterial).join(Event).where(Event.slug == slug,
                                                                     EventMaterial.id == material_id))


def is_public(event: Event, now: datetime) -> bool:
    """Material is for everyone once a public event is over; before that for its organisers only."""
    return event.is_public and is_past(event, now)


# --- where files are kept -------------------------------------------------------------------

def _next_position(event_id: int) -> int:
    return (db.session.scalar(select(func.max(EventMaterial.position)).where(EventMaterial.event_id == event_id))
            or 0) + 1


def _spool(stream, out, max_bytes: int) -> int:
    size = 0
    while chunk := stream.read(_READ):
        size += len(chunk)
        if size > max_bytes:
            raise TooLarge(size)
        out.write(chunk)
    return size


def store_upload(event_id: int, stream, filename: str | None, title: str, kind: str, actor_id: int,
                 max_bytes: int) -> EventMaterial:
    """Check an uploaded file, then keep it in the database under a random name. Nothing stays on failure."""
    ext = extension_of(filename)
    if ext not in FILE_TYPES:
        raise WrongType(ext)
    # Checked before anything is written: the type check reads the zip directory at the end of the file.
    with tempfile.SpooledTemporaryFile(max_size=CHUNK_BYTES) as spool:
        size = _spool(stream, spool, max_bytes)
        if size == 0:
            raise EmptyFile()
        spool.seek(0)
        if not content_matches(spool, ext):
            raise WrongType(ext)
        spool.seek(0)
        try:
            material = EventMaterial(
                event_id=event_id, kind=MaterialKind(kind), title=title, stored_name=f"{secrets.token_hex(16)}.{ext}",
                original_filename=clean_filename(filename, ext), content_type=FILE_TYPES[ext].content_type,
                file_format=FILE_TYPES[ext].label, size_bytes=size, position=_next_position(event_id))
            db.session.add(material)
            db.session.flush()
            _write_chunks(material.id, spool)
            audit.record(actor_id, "material.uploaded", f"{title} ({material.original_filename})",
                         event_id=event_id, material_id=material.id, size_bytes=size)
            commit()
            return material
        except BaseException:
            db.session.rollback()
            raise


def _write_chunks(material_id: int, source) -> None:
    """The file's pieces, one in memory at a time (the caller commits)."""
    number = 0
    while data := source.read(CHUNK_BYTES):
        chunk = MaterialChunk(material_id=material_id, number=number, data=data)
        db.session.add(chunk)
        db.session.flush()
        db.session.expunge(chunk)
        number += 1


class StoredFile(io.RawIOBase):
    """A stored file, read from the database one piece at a time, seekable (for Range requests).

    It reads through the engine, not the request's session: the server sends the answer after the
    request's context has ended.
    """

    def __init__(self, engine: Engine, material_id: int, size: int):
        super().__init__()
        self._engine, self._material_id, self._size = engine, material_id, size
        self._position, self._number, self._data = 0, -1, b""

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        self._position = max(0, base + offset)
        return self._position

    def readinto(self, buffer) -> int:
        if self._position >= self._size:
            return 0
        number, start = divmod(self._position, CHUNK_BYTES)
        if number != self._number:
            with self._engine.connect() as connection:
                self._data = connection.scalar(select(MaterialChunk.data).where(
                    MaterialChunk.material_id == self._material_id, MaterialChunk.number == number)) or b""
            self._number = number
        piece = self._data[start:start + len(buffer)]
        if not piece:
            raise OSError(f"material {self._material_id} is missing piece {number}")
        buffer[:len(piece)] = piece
        self._position += len(piece)
        return len(piece)


def stored_file(material: EventMaterial) -> StoredFile | None:
    """The material's file to send, or None if it has no stored bytes (a link, or a file lost before
    the move into the database)."""
    if not material.stored_name or material.size_bytes is None:
        return None
    kept = db.session.scalar(select(func.count()).select_from(MaterialChunk)
                             .where(MaterialChunk.material_id == material.id))
    if not kept:
        return None
    return StoredFile(db.engine, material.id, material.size_bytes)


def add_link(event_id: int, title: str, kind: str, url: str, actor_id: int) -> EventMaterial:
    material = EventMaterial(event_id=event_id, kind=MaterialKind(kind), title=title, url=url,
                             position=_next_position(event_id))
    db.session.add(material)
    db.session.flush()
    audit.record(actor_id, "material.linked", f"{title} ({material.url})", event_id=event_id,
                 material_id=material.id)
    commit()
    return material


def remove_material(event_id: int, material_id: int, actor_id: int) -> None:
    material = db.session.get(EventMaterial, material_id)
    if material is None or material.event_id != event_id:
        raise NotFound(material_id)
    title = material.title
    db.session.execute(delete(MaterialChunk).where(MaterialChunk.material_id == material_id))
    db.session.delete(material)
    audit.record(actor_id, "material.deleted", title, event_id=event_id)
    commit()
