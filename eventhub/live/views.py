"""The live channel of the attendee's own page (a stream, polling, the page itself) and the organisers'
announcements."""
from __future__ import annotations

from dataclasses import dataclass

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from markupsafe import Markup

from eventhub import i18n, keyring, labels, workspace
from eventhub.accounts import services as accounts
from eventhub.accounts.access import event_access
from eventhub.fields import ConfirmForm
from eventhub.groups import services as groups
from eventhub.groups.access import leader_link
from eventhub.live import arrivals, channel, qa, services
from eventhub.live.forms import AnnouncementForm, AskForm, MergeForm, ModerationSettingsForm
from eventhub.live.models import QUESTION_MAX, TEXT_MAX
from eventhub.registration import qr
from eventhub.registration.access import personal_link
from eventhub.types import utcnow

bp = Blueprint("live", __name__)
LEADER_KINDS = frozenset({arrivals.ATTENDANCE, "seats"})  # what makes a leader's list of members change
workspace.add_link(51, "live.console", _l("Live console"))
workspace.add_link(52, "live.announcements", _l("Announcements"))
workspace.add_link(53, "live.projector", _l("Projector view"))
workspace.add_link(54, "live.moderation", _l("Questions to the speakers"))

AUDIENCE = {
    "all": _l("Everyone with a place"),
    "on_site": _l("Everyone taking part on site"),
    "digital": _l("Everyone taking part digitally"),
}


def error_message(error: services.AnnouncementError) -> str:
    if isinstance(error, services.EmptyText):
        return _("Write the announcement in Swedish.")
    if isinstance(error, services.TextTooLong):
        return _("An announcement is at most %(max)d characters.", max=TEXT_MAX)
    if isinstance(error, services.NoRecipients):
        return _("Nobody with a place is in that audience yet: nothing was sent.")
    return _("Choose who the announcement is for.")


# --- the attendee's own page ------------------------------------------------------------------------

def _viewer(registration, token: str) -> services.Viewer:
    return services.viewer_of(registration, url_for("checkin.join", token=token))


def _after(*values: str | None) -> int:
    """The last announcement the page has: Last-Event-ID (a reconnecting stream) or ?after=."""
    found = [int(value) for value in values if value and value.isdigit() and len(value) <= 12]
    return max(found, default=0)


def _render(item: services.Shown, timezone: str) -> str:
    return render_template("live/_announcement.html", item=item, timezone=timezone)


@dataclass(frozen=True)
class Panel:
    announcements: list  # newest first
    last_id: int
    next_item: object
    stream_url: str
    poll_url: str
    poll_seconds: int
    questions: qa.AttendeeView | None = None
    ask_form: AskForm | None = None


@bp.app_template_global()
def live_panel(registration, token: str) -> Panel | None:
    """What the person's own page shows of the live channel: announcements for them, the next item."""
    if registration.is_cancelled:
        return None
    shown = services.for_viewer(_viewer(registration, token))
    questions = qa.for_attendee(registration, utcnow())
    return Panel(shown[::-1], max((item.id for item in shown), default=0),
                 services.next_item(registration.event, registration.mode, utcnow()),
                 url_for("live.stream", token=token), url_for("live.poll", token=token),
                 current_app.config["LIVE_POLL_SECONDS"], questions, _ask_form(questions))


def _streamed(event_id: int, body, staff: bool = False):
    """An answer of Server-Sent Events for one stream of the event: ``body(subscription, end)`` makes
    its messages. Counted against ``LIVE_MAX_STREAMS``; beyond it a 503 sends the page to polling."""
    hub = channel.of(current_app)
    if not hub.admit():  # this process holds its most streams: the page polls instead
        return current_app.response_class("busy\n", status=503, mimetype="text/plain",
                                          headers={"Retry-After": "30"})
    try:
        subscription = hub.subscribe(event_id, staff)
    except Exception:
        hub.release()
        raise
    ended = []

    def end() -> None:  # once, whichever comes first: the stream's end or the server closing the answer
        if not ended:
            ended.append(True)
            subscription.close()
            hub.release()

    response = current_app.response_class(stream_with_context(body(subscription, end)), mimetype="text/event-stream")
    response.headers["X-Accel-Buffering"] = "no"  # nginx: pass each message on as it comes
    response.call_on_close(end)
    return response


def _timing() -> dict:
    config = current_app.config
    return {"lifetime": config["LIVE_STREAM_SECONDS"], "heartbeat": config["LIVE_HEARTBEAT_SECONDS"]}


@bp.get("/r/<token>/live")
@personal_link
def stream(registration, token):
    """The person's live channel as Server-Sent Events (text/event-stream)."""
    viewer, timezone = _viewer(registration, token), registration.event.timezone
    after = _after(request.headers.get("Last-Event-ID"), request.args.get("after"))
    return _streamed(viewer.event_id, lambda subscription, end: services.follow(
        viewer, after, subscription, lambda item: _render(item, timezone), on_end=end, **_timing()))


@bp.get("/leader/<token>/live")
@leader_link
def leader_stream(group, token):
    """The group leader's page's stream: it says when people arrive or the group's seats change (the kind
    only), and the page reads its list of members again."""
    return _streamed(group.item.event_id, lambda subscription, end: services.follow_event(
        subscription, on_end=end, only=LEADER_KINDS, **_timing()), staff=True)


@bp.app_template_global()
def leader_live(token: str) -> str:
    """Where the group leader's page listens (groups' template; groups never imports live)."""
    return url_for("live.leader_stream", token=token)


@bp.get("/manage/events/<slug>/live/stream")
@event_access("host")
def event_stream(slug):
    """The organisers' stream of the event (the live console and the views for the room): every state
    message of the event as it comes."""
    return _streamed(g.event.id, lambda subscription, end: services.follow_event(subscription, on_end=end,
                                                                                **_timing()), staff=True)


@bp.get("/r/<token>/live.json")
@personal_link
def poll(registration, token):
    """The same as JSON, for a page whose stream does not get through (a proxy that buffers)."""
    after = _after(request.args.get("after"))
    shown = services.for_viewer(_viewer(registration, token), after)
    timezone = registration.event.timezone
    coming = services.next_item(registration.event, registration.mode, utcnow())
    return jsonify(announcements=[{"id": item.id, "html": _render(item, timezone)} for item in shown],
                   last_id=max([after] + [item.id for item in shown]),
                   next=render_template("live/_next.html", item=coming, event=registration.event))


# --- the organisers ---------------------------------------------------------------------------------

def audience_labels(event) -> dict[str, str]:
    names = {key: str(value) for key, value in AUDIENCE.items()}
    for group in groups.of_event(event.id):
        names[f"group:{group.id}"] = _("Discussion group %(group)s (%(mode)s, %(session)s): its members",
                                       group=group.title, mode=labels.MODE[group.mode], session=group.item.title)
    return names


def sent_to(announcement, names: dict[str, str]) -> str:
    if announcement.audience == "group":
        return names.get(f"group:{announcement.group_id}") or _(
            "Discussion group %(group)s (since removed)", group=announcement.group_title)
    return names[announcement.audience]


def _form(event) -> AnnouncementForm:
    form = AnnouncementForm()
    names = audience_labels(event)
    form.audience.choices = [(key, names[key]) for key in services.audience_choices(event)]
    if form.audience.data is None:
        form.audience.data = "all"
    return form


def _page(form=None, status=200):
    event = g.event
    names = audience_labels(event)
    return render_template("live/announcements.html", event=event, form=form or _form(event), names=names,
                           sent=services.history(event.id), sent_to=sent_to), status


@bp.get("/manage/events/<slug>/announcements")
@event_access("manage")
def announcements(slug):
    return _page()[0]


@bp.post("/manage/events/<slug>/announcements")
@event_access("manage")
def send(slug):
    form = _form(g.event)
    if not form.validate_on_submit():
        return _page(form, 422)
    try:
        announcement = services.send(g.event.id, form.audience.data, form.text_sv.data, form.text_en.data or "",
                                     form.by_email.data, current_user.id, keyring.current(), utcnow(),
                                     channel.of(current_app))
    except services.AlreadySent:
        flash(_("This announcement was sent a moment ago, so it was not sent again."), "info")
        return redirect(url_for(".announcements", slug=slug), code=303)
    except services.AnnouncementError as error:
        form.form_errors.append(error_message(error))
        return _page(form, 422)
    flash(ngettext("Sent: it is on the page of %(num)d person.", "Sent: it is on the pages of %(num)d people.",
                   announcement.recipient_count), "success")
    return redirect(url_for(".announcements", slug=slug), code=303)


# --- the closing panel --------------------------------------------------------------------------------

@bp.get("/manage/events/<slug>/live/panel")
@event_access("host")
def panel(slug):
    """Every group's key points side by side, for the panel's moderator, as the leaders save them."""
    return render_template("live/panel.html", event=g.event, sessions=services.panel(g.event.id),
                           stream_url=url_for(".event_stream", slug=slug))


# --- the room: the projector view and opening group choice -------------------------------------------

def _qr_code(url: str) -> Markup:
    """The QR code of a public address, drawn by the same library as the tickets, as inline SVG (no
    text of anyone's in it: it is made from our own URL)."""
    return Markup(qr.qr_svg(url))  # noqa: S704 - our own SVG, drawn from our own address


@bp.get("/manage/events/<slug>/live/projector")
@event_access("host")
def projector(slug):
    """For the screen in the room: each group with its leader, room or "Digital", seats left, live; the
    next item with a countdown; a QR code to the page that sends people their personal link."""
    event = g.event
    my_link = url_for("registration.my_link", slug=event.slug, _external=True)
    short = Markup("/<wbr>").join(my_link.split("://", 1)[-1].split("/"))  # breaks only after a slash
    return render_template("live/projector.html", event=event, groups=groups.choosable(event),
                           next_item=services.next_for_room(event, utcnow()), my_link=my_link, short_link=short,
                           qr_code=_qr_code(my_link), may_manage=accounts.can_manage(current_user, event))


@bp.post("/manage/events/<slug>/live/group-choice")
@event_access("manage")
def group_choice(slug):
    """Open or close group choice from the room (the same rule as the agenda builder's toggle)."""
    form = ConfirmForm()
    if form.validate_on_submit():
        open_ = request.form.get("open") == "1"
        change = groups.set_choice_open(g.event.id, open_, current_user.id, keyring.current(), utcnow())
        if not change.event.group_choice_open:
            flash(_("Group choice is closed."), "success")
        elif change.changed:
            flash(ngettext("Group choice is open. %(num)d person was emailed their link to choose.",
                           "Group choice is open. %(num)d people were emailed their link to choose.",
                           change.invited), "success")
        else:
            flash(_("Group choice was already open: nobody was emailed again."), "info")
    back = ".console" if request.form.get("back") == "console" else ".projector"  # the page the button was on
    return redirect(url_for(back, slug=slug), code=303)


# --- questions to the speakers: the attendee ----------------------------------------------------------

def question_error(error: qa.QuestionError, timezone: str = "UTC") -> str:
    """A refused question or vote, in the person's language (the page keeps what they typed)."""
    if isinstance(error, qa.EmptyQuestion):
        return _("Write your question.")
    if isinstance(error, qa.QuestionTooLong):
        return _("A question is at most %(max)d characters. Shorten it and send it again.", max=QUESTION_MAX)
    if isinstance(error, qa.NoPlace):
        return _("Only people with a place at the event can ask questions.")
    if isinstance(error, qa.NotOpen):
        if error.before:
            return _("Questions can be asked on the day of the event, from %(time)s (%(zone)s).",
                     time=i18n.datetime_filter(error.opens_at, timezone),
                     zone=i18n.zone_filter(error.opens_at, timezone))
        return _("The event is over: questions can no longer be asked.")
    if isinstance(error, qa.UnknownItem):
        return _("Choose an item of your programme.")
    if isinstance(error, qa.TooManyPending):
        return ngettext("You have %(num)d question waiting for the moderator already. Ask again once it has "
                        "been dealt with.", "You have %(num)d questions waiting for the moderator already. Ask "
                        "again once one of them has been dealt with.", qa.MAX_PENDING)
    if isinstance(error, qa.TooManyRecently):
        return _("You have asked %(num)d questions in %(minutes)d minutes. Wait a few minutes and ask again.",
                 num=qa.MAX_RECENT, minutes=qa.RECENT_MINUTES)
    if isinstance(error, qa.SameQuestionTwice):
        return _("You have asked this question already.")
    if isinstance(error, qa.NotVotable):
        return _("That question cannot be upvoted now.")
    if isinstance(error, qa.PinTaken):
        return _("Another question was pinned at the same moment. Look at the queue and pin again.")
    if isinstance(error, qa.QuestionNotFound):
        return _("That question is no longer in the queue.")
    return _("That cannot be done to this question now.")


def _ask_form(questions: qa.AttendeeView, posted: bool = False) -> AskForm:
    form = AskForm() if posted else AskForm(formdata=None)
    form.item.choices = [(str(item.id), item.title) for item in questions.items]
    if not posted and questions.default_item_id:
        form.item.data = str(questions.default_item_id)
    return form


def _ask_page(registration, token, form=None, error=None, status=200):
    questions = qa.for_attendee(registration, utcnow())
    return render_template("live/ask.html", registration=registration, event=registration.event, token=token,
                           questions=questions, form=form or _ask_form(questions), error=error), status


@bp.get("/r/<token>/ask")
@personal_link
def ask_page(registration, token):
    """Asking and the questions shown, as a page of its own (the personal page shows the same)."""
    if registration.is_cancelled:
        abort(404)
    return _ask_page(registration, token)[0]


@bp.post("/r/<token>/ask")
@personal_link
def ask(registration, token):
    questions = qa.for_attendee(registration, utcnow())
    form = _ask_form(questions, posted=True)
    if not form.validate_on_submit():
        return _ask_page(registration, token, form, status=422)
    item = form.item.data
    try:
        question = qa.ask(registration.id, int(item) if item and item.isdigit() and len(item) < 12 else None,
                          form.text.data or "", bool(form.anonymous.data), utcnow(), channel.of(current_app))
    except qa.QuestionError as error:
        return _ask_page(registration, token, form, question_error(error, registration.event.timezone), 422)
    flash(_("Thank you: your question is waiting for the moderator.") if question.state == "pending"
          else _("Thank you: your question is shown to everyone it is for."), "success")
    return redirect(url_for("registration.manage", token=token, _anchor="questions-heading"), code=303)


@bp.get("/r/<token>/ask/list")
@personal_link
def ask_list(registration, token):
    """The questions shown to the person and their own waiting ones, for the page to put in place."""
    if registration.is_cancelled:
        abort(404)
    return render_template("live/_questions_shown.html", questions=qa.for_attendee(registration, utcnow()),
                           token=token, event=registration.event)


@bp.post("/r/<token>/ask/<id:live_question_id>/vote")
@personal_link
def vote(registration, token, live_question_id):
    """Upvote (or take back the upvote); without JavaScript the page comes back where it was."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        voted = qa.vote(registration.id, live_question_id, utcnow(), channel.of(current_app))
    except qa.QuestionError as error:
        if request.accept_mimetypes.best == "application/json":
            return jsonify(error=question_error(error)), 409
        flash(question_error(error), "error")
        voted = None
    if request.accept_mimetypes.best == "application/json":
        return jsonify(voted=voted)
    if voted is not None:
        flash(_("Your upvote is counted.") if voted else _("Your upvote is taken back."), "success")
    return redirect(url_for("registration.manage", token=token, _anchor=f"q-{live_question_id}"), code=303)


# --- questions to the speakers: the moderator and the presenter ---------------------------------------

def _queue_context(event):
    qa.take_in_advance(event.id, utcnow())
    queue = qa.queue(event.id)
    return dict(event=event, queue=queue, action_form=ConfirmForm(), merge_form=MergeForm(),
                modes=labels.MODE)


@bp.get("/manage/events/<slug>/live/questions")
@event_access("host")
def moderation(slug):
    """The moderator's queue: waiting questions first, where each came from, the audiences' shares."""
    manager = accounts.can_manage(current_user, g.event)
    settings = ModerationSettingsForm(formdata=None, auto_approve=qa.auto_approves(g.event.id)) if manager else None
    return render_template("live/moderation.html", manager=manager, settings_form=settings,
                           auto_approve=qa.auto_approves(g.event.id),
                           **_queue_context(g.event))


@bp.post("/manage/events/<slug>/live/questions/settings")
@event_access("manage")
def moderation_settings(slug):
    """Whether questions wait for the moderator (the default) or show at once: the organiser decides."""
    form = ModerationSettingsForm()
    if not form.validate_on_submit():
        abort(400)
    if qa.set_auto_approve(g.event.id, bool(form.auto_approve.data), current_user.id):
        flash(_("Questions are now shown as soon as they are asked.") if form.auto_approve.data
              else _("Questions now wait for the moderator before anyone sees them."), "success")
    return redirect(url_for(".moderation", slug=slug), code=303)


@bp.get("/manage/events/<slug>/live/questions/list")
@event_access("host")
def moderation_list(slug):
    return render_template("live/_queue.html", **_queue_context(g.event))


def _back(slug, question_id=None):
    if request.accept_mimetypes.best == "application/json":
        return jsonify(ok=True)
    return redirect(url_for(".moderation", slug=slug, _anchor=f"q-{question_id}" if question_id else None),
                    code=303)


ACTION_RULE = "<any(approve,reject,answered,pin,unpin,reopen):action>"


@bp.post(f"/manage/events/<slug>/live/questions/<id:live_question_id>/{ACTION_RULE}")
@event_access("host")
def moderate(slug, live_question_id, action):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        qa.moderate(g.event.id, live_question_id, action, current_user.id, utcnow(), channel.of(current_app))
    except qa.QuestionNotFound:
        abort(404)
    except qa.QuestionError as error:
        if request.accept_mimetypes.best == "application/json":
            return jsonify(error=question_error(error)), 409
        flash(question_error(error), "error")
        return _back(slug, live_question_id)
    if request.accept_mimetypes.best != "application/json":
        flash(DONE[action], "success")
    return _back(slug, live_question_id)


DONE = {"approve": _l("Approved: everyone it is for sees it."), "reject": _l("Rejected: nobody else sees it."),
        "answered": _l("Marked as answered."), "pin": _l("Pinned: it is on the presenter's screen."),
        "unpin": _l("Unpinned."), "reopen": _l("Back in the queue, waiting.")}


@bp.post("/manage/events/<slug>/live/questions/<id:live_question_id>/merge")
@event_access("host")
def merge(slug, live_question_id):
    form = MergeForm()
    if not form.validate_on_submit():
        abort(400)
    into = form.into.data or ""
    try:
        if not into.isdigit() or len(into) > 12:
            raise qa.NotAllowed("merge")
        qa.merge(g.event.id, live_question_id, int(into), current_user.id, utcnow(), channel.of(current_app))
    except qa.QuestionNotFound:
        abort(404)
    except qa.QuestionError:
        flash(_("Choose another question to merge this one into."), "error")
        return _back(slug, live_question_id)
    flash(_("Merged: its votes and its asker count for the other question."), "success")
    return _back(slug, int(into))


@bp.get("/manage/events/<slug>/live/presenter")
@event_access("host")
def presenter(slug):
    """The pinned question, large, for the speaker's screen or the projector."""
    return render_template("live/presenter.html", event=g.event, question=qa.pinned(g.event.id))


@bp.get("/manage/events/<slug>/live/presenter/pinned")
@event_access("host")
def presenter_pinned(slug):
    return render_template("live/_pinned.html", event=g.event, question=qa.pinned(g.event.id))


# --- the organisers' live console -------------------------------------------------------------------------

@bp.get("/manage/events/<slug>/live")
@event_access("host")
def console(slug):
    """The event day on one page: now and next per audience, arrivals, group choice and its seats, the
    questions waiting, the announcements sent. Kept current by the event's stream (live-console.js)."""
    event, now = g.event, utcnow()
    questions = qa.queue(event.id)
    return render_template("live/console.html", event=event, audiences=services.now_and_next(event, now),
                           figures=arrivals.figures(event.id), groups=groups.choosable(event),
                           waiting=len(questions.waiting), shown=len(questions.shown), shares=questions.shares,
                           sent=services.history(event.id), may_manage=accounts.can_manage(current_user, event),
                           stream_url=url_for(".event_stream", slug=slug))
