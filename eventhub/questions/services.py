"""The organiser's own registration questions: editing them, reading them fast, and checking, keeping and
forgetting people's answers.

Editing (``add``, ``update``, ``move``, ``remove``, ``copy``) is audit-logged; each change raises
``Event.questions_version`` (an ORM hook in ``programme.revisions``), and ``asked`` keeps each event's
questions per worker under that version, so the registration form, the rush's hot path, reads them
once per change rather than once per request.

Answers are checked here (``check_answers``: one rule for the registration form, the person's own
page and anything else that sends them) and raise ``AnswersInvalid`` with a named error per question.
A question asked only of one mode is not asked of the other: its answers are dropped.

Special-category questions (health, religion, ...) follow the dietary and accessibility answers'
rule (``registration.services.holds_special`` and ``forget_special``, the one place): an answer is
kept only with its own consent, is left out of the ordinary exports, the door and the attendee list's
filters, and is deleted with the others when the event's special-category period is over, when the
person withdraws consent (unticks it), and on erasure and anonymising.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from flask_babel import gettext
from sqlalchemy import delete, func, select
from sqlalchemy.orm import attributes

from eventhub.audit import services as audit
from eventhub.caching import LRU
from eventhub.database import commit, forget_on_disk
from eventhub.events.models import Event
from eventhub.extensions import db
from eventhub.fields import YEARS_WE_KEEP
from eventhub.modes import Audience
from eventhub.questions.models import (
    CHOICE_KINDS,
    CHOICE_MAX,
    CHOICES_MAX,
    COUNTED_KINDS,
    HELP_MAX,
    LABEL_MAX,
    LONG_MAX,
    QUESTIONS_MAX,
    SHORT_MAX,
    QuestionKind,
    RegistrationAnswer,
    RegistrationQuestion,
)
from eventhub.registration.errors import RegistrationError
from eventhub.registration.models import Registration

YES, NO = "yes", "no"
NUMBER_MAX = Decimal("1e12")
NUMBER_DIGITS = 40  # the longest number kept, as written out
NUMBER = re.compile(r"^[-+]?[0-9]+(?:[.,][0-9]+)?$")


# --- errors ----------------------------------------------------------------------------------------

class QuestionError(Exception):
    pass


class UnknownQuestion(QuestionError):
    pass


class InvalidQuestion(QuestionError):
    """A question that cannot be: ``reason`` is no_label, too_long, no_choices, too_many_choices,
    special_required, kind or audience."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class TooManyQuestions(QuestionError):
    pass


class AnswerError(Exception):
    """One answer that cannot be kept."""


class AnswerRequired(AnswerError):
    pass


class NotANumber(AnswerError):
    pass


class NotADate(AnswerError):
    pass


class UnknownChoice(AnswerError):
    pass


class AnswerTooLong(AnswerError):
    def __init__(self, limit: int):
        super().__init__(limit)
        self.limit = limit


class ConsentNeeded(AnswerError):
    """A special-category answer without its consent."""


class AnswersInvalid(RegistrationError):
    """Answers that break the rules: question id → its ``AnswerError``."""

    def __init__(self, errors: dict[int, AnswerError]):
        super().__init__(errors)
        self.errors = errors


# --- the questions as the form reads them ----------------------------------------------------------

@dataclass(frozen=True)
class Choice:
    id: str
    sv: str
    en: str
    removed: bool = False

    def label_in(self, language: str) -> tuple[str, str]:
        return _in(self.sv, self.en, language)


def _in(sv: str, en: str, language: str) -> tuple[str, str]:
    """The text in ``language``, or in the other one when it has none: (text, its language)."""
    own = en if language == "en" else sv
    if own:
        return own, language
    return (sv, "sv") if language == "en" else (en, "en")


@dataclass(frozen=True)
class Asked:
    """A question as the forms, pages and exports read it: plain values, kept per worker."""

    id: int
    kind: str
    required: bool
    audience: str
    special: bool
    label_sv: str
    label_en: str
    help_sv: str
    help_en: str
    choices: tuple[Choice, ...] = ()
    to_speakers: bool = False  # its answers are questions to the speakers, sent in advance

    def label_in(self, language: str) -> tuple[str, str]:
        return _in(self.label_sv, self.label_en, language)

    def help_in(self, language: str) -> tuple[str, str]:
        return _in(self.help_sv, self.help_en, language)

    def asked_of(self, mode: str) -> bool:
        return self.audience in (Audience.EVERYONE, mode)

    @property
    def active_choices(self) -> tuple[Choice, ...]:
        return tuple(choice for choice in self.choices if not choice.removed)

    @property
    def is_counted(self) -> bool:
        """Counted by the statistics and filtered by the list (never a special-category one)."""
        return self.kind in COUNTED_KINDS and not self.special

    def choice(self, choice_id: str) -> Choice | None:
        return next((choice for choice in self.choices if choice.id == choice_id), None)

    def values(self) -> tuple[tuple[str, Choice | None], ...]:
        """What a counted question's answers can be: each choice, or yes and no."""
        if self.kind == QuestionKind.YES_NO:
            return ((YES, None), (NO, None))
        return tuple((choice.id, choice) for choice in self.choices)


def _asked(question: RegistrationQuestion) -> Asked:
    return Asked(id=question.id, kind=question.kind, required=question.required, audience=question.audience,
                 special=question.special, label_sv=question.label_sv, label_en=question.label_en,
                 help_sv=question.help_sv, help_en=question.help_en, to_speakers=question.to_speakers,
                 choices=tuple(Choice(c["id"], c.get("sv", ""), c.get("en", ""), bool(c.get("removed")))
                               for c in question.choices or []))


_KEPT: LRU[tuple[Asked, ...]] = LRU(512)


def asked(event: Event) -> tuple[Asked, ...]:
    """The event's questions in order, read once per worker per questions version (the key also holds
    the event's calendar UID: an id may be used again by another database, a UID never)."""
    key = (event.calendar_uid, event.questions_version)
    kept = _KEPT.get(key)
    if kept is None:
        kept = tuple(_asked(question) for question in of_event(event.id))
        _KEPT.put(key, kept)
    return kept


def asked_of(event: Event, mode: str) -> tuple[Asked, ...]:
    return tuple(question for question in asked(event) if question.asked_of(mode))


def of_event(event_id: int) -> list[RegistrationQuestion]:
    return list(db.session.scalars(select(RegistrationQuestion).where(RegistrationQuestion.event_id == event_id)
                                   .order_by(RegistrationQuestion.position, RegistrationQuestion.id)))


def _question(event_id: int, question_id: int) -> RegistrationQuestion:
    question = db.session.get(RegistrationQuestion, question_id)
    if question is None or question.event_id != event_id:
        raise UnknownQuestion(question_id)
    return question


def get(event_id: int, question_id: int) -> RegistrationQuestion:
    return _question(event_id, question_id)


def answer_count(question_id: int) -> int:
    return answer_counts([question_id])[question_id]


def answer_counts(question_ids: list[int]) -> dict[int, int]:
    """How many answered each question, in one query."""
    found = dict(db.session.execute(
        select(RegistrationAnswer.question_id, func.count()).where(RegistrationAnswer.question_id.in_(question_ids))
        .group_by(RegistrationAnswer.question_id)).all()) if question_ids else {}
    return {question_id: found.get(question_id, 0) for question_id in question_ids}


# --- editing -----------------------------------------------------------------------------------------

@dataclass
class ChoiceEdit:
    """A choice as the organiser left it: ``id`` None for a new one; ``removed`` to take it off the form."""

    id: str | None
    sv: str
    en: str = ""
    removed: bool = False


@dataclass
class QuestionData:
    kind: str
    label_sv: str
    label_en: str = ""
    help_sv: str = ""
    help_en: str = ""
    required: bool = False
    audience: str = Audience.EVERYONE
    special: bool = False
    choices: list[ChoiceEdit] = field(default_factory=list)
    to_speakers: bool = False  # a question to the speakers (short or long text, not special category)
    speakers_item_id: int | None = None  # of this item (one of the event's), or of any


def _line(text: str | None) -> str:
    return " ".join((text or "").split())


def _check(event: Event, data: QuestionData, kind: str) -> None:
    data.label_sv, data.label_en = _line(data.label_sv), _line(data.label_en)
    data.help_sv, data.help_en = (data.help_sv or "").strip(), (data.help_en or "").strip()
    if kind not in set(QuestionKind):
        raise InvalidQuestion("kind")
    if data.audience != Audience.EVERYONE and data.audience not in event.modes:
        raise InvalidQuestion("audience")
    if not (data.label_sv or data.label_en):
        raise InvalidQuestion("no_label")
    if max(len(data.label_sv), len(data.label_en)) > LABEL_MAX or max(len(data.help_sv), len(data.help_en)) > HELP_MAX:
        raise InvalidQuestion("too_long")
    if data.special and data.required:
        raise InvalidQuestion("special_required")
    if data.to_speakers and (kind not in (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT) or data.special):
        raise InvalidQuestion("to_speakers")
    if not data.to_speakers:
        data.speakers_item_id = None
    elif data.speakers_item_id is not None and data.speakers_item_id not in {item.id for item in event.programme_items}:
        raise InvalidQuestion("speakers_item")
    for choice in data.choices:
        choice.sv, choice.en = _line(choice.sv), _line(choice.en)
        if max(len(choice.sv), len(choice.en)) > CHOICE_MAX:
            raise InvalidQuestion("too_long")
    if kind in CHOICE_KINDS:
        live = [choice for choice in data.choices if not choice.removed and (choice.sv or choice.en)]
        if not live:
            raise InvalidQuestion("no_choices")
        if len(live) > CHOICES_MAX:
            raise InvalidQuestion("too_many_choices")


def _choices(old: list[dict], edits: list[ChoiceEdit]) -> list[dict]:
    """The stored choices after the edits: known ids keep their place and answers, new ones get the next
    id; a removed one (or one left with no text) stays, marked, when answers may name it."""
    by_id = {choice["id"]: dict(choice) for choice in old}
    number = max([int(choice_id[1:]) for choice_id in by_id if choice_id[1:].isdigit()] + [0])
    result, seen = [], set()
    for edit in edits:
        if edit.id is not None and edit.id in by_id:
            choice = by_id[edit.id]
            seen.add(edit.id)
            if edit.sv or edit.en:
                choice["sv"], choice["en"] = edit.sv, edit.en
            choice["removed"] = edit.removed or not (edit.sv or edit.en)
            result.append(choice)
        elif edit.id is None and (edit.sv or edit.en) and not edit.removed:
            number += 1
            result.append({"id": f"c{number}", "sv": edit.sv, "en": edit.en, "removed": False})
    result += [dict(choice, removed=True) for choice_id, choice in by_id.items() if choice_id not in seen]
    return result


def add(event_id: int, data: QuestionData, actor_id: int | None) -> RegistrationQuestion:
    """A new question at the end of the form."""
    event = db.session.get(Event, event_id)
    _check(event, data, data.kind)
    questions = of_event(event_id)
    if len(questions) >= QUESTIONS_MAX:
        raise TooManyQuestions()
    question = RegistrationQuestion(
        event_id=event_id, position=len(questions), kind=data.kind, required=data.required, audience=data.audience,
        special=data.special, label_sv=data.label_sv, label_en=data.label_en, help_sv=data.help_sv,
        help_en=data.help_en, choices=_choices([], data.choices) if data.kind in CHOICE_KINDS else [],
        to_speakers=data.to_speakers, speakers_item_id=data.speakers_item_id)
    db.session.add(question)
    db.session.flush()
    audit.record(actor_id, "questions.added", question.label_sv or question.label_en, event_id=event_id,
                 question_id=question.id, kind=question.kind, special=question.special)
    commit()
    return question


def update(event_id: int, question_id: int, data: QuestionData, actor_id: int | None) -> RegistrationQuestion:
    """The question's wording, help, choices, whether it is required, who is asked and whether it is special
    category. Its kind stays (answers were given to it); a removed choice stays in old answers, marked."""
    event = db.session.get(Event, event_id)
    question = _question(event_id, question_id)
    _check(event, data, question.kind)
    before = (question.label_sv, question.label_en, question.help_sv, question.help_en, question.required,
              question.audience, question.special, question.choices, question.to_speakers,
              question.speakers_item_id)
    choices = _choices(question.choices or [], data.choices) if question.kind in CHOICE_KINDS else []
    after = (data.label_sv, data.label_en, data.help_sv, data.help_en, data.required, data.audience, data.special,
             choices, data.to_speakers, data.speakers_item_id)
    if before == after:
        return question
    became_special = data.special and not question.special
    question.label_sv, question.label_en, question.help_sv, question.help_en = after[:4]
    question.required, question.audience, question.special = data.required, data.audience, data.special
    question.choices = choices
    question.to_speakers, question.speakers_item_id = data.to_speakers, data.speakers_item_id
    attributes.flag_modified(question, "choices")
    if data.audience != before[5] and data.audience != Audience.EVERYONE:
        # Now asked of one mode only: the other mode's answers go, as on a change of mode (drop_not_asked);
        # those people could no longer see or change them.
        db.session.execute(delete(RegistrationAnswer).where(
            RegistrationAnswer.question_id == question.id,
            RegistrationAnswer.registration_id.in_(select(Registration.id).where(
                Registration.event_id == event_id, Registration.mode != data.audience)))
            .execution_options(synchronize_session=False))
    if became_special:
        # Answers given before it was special category were given without its consent: not kept.
        forget_on_disk(RegistrationAnswer.__tablename__)
        db.session.execute(delete(RegistrationAnswer).where(RegistrationAnswer.question_id == question.id,
                                                            RegistrationAnswer.consented_at.is_(None))
                           .execution_options(synchronize_session=False))
    changed = [name for name, old, new in zip(
        ("label_sv", "label_en", "help_sv", "help_en", "required", "audience", "special", "choices", "to_speakers",
         "speakers_item_id"),
        before, after, strict=True) if old != new]
    audit.record(actor_id, "questions.changed", question.label_sv or question.label_en, event_id=event_id,
                 question_id=question.id, changed=changed)
    commit()
    return question


def move(event_id: int, question_id: int, steps: int, actor_id: int | None) -> tuple[int, int]:
    """Up (negative) or down: the question's new place, counting from 1, and how many there are."""
    questions = of_event(event_id)
    question = _question(event_id, question_id)
    at = questions.index(question)
    target = min(max(at + steps, 0), len(questions) - 1)
    questions.insert(target, questions.pop(at))
    for position, each in enumerate(questions):
        if each.position != position:
            each.position = position
    if target != at:
        audit.record(actor_id, "questions.moved", question.label_sv or question.label_en, event_id=event_id,
                     question_id=question.id, place=target + 1)
    commit()
    return target + 1, len(questions)


def remove(event_id: int, question_id: int, actor_id: int | None) -> int:
    """The question and its answers, deleted; how many answers went with it."""
    question = _question(event_id, question_id)
    answers = answer_count(question_id)
    label = question.label_sv or question.label_en
    if answers:
        forget_on_disk(RegistrationAnswer.__tablename__)
        db.session.execute(delete(RegistrationAnswer).where(RegistrationAnswer.question_id == question_id)
                           .execution_options(synchronize_session=False))
    db.session.delete(question)
    db.session.flush()
    for position, each in enumerate(of_event(event_id)):
        if each.position != position:
            each.position = position
    audit.record(actor_id, "questions.removed", label, event_id=event_id, question_id=question_id, rows=answers)
    commit()
    return answers


def copy(source_id: int, target: Event) -> int:
    """The source event's questions onto a copy of it (the caller commits), with their choices' ids."""
    count = 0
    for question in of_event(source_id):
        if question.audience != Audience.EVERYONE and question.audience not in target.modes:
            continue
        db.session.add(RegistrationQuestion(
            event_id=target.id, position=question.position, kind=question.kind, required=question.required,
            audience=question.audience, special=question.special, label_sv=question.label_sv,
            label_en=question.label_en, help_sv=question.help_sv, help_en=question.help_en,
            choices=[dict(choice) for choice in question.choices or [] if not choice.get("removed")],
            to_speakers=question.to_speakers))  # of any item: the copy's items are other rows
        count += 1
    return count


# --- answers -----------------------------------------------------------------------------------------

def _number(text: str) -> str:
    compact = re.sub(r"[\s\u00a0\u202f]", "", text).replace("−", "-")
    if not NUMBER.match(compact):
        raise NotANumber()
    try:
        number = Decimal(compact.replace(",", "."))
    except InvalidOperation:
        raise NotANumber() from None
    if abs(number) >= NUMBER_MAX:
        raise NotANumber()
    written = format(number.normalize(), "f") if number == number.to_integral() else format(number, "f")
    if len(written) > NUMBER_DIGITS:  # "0,000…01" with thousands of zeros: no number anyone means
        raise NotANumber()
    return written


def _date(text: str) -> str:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise NotADate() from None
    if len(text) != 10 or day.year not in YEARS_WE_KEEP:
        raise NotADate()
    return day.isoformat()


def clean(question: Asked, raw) -> str | None:
    """The value to keep for one answer (None: no answer), or the named reason it cannot be kept."""
    if question.kind == QuestionKind.CHOICES:
        chosen = {str(value) for value in (raw if isinstance(raw, list | tuple | set) else [raw]) if value}
        active = [choice.id for choice in question.active_choices]
        if chosen - set(active):
            raise UnknownChoice()
        return " ".join(choice_id for choice_id in active if choice_id in chosen) or None
    text = raw if isinstance(raw, str) else "" if raw is None else str(raw)
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        return None
    if question.kind == QuestionKind.ONE_CHOICE:
        if text not in {choice.id for choice in question.active_choices}:
            raise UnknownChoice()
        return text
    if question.kind == QuestionKind.YES_NO:
        if text not in (YES, NO):
            raise UnknownChoice()
        return text
    if question.kind == QuestionKind.NUMBER:
        return _number(text)
    if question.kind == QuestionKind.DATE:
        return _date(text)
    if question.kind == QuestionKind.SHORT_TEXT:
        text = " ".join(text.split())
    limit = SHORT_MAX if question.kind == QuestionKind.SHORT_TEXT else LONG_MAX
    if len(text) > limit:
        raise AnswerTooLong(limit)
    return text


def check_answers(questions: tuple[Asked, ...], mode: str, raw: dict[int, object],
                  consents: set[int] | frozenset[int] = frozenset(), *, required: bool = True) -> dict[int, str]:
    """The answers to keep (question id → value) of those asked of ``mode``, or ``AnswersInvalid`` naming
    each that breaks a rule: required and empty, not a number or a date, a choice not offered, too long,
    or a special-category answer without its consent. ``required=False``: an organiser adding someone by
    hand need not answer for them."""
    kept: dict[int, str] = {}
    errors: dict[int, AnswerError] = {}
    for question in questions:
        if not question.asked_of(mode):
            continue
        try:
            value = clean(question, raw.get(question.id))
            if value is None and question.required and required:
                raise AnswerRequired()
            if value is not None and question.special and question.id not in consents:
                raise ConsentNeeded()
        except AnswerError as error:
            errors[question.id] = error
            continue
        if value is not None:
            kept[question.id] = value
    if errors:
        raise AnswersInvalid(errors)
    return kept


def keep_answers(registration_id: int, questions: tuple[Asked, ...], values: dict[int, str], now: datetime,
                 *, fresh: bool = False) -> None:
    """Store checked answers (``check_answers``) as the person's own, replacing what they had for these
    questions; ``fresh``: a registration with none yet (no query). The caller commits."""
    special = {question.id for question in questions if question.special}
    if fresh:  # a new registration: one INSERT of every row, no unit of work (the rush's hot path)
        if values:
            db.session.execute(RegistrationAnswer.__table__.insert(), [
                {"registration_id": registration_id, "question_id": question_id, "value": value,
                 "consented_at": now if question_id in special else None, "answered_at": now}
                for question_id, value in values.items()])
        return
    existing = {answer.question_id: answer for answer in db.session.scalars(
        select(RegistrationAnswer).where(RegistrationAnswer.registration_id == registration_id))}
    gone = [question.id for question in questions if question.id in existing and question.id not in values]
    if gone:
        if special & set(gone):
            forget_on_disk(RegistrationAnswer.__tablename__)
        db.session.execute(delete(RegistrationAnswer).where(RegistrationAnswer.registration_id == registration_id,
                                                            RegistrationAnswer.question_id.in_(gone))
                           .execution_options(synchronize_session=False))
    for question_id, value in values.items():
        answer = existing.get(question_id)
        consented = now if question_id in special else None
        if answer is None:
            db.session.add(RegistrationAnswer(registration_id=registration_id, question_id=question_id, value=value,
                                              consented_at=consented, answered_at=now))
        elif answer.value != value:
            answer.value, answer.answered_at = value, now
            answer.consented_at = (answer.consented_at or now) if consented else None


def values_of(registration_id: int) -> dict[int, str]:
    return dict(db.session.execute(select(RegistrationAnswer.question_id, RegistrationAnswer.value)
                                   .where(RegistrationAnswer.registration_id == registration_id)).all())


def values_for(registration_ids: list[int]) -> dict[int, dict[int, str]]:
    """Each registration's answers (registration id → question id → value), in one query."""
    found: dict[int, dict[int, str]] = {}
    if not registration_ids:
        return found
    for registration_id, question_id, value in db.session.execute(
            select(RegistrationAnswer.registration_id, RegistrationAnswer.question_id, RegistrationAnswer.value)
            .where(RegistrationAnswer.registration_id.in_(registration_ids))):
        found.setdefault(registration_id, {})[question_id] = value
    return found


def drop_not_asked(registration_id: int, questions: tuple[Asked, ...], mode: str) -> None:
    """A change of mode: answers to questions not asked of the new mode go (the caller commits)."""
    not_asked = [question.id for question in questions if not question.asked_of(mode)]
    if not_asked:
        db.session.execute(delete(RegistrationAnswer).where(RegistrationAnswer.registration_id == registration_id,
                                                            RegistrationAnswer.question_id.in_(not_asked))
                           .execution_options(synchronize_session=False))


def shown(question: Asked, value: str | None, language: str) -> str:
    """An answer in words: choices by their labels (a removed one marked "(removed)"), yes or no, a number
    with the language's decimal sign, a date as ISO 8601; empty for no answer."""
    if not value:
        return ""
    if question.kind in CHOICE_KINDS:
        words = []
        for choice_id in value.split():
            choice = question.choice(choice_id)
            label = choice.label_in(language)[0] if choice else choice_id
            words.append(gettext("%(choice)s (removed)", choice=label) if choice is None or choice.removed else label)
        return "; ".join(words)
    if question.kind == QuestionKind.YES_NO:
        return gettext("Yes") if value == YES else gettext("No")
    if question.kind == QuestionKind.NUMBER and language == "sv":
        return value.replace(".", ",")
    return value


# --- privacy -------------------------------------------------------------------------------------------

def special_answer_of(registration_id_column):
    """A condition: the registration has an answer to a special-category question (for
    ``registration.services.holds_special``)."""
    return select(RegistrationAnswer.registration_id).join(RegistrationQuestion).where(
        RegistrationAnswer.registration_id == registration_id_column, RegistrationQuestion.special).exists()


def forget_special(registration_ids) -> int:
    """Delete these registrations' special-category answers (ids, or a subquery of them); the caller commits."""
    doomed = select(RegistrationQuestion.id).where(RegistrationQuestion.special)
    count = db.session.execute(
        delete(RegistrationAnswer).where(RegistrationAnswer.registration_id.in_(registration_ids),
                                         RegistrationAnswer.question_id.in_(doomed))
        .execution_options(synchronize_session=False)).rowcount
    if count:
        forget_on_disk(RegistrationAnswer.__tablename__)
    return count


def erase(registration_ids: list[int]) -> int:
    """The right to erasure: every answer of these registrations, deleted (the caller commits)."""
    if not registration_ids:
        return 0
    count = db.session.execute(delete(RegistrationAnswer).where(
        RegistrationAnswer.registration_id.in_(registration_ids)).execution_options(synchronize_session=False)).rowcount
    if count:
        forget_on_disk(RegistrationAnswer.__tablename__)
    return count


def unlink(registration_ids: list[int]) -> int:
    """Registrations anonymised: what could name the person goes (written answers, numbers, dates and every
    special-category answer); a choice or a yes or no stays, as the sector does, for the statistics."""
    if not registration_ids:
        return 0
    kept = select(RegistrationQuestion.id).where(RegistrationQuestion.kind.in_([k.value for k in COUNTED_KINDS]),
                                                 RegistrationQuestion.special.is_(False))
    count = db.session.execute(delete(RegistrationAnswer).where(
        RegistrationAnswer.registration_id.in_(registration_ids), RegistrationAnswer.question_id.not_in(kept))
        .execution_options(synchronize_session=False)).rowcount
    if count:
        forget_on_disk(RegistrationAnswer.__tablename__)
    return count


def personal_data(event: Event, registration_id: int, language: str) -> list[dict]:
    """The person's answers for their data download: each question, the answer in words and as stored."""
    values = values_of(registration_id)
    return [{"question": question.label_in(language)[0], "answer": shown(question, values[question.id], language),
             "value": values[question.id], "special_category": question.special}
            for question in asked(event) if question.id in values]
