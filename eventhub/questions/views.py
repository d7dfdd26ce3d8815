"""The organiser's registration questions: the list (with the form for a new one, and move buttons), one
question's page (its wording, help, choices one by one, who is asked; removing it)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from eventhub import workspace
from eventhub.accounts.access import event_access
from eventhub.fields import ConfirmForm
from eventhub.questions import forms, services
from eventhub.questions.models import CHOICE_KINDS, QUESTIONS_MAX

bp = Blueprint("questions", __name__)
workspace.add_link(25, "questions.list_questions", _l("Registration questions"))

INVALID = {
    "no_label": _l("Write the question in Swedish, in English or in both."),
    "too_long": _l("A text is too long. Shorten it and save again."),
    "no_choices": _l("Give at least one choice."),
    "too_many_choices": _l("At most %(num)d choices.", num=30),
    "special_required": _l("A special-category question cannot be required: people answer it only if they "
                           "consent. Make it optional."),
    "kind": _l("Choose how the question is answered."),
    "audience": _l("Choose who is asked."),
    "to_speakers": _l("A question to the speakers is answered in words (short or long text) and is not special "
                      "category."),
    "speakers_item": _l("Choose an item of the programme."),
}


def _form(posted: bool = False, question=None) -> forms.QuestionForm:
    if posted:
        form = forms.QuestionForm()
    elif question is not None:
        form = forms.QuestionForm(formdata=None, obj=question)
        form.required.data = "yes" if question.required else "no"  # the radios' values, not the column's bool
        form.speakers_item.data = str(question.speakers_item_id or "")
    else:
        form = forms.QuestionForm(formdata=None)
    form.offer(g.event.modes, [item for item in g.event.programme_items if item.speakers])
    if question is not None:
        form.kind.data = question.kind  # fixed once made: answers were given to it
    return form


def _list(form=None, status: int = 200):
    asked = services.asked(g.event)
    counts = services.answer_counts([question.id for question in asked])
    return render_template("questions/list.html", event=g.event, questions=asked, counts=counts,
                           form=form or _form(), kinds=forms.KIND, kind_hints=forms.KIND_HINT,
                           invalid=INVALID, maximum=QUESTIONS_MAX, move_form=ConfirmForm()), status


@bp.get("/manage/events/<slug>/questions/")
@event_access("manage")
def list_questions(slug):
    return _list()[0]


def _invalid(form, error: services.InvalidQuestion) -> None:
    form.form_errors.append(str(INVALID.get(error.reason, INVALID["no_label"])))


@bp.post("/manage/events/<slug>/questions/new")
@event_access("manage")
def add_question(slug):
    form = _form(posted=True)
    if not form.validate_on_submit():
        return _list(form, 422)
    choices = forms.choice_edits(form, (), request.form) if form.kind.data in CHOICE_KINDS else []
    try:
        question = services.add(g.event.id, forms.question_data(form, form.kind.data, choices), current_user.id)
    except services.InvalidQuestion as error:
        _invalid(form, error)
        return _list(form, 422)
    except services.TooManyQuestions:
        form.form_errors.append(_("An event can have at most %(num)d questions.", num=QUESTIONS_MAX))
        return _list(form, 422)
    flash(_("The question is added at the end of the form."), "success@questions")
    return redirect(url_for(".list_questions", slug=slug, _anchor=f"question-{question.id}"), code=303)


def _question(question_id: int):
    try:
        return services.get(g.event.id, question_id)
    except services.UnknownQuestion:
        abort(404)


@bp.route("/manage/events/<slug>/questions/<id:question_id>", methods=["GET", "POST"])
@event_access("manage")
def edit_question(slug, question_id):
    question = _question(question_id)
    asked = next(each for each in services.asked(g.event) if each.id == question.id)
    form = _form(posted=request.method == "POST", question=question)
    if request.method == "POST" and form.validate_on_submit():
        choices = forms.choice_edits(form, asked.choices, request.form)
        try:
            services.update(g.event.id, question.id, forms.question_data(form, question.kind, choices),
                            current_user.id)
        except services.InvalidQuestion as error:
            _invalid(form, error)
        else:
            flash(_("The question is saved."), "success@questions")
            return redirect(url_for(".list_questions", slug=slug, _anchor=f"question-{question.id}"), code=303)
    return render_template("questions/edit.html", event=g.event, question=asked, form=form,
                           answers=services.answer_count(question.id), kinds=forms.KIND, posted=request.form,
                           remove_form=ConfirmForm()), 422 if request.method == "POST" else 200


@bp.post("/manage/events/<slug>/questions/<id:question_id>/move")
@event_access("manage")
def move_question(slug, question_id):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    direction = request.form.get("direction")
    if direction not in ("up", "down"):
        abort(400)
    try:
        place, total = services.move(g.event.id, question_id, -1 if direction == "up" else 1, current_user.id)
    except services.UnknownQuestion:
        abort(404)
    flash(_("Moved: it is now question %(place)d of %(total)d.", place=place, total=total), "success@questions")
    # Back to the button just pressed, or to the other one when the question reached the end.
    can = {"up": place > 1, "down": place < total}
    way = direction if can[direction] else ("down" if direction == "up" else "up")
    anchor = f"move-{way}-{question_id}" if can[way] else f"question-{question_id}"
    return redirect(url_for(".list_questions", slug=slug, _anchor=anchor), code=303)


@bp.post("/manage/events/<slug>/questions/<id:question_id>/remove")
@event_access("manage")
def remove_question(slug, question_id):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        answers = services.remove(g.event.id, question_id, current_user.id)
    except services.UnknownQuestion:
        abort(404)
    flash(ngettext("The question is removed, with %(num)d answer.", "The question is removed, with %(num)d answers.",
                   answers) if answers else _("The question is removed."), "success@questions")
    return redirect(url_for(".list_questions", slug=slug), code=303)
