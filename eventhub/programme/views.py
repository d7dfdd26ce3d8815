"""The agenda builder (organisers): programme items, speakers, discussion groups, warnings."""
from __future__ import annotations

from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import NotFound

from eventhub import keyring, workspace
from eventhub.accounts.access import event_access
from eventhub.groups import leaders
from eventhub.groups import services as groups
from eventhub.programme import forms, operations, services, warnings
from eventhub.programme.models import ItemKind
from eventhub.types import utcnow

bp = Blueprint("programme", __name__, url_prefix="/manage/events/<slug>/programme")
workspace.add_link(20, "programme.programme", _l("Programme"))

ITEM_ERRORS = {
    operations.EndsBeforeStart: ("ends", _l("The end must be after the start.")),
    operations.KindHasGroups: ("kind", _l("This group session has discussion groups. "
                                          "Delete them before you change the kind of item.")),
}
NEW_ITEM_ERRORS = {
    **ITEM_ERRORS,
    operations.AlreadyAdded: ("speakers", _l("That person is chosen twice.")),
    operations.EmptyName: ("new_name", _l("Enter a name.")),
}
PERSON_ERRORS = {
    operations.AlreadyAdded: ("person", _l("That person is already here.")),
    operations.EmptyName: ("new_name", _l("Enter a name.")),
}
GROUP_ERRORS = {
    operations.InvalidLink: ("join_url", _l("Enter a full link starting with https://.")),
    **PERSON_ERRORS,
}


@bp.errorhandler(operations.NotFound)
def not_in_event(_error):
    """An id that is not part of this event (another event's item included) is simply not found."""
    return current_app.handle_http_exception(NotFound())


@bp.errorhandler(CSRFError)
def form_expired(_error):
    return render_template("errors/error.html", code=400, title=_("Please check the form"),
                           message=_("The form had expired, so nothing was saved. "
                                     "Go back, reload the page and send it again.")), 400


def _show_error(form, error, table) -> None:
    """Put an operation's error next to the field it is about (or on the form when none fits)."""
    if isinstance(error, operations.SameNameExists):
        form.offer_same(error.matches)
        form.new_name.errors = [*form.new_name.errors, _same_name_message(error)]
        return
    if isinstance(error, operations.SeatsBelowTaken):
        form.seats.errors = [*form.seats.errors, _(
            "%(taken)d people already have a place in this group; the limit cannot be lower.", taken=error.taken)]
        return
    name, message = table.get(type(error), (None, None))
    field = getattr(form, name, None) if name else None
    if field is None:
        form.form_errors.append(_("That could not be saved. Check the form and try again."))
        return
    field.errors = [*field.errors, str(message)]


def _status() -> int:
    return 422 if request.method == "POST" else 200


def _zone() -> str:
    return g.event.timezone


def _people_choice(form, label=None):
    form.set_people(operations.people(current_user.id), label, language=g.event.language)
    return form


def _same_name_message(error: operations.SameNameExists) -> str:
    return _("%(name)s is already in the directory. Is it the same person?", name=error.name)


# --- the programme page ------------------------------------------------------------------------

def _new_item_form() -> forms.NewItemForm:
    form = forms.NewItemForm(prefix="new")
    form.set_people(operations.people(current_user.id))
    form.fit_event(g.event)
    if request.method == "GET":
        form.day.data = g.event.starts_at.astimezone(ZoneInfo(_zone())).date()
    return form


def _programme_page(form: forms.NewItemForm | None = None, status: int = 200):
    event = g.event
    items = operations.programme(event.id)
    return render_template(
        "programme/programme.html", event=event, slots=services.slots(items), form=form or _new_item_form(),
        warnings=warnings.find_warnings(event, items),
        has_group_sessions=any(item.kind == ItemKind.GROUP_SESSION for item in items),
    ), status


@bp.get("/")
@event_access("manage")
def programme(slug):
    return _programme_page()


@bp.post("/items")
@event_access("manage")
def add_item(slug):
    form = _new_item_form()
    if form.validate_on_submit():
        try:
            item = operations.add_item(g.event.id, form.item_data(_zone()), current_user.id,
                                       speakers=form.chosen_speakers(), role=form.speaker_role.data or "speaker")
        except operations.ProgrammeError as error:
            _show_error(form, error, NEW_ITEM_ERRORS)
        else:
            flash(_("“%(title)s” is added to the programme.", title=item.title), "success")
            return redirect(url_for(".programme", slug=slug, _anchor=f"item-{item.id}"), code=303)
    return _programme_page(form, 422)


@bp.post("/items/<id:item_id>/move")
@event_access("manage")
def move_item(slug, item_id):
    direction = request.form.get("direction", "")
    try:
        item = operations.move_item(g.event.id, item_id, direction, current_user.id)
    except (operations.CannotMove, operations.UnknownChoice):
        flash(_("That item cannot move further."), "info")
        item = operations.get_item(g.event.id, item_id)
    # Back to the button just pressed, or to the other one when the item reached the end: the
    # browser focuses a button named by the address, so the keyboard stays where it was.
    slot = operations.same_start(item)
    can = {"up": slot[0] is not item, "down": slot[-1] is not item}
    anchor = f"move-{direction}-{item.id}" if can.get(direction) else \
        next((f"move-{way}-{item.id}" for way in ("up", "down") if can[way]), f"item-{item.id}")
    return redirect(url_for(".programme", slug=slug, _anchor=anchor), code=303)


def choice_message(change: groups.ChoiceChange) -> str:
    """What opening or closing group choice did, for the organiser (the agenda builder, the room's views)."""
    if not change.event.group_choice_open:
        return _("Group choice is closed.")
    if not change.changed:
        return _("Group choice was already open: nobody was emailed again.")
    return ngettext("Group choice is open: attendees can choose a discussion group now. %(num)d person was "
                    "emailed their link to choose.",
                    "Group choice is open: attendees can choose a discussion group now. %(num)d people were "
                    "emailed their link to choose.", change.invited)


@bp.post("/group-choice")
@event_access("manage")
def group_choice(slug):
    open_ = request.form.get("open") == "1"
    change = groups.set_choice_open(g.event.id, open_, current_user.id, keyring.current(), utcnow())
    flash(choice_message(change), "success")
    return redirect(url_for(".programme", slug=slug, _anchor="group-choice"), code=303)


# --- one item: details, speakers, groups --------------------------------------------------------

def _item_page(item, item_form=None, speaker_form=None, group_form=None, status: int = 200):
    if item_form is None:
        item_form = forms.ItemForm(prefix="item", formdata=None)
        item_form.fill_from(item, _zone())
    item_form.fit_event(g.event, keep=item.audience)
    speaker_form = speaker_form or _people_choice(forms.SpeakerForm(prefix="speaker", formdata=None),
                                                  _("Person"))
    if group_form is None:
        group_form = _people_choice(forms.NewGroupForm(prefix="group", formdata=None), _("Group leader (optional)"))
        group_form.set_modes(g.event)
    return render_template("programme/item.html", event=g.event, item=item, item_form=item_form,
                           speaker_form=speaker_form, group_form=group_form,
                           members={group.id: groups.members(group.id) for group in item.groups}), status


@bp.route("/items/<id:item_id>", methods=["GET", "POST"])
@event_access("manage")
def edit_item(slug, item_id):
    item = operations.get_item(g.event.id, item_id)
    form = forms.ItemForm(prefix="item")
    form.fit_event(g.event, keep=item.audience)
    if request.method == "GET":
        form.fill_from(item, _zone())
    elif form.validate_on_submit():
        try:
            operations.update_item(g.event.id, item.id, form.item_data(_zone()), current_user.id)
        except operations.ProgrammeError as error:
            _show_error(form, error, ITEM_ERRORS)
        else:
            flash(_("“%(title)s” is saved.", title=item.title), "success")
            return redirect(url_for(".programme", slug=slug, _anchor=f"item-{item.id}"), code=303)
    return _item_page(item, item_form=form, status=_status())


@bp.route("/items/<id:item_id>/delete", methods=["GET", "POST"])
@event_access("manage")
def delete_item(slug, item_id):
    item = operations.get_item(g.event.id, item_id)
    form = forms.ChoiceForm()
    if form.validate_on_submit():
        try:
            operations.delete_item(g.event.id, item.id, current_user.id)
        except operations.ItemHasMembers:
            pass  # the page below says why
        else:
            flash(_("The item is deleted."), "success")
            return redirect(url_for(".programme", slug=slug), code=303)
    members = sum(sum(groups.members(group.id)) for group in item.groups)
    return render_template("programme/delete_item.html", event=g.event, item=item, form=form, members=members), \
        409 if request.method == "POST" else 200


@bp.post("/items/<id:item_id>/speakers")
@event_access("manage")
def add_speaker(slug, item_id):
    item = operations.get_item(g.event.id, item_id)
    form = _people_choice(forms.SpeakerForm(prefix="speaker"), _("Person"))
    if form.validate_on_submit():
        try:
            part = operations.add_speaker(g.event.id, item.id, form.chosen_person(), form.role.data, current_user.id)
        except operations.ProgrammeError as error:
            _show_error(form, error, PERSON_ERRORS)
        else:
            flash(_("%(name)s is added.", name=part.person.name), "success")
            return redirect(url_for(".edit_item", slug=slug, item_id=item.id, _anchor="speakers"), code=303)
    return _item_page(item, speaker_form=form, status=422)


@bp.post("/items/<id:item_id>/speakers/<id:speaker_id>/remove")
@event_access("manage")
def remove_speaker(slug, item_id, speaker_id):
    operations.remove_speaker(g.event.id, item_id, speaker_id, current_user.id)
    flash(_("The person is removed from the item; they stay in the directory."), "success")
    return redirect(url_for(".edit_item", slug=slug, item_id=item_id, _anchor="speakers"), code=303)


@bp.post("/items/<id:item_id>/groups")
@event_access("manage")
def add_group(slug, item_id):
    item = operations.get_item(g.event.id, item_id)
    form = _people_choice(forms.NewGroupForm(prefix="group"), _("Group leader (optional)"))
    form.set_modes(g.event)
    if form.validate_on_submit():
        try:
            group = operations.add_group(g.event.id, item.id, form.group_data(), current_user.id,
                                         leader=form.chosen_person())
        except operations.NotAGroupSession:
            flash(_("Discussion groups belong to an item of the kind group session."), "error")
        except operations.ProgrammeError as error:
            _show_error(form, error, GROUP_ERRORS)
        else:
            flash(_("The group “%(title)s” is added.", title=group.title), "success")
            return redirect(url_for(".edit_item", slug=slug, item_id=item.id, _anchor=f"group-{group.id}"), code=303)
    return _item_page(item, group_form=form, status=422)


# --- one discussion group -----------------------------------------------------------------------

def _group_page(group, group_form=None, leader_form=None, status: int = 200):
    if group_form is None:
        group_form = forms.GroupForm(prefix="group", formdata=None)
        group_form.set_modes(g.event, group.mode)
        group_form.fill_from(group)
    leader_form = leader_form or _people_choice(forms.LeaderForm(prefix="leader", formdata=None), _("Person"))
    confirmed, waitlisted = groups.members(group.id)
    link = leaders.link_of(group.id)
    token = leaders.token_of(link, keyring.current())
    url = url_for("groups.leader_page", token=token, _external=True) if token else None
    return render_template("programme/group.html", event=g.event, group=group, item=group.item, group_form=group_form,
                           leader_form=leader_form, confirmed=confirmed, waitlisted=waitlisted, leader_link=link,
                           leader_url=url, leader_mailto=_leader_mailto(group, url) if url else None), status


def _leader_mailto(group, url: str) -> str:
    """An email to the group leader with their link, for the organiser's mail program to address."""
    subject = _("Your page as group leader: %(group)s", group=group.title)
    body = _("Hello,\n\nthis is your page as leader of the discussion group “%(group)s” at %(event)s. There you see "
             "the group and write down its key points for the event's documentation page:\n\n%(link)s\n\n"
             "The link is yours alone: please do not pass it on.", group=group.title, event=g.event.title, link=url)
    return "mailto:?" + urlencode({"subject": subject, "body": body}, quote_via=quote)


@bp.route("/groups/<id:group_id>", methods=["GET", "POST"])
@event_access("manage")
def edit_group(slug, group_id):
    group = operations.get_group(g.event.id, group_id)
    form = forms.GroupForm(prefix="group")
    form.set_modes(g.event, group.mode)
    if request.method == "GET":
        form.fill_from(group)
    elif form.validate_on_submit():
        try:
            operations.update_group(g.event.id, group.id, form.group_data(), current_user.id,
                                    keyring.current())
        except operations.ProgrammeError as error:
            _show_error(form, error, GROUP_ERRORS)
        else:
            flash(_("The group “%(title)s” is saved.", title=group.title), "success")
            return redirect(url_for(".edit_item", slug=slug, item_id=group.item_id, _anchor=f"group-{group.id}"),
                            code=303)
    return _group_page(group, group_form=form, status=_status())


@bp.route("/groups/<id:group_id>/delete", methods=["GET", "POST"])
@event_access("manage")
def delete_group(slug, group_id):
    group = operations.get_group(g.event.id, group_id)
    item_id = group.item_id
    form = forms.ChoiceForm()
    if form.validate_on_submit():
        try:
            operations.delete_group(g.event.id, group.id, current_user.id)
        except operations.GroupHasMembers:
            pass  # the page below says why
        else:
            flash(_("The group is deleted."), "success")
            return redirect(url_for(".edit_item", slug=slug, item_id=item_id, _anchor="groups"), code=303)
    confirmed, waitlisted = groups.members(group.id)
    return render_template("programme/delete_group.html", event=g.event, group=group, item=group.item, form=form,
                           confirmed=confirmed, waitlisted=waitlisted), 409 if request.method == "POST" else 200


@bp.post("/groups/<id:group_id>/leaders")
@event_access("manage")
def add_leader(slug, group_id):
    group = operations.get_group(g.event.id, group_id)
    form = _people_choice(forms.LeaderForm(prefix="leader"), _("Person"))
    if form.validate_on_submit():
        try:
            leader = operations.add_leader(g.event.id, group.id, form.chosen_person(), current_user.id)
        except operations.ProgrammeError as error:
            _show_error(form, error, PERSON_ERRORS)
        else:
            flash(_("%(name)s is added.", name=leader.person.name), "success")
            return redirect(url_for(".edit_group", slug=slug, group_id=group.id, _anchor="leaders"), code=303)
    return _group_page(group, leader_form=form, status=422)


@bp.post("/groups/<id:group_id>/leaders/<id:leader_id>/remove")
@event_access("manage")
def remove_leader(slug, group_id, leader_id):
    operations.remove_leader(g.event.id, group_id, leader_id, current_user.id)
    flash(_("The person is removed from the group; they stay in the directory."), "success")
    return redirect(url_for(".edit_group", slug=slug, group_id=group_id, _anchor="leaders"), code=303)


@bp.post("/groups/<id:group_id>/leader-link")
@event_access("manage")
def make_leader_link(slug, group_id):
    """A new leader's link for the group: the old one, if there was one, stops working."""
    group = operations.get_group(g.event.id, group_id)
    renewed = leaders.link_of(group.id) is not None
    leaders.make_link(g.event.id, group.id, current_user.id, keyring.current(), utcnow())
    flash(_("A new link is made: the old one no longer works. Send the new one to the group leader.") if renewed
          else _("The leader's link is made. Copy it or email it to the group leader."), "success@leader-link")
    return redirect(url_for(".edit_group", slug=slug, group_id=group.id, _anchor="leader-link-result"), code=303)


@bp.post("/groups/<id:group_id>/leader-link/revoke")
@event_access("manage")
def revoke_leader_link(slug, group_id):
    group = operations.get_group(g.event.id, group_id)
    leaders.revoke_link(g.event.id, group.id, current_user.id)
    flash(_("The leader's link no longer works."), "success@leader-link")
    return redirect(url_for(".edit_group", slug=slug, group_id=group.id, _anchor="leader-link-result"), code=303)


# --- the people directory -----------------------------------------------------------------------
# Who may see and change whom is operations' rule (see "the people directory" there): a person
# the organiser may not see is not found; one they may see but not change is shown read-only.

def _not_yours(error: operations.NotYoursToChange) -> str:
    return ngettext("%(name)s is also in the programme of %(num)d event you do not manage, so only an administrator "
                    "or someone who manages that event too may change or remove them.",
                    "%(name)s is also in the programmes of %(num)d events you do not manage, so only an "
                    "administrator or someone who manages all of them may change or remove them.",
                    error.other_events, name=error.name)


def _people_page(form=None, same=(), status: int = 200):
    return render_template("programme/people.html", event=g.event, entries=operations.directory(current_user.id),
                           form=form or forms.PersonForm(prefix="person", formdata=None), same=same), status


@bp.route("/people", methods=["GET", "POST"])
@event_access("manage")
def people(slug):
    form = forms.PersonForm(prefix="person")
    same = ()
    if form.validate_on_submit():
        try:
            person = operations.add_person(form.person_data(), current_user.id, g.event.id)
        except operations.EmptyName:
            form.name.errors = [*form.name.errors, _("Enter a name.")]
        except operations.SameNameExists as error:
            form.name.errors = [*form.name.errors, _same_name_message(error)]
            same = error.matches
        else:
            flash(_("%(name)s is added to the directory.", name=person.name), "success")
            return redirect(url_for(".people", slug=slug), code=303)
    return _people_page(form, same, _status())


def _refused(entry):
    return _person_page(entry, error=_not_yours(operations.NotYoursToChange(entry.person.name, entry.other_events)),
                        status=403)


def _person_page(entry, form=None, merge_form=None, error: str | None = None, status: int = 200):
    person = entry.person
    if form is None:
        form = forms.PersonForm(prefix="person", formdata=None, obj=person)
    if merge_form is None and entry.may_change:
        merge_form = forms.MergeForm(formdata=None, meta={"csrf": False})
        merge_form.set_people(operations.changeable_people(current_user.id, leave_out=person.id))
    return render_template("programme/person.html", event=g.event, entry=entry, person=person, form=form,
                           merge_form=merge_form, error=error), status


@bp.route("/people/<id:person_id>", methods=["GET", "POST"])
@event_access("manage")
def edit_person(slug, person_id):
    entry = operations.directory_entry(person_id, current_user.id)
    if request.method == "GET":
        return _person_page(entry)
    if not entry.may_change:  # refused whatever was sent, before the form is read
        return _refused(entry)
    form = forms.PersonForm(prefix="person")
    if form.validate_on_submit():
        try:
            operations.update_person(entry.person.id, form.person_data(), current_user.id, g.event.id)
        except operations.NotYoursToChange as error:
            return _person_page(entry, form, error=_not_yours(error), status=403)
        except operations.EmptyName:
            form.name.errors = [*form.name.errors, _("Enter a name.")]
        else:
            flash(_("%(name)s is saved.", name=entry.person.name), "success")
            return redirect(url_for(".people", slug=slug), code=303)
    return _person_page(entry, form, status=422)


@bp.post("/people/<id:person_id>/delete")
@event_access("manage")
def delete_person(slug, person_id):
    entry = operations.directory_entry(person_id, current_user.id)
    try:
        operations.delete_person(person_id, current_user.id, g.event.id)
    except operations.NotYoursToChange as error:
        return _person_page(entry, error=_not_yours(error), status=403)
    except operations.PersonInUse:
        flash(_("That person is a speaker or group leader somewhere, so they stay in the directory."), "error")
        return redirect(url_for(".edit_person", slug=slug, person_id=person_id), code=303)
    flash(_("The person is removed from the directory."), "success")
    return redirect(url_for(".people", slug=slug), code=303)


@bp.route("/people/<id:person_id>/merge", methods=["GET", "POST"])
@event_access("manage")
def merge_person(slug, person_id):
    """Two entries for one person: this one stays and takes over the other's parts. The other is
    chosen here (or on the person's page), then the organiser confirms what will happen."""
    entry = operations.directory_entry(person_id, current_user.id)
    if not entry.may_change:
        return _refused(entry)
    form = forms.MergeForm(formdata=request.form if request.method == "POST" else request.args,
                           meta={"csrf": request.method == "POST"})
    form.set_people(operations.changeable_people(current_user.id, leave_out=entry.person.id))
    other = None
    if form.other.data and form.validate():
        other = operations.directory_entry(int(form.other.data), current_user.id)
        if request.method == "POST" and form.confirm.data == "yes":
            try:
                operations.merge_people(entry.person.id, other.person.id, current_user.id, g.event.id)
            except operations.NotYoursToChange as error:
                return _person_page(entry, error=_not_yours(error), status=403)
            flash(_("%(removed)s is merged into %(kept)s.", removed=other.person.name, kept=entry.person.name),
                  "success")
            return redirect(url_for(".edit_person", slug=slug, person_id=entry.person.id), code=303)
    status = 422 if request.method == "POST" and other is None else 200
    return render_template("programme/merge.html", event=g.event, entry=entry, other=other, form=form), status
