"""The documentation page as organisers keep it (the summary, the groups' key points, photos) and the
photos as anyone fetches them. The page itself is the event's public page once the event is over
(events.views), and the organiser's preview of it before."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from eventhub import workspace
from eventhub.accounts import services as accounts
from eventhub.accounts.access import event_access
from eventhub.documentation import photos as photo_files
from eventhub.documentation import services
from eventhub.documentation.forms import ALT_REQUIRED, PhotoDetailsForm, PhotoUploadForm, SummaryForm
from eventhub.documentation.models import PhotoSize
from eventhub.events.services import is_past
from eventhub.groups import leaders
from eventhub.groups.forms import KeyPointsForm
from eventhub.types import utcnow

bp = Blueprint("documentation", __name__)
workspace.add_link(65, "documentation.manage_documentation", _l("Documentation"))


PHOTO_POLICY = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


def _size_text(size: int) -> str:
    return f"{size // 1_000_000} MB" if size >= 1_000_000 else f"{max(1, size // 1000)} kB"


# --- the summary and the groups -----------------------------------------------------------------

def _overview(form: SummaryForm | None = None, status: int = 200):
    event = g.event
    if form is None:
        form = SummaryForm(formdata=None)
        form.summary.data = services.summary_of(event.id)
    return render_template(
        "documentation/manage.html", event=event, form=form, groups=services.groups_of(event.id),
        photos=services.photos_of(event.id), is_past=is_past(event, utcnow())), status


@bp.get("/manage/events/<slug>/documentation")
@event_access("manage")
def manage_documentation(slug):
    return _overview()


@bp.post("/manage/events/<slug>/documentation")
@event_access("manage")
def save_summary(slug):
    form = SummaryForm()
    if not form.validate_on_submit():
        return _overview(form, 422)
    services.save_summary(g.event.id, form.summary.data, current_user.id)
    flash(_("The summary is saved."), "success@summary")
    return redirect(url_for(".manage_documentation", slug=slug, _anchor="summary-result"), code=303)


def _group_or_404(group_id: int):
    try:
        return services.group_of(g.event.id, group_id)
    except leaders.GroupNotFound:
        abort(404)


@bp.route("/manage/events/<slug>/documentation/groups/<id:group_id>", methods=["GET", "POST"])
@event_access("manage")
def edit_key_points(slug, group_id):
    group = _group_or_404(group_id)
    conflict, status = None, 200
    if request.method == "GET":
        form = KeyPointsForm(formdata=None)
        form.fill_from(leaders.key_points_of(group.id))
    else:
        form = KeyPointsForm()
        status = 422
        if form.validate_on_submit():
            try:
                leaders.save_key_points(group, form.key_points.data, utcnow(), version=form.started_from(),
                                        actor_id=current_user.id)
            except leaders.KeyPointsChanged as changed:
                conflict, status = changed.current, 409
                form.version.data = str(changed.current.version)
            else:
                flash(_("The key points of “%(group)s” are saved.", group=group.title), "success@groups")
                return redirect(url_for(".manage_documentation", slug=slug, _anchor="groups-result"), code=303)
    return render_template("documentation/key_points.html", event=g.event, group=group, item=group.item, form=form,
                           conflict=conflict, has_link=leaders.link_of(group.id) is not None), status


# --- photos ----------------------------------------------------------------------------------------

def _photos_page(upload_form: PhotoUploadForm | None = None, status: int = 200):
    event = g.event
    return render_template(
        "documentation/photos.html", event=event, photos=services.photos_of(event.id),
        consents=services.photo_consents(event.id),
        form=upload_form or PhotoUploadForm(formdata=None).require(event.language),
        accept=photo_files.ACCEPT, max_size=_size_text(current_app.config["PHOTO_MAX_BYTES"]),
        is_past=is_past(event, utcnow())), status


@bp.get("/manage/events/<slug>/documentation/photos")
@event_access("manage")
def manage_photos(slug):
    return _photos_page()


PHOTO_ERRORS = {
    photo_files.WrongType: _l("Upload a JPEG, PNG or WebP photo (.jpg, .png or .webp). Other files, and photos "
                              "that cannot be opened, are refused."),
    photo_files.TooManyPixels: _l("The photo has more than 50 megapixels. Make it smaller and upload it again."),
    photo_files.EmptyFile: _l("The file is empty."),
}
CHOOSE_AGAIN = _l("Choose the photo again: a browser does not keep a chosen file when the page comes back.")


@bp.post("/manage/events/<slug>/documentation/photos")
@event_access("manage")
def upload_photo(slug):
    form = PhotoUploadForm().require(g.event.language)
    max_bytes = current_app.config["PHOTO_MAX_BYTES"]
    if form.validate_on_submit():
        upload = form.photo.data
        try:
            services.store_photo(g.event.id, upload.stream, upload.filename, form.alt_sv.data, form.alt_en.data,
                                 form.caption.data, current_user.id, max_bytes, utcnow())
        except photo_files.TooLarge:
            form.photo.errors = [_("The photo is larger than %(size)s. Make it smaller and upload it again.",
                                   size=_size_text(max_bytes))]
        except photo_files.PhotoError as error:
            form.photo.errors = [str(PHOTO_ERRORS[type(error)])]
        except services.MissingAltText as error:  # the form checks it first; the rule is the service's
            form[form.required_alt].errors = [str(ALT_REQUIRED[error.language])]
        else:
            flash(_("The photo is uploaded."), "success@photos")
            return redirect(url_for(".manage_photos", slug=slug, _anchor="photos-result"), code=303)
    elif form.photo.data and getattr(form.photo.data, "filename", None) and not form.photo.errors:
        form.photo.errors = [str(CHOOSE_AGAIN)]  # the photo was fine, something else was not
    return _photos_page(form, 422)


@bp.route("/manage/events/<slug>/documentation/photos/<id:photo_id>", methods=["GET", "POST"])
@event_access("manage")
def edit_photo(slug, photo_id):
    photo = _photo_or_404(photo_id)
    form = PhotoDetailsForm().require(g.event.language)
    if request.method == "GET":
        form.fill_from(photo)
    elif form.validate_on_submit():
        services.update_photo(g.event.id, photo.id, form.alt_sv.data, form.alt_en.data, form.caption.data,
                              current_user.id)
        flash(_("The photo's texts are saved."), "success@photos")
        return redirect(url_for(".manage_photos", slug=slug, _anchor="photos-result"), code=303)
    return render_template("documentation/photo.html", event=g.event, photo=photo, form=form), \
        422 if request.method == "POST" else 200


def _photo_or_404(photo_id: int):
    photo = services.photo_of(g.event.slug, photo_id)
    if photo is None:
        abort(404)
    return photo


@bp.post("/manage/events/<slug>/documentation/photos/<id:photo_id>/move")
@event_access("manage")
def move_photo(slug, photo_id):
    photo = _photo_or_404(photo_id)
    try:
        services.move_photo(g.event.id, photo.id, request.form.get("direction", ""), current_user.id)
    except services.CannotMove:
        flash(_("The photo is already at that end."), "info@photos")
    return redirect(url_for(".manage_photos", slug=slug, _anchor=f"photo-{photo.id}"), code=303)


@bp.post("/manage/events/<slug>/documentation/photos/<id:photo_id>/delete")
@event_access("manage")
def delete_photo(slug, photo_id):
    photo = _photo_or_404(photo_id)
    services.remove_photo(g.event.id, photo.id, current_user.id)
    flash(_("The photo is deleted."), "success@photos")
    return redirect(url_for(".manage_photos", slug=slug, _anchor="photos-result"), code=303)


@bp.get("/events/<slug>/photos/<id:photo_id>")
def photo(slug, photo_id):
    """A photo of the documentation page, opened on its own: for everyone once a public event is over, for
    its organisers always."""
    return _photo_answer(slug, photo_id, PhotoSize.LARGE)


@bp.get("/events/<slug>/photos/<id:photo_id>/small")
def small_photo(slug, photo_id):
    """The photo as the page shows it."""
    return _photo_answer(slug, photo_id, PhotoSize.SMALL)


def _photo_answer(slug: str, photo_id: int, size: PhotoSize):
    found = services.photo_of(slug, photo_id)
    if found is None:
        abort(404)
    public = services.is_public(found.event, utcnow())
    if not public and not accounts.can_manage(current_user, found.event):
        abort(404)
    data = services.photo_bytes(found, size)
    if data is None:
        abort(404)
    response = current_app.response_class(data, mimetype=found.content_type)
    # A photo's bytes never change (a new upload is a new photo): its stored name is the ETag.
    response.set_etag(f"{found.stored_name}-{size}")
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Nothing but the picture; the browser's own page around a photo opened on its own styles it inline.
    response.headers["Content-Security-Policy"] = PHOTO_POLICY
    if public:
        response.cache_control.public, response.cache_control.max_age = True, 300
    else:
        response.headers["Cache-Control"] = "private, no-store"
    return response.make_conditional(request)
