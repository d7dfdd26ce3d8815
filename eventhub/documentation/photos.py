"""Which photos may be uploaded, and what is kept of one: two sizes, made afresh from its pixels.

A photo is a JPEG, PNG or WebP file, told by its content (Pillow reads it), not only by its name, at
most ``PHOTO_MAX_BYTES`` and ``MAX_PIXELS``. What is kept is made from the decoded pixels alone,
turned upright as the camera said (EXIF orientation) and then saved anew: no EXIF (camera, time,
GPS position), no XMP, no comments or text chunks of the upload survive, whatever the file held.
Only its colour profile is kept, so colours look as they were taken. Two sizes are kept: ``LARGE``
(opened on its own) and ``SMALL`` (on the page), never larger than the upload; an animation keeps
its first frame.
"""
from __future__ import annotations

import io
import re
import tempfile
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO

from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from eventhub.documentation.models import PhotoFormat

EXTENSIONS = {"jpg": PhotoFormat.JPEG, "jpeg": PhotoFormat.JPEG, "png": PhotoFormat.PNG, "webp": PhotoFormat.WEBP}
ACCEPT = ".jpg,.jpeg,.png,.webp,image/jpeg,image/png,image/webp"
PILLOW_FORMATS = {"JPEG": PhotoFormat.JPEG, "PNG": PhotoFormat.PNG, "WEBP": PhotoFormat.WEBP}
MAX_PIXELS = 50_000_000  # a 50-megapixel camera's photo; more is refused before it is decoded
LARGE_SIDE = 2000  # the longer side, in pixels
SMALL_SIDE = 800
_READ = 64 * 1024


class PhotoError(Exception):
    pass


class WrongType(PhotoError):
    """Not a JPEG, PNG or WebP file (by its name or by its content), or one that cannot be read."""


class TooLarge(PhotoError):
    """More bytes than allowed."""


class TooManyPixels(PhotoError):
    pass


class EmptyFile(PhotoError):
    pass


@dataclass(frozen=True)
class Variant:
    data: bytes
    width: int
    height: int


@dataclass(frozen=True)
class CleanPhoto:
    format: PhotoFormat
    large: Variant
    small: Variant


def extension_of(name: str | None) -> str:
    base = re.split(r"[\\/]", name or "")[-1]
    return base.rsplit(".", 1)[1].lower() if "." in base else ""


def _spool(stream: BinaryIO, out, max_bytes: int) -> int:
    size = 0
    while chunk := stream.read(_READ):
        size += len(chunk)
        if size > max_bytes:
            raise TooLarge(size)
        out.write(chunk)
    return size


def clean_photo(stream: BinaryIO, filename: str | None, max_bytes: int) -> CleanPhoto:
    """Read an upload and make the two sizes kept of it; WrongType, TooLarge, TooManyPixels or EmptyFile."""
    if extension_of(filename) not in EXTENSIONS:
        raise WrongType(extension_of(filename))
    with tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024) as spool:
        if _spool(stream, spool, max_bytes) == 0:
            raise EmptyFile()
        spool.seek(0)
        return _clean(spool)


_STRICT = threading.Lock()


@contextmanager
def _whole_files_only() -> Iterator[None]:
    """Pillow refuses a file cut short while a photo is decoded. WeasyPrint (the exports' PDFs) makes it
    take truncated images for the whole process (``ImageFile.LOAD_TRUNCATED_IMAGES``), filling what is
    missing with grey; a photo that did not arrive whole must be refused instead. Its own images are
    our static files, whole, so they lose nothing while a photo is read."""
    with _STRICT:
        before = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = before


def _clean(file) -> CleanPhoto:
    try:
        with warnings.catch_warnings(), _whole_files_only():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(file, formats=list(PILLOW_FORMATS)) as source:
                kind = PILLOW_FORMATS.get(source.format or "")
                if kind is None:
                    raise WrongType(source.format)
                if source.width * source.height > MAX_PIXELS:
                    raise TooManyPixels(source.width * source.height)
                if kind is PhotoFormat.JPEG:
                    source.draft("RGB", (LARGE_SIDE, LARGE_SIDE))  # decodes at a fraction of a huge photo's size
                profile = source.info.get("icc_profile")
                upright = ImageOps.exif_transpose(source)
                pixels = _pixels_only(upright, kind)
    except (UnidentifiedImageError, Image.DecompressionBombError) as error:
        raise WrongType(str(error)) from None
    except (OSError, SyntaxError, ValueError) as error:  # truncated or broken inside
        raise WrongType(str(error)) from None
    return CleanPhoto(kind, _variant(pixels, kind, LARGE_SIDE, profile), _variant(pixels, kind, SMALL_SIDE, profile))


def _pixels_only(image: Image.Image, kind: PhotoFormat) -> Image.Image:
    """A new image holding only the pixels: nothing of the upload's ``info`` (EXIF, XMP, comments)."""
    image.load()
    if kind is PhotoFormat.JPEG:
        mode = "L" if image.mode in ("L", "1") else "RGB"
    elif image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        mode = "RGBA"
    else:
        mode = "L" if image.mode in ("L", "1") and kind is PhotoFormat.PNG else "RGB"
    converted = image.convert(mode) if image.mode != mode else image
    return Image.frombytes(mode, converted.size, converted.tobytes())


def _variant(pixels: Image.Image, kind: PhotoFormat, side: int, profile: bytes | None) -> Variant:
    image = pixels.copy()
    image.thumbnail((side, side), Image.Resampling.LANCZOS)
    options: dict = {"icc_profile": profile} if profile else {}
    if kind is PhotoFormat.JPEG:
        options |= {"quality": 85, "optimize": True, "progressive": True}
    elif kind is PhotoFormat.WEBP:
        options |= {"quality": 82, "method": 4}
    else:
        options |= {"optimize": True}
    out = io.BytesIO()
    image.save(out, kind.value.upper(), **options)
    return Variant(out.getvalue(), image.width, image.height)
