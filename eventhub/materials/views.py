"""Post-event material: the organiser's page (upload, link, delete) and the public download."""
from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from eventhub import workspace
from eventhub.accounts import services as accounts
from eventhub.accounts.access import event_access
from eventhub.events.services import is_past
from eventhub.materials import services
from eventhub.materials.filetypes import ACCEPT, FILE_TYPES
from eventhub.materials.forms import LinkForm, UploadForm
from eventhub.types import utcnow

bp = Blueprint("materials", __name__)
workspace.add_link(60, "materials.manage_materials", _l("Material"))


def _size_text(size: int) -> str:
    return f"{size // 1_000_000} MB" if size >= 1_000_000 else f"{max(1, size // 1000)} kB"


def _manage_page(upload_form=None, link_form=None, status=200):
    event = g.event
    return render_template(
        "materials/manage.html", event=event, materials=services.materials_of(event.id),
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
        services.store_upload(g.event.id, upload.stream, upload.filename, form.title.data, form.kind.data,
                              current_user.id, current_app.config["MATERIAL_MAX_BYTES"])
    except services.WrongType:
        form.file.errors = [_("Upload a PDF, PowerPoint (.pptx), Word (.docx), Excel (.xlsx) or OpenDocument "
                              "file. Older formats such as .ppt and Keynote files can be saved as PDF.")]
    except services.TooLarge:
        form.file.errors = [_("The file is larger than %(size)s.",
                              size=_size_text(current_app.config["MATERIAL_MAX_BYTES"]))]
    except services.EmptyFile:
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
    services.add_link(g.event.id, form.link_title.data, form.link_kind.data, form.url.data, current_user.id)
    flash(_("The link is added."), "success")
    return redirect(url_for(".manage_materials", slug=slug), code=303)


@bp.post("/manage/events/<slug>/material/<id:material_id>/delete")
@event_access("manage")
def delete_material(slug, material_id):
    try:
        services.remove_material(g.event.id, material_id, current_user.id)
    except services.NotFound:
        abort(404)
    flash(_("The material is deleted."), "success")
    return redirect(url_for(".manage_materials", slug=slug), code=303)


@bp.get("/events/<slug>/material/<id:material_id>")
def download_material(slug, material_id):
    """A stored file, as an attachment: for everyone once a public event is over, for its organisers always."""
    material = services.material_of(slug, material_id)
    if material is None:
        abort(404)
    event = material.event
    public = services.is_public(event, utcnow())
    if not public and not accounts.can_manage(current_user, event):
        abort(404)
    if material.url:
        return redirect(material.url)
    stored_name = material.stored_name or ""
    ext = stored_name.rsplit(".", 1)[-1]
    file = services.stored_file(material) if services.STORED_NAME.fullmatch(stored_name) else None
    if file is None or ext not in FILE_TYPES:
        abort(404)
    response = send_file(file, mimetype=FILE_TYPES[ext].content_type, as_attachment=True,
                         download_name=material.original_filename or f"material.{ext}",
                         max_age=0 if not public else 300, conditional=False, etag=False)
    # The stored name is new for every upload and its bytes never change: it is the ETag.
    response.content_length = material.size_bytes
    response.set_etag(stored_name.split(".", 1)[0])
    response = response.make_conditional(request, accept_ranges=True, complete_length=material.size_bytes)
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
