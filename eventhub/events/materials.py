"""Post-event material: upload by organisers, download by the public after the event.

Files are checked twice, by extension and by content: a PDF must start with ``%PDF-``;
PowerPoint, Word and Excel files must be Office Open XML zip containers whose main part
has the right content type (so a macro-enabled ``.pptm`` renamed ``.pptx`` is refused);
OpenDocument files must carry the right ``mimetype`` entry. The old binary formats
(``.ppt``, ``.doc``, ``.xls``) and Keynote (``.key``) are refused: the first can carry
macros and cannot be told apart reliably, the second opens only on Apple devices; both
export to PDF or the formats above.

On disk a file is ``<MATERIAL_FOLDER>/<event id>/<random hex>.<ext>``: nothing the
uploader typed reaches the file system. The original name, cleaned, is only sent back
in the Content-Disposition header.
"""
from __future__ import annotations

import os
import re
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import func, select
from wtforms import RadioField, StringField, URLField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from eventhub import labels, workspace
from eventhub.accounts import services as accounts
from eventhub.accounts.access import event_access
from eventhub.audit import services as audit
from eventhub.database import commit
from eventhub.events.models import Event, EventMaterial, MaterialKind
from eventhub.events.services import PUBLIC_STATUSES, is_past
from eventhub.extensions import db
from eventhub.fields import strip
from eventhub.text import web_url
from eventhub.types import utcnow

bp = Blueprint("materials", __name__)
workspace.add_link(60, "materials.manage_materials", _l("Material"))

STORED_NAME = re.compile(r"^[0-9a-f]{32}\.[a-z]{3,4}$")
_CHUNK = 64 * 1024
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


class MaterialError(Exception):
    pass


class WrongType(MaterialError):
    """Not an allowed extension, or the content is not what the extension says."""


class TooLarge(MaterialError):
    pass


class EmptyFile(MaterialError):
    pass


# --- checks ----------------------------------------------------------------------------------

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


def content_matches(path: Path, ext: str) -> bool:
    """Does the file's content agree with its extension? Reads only a few small parts."""
    kind = FILE_TYPES.get(ext)
    if kind is None:
        return False
    with path.open("rb") as handle:
        head = handle.read(8)
    if ext == "pdf":
        return head.startswith(b"%PDF-")
    if not head.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(path) as archive:
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


def material_folder() -> Path:
    return Path(current_app.config.get("MATERIAL_FOLDER") or Path(current_app.instance_path) / "materials")


def _event_folder(event_id: int) -> Path:
    return material_folder() / str(int(event_id))


def _next_position(event_id: int) -> int:
    return (db.session.scalar(select(func.max(EventMaterial.position)).where(EventMaterial.event_id == event_id))
            or 0) + 1


# --- operations ------------------------------------------------------------------------------

def store_upload(event_id: int, stream, filename: str | None, title: str, kind: str, actor_id: int,
                 max_bytes: int) -> EventMaterial:
    """Save an uploaded file under a random name, check it, and record it. Nothing stays behind on failure."""
    ext = extension_of(filename)
    if ext not in FILE_TYPES:
        raise WrongType(ext)
    folder = _event_folder(event_id)
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


def remove_material(material: EventMaterial, actor_id: int) -> None:
    event_id, stored_name, title = material.event_id, material.stored_name, material.title
    db.session.delete(material)
    audit.record(actor_id, "material.deleted", title, event_id=event_id)
    commit()
    # After the commit: a file left behind by a failed unlink is harmless, a row without its file is not.
    if stored_name and STORED_NAME.fullmatch(stored_name):
        (_event_folder(event_id) / stored_name).unlink(missing_ok=True)


# --- forms -----------------------------------------------------------------------------------

KIND_CHOICES = [(kind.value, labels.MATERIAL_KIND[kind.value]) for kind in MaterialKind]


def _web_url(_form, field):
    try:
        field.data = web_url(field.data)
    except ValueError:
        raise ValidationError(_l("Enter a web address starting with https:// or http://.")) from None


class UploadForm(FlaskForm):
    title = StringField(_l("Title"), filters=[strip], validators=[
        DataRequired(_l("Give the material a title.")), Length(max=200, message=_l("At most %(max)d characters."))])
    kind = RadioField(_l("Kind"), choices=KIND_CHOICES, default=MaterialKind.SLIDES.value,
                      validators=[InputRequired(_l("Choose what kind of material it is."))])
    file = FileField(_l("File"))

    def validate_file(self, field):
        if not field.data or not getattr(field.data, "filename", None):
            raise ValidationError(_l("Choose a file to upload."))


class LinkForm(FlaskForm):
    link_title = StringField(_l("Title"), filters=[strip], validators=[
        DataRequired(_l("Give the material a title.")), Length(max=200, message=_l("At most %(max)d characters."))])
    link_kind = RadioField(_l("Kind"), choices=KIND_CHOICES, default=MaterialKind.DOCUMENT.value,
                           validators=[InputRequired(_l("Choose what kind of material it is."))])
    url = URLField(_l("Web address"), filters=[strip], validators=[
        DataRequired(_l("Enter a web address starting with https:// or http://.")), Length(max=500), _web_url])


# --- views -----------------------------------------------------------------------------------

def _size_text(size: int) -> str:
    return f"{size // 1_000_000} MB" if size >= 1_000_000 else f"{max(1, size // 1000)} kB"


def _manage_page(upload_form=None, link_form=None, status=200):
    event = g.event
    materials = list(db.session.scalars(
        select(EventMaterial).where(EventMaterial.event_id == event.id)
        .order_by(EventMaterial.position, EventMaterial.id)))
    return render_template(
        "manage/materials.html", event=event, materials=materials,
        upload_form=upload_form or UploadForm(formdata=None), link_form=link_form or LinkForm(formdata=None),
        accept=ACCEPT, max_size=_size_text(current_app.config["MATERIAL_MAX_BYTES"]),
        is_past=is_past(event, utcnow()),
    ), status


@bp.get("/manage/events/<slug>/material")
@event_access("manage")
def manage_materials(slug):
    return _manage_page()


@bp.post("/manage/events/<slug>/material/upload")
@event_access("manage")
def upload_material(slug):
    form = UploadForm()
    if not form.validate_on_submit():
        return _manage_page(upload_form=form, status=422)
    upload = form.file.data
    try:
        store_upload(g.event.id, upload.stream, upload.filename, form.title.data, form.kind.data, current_user.id,
                     current_app.config["MATERIAL_MAX_BYTES"])
    except WrongType:
        form.file.errors = [_("Upload a PDF, PowerPoint (.pptx), Word (.docx), Excel (.xlsx) or OpenDocument "
                              "file. Older formats such as .ppt and Keynote files can be saved as PDF.")]
    except TooLarge:
        form.file.errors = [_("The file is larger than %(size)s.",
                              size=_size_text(current_app.config["MATERIAL_MAX_BYTES"]))]
    except EmptyFile:
        form.file.errors = [_("The file is empty.")]
    else:
        flash(_("The file is uploaded."), "success")
        return redirect(url_for(".manage_materials", slug=slug), code=303)
    return _manage_page(upload_form=form, status=422)


@bp.post("/manage/events/<slug>/material/link")
@event_access("manage")
def add_material_link(slug):
    form = LinkForm()
    if not form.validate_on_submit():
        return _manage_page(link_form=form, status=422)
    add_link(g.event.id, form.link_title.data, form.link_kind.data, form.url.data, current_user.id)
    flash(_("The link is added."), "success")
    return redirect(url_for(".manage_materials", slug=slug), code=303)


@bp.post("/manage/events/<slug>/material/<id:material_id>/delete")
@event_access("manage")
def delete_material(slug, material_id):
    material = db.session.get(EventMaterial, material_id)
    if material is None or material.event_id != g.event.id:
        abort(404)
    remove_material(material, current_user.id)
    flash(_("The material is deleted."), "success")
    return redirect(url_for(".manage_materials", slug=slug), code=303)


@bp.get("/events/<slug>/material/<id:material_id>")
def download_material(slug, material_id):
    """A stored file, as an attachment: for everyone once a public event is over, for its organisers always."""
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    material = db.session.get(EventMaterial, material_id) if event is not None else None
    if material is None or material.event_id != event.id:
        abort(404)
    public = event.status in PUBLIC_STATUSES and is_past(event, utcnow())
    if not public and not accounts.can_manage(current_user, event):
        abort(404)
    if material.url:
        return redirect(material.url)
    stored_name = material.stored_name or ""
    ext = stored_name.rsplit(".", 1)[-1]
    if not STORED_NAME.fullmatch(stored_name) or ext not in FILE_TYPES:
        abort(404)
    response = send_from_directory(
        _event_folder(event.id), stored_name, as_attachment=True, mimetype=FILE_TYPES[ext].content_type,
        download_name=material.original_filename or f"material.{ext}", max_age=0 if not public else 300)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    if not public:
        response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.app_errorhandler(413)
def too_large(_error):
    """Anything larger than MAX_CONTENT_LENGTH is refused before it is read, with words, not a crash."""
    message = _("What you sent is larger than %(size)s, so nothing was saved. Upload a smaller file, "
                "or add a link to where the file is kept instead.",
                size=_size_text(current_app.config["MATERIAL_MAX_BYTES"]))
    return render_template("errors/error.html", code=413, title=_("The file is too large"), message=message), 413
