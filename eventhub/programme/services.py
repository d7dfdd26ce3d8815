"""Which programme items a viewer sees, and how they line up in time."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from eventhub.events.models import Event
from eventhub.groups import services as group_rules
from eventhub.modes import Audience, Mode
from eventhub.programme.models import ProgrammeItem


class AudienceError(ValueError):
    """Base for a programme view that cannot be shown as asked."""


class UnknownAudience(AudienceError):
    """The audience asked for is neither on site nor digital."""


class AudienceNotOffered(AudienceError):
    """The event has no such audience (an on-site view of a digital-only event)."""

    def __init__(self, mode: Mode):
        super().__init__(mode)
        self.mode = mode


def parse_audience(event: Event, raw: str | None) -> Mode | None:
    """Turn the ``audience`` query value into a mode the event offers, or None for all."""
    if raw is None or raw == "" or raw == Audience.EVERYONE:
        return None
    try:
        mode = Mode(raw)
    except ValueError:
        raise UnknownAudience(raw) from None
    if mode not in event.modes:
        raise AudienceNotOffered(mode)
    return mode


def visible_audiences(event: Event, viewer: Mode | None) -> frozenset[Audience]:
    """The item audiences a viewer sees.

    An on-site viewer sees items for everyone and for on site; a digital viewer
    items for everyone and for digital. The whole programme (no viewer) covers
    the modes the event offers: a digital-only event has no on-site audience.
    """
    modes = event.modes if viewer is None else (viewer,)
    return frozenset({Audience.EVERYONE, *(Audience(mode.value) for mode in modes)})


def items_for(event: Event, viewer: Mode | None) -> list[ProgrammeItem]:
    audiences = visible_audiences(event, viewer)
    return [item for item in ordered(event.programme_items) if item.audience in audiences]


def ordered(items: Iterable[ProgrammeItem]) -> list[ProgrammeItem]:
    return sorted(items, key=lambda item: (item.starts_at, item.position, item.id or 0))


@dataclass(frozen=True)
class Slot:
    """Items that start at the same moment. More than one means they run in parallel."""

    starts_at: datetime
    items: tuple[ProgrammeItem, ...]

    @property
    def is_parallel(self) -> bool:
        return len(self.items) > 1


def slots(items: Iterable[ProgrammeItem]) -> list[Slot]:
    grouped: dict[datetime, list[ProgrammeItem]] = {}
    for item in ordered(items):
        grouped.setdefault(item.starts_at, []).append(item)
    return [Slot(starts_at=start, items=tuple(group)) for start, group in grouped.items()]


def groups_by_mode(event: Event, item: ProgrammeItem, viewer: Mode | None) -> list[tuple[Mode, list]]:
    """An item's discussion groups split by mode: all of them, or those the viewer's mode may join
    (the viewer's own, and digital groups for people on site where the event allows it)."""
    result = []
    for mode in event.modes:
        groups = [group for group in item.groups if group.mode == mode
                  and (viewer is None or group_rules.may_join(event, viewer, group))]
        if groups:
            result.append((mode, groups))
    return result
