"""Figures for the organisers' statistics page: four GROUP BY queries, whatever the event's size."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from eventhub.events.models import Event
from eventhub.extensions import db
from eventhub.groups.models import DiscussionGroup, GroupMembership
from eventhub.programme.models import ProgrammeItem
from eventhub.questions import services as questions
from eventhub.questions.models import QuestionKind, RegistrationAnswer
from eventhub.registration.models import Registration, RegistrationStatus, Sector

STATUSES = tuple(status.value for status in RegistrationStatus)
SECTORS = tuple(sector.value for sector in Sector)


@dataclass
class ModeFigures:
    mode: str
    confirmed: int = 0
    waitlisted: int = 0
    cancelled: int = 0
    seats: int | None = None

    @property
    def registered(self) -> int:
        """Everyone still registered: with a seat or on the waitlist."""
        return self.confirmed + self.waitlisted


@dataclass
class SectorFigures:
    sector: str
    confirmed: int = 0
    waitlisted: int = 0

    @property
    def registered(self) -> int:
        return self.confirmed + self.waitlisted


@dataclass
class GroupFigures:
    group_id: int
    title: str
    session: str
    mode: str
    seats: int | None
    confirmed: int = 0
    waitlisted: int = 0


@dataclass
class ChoiceFigures:
    value: str  # a choice's id, or yes / no
    label: str
    removed: bool = False
    by_mode: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_mode.values())


@dataclass
class AnswerFigures:
    """How the people still registered answered one of the organiser's questions, per choice and per mode."""

    question: questions.Asked
    rows: list[ChoiceFigures]
    answered: dict[str, int] = field(default_factory=dict)  # per mode: people who answered

    @property
    def largest(self) -> int:
        return max([row.total for row in self.rows] + [1])


@dataclass
class Statistics:
    modes: list[ModeFigures]
    sectors: list[SectorFigures]
    groups: list[GroupFigures] = field(default_factory=list)
    answers: list[AnswerFigures] = field(default_factory=list)

    @property
    def registered(self) -> int:
        return sum(m.registered for m in self.modes)

    @property
    def largest_mode(self) -> int:
        return max([m.registered + m.cancelled for m in self.modes] + [1])

    @property
    def largest_sector(self) -> int:
        return max([s.registered for s in self.sectors] + [1])

    @property
    def largest_group(self) -> int:
        return max([max(g.confirmed + g.waitlisted, g.seats or 0) for g in self.groups] + [1])


def for_event(event: Event, language: str = "sv") -> Statistics:
    modes = {mode.value: ModeFigures(mode.value, seats=event.seats_for(mode)) for mode in event.modes}
    for mode, status, count in db.session.execute(
        select(Registration.mode, Registration.status, func.count())
        .where(Registration.event_id == event.id)
        .group_by(Registration.mode, Registration.status)
    ):
        figures = modes.setdefault(mode, ModeFigures(mode))  # a mode the event no longer offers still counts
        setattr(figures, status, count)

    sectors = {sector: SectorFigures(sector) for sector in SECTORS}
    for sector, status, count in db.session.execute(
        select(Registration.sector, Registration.status, func.count())
        .where(Registration.event_id == event.id, Registration.status != RegistrationStatus.CANCELLED)
        .group_by(Registration.sector, Registration.status)
    ):
        setattr(sectors[sector], status, count)

    groups: dict[int, GroupFigures] = {}
    for group_id, title, session, mode, seats, status, count in db.session.execute(
        select(DiscussionGroup.id, DiscussionGroup.title, ProgrammeItem.title, DiscussionGroup.mode,
               DiscussionGroup.seats, GroupMembership.status, func.count(GroupMembership.id))
        .join(ProgrammeItem, ProgrammeItem.id == DiscussionGroup.item_id)
        .outerjoin(GroupMembership, GroupMembership.group_id == DiscussionGroup.id)
        .where(ProgrammeItem.event_id == event.id)
        .group_by(DiscussionGroup.id, DiscussionGroup.title, ProgrammeItem.title, DiscussionGroup.mode,
                  DiscussionGroup.seats, GroupMembership.status, ProgrammeItem.starts_at, DiscussionGroup.position)
        .order_by(ProgrammeItem.starts_at, DiscussionGroup.position, DiscussionGroup.id)
    ):
        figures = groups.setdefault(group_id, GroupFigures(group_id, title, session, mode, seats))
        if status is not None:
            setattr(figures, status, count)

    return Statistics(modes=list(modes.values()), sectors=list(sectors.values()), groups=list(groups.values()),
                      answers=answer_figures(event, language))


def answer_figures(event: Event, language: str = "sv") -> list[AnswerFigures]:
    """Counts per choice and per mode for the questions with choices (never a special-category one), among
    the people still registered; a removed choice that people chose is counted, marked."""
    counted = [question for question in questions.asked(event) if question.is_counted]
    if not counted:
        return []
    found: dict[int, AnswerFigures] = {}
    for question in counted:
        rows = []
        for value, choice in question.values():
            if choice is not None:
                label = choice.label_in(language)[0]
            else:
                label = questions.shown(question, value, language)
            rows.append(ChoiceFigures(value, label, removed=bool(choice and choice.removed)))
        found[question.id] = AnswerFigures(question, rows)
    for question_id, value, mode, count in db.session.execute(
        select(RegistrationAnswer.question_id, RegistrationAnswer.value, Registration.mode, func.count())
        .join(Registration, Registration.id == RegistrationAnswer.registration_id)
        .where(Registration.event_id == event.id, Registration.status != RegistrationStatus.CANCELLED,
               RegistrationAnswer.question_id.in_(list(found)))
        .group_by(RegistrationAnswer.question_id, RegistrationAnswer.value, Registration.mode)
    ):
        figures = found[question_id]
        figures.answered[mode] = figures.answered.get(mode, 0) + count
        values = value.split() if figures.question.kind == QuestionKind.CHOICES else [value]
        by_value = {row.value: row for row in figures.rows}
        for each in values:
            row = by_value.get(each)
            if row is not None:
                row.by_mode[mode] = row.by_mode.get(mode, 0) + count
    for figures in found.values():  # a removed choice nobody chose is not worth a row
        figures.rows = [row for row in figures.rows if not row.removed or row.total]
    return [found[question.id] for question in counted]
