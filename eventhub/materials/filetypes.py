"""Which files may be uploaded, told by extension and by content.

A PDF must start with ``%PDF-``; PowerPoint, Word and Excel files must be Office Open XML zip
containers whose main part has the right content type (so a macro-enabled ``.pptm`` renamed
``.pptx`` is refused); OpenDocument files must carry the right ``mimetype`` entry. The old binary
formats (``.ppt``, ``.doc``, ``.xls``) and Keynote (``.key``) are refused: the first can carry
macros and cannot be told apart reliably, the second opens only on Apple devices; both export to
PDF or the formats above. The uploader's file name is cleaned before it is ever sent back.
"""
from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

_SMALL_PART = 1_000_000  # the zip entries read to check a file's type are small; a bigger one is suspect


@dataclass(frozen=True)
class FileType:
    label: str  # shown next to the link, e.g. "(PowerPoint, 4,2 MB)"
    content_type: str
    main_type: str | None = None  # OOXML: the main part's content type in [Content_Types].xml
    odf_mimetype: str | None = None  # OpenDocument: the content of the "mimetype" entry


_OOXML = "application/vnd.openxmlformats-officedocument"
_ODF = "application/vnd.oasis.opendocument"
FILE_TYPES: dict[str, FileType] = {
    "pdf": FileType("PDF", "application/pdf"),
    "pptx": FileType("PowerPoint", f"{_OOXML}.presentationml.presentation",
                     main_type=f"{_OOXML}.presentationml.presentation.main+xml"),
    "docx": FileType("Word", f"{_OOXML}.wordprocessingml.document",
                     main_type=f"{_OOXML}.wordprocessingml.document.main+xml"),
    "xlsx": FileType("Excel", f"{_OOXML}.spreadsheetml.sheet", main_type=f"{_OOXML}.spreadsheetml.sheet.main+xml"),
    "odp": FileType("OpenDocument", f"{_ODF}.presentation", odf_mimetype=f"{_ODF}.presentation"),
    "odt": FileType("OpenDocument", f"{_ODF}.text", odf_mimetype=f"{_ODF}.text"),
    "ods": FileType("OpenDocument", f"{_ODF}.spreadsheet", odf_mimetype=f"{_ODF}.spreadsheet"),
}
ACCEPT = ",".join(f".{ext}" for ext in FILE_TYPES)


def clean_filename(name: str | None, ext: str) -> str:
    """The uploader's file name made safe to send back: no folders, control or bidi characters, quotes."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(char for char in name if unicodedata.category(char)[0] not in ("C", "Z") or char == " ")
    name = re.sub(r'[<>:"|?*;%=]', "_", name)
    name = re.sub(r"\s+", " ", name)
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = stem.strip(" .")[:150].strip(" .") or "material"
    return f"{stem}.{ext}"


def extension_of(name: str | None) -> str:
    base = re.split(r"[\\/]", name or "")[-1]
    return base.rsplit(".", 1)[1].lower() if "." in base else ""


def content_matches(file: BinaryIO, ext: str) -> bool:
    """Does the content of ``file`` (seekable, at its start) agree with its extension? Reads only a few
    small parts."""
    kind = FILE_TYPES.get(ext)
    if kind is None:
        return False
    head = file.read(8)
    file.seek(0)
    if ext == "pdf":
        return head.startswith(b"%PDF-")
    if not head.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(file) as archive:
            entries = {info.filename: info for info in archive.infolist()}
            if kind.odf_mimetype:
                first = archive.infolist()[0]
                return (first.filename == "mimetype" and first.file_size < 200
                        and archive.read(first).decode("ascii", "replace").strip() == kind.odf_mimetype)
            types = entries.get("[Content_Types].xml")
            if types is None or types.file_size > _SMALL_PART:
                return False
            if any(name.lower().endswith("vbaproject.bin") for name in entries):
                return False  # macros
            content_types = archive.read(types).decode("utf-8", "replace")
            return f'ContentType="{kind.main_type}"' in content_types
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, IndexError, NotImplementedError, RuntimeError):
        return False
