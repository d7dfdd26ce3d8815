"""Helpers for the documentation tests: photos as cameras and phones write them, a past event with groups."""
from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from PIL import Image

from eventhub.documentation import services as documentation
from eventhub.extensions import db
from eventhub.groups.models import GroupKeyPoints
from tests.registration.support import add_group_session, event_by_slug

GPS = {1: "N", 2: (57.0, 43.0, 12.0), 3: "E", 4: (12.0, 56.0, 1.0)}  # Textile Fashion Center, Borås
CAMERA = "Kamerafabriken AB"
XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description>Hemlig plats</rdf:Description></x:xmpmeta>'
COMMENT = b"Tagen av Anna Svensson"
PAST = datetime.now(UTC) - timedelta(days=2)


def photo_bytes(fmt: str = "JPEG", size: tuple[int, int] = (1200, 800), orientation: int | None = None,
                metadata: bool = True, colour=(11, 90, 122)) -> bytes:
    """A photo in ``fmt`` carrying what a phone writes: the camera, the GPS position, XMP and a comment."""
    image = Image.new("RGB", size, colour)
    image.paste((200, 40, 40), (0, 0, size[0] // 4, size[1] // 4))  # a mark in the top left corner
    options: dict = {}
    if metadata:
        exif = image.getexif()
        exif[0x010F] = CAMERA  # Make
        exif[0x8825] = GPS  # GPSInfo
        if orientation:
            exif[0x0112] = orientation
        options = {"exif": exif, "xmp": XMP}
        if fmt == "JPEG":
            options["comment"] = COMMENT
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def past_event_with_groups(app, make_event, groups=(("Samverkan", "on_site"), ("Projektform", "digital")),
                           **overrides):
    """A published event that ended two days ago (hybrid), with a group session of these groups; (slug, group ids)."""
    slug = make_event(starts_at=PAST, title="Forumträff i Borås", **overrides)
    with app.app_context():
        return slug, add_group_session(slug, [(title, mode, 10) for title, mode in groups], minutes_after_start=60)


def add_photo(slug: str, alt: str = "Deltagare i samtal runt ett bord", **kwargs):
    """A photo stored through the service (inside an app context)."""
    event = event_by_slug(slug)
    return documentation.store_photo(event.id, io.BytesIO(kwargs.pop("data", photo_bytes())),
                                     kwargs.pop("filename", "foto.jpg"), alt, kwargs.pop("alt_en", ""),
                                     kwargs.pop("caption", ""), None, 20_000_000, datetime.now(UTC))


def write_key_points(group_id: int, text: str, written_by: str = "leader") -> None:
    db.session.add(GroupKeyPoints(group_id=group_id, text=text, written_by=written_by, updated_at=datetime.now(UTC)))
    db.session.commit()
