"""Questions to the speakers: one queue for the room and for the people online (issue 18).

**Who may ask, and when.** A person with a place (not the waitlist, not the cancelled), from their own
page, to the speakers of an item of their programme (their way of taking part) that has speakers, from
the start of the event's first day in its own time zone (the registration desk opens that morning)
until the event ends. Before that, questions go in advance through the registration questions the
organiser marked "a question to the speakers" (``take_in_advance``).

**Limits**, each a named error: at most ``QUESTION_MAX`` characters (control characters become spaces,
white space is one space: a question is one paragraph, kept as plain text and escaped wherever shown);
at most ``MAX_PENDING`` of one person's questions waiting for the moderator; at most ``MAX_RECENT``
questions per person in ``RECENT_MINUTES`` minutes; the same words (case and spaces aside) from the same
person once per event.

**Moderation before display**, unless the organiser chose to show questions at once (``set_auto_approve``,
an event setting, off by default). A new question waits for the moderator (anyone who may host the event:
on the day a door host often moderates); only approved and answered questions are shown to the others,
for the items their way of taking part sees. Approve, reject, mark answered, pin (one per event, the
presenter's screen; the database keeps it so), merge a duplicate into another (its votes and its asker
carried over as votes of the other, the duplicate hidden); each is in the audit log.

**Anonymous** questions keep their asker (for the limits and for the person's own data download and
erasure), but no page shows the name, the moderator's included.

**Live.** Each change is published as a state message of kind ``question`` with no text in it: the
organisers' pages read their queue again; a person's page does so only when the question is one they
may see (``state_view``).
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from eventhub.audit import services as audit
from eventhub.database import atomic, commit
from eventhub.events.models import Event
from eventhub.extensions import db
from eventhub.live import services
from eventhub.live.channel import LocalHub
from eventhub.live.models import QUESTION_MAX, LiveQuestion, LiveQuestionVote, LiveSettings, QuestionState
from eventhub.modes import Mode
from eventhub.programme import services as programme
from eventhub.programme.models import ProgrammeItem
from eventhub.questions.models import RegistrationAnswer, RegistrationQuestion
from eventhub.registration.models import Registration, RegistrationStatus
from eventhub.text import CONTROL_CHARACTERS

MAX_PENDING = 3  # of one person's questions waiting for the moderator
MAX_RECENT = 5  # questions per person in RECENT_MINUTES
RECENT_MINUTES = 10
KIND = "question"  # of the state messages
SHOWN = (QuestionState.APPROVED.value, QuestionState.ANSWERED.value)


class QuestionError(Exception):
    pass


class EmptyQuestion(QuestionError):
    pass


class QuestionTooLong(QuestionError):
    pass


class NoPlace(QuestionError):
    """Only people with a place ask (not the waitlist, not the cancelled)."""


class NotOpen(QuestionError):
    """Before the event's day or after its end."""

    def __init__(self, opens_at: datetime, closes_at: datetime, before: bool):
        super().__init__(opens_at)
        self.opens_at, self.closes_at, self.before = opens_at, closes_at, before


class UnknownItem(QuestionError):
    """Not an item of the person's programme with speakers."""


class TooManyPending(QuestionError):
    pass


class TooManyRecently(QuestionError):
    pass


class SameQuestionTwice(QuestionError):
    pass


class QuestionNotFound(QuestionError):
    pass


class NotVotable(QuestionError):
    """Not a question shown to this person (waiting, refused, merged, of an item they do not see)."""


class NotAllowed(QuestionError):
    """A moderator's action that does not fit the question's state (pin a rejected one, merge into itself)."""


class PinTaken(QuestionError):
    """Another moderator pinned a question at the same moment."""


# --- the rules of asking ----------------------------------------------------------------------------

def clean(text: str) -> str:
    """One paragraph of plain text: control characters out, white space one space, at most QUESTION_MAX."""
    text = " ".join(CONTROL_CHARACTERS.sub(" ", text or "").split())
    if not text:
        raise EmptyQuestion()
    if len(text) > QUESTION_MAX:
        raise QuestionTooLong()
    return text


def _same(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split()).rstrip("?!. ")


def window(event: Event) -> tuple[datetime, datetime]:
    """When questions may be asked: from midnight of the event's first day (its time zone) to its end."""
    zone = ZoneInfo(event.timezone)
    day = event.starts_at.astimezone(zone).date()
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(event.starts_at.tzinfo), event.ends_at


def is_open(event: Event, now: datetime) -> bool:
    opens, closes = window(event)
    return opens <= now < closes


def askable_items(event: Event, mode: str) -> list[ProgrammeItem]:
    """The items of the person's programme that have speakers, in programme order."""
    return [item for item in programme.items_for(event, Mode(mode)) if item.speakers]


def default_item(items: list[ProgrammeItem], now: datetime) -> ProgrammeItem | None:
    """The item on now, else the next, else the last that was on."""
    for item in items:
        if item.starts_at <= now < (item.ends_at or item.starts_at + timedelta(minutes=1)):
            return item
    coming = [item for item in items if item.starts_at > now]
    return coming[0] if coming else (items[-1] if items else None)


def modes_seeing(event: Event, item_id: int | None) -> list[str]:
    """The ways of taking part whose programme shows the item (every mode of the event for no item)."""
    item = db.session.get(ProgrammeItem, item_id) if item_id else None
    return [mode.value for mode in event.modes
            if item is None or item.audience in programme.visible_audiences(event, mode)]


def _publish(hub: LocalHub, question: LiveQuestion, change: str, public: bool) -> None:
    """Tell the event's pages that ``question`` changed (no text: a page reads what it may see)."""
    event = db.session.get(Event, question.event_id)
    services.publish_state(hub, question.event_id, KIND, id=question.id, change=change, public=public,
                           modes=modes_seeing(event, question.item_id), staff_only=not public)


@services.state_view(KIND)
def _for_attendee(message: dict, viewer: services.Viewer) -> dict | None:
    """A person's page hears of a question only when it is shown, or was, to their way of taking part."""
    if not viewer.has_place or not message.get("public") or viewer.mode not in (message.get("modes") or ()):
        return None
    return {"id": message.get("id"), "change": message.get("change")}


def ask(registration_id: int, item_id: int | None, text: str, anonymous: bool, now: datetime,
        hub: LocalHub) -> LiveQuestion:
    """Keep a person's question, waiting for the moderator, and tell the organisers' pages."""
    registration = db.session.get(Registration, registration_id)
    event = registration.event
    if not registration.is_confirmed:
        raise NoPlace()
    opens, closes = window(event)
    if not opens <= now < closes:
        raise NotOpen(opens, closes, before=now < opens)
    text = clean(text)
    items = askable_items(event, registration.mode)
    if items and item_id not in {item.id for item in items}:
        raise UnknownItem(item_id)
    mine = db.session.execute(select(LiveQuestion.text, LiveQuestion.state, LiveQuestion.created_at).where(
        LiveQuestion.registration_id == registration_id, LiveQuestion.in_advance.is_(False))).all()
    if any(_same(earlier) == _same(text) for earlier, _state, _at in mine):
        raise SameQuestionTwice()
    if sum(state == QuestionState.PENDING for _text, state, _at in mine) >= MAX_PENDING:
        raise TooManyPending()
    if sum(at > now - timedelta(minutes=RECENT_MINUTES) for _text, _state, at in mine) >= MAX_RECENT:
        raise TooManyRecently()
    shown_at_once = auto_approves(event.id)
    question = LiveQuestion(event_id=event.id, item_id=item_id if items else None, registration_id=registration_id,
                            anonymous=anonymous, mode=registration.mode, text=text, created_at=now,
                            state=QuestionState.APPROVED.value if shown_at_once else QuestionState.PENDING.value,
                            decided_at=now if shown_at_once else None)
    db.session.add(question)
    commit()
    _publish(hub, question, "asked", public=shown_at_once)
    return question


def auto_approves(event_id: int) -> bool:
    """Whether the event shows questions as they are asked (the organiser's choice; off by default)."""
    return bool(db.session.scalar(select(LiveSettings.auto_approve).where(LiveSettings.event_id == event_id)))


def set_auto_approve(event_id: int, on: bool, actor_id: int | None) -> bool:
    """Show questions without moderation, or moderate them first again (audited); returns whether it changed.
    Questions already waiting stay waiting."""
    settings = db.session.get(LiveSettings, event_id)
    if settings is None:
        settings = LiveSettings(event_id=event_id, auto_approve=False)
        db.session.add(settings)
    if settings.auto_approve == on:
        db.session.rollback()
        return False
    settings.auto_approve = on
    if on:
        audit.record(actor_id, "live_questions.auto_approve_on", "questions shown without moderation",
                     event_id=event_id)
    else:
        audit.record(actor_id, "live_questions.auto_approve_off", "questions moderated before display",
                     event_id=event_id)
    commit()
    return True


def vote(registration_id: int, question_id: int, now: datetime, hub: LocalHub) -> bool:
    """Upvote a question shown to the person, or take the upvote back; returns whether it now has theirs."""
    registration = db.session.get(Registration, registration_id)
    question = db.session.get(LiveQuestion, question_id)
    if (not registration.is_confirmed or question is None or question.event_id != registration.event_id
            or question.state not in SHOWN or question.merged_into_id is not None
            or registration.mode not in modes_seeing(registration.event, question.item_id)):
        raise NotVotable(question_id)
    mine = db.session.scalar(select(LiveQuestionVote).where(LiveQuestionVote.question_id == question_id,
                                                            LiveQuestionVote.registration_id == registration_id))
    if mine is not None:
        db.session.delete(mine)
        voted = False
    else:
        db.session.add(LiveQuestionVote(question_id=question_id, registration_id=registration_id, created_at=now))
        voted = True
    try:
        db.session.flush()
    except IntegrityError:  # a double click: the first one counted
        db.session.rollback()
        return True
    _recount([question_id])
    commit()
    # The organisers' pages only: in a busy room upvotes come many a second, and every open personal page
    # reading its list again at each would be a flood; a person's list shows the counts as they are
    # whenever it is read (their own vote, a question approved or answered, a poll).
    _publish(hub, question, "voted", public=False)
    return voted


def _recount(question_ids: list[int]) -> None:
    if not question_ids:
        return
    counted = (select(func.count(LiveQuestionVote.id)).where(LiveQuestionVote.question_id == LiveQuestion.id)
               .scalar_subquery())
    db.session.execute(update(LiveQuestion).where(LiveQuestion.id.in_(question_ids)).values(votes=counted)
                       .execution_options(synchronize_session=False))
    for question_id in question_ids:
        question = db.session.get(LiveQuestion, question_id)
        if question is not None:
            db.session.refresh(question)


# --- what people see ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    """A question as a page shows it: the asker's name only when they gave it and the page may show it."""

    id: int
    text: str
    state: str
    mode: str
    item_id: int | None
    item_title: str | None
    asker: str | None  # None: anonymous (or not for this page)
    votes: int
    pinned: bool
    in_advance: bool
    created_at: datetime
    merged: int = 0  # duplicates merged into it
    voted: bool = False  # by the person whose page this is
    mine: bool = False
    merged_into: int | None = None


def _entries(rows, *, names: bool, voter_id: int | None = None, merged: dict[int, int] | None = None,
             owner_id: int | None = None) -> list[Entry]:
    rows = list(rows)
    voted: set[int] = set()
    if voter_id is not None and rows:
        voted = set(db.session.scalars(select(LiveQuestionVote.question_id).where(
            LiveQuestionVote.registration_id == voter_id,
            LiveQuestionVote.question_id.in_([question.id for question, *_rest in rows]))))
    return [Entry(question.id, question.text, question.state, question.mode, question.item_id, item_title,
                  None if question.anonymous or not names else name, question.votes, question.pinned,
                  question.in_advance, question.created_at, (merged or {}).get(question.id, 0),
                  question.id in voted, question.registration_id == owner_id, question.merged_into_id)
            for question, item_title, name in rows]


def _rows(*where):
    return db.session.execute(
        select(LiveQuestion, ProgrammeItem.title, Registration.name)
        .outerjoin(ProgrammeItem, ProgrammeItem.id == LiveQuestion.item_id)
        .join(Registration, Registration.id == LiveQuestion.registration_id)
        .where(*where))


@dataclass(frozen=True)
class AttendeeView:
    shown: list[Entry]  # approved (and answered) questions of the items they see, most votes first
    waiting: list[Entry]  # their own, waiting for the moderator
    items: list[ProgrammeItem]
    default_item_id: int | None
    open: bool
    opens_at: datetime
    closes_at: datetime
    may_ask: bool  # a place, and the window is open
    over: bool = False  # the event has ended
    max_length: int = QUESTION_MAX
    auto_approve: bool = False  # shown at once, without the moderator


def for_attendee(registration: Registration, now: datetime) -> AttendeeView:
    event = registration.event
    items = askable_items(event, registration.mode)
    seen = {item.id for item in programme.items_for(event, Mode(registration.mode))}
    rows = [row for row in _rows(LiveQuestion.event_id == event.id, LiveQuestion.merged_into_id.is_(None),
                                 LiveQuestion.state.in_(SHOWN))
            if registration.is_confirmed and (row[0].item_id is None or row[0].item_id in seen)]
    rows.sort(key=lambda row: (row[0].state == QuestionState.ANSWERED, not row[0].pinned, -row[0].votes,
                               row[0].created_at))
    shown = _entries(rows, names=True, voter_id=registration.id, owner_id=registration.id)
    waiting = _entries(_rows(LiveQuestion.registration_id == registration.id,
                             LiveQuestion.state == QuestionState.PENDING, LiveQuestion.merged_into_id.is_(None)),
                       names=True, owner_id=registration.id)
    opens, closes = window(event)
    chosen = default_item(items, now)
    is_on = opens <= now < closes
    return AttendeeView(shown, waiting, items, chosen.id if chosen else None, is_on, opens, closes,
                        is_on and registration.is_confirmed, now >= closes, auto_approve=auto_approves(event.id))


@dataclass(frozen=True)
class Share:
    """One audience's share of the questions beside its share of the people with a place."""

    mode: str
    questions: int
    people: int
    question_percent: int | None  # None: no questions yet
    people_percent: int | None


def _percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def shares(event_id: int) -> list[Share]:
    """Where the questions come from, beside who has a place: every question asked counts (in advance,
    refused and merged ones too: they say who speaks up), once."""
    event = db.session.get(Event, event_id)
    asked = dict(db.session.execute(select(LiveQuestion.mode, func.count()).where(LiveQuestion.event_id == event_id)
                                    .group_by(LiveQuestion.mode)).all())
    people = dict(db.session.execute(select(Registration.mode, func.count()).where(
        Registration.event_id == event_id, Registration.status == RegistrationStatus.CONFIRMED)
        .group_by(Registration.mode)).all())
    total_asked, total_people = sum(asked.values()), sum(people.values())
    return [Share(mode.value, asked.get(mode.value, 0), people.get(mode.value, 0),
                  _percent(asked.get(mode.value, 0), total_asked), _percent(people.get(mode.value, 0), total_people))
            for mode in event.modes]


@dataclass(frozen=True)
class Queue:
    waiting: list[Entry]  # newest first: the one that just came is on top
    shown: list[Entry]  # approved: pinned, then most votes
    answered: list[Entry]
    rejected: list[Entry]
    shares: list[Share] = field(default_factory=list)

    @property
    def targets(self) -> list[Entry]:
        """What a duplicate may be merged into."""
        return self.shown + self.waiting + self.answered


def queue(event_id: int) -> Queue:
    """The moderator's queue of the event (questions sent in advance taken in first)."""
    rows = list(_rows(LiveQuestion.event_id == event_id))
    merged: dict[int, int] = {}
    for question, *_rest in rows:
        if question.merged_into_id is not None:
            merged[question.merged_into_id] = merged.get(question.merged_into_id, 0) + 1
    entries = _entries([row for row in rows if row[0].merged_into_id is None], names=True, merged=merged)

    def of(state: str) -> list[Entry]:
        return [entry for entry in entries if entry.state == state]

    return Queue(sorted(of(QuestionState.PENDING), key=lambda e: (e.created_at, e.id), reverse=True),
                 sorted(of(QuestionState.APPROVED), key=lambda e: (not e.pinned, -e.votes, e.created_at)),
                 sorted(of(QuestionState.ANSWERED), key=lambda e: e.created_at, reverse=True),
                 sorted(of(QuestionState.REJECTED), key=lambda e: e.created_at, reverse=True),
                 shares(event_id))


def pinned(event_id: int) -> Entry | None:
    """The question on the presenter's screen (never with the name of an anonymous asker)."""
    rows = list(_rows(LiveQuestion.event_id == event_id, LiveQuestion.pinned.is_(True)))
    entries = _entries(rows, names=True)
    return entries[0] if entries else None


# --- the moderator --------------------------------------------------------------------------------------

ACTIONS = ("approve", "reject", "answered", "pin", "unpin", "reopen")


def _audit(action: str, actor_id: int | None, question: LiveQuestion) -> None:
    """The moderator's action in the audit log (the caller commits)."""
    summary, details = question.text[:200], dict(event_id=question.event_id, question_id=question.id,
                                                 title=question.text[:200], mode=question.mode)
    if action == "approve":
        audit.record(actor_id, "live_question.approved", summary, **details)
    elif action == "reject":
        audit.record(actor_id, "live_question.rejected", summary, **details)
    elif action == "answered":
        audit.record(actor_id, "live_question.answered", summary, **details)
    elif action == "pin":
        audit.record(actor_id, "live_question.pinned", summary, **details)
    elif action == "unpin":
        audit.record(actor_id, "live_question.unpinned", summary, **details)
    else:
        audit.record(actor_id, "live_question.reopened", summary, **details)


def _question(event_id: int, question_id: int) -> LiveQuestion:
    question = db.session.get(LiveQuestion, question_id)
    if question is None or question.event_id != event_id:
        raise QuestionNotFound(question_id)
    return question


def moderate(event_id: int, question_id: int, action: str, actor_id: int | None, now: datetime,
             hub: LocalHub) -> LiveQuestion:
    """Approve, reject, mark answered, pin (approving it too), unpin, or put back in the queue."""
    if action not in ACTIONS:
        raise NotAllowed(action)
    question = _question(event_id, question_id)
    if question.merged_into_id is not None:
        raise NotAllowed(action)
    was_public = question.state in SHOWN
    if action == "pin":
        if question.state not in (QuestionState.PENDING, QuestionState.APPROVED):
            raise NotAllowed(action)
        db.session.execute(update(LiveQuestion).where(LiveQuestion.event_id == event_id, LiveQuestion.pinned.is_(True),
                                                      LiveQuestion.id != question.id).values(pinned=False)
                           .execution_options(synchronize_session=False))
        db.session.flush()
        question.state, question.pinned = QuestionState.APPROVED.value, True
    elif action == "unpin":
        question.pinned = False
    else:
        question.state = {"approve": QuestionState.APPROVED, "reject": QuestionState.REJECTED,
                          "answered": QuestionState.ANSWERED, "reopen": QuestionState.PENDING}[action].value
        if question.state != QuestionState.APPROVED:
            question.pinned = False
    question.decided_at = now
    _audit(action, actor_id, question)
    try:
        commit()
    except IntegrityError as error:  # another moderator pinned one at the same moment
        db.session.rollback()
        raise PinTaken(question_id) from error
    db.session.expire_all()  # the other questions unpinned by the UPDATE
    _publish(hub, question, action, public=was_public or question.state in SHOWN)
    return question


def merge(event_id: int, duplicate_id: int, target_id: int, actor_id: int | None, now: datetime,
          hub: LocalHub) -> LiveQuestion:
    """Merge a duplicate into another question: the duplicate's votes become the other's (once per person),
    its asker too counts as a vote for it, and the duplicate is hidden."""
    duplicate, target = _question(event_id, duplicate_id), _question(event_id, target_id)
    if duplicate.id == target.id or duplicate.merged_into_id is not None or target.merged_into_id is not None:
        raise NotAllowed("merge")
    was_public = duplicate.state in SHOWN
    with atomic():
        already = set(db.session.scalars(select(LiveQuestionVote.registration_id)
                                         .where(LiveQuestionVote.question_id == target.id)))
        already.add(target.registration_id)
        carried = 0
        for moved in db.session.scalars(select(LiveQuestionVote).where(LiveQuestionVote.question_id == duplicate.id)):
            if moved.registration_id in already:
                db.session.delete(moved)
            else:
                moved.question_id = target.id
                already.add(moved.registration_id)
                carried += 1
        if duplicate.registration_id not in already:
            db.session.add(LiveQuestionVote(question_id=target.id, registration_id=duplicate.registration_id,
                                            created_at=now))
            carried += 1
        duplicate.merged_into_id, duplicate.pinned, duplicate.decided_at = target.id, False, now
        db.session.flush()
        _recount([duplicate.id, target.id])
        audit.record(actor_id, "live_question.merged", duplicate.text[:200], event_id=event_id,
                     question_id=duplicate.id, into=target.id, title=target.text[:200], rows=carried)
    _publish(hub, target, "merged", public=was_public or target.state in SHOWN)
    return target


# --- questions sent in advance through registration ----------------------------------------------------

def take_in_advance(event_id: int, now: datetime) -> int:
    """Answers to the registration questions marked "a question to the speakers" join the queue as waiting
    questions (once each; from the person's way of taking part, for the question's item); returns how many."""
    rows = db.session.execute(
        select(RegistrationAnswer, RegistrationQuestion, Registration)
        .join(RegistrationQuestion, RegistrationQuestion.id == RegistrationAnswer.question_id)
        .join(Registration, Registration.id == RegistrationAnswer.registration_id)
        .outerjoin(LiveQuestion, (LiveQuestion.source_question_id == RegistrationAnswer.question_id)
                   & (LiveQuestion.registration_id == RegistrationAnswer.registration_id))
        .where(RegistrationQuestion.event_id == event_id, RegistrationQuestion.to_speakers.is_(True),
               Registration.status == RegistrationStatus.CONFIRMED, LiveQuestion.id.is_(None))
        .order_by(RegistrationAnswer.answered_at, RegistrationAnswer.registration_id)).all()
    taken = 0
    for answer, question, registration in rows:
        text = " ".join(CONTROL_CHARACTERS.sub(" ", answer.value or "").split())[:QUESTION_MAX]
        if not text:
            continue
        db.session.add(LiveQuestion(event_id=event_id, item_id=question.speakers_item_id,
                                    registration_id=registration.id, mode=registration.mode, text=text,
                                    in_advance=True, source_question_id=question.id,
                                    created_at=answer.answered_at or now))
        taken += 1
    if taken:
        try:
            commit()
        except IntegrityError:  # another moderator's page took them in at the same moment
            db.session.rollback()
            return 0
    return taken


# --- privacy: the person's data download and erasure (privacy.services.add_part) ----------------------

def personal_data(registration_id: int, _language: str) -> list[dict]:
    """The person's questions (anonymous ones too: they are theirs) and which questions they upvoted."""
    mine = db.session.scalars(select(LiveQuestion).where(LiveQuestion.registration_id == registration_id)
                              .order_by(LiveQuestion.created_at, LiveQuestion.id)).all()
    voted = db.session.scalars(select(LiveQuestionVote.question_id).where(
        LiveQuestionVote.registration_id == registration_id)).all()
    return [{"text": question.text, "state": question.state, "anonymous": question.anonymous,
             "mode": question.mode, "sent_in_advance": question.in_advance, "pinned": question.pinned,
             "votes": question.votes, "merged_into_another": question.merged_into_id is not None,
             "asked_at": question.created_at.isoformat()} for question in mine] + \
           [{"upvoted_question": question_id} for question_id in voted]


def erase(registration_ids: list[int]) -> None:
    """Delete these people's questions and upvotes (erasure, anonymising, the retention rule); the caller
    commits. Questions merged into a deleted one come back to the queue."""
    if not registration_ids:
        return
    touched = set(db.session.scalars(select(LiveQuestionVote.question_id).where(
        LiveQuestionVote.registration_id.in_(registration_ids))))
    db.session.execute(delete(LiveQuestionVote).where(LiveQuestionVote.registration_id.in_(registration_ids))
                       .execution_options(synchronize_session=False))
    doomed = list(db.session.scalars(select(LiveQuestion.id).where(
        LiveQuestion.registration_id.in_(registration_ids))))
    if doomed:
        db.session.execute(update(LiveQuestion).where(LiveQuestion.merged_into_id.in_(doomed))
                           .values(merged_into_id=None).execution_options(synchronize_session=False))
        db.session.execute(delete(LiveQuestionVote).where(LiveQuestionVote.question_id.in_(doomed))
                           .execution_options(synchronize_session=False))
        db.session.execute(delete(LiveQuestion).where(LiveQuestion.id.in_(doomed))
                           .execution_options(synchronize_session=False))
    db.session.flush()
    _recount(sorted(touched - set(doomed)))
