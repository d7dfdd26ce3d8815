"""Post-event material: files organisers upload, links they add, and where the files are kept.

On disk a file is ``<MATERIAL_FOLDER>/<event id>/<random hex>.<ext>``: nothing the uploader typed
reaches the file system. The original name, cleaned, is only sent back in Content-Disposition.
"""
from __future__ import annotations

import os
import re
import secrets
import shutil
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from eventhub.audit import services as audit
from eventhub.database import commit
from eventhub.events.models import Event
from eventhub.events.services import is_past
from eventhub.extensions import db
from eventhub.materials.filetypes import FILE_TYPES, clean_filename, content_matches, extension_of
from eventhub.materials.models import EventMaterial, MaterialKind

STORED_NAME = re.compile(r"^[0-9a-f]{32}\.[a-z]{3,4}$")
_CHUNK = 64 * 1024


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

def material_folder() -> Path:
    return Path(current_app.config.get("MATERIAL_FOLDER") or Path(current_app.instance_path) / "materials")


def event_folder(event_id: int) -> Path:
    return material_folder() / str(int(event_id))


def forget_event_files(event_id: int) -> None:
    """The stored files of an event that is deleted (call after the commit)."""
    shutil.rmtree(event_folder(event_id), ignore_errors=True)


def _next_position(event_id: int) -> int:
    return (db.session.scalar(select(func.max(EventMaterial.position)).where(EventMaterial.event_id == event_id))
            or 0) + 1


def store_upload(event_id: int, stream, filename: str | None, title: str, kind: str, actor_id: int,
                 max_bytes: int) -> EventMaterial:
    """Save an uploaded file under a random name, check it, and record it. Nothing stays behind on failure."""
    ext = extension_of(filename)
    if ext not in FILE_TYPES:
        raise WrongType(ext)
    folder = event_folder(event_id)
    folder.mkdir(parents=True, exist_ok=True)
    stored_name = f"{secrets.token_hex(16)}.{ext}"
    final = folder / stored_name
    partial = folder / f"{stored_name}.part"
    try:
        size = 0
        with partial.open("xb") as out:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise TooLarge(size)
                out.write(chunk)
        if size == 0:
            raise EmptyFile()
        if not content_matches(partial, ext):
            raise WrongType(ext)
        os.replace(partial, final)
        material = EventMaterial(
            event_id=event_id, kind=MaterialKind(kind), title=title, stored_name=stored_name,
            original_filename=clean_filename(filename, ext), content_type=FILE_TYPES[ext].content_type,
            file_format=FILE_TYPES[ext].label, size_bytes=size, position=_next_position(event_id))
        db.session.add(material)
        db.session.flush()
        audit.record(actor_id, "material.uploaded", f"{title} ({material.original_filename})", event_id=event_id,
                     material_id=material.id, size_bytes=size)
        commit()
        return material
    except BaseException:
        db.session.rollback()
        partial.unlink(missing_ok=True)
        final.unlink(missing_ok=True)
        raise


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
    stored_name, title = material.stored_name, material.title
    db.session.delete(material)
    audit.record(actor_id, "material.deleted", title, event_id=event_id)
    commit()
    # After the commit: a file left behind by a failed unlink is harmless, a row without its file is not.
    if stored_name and STORED_NAME.fullmatch(stored_name):
        (event_folder(event_id) / stored_name).unlink(missing_ok=True)
