"""Figures for the organisers' statistics page: three GROUP BY queries, whatever the event's size."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from eventhub.events.models import Event
from eventhub.extensions import db
from eventhub.groups.models import DiscussionGroup, GroupMembership
from eventhub.programme.models import ProgrammeItem
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
class Statistics:
    modes: list[ModeFigures]
    sectors: list[SectorFigures]
    groups: list[GroupFigures] = field(default_factory=list)

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


def for_event(event: Event) -> Statistics:
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

    return Statistics(modes=list(modes.values()), sectors=list(sectors.values()), groups=list(groups.values()))
