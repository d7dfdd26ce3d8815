"""An evaluation's results: counts, averages and distributions, the written comments, split by how people
took part (on site beside digital: did the digital audience have as good a meeting as the room?) and by
sector. One computation for the page, the workbook, the CSV and the PDF.

**Small numbers (anonymous evaluations).** Anonymous answers must not become recognisable through the
figures, so with ``MIN_GROUP`` = 3:

- nothing but the number of answers is shown until at least 3 people have answered;
- a group of a split (a mode, a sector) with 1 or 2 answers is withheld, and so is the next smallest
  group, and the next, until the withheld groups hold at least 3 answers together: the totals minus
  the groups shown then reveal no group of fewer than 3 (with two modes, a mode of 1 or 2 withholds the
  whole mode split);
- the same rule again for each question's own figures (not everyone answers every question): a cell
  of fewer than 3 ratings is withheld, with the next smallest, and a question rated by fewer than 3
  shows no figures at all;
- written comments are listed under their mode only when the mode split is shown, and never by sector.

Answers given with names (a named evaluation) are shown as they are: the organisers see who wrote what.
Rows are read once per page (a few queries, whatever the number of answers).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select

from eventhub.evaluation.models import (
    RATING_MAX,
    RATING_MIN,
    Evaluation,
    EvaluationAnswer,
    EvaluationQuestion,
    EvaluationResponse,
)
from eventhub.events.models import Event
from eventhub.extensions import db
from eventhub.modes import Mode
from eventhub.registration.models import Registration, RegistrationStatus, Sector

MIN_GROUP = 3
SCALE = tuple(range(RATING_MIN, RATING_MAX + 1))
ALL = "all"


@dataclass
class Figures:
    """The ratings one group gave one question; ``withheld``: too few to show (the module's rule)."""

    counts: dict[int, int] = field(default_factory=lambda: dict.fromkeys(SCALE, 0))
    withheld: bool = False

    def add(self, rating: int) -> None:
        self.counts[rating] += 1

    @property
    def answers(self) -> int:
        return sum(self.counts.values())

    @property
    def average(self) -> float | None:
        total = self.answers
        return sum(rating * count for rating, count in self.counts.items()) / total if total else None

    def share(self, rating: int) -> float:
        """The part of the answers that gave ``rating`` (0 to 1)."""
        return self.counts[rating] / self.answers if self.answers else 0.0


@dataclass(frozen=True)
class Group:
    """One group of a split: a mode or a sector, with how many answered and whether it may be shown."""

    key: str
    responses: int
    shown: bool


@dataclass(frozen=True)
class Comment:
    text: str
    mode: str | None  # None when the mode split is withheld
    name: str | None = None  # a named evaluation's, while the registration is not anonymised
    organisation: str | None = None


@dataclass
class QuestionResult:
    question: EvaluationQuestion
    total: Figures = field(default_factory=Figures)
    by_mode: dict[str, Figures] = field(default_factory=dict)
    by_sector: dict[str, Figures] = field(default_factory=dict)
    comments: list[Comment] = field(default_factory=list)

    @property
    def is_rating(self) -> bool:
        return self.question.is_rating

    def asked_of(self, mode: str) -> bool:
        return self.question.asked_of(mode)

    @property
    def mode_gap(self) -> float | None:
        """On site's average minus digital's, for a rating both were asked (None when not both shown)."""
        on_site, digital = self.by_mode.get(Mode.ON_SITE), self.by_mode.get(Mode.DIGITAL)
        if on_site is None or digital is None or on_site.average is None or digital.average is None \
                or on_site.withheld or digital.withheld:
            return None
        return on_site.average - digital.average


@dataclass
class Results:
    evaluation: Evaluation
    modes: tuple[str, ...]  # the event's, in its order
    with_a_place: dict[str, int]  # confirmed registrations by mode: who could answer
    responses: dict[str, int]  # answers by mode
    mode_groups: list[Group]
    sector_groups: list[Group]
    questions: list[QuestionResult]

    @property
    def anonymous(self) -> bool:
        return self.evaluation.anonymous

    @property
    def total_responses(self) -> int:
        return sum(self.responses.values())

    @property
    def total_with_a_place(self) -> int:
        return sum(self.with_a_place.values())

    @property
    def enough(self) -> bool:
        """Whether figures may be shown at all (an anonymous evaluation needs MIN_GROUP answers)."""
        return not self.anonymous or self.total_responses >= MIN_GROUP

    @property
    def split_by_mode(self) -> bool:
        """Whether the figures are shown by mode (the event has two, and neither group is withheld)."""
        return len(self.modes) > 1 and self.enough and all(group.shown for group in self.mode_groups)

    @property
    def shown_sectors(self) -> list[str]:
        return [group.key for group in self.sector_groups if group.shown] if self.enough else []

    @property
    def withheld_sectors(self) -> list[str]:
        return [group.key for group in self.sector_groups if not group.shown and group.responses]

    @property
    def ratings(self) -> list[QuestionResult]:
        return [result for result in self.questions if result.is_rating]

    @property
    def texts(self) -> list[QuestionResult]:
        return [result for result in self.questions if not result.is_rating]

    def rate(self, mode: str | None = None) -> float | None:
        """The part of those with a place who answered (0 to 1), in a mode or in all."""
        invited = self.with_a_place.get(mode, 0) if mode else self.total_with_a_place
        answered = self.responses.get(mode, 0) if mode else self.total_responses
        return answered / invited if invited else None


def shown_groups(sizes: dict[str, int], minimum: int = MIN_GROUP) -> set[str]:
    """The groups of a split that may be shown: see the module's rule (empty groups reveal nothing)."""
    withheld = {key for key, size in sizes.items() if 0 < size < minimum}
    while withheld and sum(sizes[key] for key in withheld) < minimum:
        others = [key for key, size in sizes.items() if key not in withheld and size > 0]
        if not others:
            break
        withheld.add(min(others, key=lambda key: (sizes[key], key)))
    return set(sizes) - withheld


def _groups(sizes: dict[str, int], order: list[str], anonymous: bool) -> list[Group]:
    shown = set(sizes) if not anonymous else shown_groups(sizes)
    return [Group(key, sizes.get(key, 0), key in shown) for key in order]


def for_event(event_id: int) -> Results | None:
    """The results of the event's evaluation (None if it has none)."""
    evaluation = db.session.get(Evaluation, event_id)
    if evaluation is None:
        return None
    event = db.session.get(Event, event_id)
    modes = tuple(mode.value for mode in event.modes)
    with_a_place = dict.fromkeys(modes, 0) | dict(db.session.execute(
        select(Registration.mode, func.count()).where(Registration.event_id == event_id,
                                                      Registration.status == RegistrationStatus.CONFIRMED)
        .group_by(Registration.mode)).all())
    rows = db.session.execute(
        select(EvaluationResponse.id, EvaluationResponse.mode, EvaluationResponse.sector, Registration.name,
               Registration.organisation, Registration.anonymised_at)
        .outerjoin(Registration, Registration.id == EvaluationResponse.registration_id)
        .where(EvaluationResponse.event_id == event_id)
        .order_by(EvaluationResponse.submitted_at, EvaluationResponse.id)).all()
    people = {row.id: row for row in rows}
    responses = dict.fromkeys(modes, 0)
    sectors: dict[str, int] = defaultdict(int)
    for row in rows:
        responses[row.mode] = responses.get(row.mode, 0) + 1
        sectors[row.sector] += 1
    anonymous = evaluation.anonymous
    mode_groups = _groups(responses, list(responses), anonymous)
    sector_groups = _groups(dict(sectors), [sector.value for sector in Sector if sectors.get(sector.value)],
                            anonymous)
    results = Results(evaluation, modes, with_a_place, responses, mode_groups, sector_groups,
                      [QuestionResult(question) for question in evaluation.questions])
    by_question = {result.question.id: result for result in results.questions}
    shown_modes = {group.key for group in mode_groups if group.shown} if results.split_by_mode else set()
    shown_sectors = set(results.shown_sectors)
    order = {response_id: position for position, response_id in enumerate(people)}
    answers = db.session.execute(
        select(EvaluationAnswer.response_id, EvaluationAnswer.question_id, EvaluationAnswer.rating,
               EvaluationAnswer.text)
        .join(EvaluationResponse).where(EvaluationResponse.event_id == event_id)).all()
    for response_id, question_id, rating, text in sorted(answers, key=lambda a: (order[a.response_id],
                                                                                  a.question_id)):
        result, person = by_question[question_id], people[response_id]
        if rating is not None:
            result.total.add(rating)
            if person.mode in shown_modes:
                result.by_mode.setdefault(person.mode, Figures()).add(rating)
            if person.sector in shown_sectors:
                result.by_sector.setdefault(person.sector, Figures()).add(rating)
        elif text:
            named = not anonymous and person.name is not None and person.anonymised_at is None
            result.comments.append(Comment(text, person.mode if (not anonymous or shown_modes) else None,
                                           person.name if named else None,
                                           person.organisation if named else None))
    if not results.enough:
        for result in results.questions:
            result.total, result.by_mode, result.by_sector, result.comments = Figures(), {}, {}, []
    for result in results.ratings:  # a mode the question is asked of, with no answer yet: an empty column
        for mode in shown_modes:
            if result.asked_of(mode):
                result.by_mode.setdefault(mode, Figures())
        if anonymous:
            _withhold_small(result)
    return results


def _withhold_small(result: QuestionResult) -> None:
    """The small-number rule for one question's own figures (anonymous answers)."""
    if 0 < result.total.answers < MIN_GROUP:
        for figures in (result.total, *result.by_mode.values(), *result.by_sector.values()):
            figures.withheld = True
        return
    for split in (result.by_mode, result.by_sector):
        shown = shown_groups({key: figures.answers for key, figures in split.items()})
        for key, figures in split.items():
            figures.withheld = key not in shown


# --- the same figures as rows, for the workbook, the CSV and the PDF ------------------------------

@dataclass(frozen=True)
class FigureRow:
    question: EvaluationQuestion
    split: str  # "all", "mode" or "sector"
    group: str | None  # the mode or sector; None for everyone
    figures: Figures


def figure_rows(results: Results) -> list[FigureRow]:
    """Each rating question's figures: everyone, then each mode (when split), then each sector shown."""
    rows = []
    if not results.enough:
        return rows
    for result in results.ratings:
        rows.append(FigureRow(result.question, ALL, None, result.total))
        rows += [FigureRow(result.question, "mode", mode, result.by_mode[mode]) for mode in results.modes
                 if mode in result.by_mode]
        rows += [FigureRow(result.question, "sector", sector, result.by_sector[sector])
                 for sector in results.shown_sectors if sector in result.by_sector]
    return [row for row in rows if not row.figures.withheld]


@dataclass(frozen=True)
class PersonRow:
    """One person's answers in a named evaluation."""

    name: str
    organisation: str
    mode: str
    sector: str
    submitted_at: object
    answers: dict[int, object]  # question id → rating or text


def people_rows(results: Results) -> list[PersonRow]:
    """Everyone's answers by name, in the order they came (a named evaluation only; none when anonymous).
    Answers unlinked since (their registration anonymised) are no one's and are left out."""
    if results.anonymous:
        return []
    event_id = results.evaluation.event_id
    responses = db.session.execute(
        select(EvaluationResponse.id, Registration.name, Registration.organisation, EvaluationResponse.mode,
               EvaluationResponse.sector, EvaluationResponse.submitted_at)
        .join(Registration, Registration.id == EvaluationResponse.registration_id)
        .where(EvaluationResponse.event_id == event_id, Registration.anonymised_at.is_(None))
        .order_by(EvaluationResponse.submitted_at, EvaluationResponse.id)).all()
    answers: dict[str, dict[int, object]] = defaultdict(dict)
    for response_id, question_id, rating, text in db.session.execute(
            select(EvaluationAnswer.response_id, EvaluationAnswer.question_id, EvaluationAnswer.rating,
                   EvaluationAnswer.text).join(EvaluationResponse).where(EvaluationResponse.event_id == event_id)):
        answers[response_id][question_id] = rating if rating is not None else text
    return [PersonRow(name, organisation, mode, sector, submitted_at, answers[response_id])
            for response_id, name, organisation, mode, sector, submitted_at in responses]
