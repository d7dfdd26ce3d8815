"""The evaluation (organisers: set up, questions, results; a person: answering from their own link) and the
follow-up email (organisers: texts, preview, send now or schedule)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from eventhub import i18n, keyring, labels, workspace
from eventhub.accounts.access import event_access
from eventhub.evaluation import emails, followups, forms, results, services
from eventhub.evaluation.models import FollowUpVariant
from eventhub.fields import ConfirmForm
from eventhub.registration.access import personal_link
from eventhub.types import utcnow

bp = Blueprint("evaluation", __name__)
workspace.add_link(55, "evaluation.overview", _l("Evaluation"))
workspace.add_link(56, "evaluation.follow_up", _l("Follow-up email"))

VARIANT = {FollowUpVariant.CAME: _l("For those who came"), FollowUpVariant.MISSED: _l("For those who did not come")}
VARIANT_HINT = {
    FollowUpVariant.CAME: _l("Checked in at the door, or took part online (their join link or the platform's "
                             "attendance report)."),
    FollowUpVariant.MISSED: _l("Had a place and came neither on site nor online."),
}
KIND = {"rating": _l("Rating, 1 to 5"), "text": _l("Written answer")}


def _local(moment: datetime | None, zone: str):
    return moment.astimezone(ZoneInfo(zone)).replace(tzinfo=None) if moment else None


# --- the organiser: setting up and the questions ----------------------------------------------------

def _settings_form(evaluation, posted: bool = False) -> forms.SettingsForm:
    zone = g.event.timezone
    form = forms.SettingsForm() if posted else forms.SettingsForm(
        formdata=None, anonymous="yes" if evaluation.anonymous else "no", opens_at=_local(evaluation.opens_at, zone),
        closes_at=_local(evaluation.closes_at, zone))
    form.zone = g.event.timezone
    return form


def _new_question_form(posted: bool = False) -> forms.NewQuestionForm:
    form = forms.NewQuestionForm() if posted else forms.NewQuestionForm(formdata=None)
    form.offer(g.event.modes)
    return form


def _overview(settings_form=None, questions_form=None, new_form=None, status=200):
    evaluation = services.of_event(g.event.id)
    context = {}
    if evaluation is not None:
        context = dict(
            settings_form=settings_form or _settings_form(evaluation),
            questions_form=questions_form or forms.questions_form(evaluation.questions),
            new_form=new_form or _new_question_form(), missing=services.missing_standard(evaluation),
            locked=services.has_answers(g.event.id), answers=results.for_event(g.event.id).total_responses,
            now=utcnow())
    return render_template("evaluation/overview.html", event=g.event, evaluation=evaluation, kinds=KIND,
                           minimum=results.MIN_GROUP, **context), status


@bp.get("/manage/events/<slug>/evaluation/")
@event_access("manage")
def overview(slug):
    return _overview()[0]


def _back(anchor: str | None = None):
    return redirect(url_for(".overview", slug=g.event.slug, _anchor=anchor), code=303)


@bp.post("/manage/events/<slug>/evaluation/create")
@event_access("manage")
def create(slug):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.create(g.event.id, current_user.id, utcnow())
    flash(_("The evaluation is set up with the standard questions. Change them as you like before it opens."),
          "success")
    return _back()


@bp.post("/manage/events/<slug>/evaluation/settings")
@event_access("manage")
def settings(slug):
    evaluation = services.of_event(g.event.id)
    if evaluation is None:
        return _back()
    form = _settings_form(evaluation, posted=True)
    if not form.validate_on_submit():
        return _overview(settings_form=form, status=422)
    try:
        services.update_settings(g.event.id, form.anonymous.data == "yes", form.aware(form.opens_at.data),
                                 form.aware(form.closes_at.data), current_user.id, utcnow())
    except services.Locked:
        form.anonymous.errors = [_("Someone has answered already, so whether the answers are anonymous can no "
                                   "longer change.")]
        return _overview(settings_form=form, status=422)
    except services.WindowBackwards:
        form.closes_at.errors = [_("The evaluation must close after it opens.")]
        return _overview(settings_form=form, status=422)
    flash(_("The settings are saved."), "success@settings")
    return _back("settings")


def _question_number(evaluation, question_id: int) -> tuple[int, int]:
    ids = [question.id for question in evaluation.questions]
    return ids.index(question_id) + 1, len(ids)


@bp.post("/manage/events/<slug>/evaluation/questions")
@event_access("manage")
def questions(slug):
    """Save every question's wording; with a move or remove button, that too (what was typed is kept)."""
    evaluation = services.of_event(g.event.id)
    if evaluation is None:
        return _back()
    form = forms.questions_form(evaluation.questions, posted=True)
    if not form.validate_on_submit():
        return _overview(questions_form=form, status=422)
    edits = [services.QuestionEdit(question_id, form[f"q{question_id}_sv"].data or "",
                                   form[f"q{question_id}_en"].data or "") for question_id in form.question_ids]
    services.save_questions(g.event.id, edits, current_user.id, utcnow())
    what, _sep, target = (request.form.get("action") or "save").partition(":")
    if what in ("up", "down") and target.isdigit():
        return _move(evaluation, int(target), what)
    if what == "remove" and target.isdigit():
        try:
            services.remove_question(g.event.id, int(target), current_user.id)
        except services.Locked:
            flash(_("Someone has answered already, so no question can be removed."), "error@questions")
        except services.UnknownQuestion:
            abort(404)
        else:
            flash(_("The question is removed."), "success@questions")
        return _back("questions")
    flash(_("The questions are saved."), "success@questions")
    return _back("questions")


def _move(evaluation, question_id: int, direction: str):
    try:
        place = services.move_question(g.event.id, question_id, -1 if direction == "up" else 1)
    except services.UnknownQuestion:
        abort(404)
    total = len(services.of_event(g.event.id).questions)
    flash(_("Moved: it is now question %(place)d of %(total)d.", place=place, total=total), "success@questions")
    # Back to the button just pressed (the browser focuses the element the address names), or to the
    # other one when the question reached the end, so the keyboard stays where it was.
    can = {"up": place > 1, "down": place < total}
    way = direction if can[direction] else ("down" if direction == "up" else "up")
    anchor = f"move-{way}-{question_id}" if can[way] else f"question-{question_id}"
    return _back(anchor)


@bp.post("/manage/events/<slug>/evaluation/questions/new")
@event_access("manage")
def add_question(slug):
    evaluation = services.of_event(g.event.id)
    if evaluation is None:
        return _back()
    form = _new_question_form(posted=True)
    if not form.validate_on_submit():
        return _overview(new_form=form, status=422)
    try:
        services.add_question(g.event.id, form.kind.data, form.audience.data, form.text_sv.data or "",
                              form.text_en.data or "", current_user.id)
    except services.Locked:
        form.form_errors.append(_("Someone has answered already, so no question can be added."))
        return _overview(new_form=form, status=422)
    except services.EvaluationError:
        form.form_errors.append(_("The question could not be added. Check what you wrote."))
        return _overview(new_form=form, status=422)
    flash(_("The question is added at the end."), "success@questions")
    return _back("questions")


@bp.post("/manage/events/<slug>/evaluation/questions/standard")
@event_access("manage")
def add_standard_question(slug):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.add_standard_question(g.event.id, request.form.get("standard", ""), current_user.id)
    except services.Locked:
        flash(_("Someone has answered already, so no question can be added."), "error@questions")
    except services.EvaluationError:
        flash(_("That standard question is in the evaluation already."), "info@questions")
    else:
        flash(_("The question is added at the end."), "success@questions")
    return _back("questions")


@bp.get("/manage/events/<slug>/evaluation/preview")
@event_access("manage")
def preview(slug):
    """The evaluation as a person taking part in one mode sees it; nothing can be sent from it."""
    evaluation = services.of_event(g.event.id)
    if evaluation is None:
        return _back()
    mode = request.args.get("mode", "")
    mode = mode if mode in g.event.modes else g.event.modes[0].value
    questions = services.questions_for(evaluation, mode)
    form = forms.answer_form(questions, services.rating_words())
    return render_template("evaluation/preview.html", event=g.event, evaluation=evaluation, questions=questions,
                           form=form, mode=mode, state="open", preview=True)


# --- the organiser: results ------------------------------------------------------------------------

@bp.get("/manage/events/<slug>/evaluation/results")
@event_access("manage")
def results_page(slug):
    return render_template("evaluation/results.html", event=g.event, results=results.for_event(g.event.id),
                           minimum=results.MIN_GROUP, scale=results.SCALE, words=services.rating_words(),
                           sectors=labels.SECTOR, modes=labels.MODE)


# --- a person, from their own link ------------------------------------------------------------------

def _state(registration, evaluation, now) -> tuple[str, object]:
    """Whether the person may answer now, or why not: (state, the moment it names)."""
    try:
        services.check_may_answer(registration, evaluation, now)
    except services.NoEvaluation:
        return "none", None
    except services.NoPlace:
        return "no_place", None
    except services.AlreadyAnswered:
        return "answered", None
    except services.NotOpenYet as error:
        return "not_open", error.opens_at
    except services.Closed as error:
        return "closed", error.closed_at
    return "open", None


def _answer_page(registration, token, form=None, status=200):
    evaluation = services.of_event(registration.event_id)
    state, moment = _state(registration, evaluation, utcnow())
    questions = services.questions_for(evaluation, registration.mode) if evaluation else []
    if state == "open" and form is None:
        form = forms.answer_form(questions, services.rating_words())
    own = services.own_response(registration.id) if state == "answered" else None
    return render_template("evaluation/answer.html", event=registration.event, registration=registration,
                           token=token, evaluation=evaluation, questions=questions, form=form, state=state,
                           moment=moment, own=own, words=services.rating_words()), status


@bp.route("/r/<token>/evaluation", methods=["GET", "POST"])
@personal_link
def answer(registration, token):
    if request.method == "GET":
        return _answer_page(registration, token)[0]
    evaluation = services.of_event(registration.event_id)
    if evaluation is None or _state(registration, evaluation, utcnow())[0] != "open":
        return _answer_page(registration, token, status=409)
    questions = services.questions_for(evaluation, registration.mode)
    form = forms.answer_form(questions, services.rating_words(), posted=True)
    if not form.validate_on_submit():
        return _answer_page(registration, token, form=form, status=422)
    try:
        services.submit(registration.id, forms.answers_of(form), utcnow())
    except services.NothingAnswered:
        form.form_errors.append(_("Answer at least one question before you send."))
        return _answer_page(registration, token, form=form, status=422)
    except services.AlreadyAnswered:
        flash(_("You have answered already: only the first answers count."), "info")
    except services.InvalidAnswer:
        form.form_errors.append(_("Some answers could not be read. Check them and send again."))
        return _answer_page(registration, token, form=form, status=422)
    except services.EvaluationError:
        return _answer_page(registration, token, status=409)
    else:
        flash(_("Thank you! Your answers are sent."), "success")
    return redirect(url_for(".answer", token=token), code=303)


@dataclass(frozen=True)
class Invitation:
    state: str  # open, answered, not_open, closed
    moment: object  # when it opens or closed
    closes_at: datetime


@bp.app_template_global()
def evaluation_invitation(registration) -> Invitation | None:
    """What the person's own page says about the evaluation: open (with a link), answered, or when it opens."""
    evaluation = services.of_event(registration.event_id)
    if evaluation is None:
        return None
    state, moment = _state(registration, evaluation, utcnow())
    return None if state in ("none", "no_place") else Invitation(state, moment, evaluation.closes_at)


# --- the organiser: the follow-up email -------------------------------------------------------------

KEYS = [(variant, language) for variant in followups.VARIANTS for language in followups.LANGUAGES]


def _schedule_form(follow_up, posted: bool = False) -> forms.ScheduleForm:
    suggested = follow_up.send_at if follow_up and follow_up.send_at else max(g.event.ends_at, utcnow())
    form = forms.ScheduleForm() if posted else forms.ScheduleForm(
        formdata=None, send_at=_local(suggested, g.event.timezone))
    form.zone = g.event.timezone
    return form


def _follow_up_page(texts_form=None, schedule_form=None, status=200):
    event, now = g.event, utcnow()
    follow_up = followups.of_event(event.id)
    evaluation = services.of_event(event.id)
    return render_template(
        "evaluation/follow_up.html", event=event, follow_up=follow_up, now=now,
        texts_form=texts_form or forms.follow_up_form(followups.texts_of(event), KEYS),
        schedule_form=schedule_form or _schedule_form(follow_up), keys=KEYS, variants=VARIANT,
        variant_hints=VARIANT_HINT, reach=followups.reach(event.id),
        delivered=followups.delivered_by_variant(event.id), evaluation=evaluation,
        evaluation_open=evaluation is not None and now < evaluation.closes_at, over=event.ends_at <= now,
        materials=len(event.materials)), status


@bp.route("/manage/events/<slug>/follow-up/", methods=["GET", "POST"])
@event_access("manage")
def follow_up(slug):
    """GET: the texts, who gets which, sending. POST: save the texts."""
    if request.method == "GET":
        return _follow_up_page()[0]
    form = forms.follow_up_form(followups.texts_of(g.event), KEYS, posted=True)
    if not form.validate_on_submit():
        return _follow_up_page(texts_form=form, status=422)
    try:
        followups.save_texts(g.event.id, forms.texts_of(form), current_user.id, utcnow())
    except followups.FollowUpError:
        form.form_errors.append(_("The texts could not be saved. Check each subject and message."))
        return _follow_up_page(texts_form=form, status=422)
    flash(_("The texts are saved. Preview them before you send."), "success@texts")
    return redirect(url_for(".follow_up", slug=slug, _anchor="texts"), code=303)


@bp.get("/manage/events/<slug>/follow-up/preview")
@event_access("manage")
def follow_up_preview(slug):
    variant = request.args.get("variant", FollowUpVariant.CAME)
    language = request.args.get("language") or i18n.page_language()
    if variant not in followups.VARIANTS or language not in followups.LANGUAGES:
        variant, language = FollowUpVariant.CAME, "sv"
    text = followups.texts_of(g.event)[(variant, language)]
    evaluation, now = services.of_event(g.event.id), utcnow()
    if evaluation is not None and now >= evaluation.closes_at:
        evaluation = None
    subject, body = emails.render_sample(g.event, variant, language, text.subject, text.body, evaluation, now)
    return render_template("evaluation/follow_up_preview.html", event=g.event, variant=variant, language=language,
                           subject=subject, body=body, keys=KEYS, variants=VARIANT, edited=text.edited,
                           count=followups.reach(g.event.id).counts[(variant, language)])


@bp.post("/manage/events/<slug>/follow-up/send")
@event_access("manage")
def follow_up_send(slug):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        sent = followups.send_now(g.event.id, current_user.id, utcnow(), keyring.current())
    except followups.EventNotOver:
        flash(_("The follow-up can be sent once the event is over."), "error@sending")
    else:
        flash(ngettext("The follow-up is queued for %(num)d person.", "The follow-up is queued for %(num)d people.",
                       sent), "success@sending")
    return redirect(url_for(".follow_up", slug=slug, _anchor="sending"), code=303)


@bp.post("/manage/events/<slug>/follow-up/schedule")
@event_access("manage")
def follow_up_schedule(slug):
    if request.form.get("cancel"):
        if not ConfirmForm().validate_on_submit():
            abort(400)
        followups.unschedule(g.event.id, current_user.id, utcnow())
        flash(_("The follow-up is no longer scheduled."), "success@sending")
        return redirect(url_for(".follow_up", slug=slug, _anchor="sending"), code=303)
    form = _schedule_form(followups.of_event(g.event.id), posted=True)
    if not form.validate_on_submit():
        return _follow_up_page(schedule_form=form, status=422)
    try:
        followups.schedule(g.event.id, form.aware(form.send_at.data), current_user.id, utcnow())
    except followups.BeforeTheEnd:
        form.send_at.errors = [_("Choose a time after the event ends.")]
        return _follow_up_page(schedule_form=form, status=422)
    flash(_("The follow-up is scheduled."), "success@sending")
    return redirect(url_for(".follow_up", slug=slug, _anchor="sending"), code=303)

