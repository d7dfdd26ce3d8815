"""The group leader's page, behind their link (groups.leaders): the group, and its key points."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from eventhub.events.services import is_past
from eventhub.groups import leaders
from eventhub.groups.access import leader_link
from eventhub.groups.forms import KeyPointsForm
from eventhub.types import utcnow

bp = Blueprint("groups", __name__)


def _page(group, token: str, form: KeyPointsForm | None = None, conflict=None, status: int = 200):
    page = leaders.leader_page(group)
    if form is None:
        form = KeyPointsForm(formdata=None)
        form.fill_from(page.key_points)
    return render_template("groups/leader.html", page=page, group=group, event=page.event, item=page.item,
                           form=form, token=token, conflict=conflict, is_past=is_past(page.event, utcnow())), status


@bp.get("/leader/<token>")
@leader_link
def leader_page(group, token):
    return _page(group, token)


@bp.post("/leader/<token>")
@leader_link
def save_key_points(group, token):
    form = KeyPointsForm()
    if not form.validate_on_submit():
        return _page(group, token, form=form, status=422)
    try:
        leaders.save_key_points(group, form.key_points.data, utcnow(), version=form.started_from())
    except leaders.KeyPointsChanged as changed:
        form.version.data = str(changed.current.version)  # saving again keeps this text over theirs
        return _page(group, token, form=form, conflict=changed.current, status=409)
    flash(_("The key points are saved."), "success@key-points")
    return redirect(url_for(".leader_page", token=token, _anchor="key-points-result"), code=303)

