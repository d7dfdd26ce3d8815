"""The evaluation: setting it up, its questions, each person answering once, and what privacy asks of it.

An event has at most one evaluation. The organiser sets it up with the standard questions (overall,
content, organisation, how it was to take part on site / digitally, each asked only of that mode, and
what to change), then rewords, removes, adds and reorders them, says whether it is anonymous and when
it is open. Once someone has answered, the questions and the anonymity are fixed (their texts may
still be corrected and their order changed), so every answer was given to the same questions.

Who may answer: a registration with a place (confirmed), once, while the evaluation is open, through
their personal link. "Once" is the database's rule (``EvaluationAnswered``, one row per registration,
inserted with ON CONFLICT DO NOTHING in the transaction that stores the answers), so two answers sent
at the same moment store one. Anonymous answers keep no link to the person (see models).

Privacy (called by eventhub.privacy): ``personal_data`` for the person's download (named answers only:
an anonymous one cannot be found again), ``erase`` for erasure, ``unlink`` when registrations are
anonymised (the named answers become anonymous and lose their written comments) and
``forget_comments`` when the event's anonymisation period is over (every written comment deleted,
the ratings stay as anonymous figures).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from eventhub.audit import services as audit
from eventhub.database import atomic, commit, forget_on_disk
from eventhub.evaluation.models import (
    ANSWER_TEXT_MAX,
    QUESTION_TEXT_MAX,
    RATING_MAX,
    RATING_MIN,
    Evaluation,
    EvaluationAnswer,
    EvaluationAnswered,
    EvaluationQuestion,
    EvaluationResponse,
    QuestionKind,
    StandardQuestion,
)
from eventhub.events.models import Event
from eventhub.extensions import db
from eventhub.modes import Audience
from eventhub.registration.models import Registration

OPEN_DAYS = 14  # a new evaluation is open from the event's end for this long


class EvaluationError(Exception):
    pass


class NoEvaluation(EvaluationError):
    pass


class Locked(EvaluationError):
    """Someone has answered: the questions (beyond their wording and order) and the anonymity are fixed."""


class WindowBackwards(EvaluationError):
    """It would close before it opens."""


class UnknownQuestion(EvaluationError):
    pass


class EmptyQuestion(EvaluationError):
    """A question needs its text in at least one language, and at most QUESTION_TEXT_MAX characters."""


class NoPlace(EvaluationError):
    """Only people who had a place answer (not the waitlist, not a cancelled registration)."""


class NotOpenYet(EvaluationError):
    def __init__(self, opens_at: datetime):
        super().__init__(opens_at)
        self.opens_at = opens_at


class Closed(EvaluationError):
    def __init__(self, closed_at: datetime):
        super().__init__(closed_at)
        self.closed_at = closed_at


class AlreadyAnswered(EvaluationError):
    pass


class NothingAnswered(EvaluationError):
    pass


class InvalidAnswer(EvaluationError):
    """A rating out of range, a text too long, or a question this person is not asked."""


# --- the standard questions ------------------------------------------------------------------------

@dataclass(frozen=True)
class Standard:
    key: StandardQuestion
    kind: QuestionKind
    audience: Audience
    text: object  # a lazy string: the question in English, translated


STANDARD = (
    Standard(StandardQuestion.OVERALL, QuestionKind.RATING, Audience.EVERYONE,
             _l("How was the event as a whole?")),
    Standard(StandardQuestion.CONTENT, QuestionKind.RATING, Audience.EVERYONE,
             _l("How was the content: the talks, the discussions and the topics?")),
    Standard(StandardQuestion.ORGANISATION, QuestionKind.RATING, Audience.EVERYONE,
             _l("How well was it organised: the information beforehand, the times and the format?")),
    Standard(StandardQuestion.ON_SITE, QuestionKind.RATING, Audience.ON_SITE,
             _l("How was it to take part on site: the room, hearing and seeing, and joining in?")),
    Standard(StandardQuestion.DIGITAL, QuestionKind.RATING, Audience.DIGITAL,
             _l("How was it to take part digitally: sound and picture, and joining in the discussions?")),
    Standard(StandardQuestion.CHANGE, QuestionKind.TEXT, Audience.EVERYONE,
             _l("What would you change next time?")),
)
STANDARD_BY_KEY = {standard.key: standard for standard in STANDARD}


def _offered(standard: Standard, event: Event) -> bool:
    return standard.audience == Audience.EVERYONE or standard.audience in event.modes


def _texts(standard: Standard) -> dict[str, str]:
    texts = {}
    for language in ("sv", "en"):
        with force_locale(language):
            texts[language] = str(standard.text)
    return texts


def _question_from(standard: Standard, position: int) -> EvaluationQuestion:
    texts = _texts(standard)
    return EvaluationQuestion(kind=standard.kind, audience=standard.audience, standard=standard.key,
                              position=position, text_sv=texts["sv"], text_en=texts["en"])


def missing_standard(evaluation: Evaluation) -> list[Standard]:
    """The standard questions the evaluation does not have (and the event's modes would ask)."""
    present = {question.standard for question in evaluation.questions}
    event = db.session.get(Event, evaluation.event_id)
    return [standard for standard in STANDARD if standard.key not in present and _offered(standard, event)]


# --- setting up ------------------------------------------------------------------------------------

def of_event(event_id: int) -> Evaluation | None:
    return db.session.get(Evaluation, event_id)


def _require(event_id: int) -> Evaluation:
    evaluation = of_event(event_id)
    if evaluation is None:
        raise NoEvaluation()
    return evaluation


def has_answers(event_id: int) -> bool:
    return bool(db.session.scalar(select(exists().where(EvaluationAnswered.event_id == event_id))))


def create(event_id: int, actor_id: int | None, now: datetime) -> Evaluation:
    """The event's evaluation with the standard questions its modes ask, open for OPEN_DAYS from its end;
    anonymous. Asking again (a double click) returns the one there is."""
    existing = of_event(event_id)
    if existing is not None:
        return existing
    event = db.session.get(Event, event_id)
    opens_at = max(event.ends_at, now)
    evaluation = Evaluation(event_id=event_id, anonymous=True, opens_at=opens_at,
                            closes_at=opens_at + timedelta(days=OPEN_DAYS), created_at=now, updated_at=now)
    offered = [standard for standard in STANDARD if _offered(standard, event)]
    evaluation.questions = [_question_from(standard, position) for position, standard in enumerate(offered)]
    db.session.add(evaluation)
    try:
        db.session.flush()
    except IntegrityError:  # set up at the same moment by another request
        db.session.rollback()
        return _require(event_id)
    audit.record(actor_id, "evaluation.created", event.title, event_id=event_id, rows=len(offered))
    commit()
    return evaluation


def update_settings(event_id: int, anonymous: bool, opens_at: datetime, closes_at: datetime, actor_id: int | None,
                    now: datetime) -> Evaluation:
    evaluation = _require(event_id)
    if closes_at <= opens_at:
        raise WindowBackwards()
    if anonymous != evaluation.anonymous and has_answers(event_id):
        raise Locked()
    evaluation.anonymous, evaluation.opens_at, evaluation.closes_at = anonymous, opens_at, closes_at
    evaluation.updated_at = now
    audit.record(actor_id, "evaluation.settings_changed", "", event_id=event_id)
    commit()
    return evaluation


def _clean_text(text: str | None) -> str:
    return " ".join((text or "").split())  # one line: a question is a sentence


def _check_texts(text_sv: str, text_en: str) -> tuple[str, str]:
    text_sv, text_en = _clean_text(text_sv), _clean_text(text_en)
    if not (text_sv or text_en) or len(text_sv) > QUESTION_TEXT_MAX or len(text_en) > QUESTION_TEXT_MAX:
        raise EmptyQuestion()
    return text_sv, text_en


@dataclass(frozen=True)
class QuestionEdit:
    question_id: int
    text_sv: str
    text_en: str


def _question(evaluation: Evaluation, question_id: int) -> EvaluationQuestion:
    question = next((q for q in evaluation.questions if q.id == question_id), None)
    if question is None:
        raise UnknownQuestion(question_id)
    return question


def save_questions(event_id: int, edits: list[QuestionEdit], actor_id: int | None, now: datetime) -> int:
    """The questions' wording, as the organiser typed it; how many changed. Allowed after answers too
    (a typo), as it does not change what was asked."""
    evaluation = _require(event_id)
    checked = [(_question(evaluation, edit.question_id), *_check_texts(edit.text_sv, edit.text_en))
               for edit in edits]
    changed = 0
    for question, text_sv, text_en in checked:
        if (question.text_sv, question.text_en) != (text_sv, text_en):
            question.text_sv, question.text_en = text_sv, text_en
            changed += 1
    if changed:
        evaluation.updated_at = now
        audit.record(actor_id, "evaluation.questions_changed", "", event_id=event_id, rows=changed)
    commit()
    return changed


def _renumber(evaluation: Evaluation) -> None:
    for position, question in enumerate(evaluation.questions):
        question.position = position


def move_question(event_id: int, question_id: int, steps: int) -> int:
    """Move a question up (negative) or down; its new place, counting from 1. The order may change after
    answers too: each answer belongs to its question wherever it stands."""
    evaluation = _require(event_id)
    questions = list(evaluation.questions)
    question = _question(evaluation, question_id)
    at = questions.index(question)
    target = min(max(at + steps, 0), len(questions) - 1)
    questions.insert(target, questions.pop(at))
    for position, each in enumerate(questions):
        each.position = position
    commit()
    return target + 1


def remove_question(event_id: int, question_id: int, actor_id: int | None) -> None:
    evaluation = _require(event_id)
    question = _question(evaluation, question_id)
    if has_answers(event_id):
        raise Locked()
    evaluation.questions.remove(question)
    _renumber(evaluation)
    audit.record(actor_id, "evaluation.question_removed", question.text_sv or question.text_en, event_id=event_id)
    commit()


def add_question(event_id: int, kind: str, audience: str, text_sv: str, text_en: str,
                 actor_id: int | None) -> EvaluationQuestion:
    evaluation = _require(event_id)
    if has_answers(event_id):
        raise Locked()
    event = db.session.get(Event, event_id)
    if kind not in set(QuestionKind) or (audience != Audience.EVERYONE and audience not in event.modes):
        raise InvalidAnswer(kind, audience)
    text_sv, text_en = _check_texts(text_sv, text_en)
    question = EvaluationQuestion(kind=kind, audience=audience, text_sv=text_sv, text_en=text_en,
                                  position=len(evaluation.questions))
    evaluation.questions.append(question)
    audit.record(actor_id, "evaluation.question_added", text_sv or text_en, event_id=event_id)
    commit()
    return question


def add_standard_question(event_id: int, key: str, actor_id: int | None) -> EvaluationQuestion:
    """One of the standard questions again, at the end (if the evaluation does not have it)."""
    evaluation = _require(event_id)
    if has_answers(event_id):
        raise Locked()
    standard = next((s for s in missing_standard(evaluation) if s.key == key), None)
    if standard is None:
        raise UnknownQuestion(key)
    question = _question_from(standard, len(evaluation.questions))
    evaluation.questions.append(question)
    audit.record(actor_id, "evaluation.question_added", question.text_sv, event_id=event_id)
    commit()
    return question


# --- answering -------------------------------------------------------------------------------------

def questions_for(evaluation: Evaluation, mode: str) -> list[EvaluationQuestion]:
    """The questions a person taking part in ``mode`` is asked, in order."""
    return [question for question in evaluation.questions if question.asked_of(mode)]


def answered(registration_id: int) -> bool:
    return db.session.get(EvaluationAnswered, registration_id) is not None


def own_response(registration_id: int) -> EvaluationResponse | None:
    """The person's named answers (None when they answered anonymously, or not at all)."""
    return db.session.scalar(select(EvaluationResponse).where(EvaluationResponse.registration_id == registration_id))


def check_may_answer(registration: Registration, evaluation: Evaluation | None, now: datetime) -> Evaluation:
    """The evaluation this person may answer now, or the named reason they may not."""
    if evaluation is None:
        raise NoEvaluation()
    if not registration.is_confirmed or registration.anonymised_at is not None:
        raise NoPlace()
    if answered(registration.id):
        raise AlreadyAnswered()
    if now < evaluation.opens_at:
        raise NotOpenYet(evaluation.opens_at)
    if now >= evaluation.closes_at:
        raise Closed(evaluation.closes_at)
    return evaluation


def insert_once(model, **values) -> bool:
    """Insert a row unless its key is taken (by a transaction that committed, or that commits while this
    one waits): whether this one inserted it."""
    dialect = db.session.get_bind().dialect.name
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model).values(**values)
    # RETURNING, not rowcount: psycopg reports no row count for an INSERT ... ON CONFLICT DO NOTHING.
    keys = list(model.__table__.primary_key.columns)
    return db.session.execute(statement.on_conflict_do_nothing().returning(*keys)).first() is not None


def _clean_answer(question: EvaluationQuestion, value) -> EvaluationAnswer | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if question.is_rating:
        try:
            rating = int(value)
        except (TypeError, ValueError):
            raise InvalidAnswer(question.id) from None
        if not RATING_MIN <= rating <= RATING_MAX:
            raise InvalidAnswer(question.id)
        return EvaluationAnswer(question_id=question.id, rating=rating)
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(text) > ANSWER_TEXT_MAX:
        raise InvalidAnswer(question.id)
    return EvaluationAnswer(question_id=question.id, text=text)


def submit(registration_id: int, answers: dict[int, object], now: datetime) -> EvaluationResponse:
    """Store one person's answers (``question id → rating or text``; an empty one is no answer), once.

    Anonymous: the answers keep only the person's mode and sector; the mark that they answered is a row
    of its own. Two answers sent at the same moment: the second raises AlreadyAnswered and stores nothing.
    """
    with atomic():
        registration = db.session.get(Registration, registration_id)
        evaluation = check_may_answer(registration, of_event(registration.event_id), now)
        asked = {question.id: question for question in questions_for(evaluation, registration.mode)}
        if set(answers) - set(asked):
            raise InvalidAnswer(sorted(set(answers) - set(asked)))
        given = [answer for question_id, value in answers.items()
                 if (answer := _clean_answer(asked[question_id], value)) is not None]
        if not given:
            raise NothingAnswered()
        if not insert_once(EvaluationAnswered, registration_id=registration.id, event_id=evaluation.event_id):
            raise AlreadyAnswered()
        named = not evaluation.anonymous
        response = EvaluationResponse(event_id=evaluation.event_id, mode=registration.mode, sector=registration.sector,
                                      registration_id=registration.id if named else None,
                                      submitted_at=now if named else None)
        response.answers = given
        db.session.add(response)
    return response


# --- privacy ----------------------------------------------------------------------------------------

def personal_data(registration_id: int, language: str) -> dict | None:
    """The evaluation in the person's data download: their named answers, or that they answered
    anonymously (those answers cannot be found again); None when they did not answer."""
    if not answered(registration_id):
        return None
    response = own_response(registration_id)
    if response is None:
        return {"answered": True, "anonymous": True,
                "note": "You answered anonymously: your answers were stored with no link to you, so they cannot "
                        "be shown, downloaded or erased as yours."}
    return {
        "answered": True, "anonymous": False,
        "submitted_at": response.submitted_at.isoformat() if response.submitted_at else None,
        "mode": response.mode, "sector": response.sector,
        "answers": [{"question": answer.question.text_in(language)[0], "rating": answer.rating,
                     "text": answer.text} for answer in sorted(response.answers, key=lambda a: a.question.position)],
    }


_TABLES = (EvaluationResponse.__tablename__, EvaluationAnswer.__tablename__, EvaluationAnswered.__tablename__)


def erase(registration_ids: list[int]) -> int:
    """The right to erasure: these people's named answers and the marks that they answered, deleted
    (the caller commits). An anonymous answer cannot be told apart, so it stays, as anonymous figures."""
    if not registration_ids:
        return 0
    responses = list(db.session.scalars(select(EvaluationResponse.id).where(
        EvaluationResponse.registration_id.in_(registration_ids))))
    marked = db.session.scalar(select(exists().where(EvaluationAnswered.registration_id.in_(registration_ids))))
    if not (responses or marked):
        return 0  # nothing of theirs here: the database's files need no cleaning for it
    forget_on_disk(*_TABLES)
    if responses:
        db.session.execute(delete(EvaluationAnswer).where(EvaluationAnswer.response_id.in_(responses))
                           .execution_options(synchronize_session=False))
        db.session.execute(delete(EvaluationResponse).where(EvaluationResponse.id.in_(responses))
                           .execution_options(synchronize_session=False))
    db.session.execute(delete(EvaluationAnswered).where(EvaluationAnswered.registration_id.in_(registration_ids))
                       .execution_options(synchronize_session=False))
    return len(responses)


def _comments_of(condition):
    return delete(EvaluationAnswer).where(EvaluationAnswer.text.is_not(None), EvaluationAnswer.response_id.in_(
        select(EvaluationResponse.id).where(condition))).execution_options(synchronize_session=False)


def unlink(registration_ids: list[int]) -> int:
    """Registrations anonymised: their named answers lose the link, the time and their written comments
    (which may say who wrote them); the ratings stay, with mode and sector, as anonymous figures. The
    caller commits. How many answers were unlinked."""
    if not registration_ids:
        return 0
    linked = EvaluationResponse.registration_id.in_(registration_ids)
    if not db.session.scalar(select(exists().where(linked))):
        return 0
    forget_on_disk(*_TABLES)
    db.session.execute(_comments_of(linked))
    return db.session.execute(update(EvaluationResponse).where(linked).values(registration_id=None, submitted_at=None)
                              .execution_options(synchronize_session=False)).rowcount


def keeps_personal():
    """A condition on EvaluationResponse: it names someone, or holds a written comment (for retention)."""
    return EvaluationResponse.registration_id.is_not(None) | exists().where(
        EvaluationAnswer.response_id == EvaluationResponse.id, EvaluationAnswer.text.is_not(None))


def holds_personal(event_id: int) -> bool:
    """Whether the event's evaluation still holds written comments or named answers."""
    return bool(db.session.scalar(select(exists().where(EvaluationResponse.event_id == event_id, keeps_personal()))))


def forget_comments(event_id: int) -> int:
    """The event's anonymisation period is over (or the organiser anonymised it): every written comment
    of its evaluation is deleted and every named answer unlinked; the ratings stay as anonymous figures.
    How many people's answers that changed. The caller commits."""
    of_event_ = EvaluationResponse.event_id == event_id
    count = db.session.scalar(select(func.count()).select_from(EvaluationResponse).where(
        of_event_, keeps_personal())) or 0
    if not count:
        return 0
    forget_on_disk(*_TABLES)
    db.session.execute(_comments_of(of_event_))
    db.session.execute(update(EvaluationResponse).where(of_event_, EvaluationResponse.registration_id.is_not(None))
                       .values(registration_id=None, submitted_at=None).execution_options(synchronize_session=False))
    return count


def rating_words() -> dict[int, str]:
    """What each point of the scale means, in the current language."""
    return {1: gettext("Very poor"), 2: gettext("Poor"), 3: gettext("Neither good nor poor"), 4: gettext("Good"),
            5: gettext("Very good")}

