"""What looks wrong in a programme: overlaps, double-booked people, items outside the event's hours,
audiences the event does not have. Nothing here changes or blocks anything: the organiser may know better.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from itertools import combinations

from eventhub.events.models import Event
from eventhub.groups.models import DiscussionGroup
from eventhub.modes import Audience
from eventhub.programme.models import ItemKind, Person, ProgrammeItem
from eventhub.programme.services import ordered


@dataclass(frozen=True)
class ProgrammeWarning:
    """Something that looks wrong. ``code`` says what; the view words it.

    overlap: two items for the same audience at once (items for everyone overlap both audiences).
    outside_hours: an item before the event starts or after it ends (arrival before the start is fine).
    double_booked: ``person`` has two places at once (two items, or two groups of one item).
    no_groups: a group session without groups.
    audience_not_offered: an item for an audience (``mode``) the event does not have.
    group_not_offered: a discussion group of a mode (``mode``) the event does not have.
    """

    code: str
    items: tuple[ProgrammeItem, ...]
    person: Person | None = None
    group: DiscussionGroup | None = None
    mode: str | None = None


def _span(item: ProgrammeItem) -> tuple[datetime, datetime]:
    return item.starts_at, item.ends_at or item.starts_at


def overlaps(a: ProgrammeItem, b: ProgrammeItem) -> bool:
    """Items overlap when their times cross; an item with no end is a moment."""
    if a.starts_at == b.starts_at:
        return True
    (a_start, a_end), (b_start, b_end) = _span(a), _span(b)
    return a_start < b_end and b_start < a_end


def _audiences_clash(a: ProgrammeItem, b: ProgrammeItem) -> bool:
    return a.audience == b.audience or Audience.EVERYONE in (a.audience, b.audience)


def _appearances(items: Iterable[ProgrammeItem]) -> dict[int, list[tuple[ProgrammeItem, DiscussionGroup | None]]]:
    """Where each person is: as a speaker in an item, or as the leader of one of its groups."""
    places: dict[int, list[tuple[ProgrammeItem, DiscussionGroup | None]]] = {}
    for item in items:
        for part in item.speakers:
            places.setdefault(part.person_id, []).append((item, None))
        for group in item.groups:
            for leader in group.leaders:
                places.setdefault(leader.person_id, []).append((item, group))
    return places


def find_warnings(event: Event, items: Iterable[ProgrammeItem] | None = None) -> list[ProgrammeWarning]:
    """What to check in the programme, in programme order. Nothing here blocks saving."""
    items = ordered(event.programme_items if items is None else items)
    found: list[ProgrammeWarning] = []
    offered = {mode.value for mode in event.modes}
    for item in items:
        before = item.starts_at < event.starts_at and item.kind != ItemKind.REGISTRATION
        after = max(_span(item)) > event.ends_at
        if before or after:
            found.append(ProgrammeWarning("outside_hours", (item,)))
        if item.audience != Audience.EVERYONE and item.audience not in offered:
            found.append(ProgrammeWarning("audience_not_offered", (item,), mode=item.audience))
        if item.kind == ItemKind.GROUP_SESSION and not item.groups:
            found.append(ProgrammeWarning("no_groups", (item,)))
        for group in item.groups:
            if group.mode not in offered:
                found.append(ProgrammeWarning("group_not_offered", (item,), group=group, mode=group.mode))
    for a, b in combinations(items, 2):
        if _audiences_clash(a, b) and overlaps(a, b):
            found.append(ProgrammeWarning("overlap", (a, b)))
    people = {part.person_id: part.person for item in items for part in item.speakers}
    people.update({leader.person_id: leader.person for item in items for group in item.groups
                   for leader in group.leaders})
    for person_id, places in _appearances(items).items():
        clashes: list[tuple[ProgrammeItem, ...]] = []
        for (item_a, group_a), (item_b, group_b) in combinations(places, 2):
            if item_a is item_b:
                if group_a is not None and group_b is not None and group_a is not group_b:
                    clashes.append((item_a,))
            elif overlaps(item_a, item_b):
                clashes.append((item_a, item_b))
        for pair in dict.fromkeys(clashes):  # once per pair, in the order found
            found.append(ProgrammeWarning("double_booked", pair, person=people[person_id]))
    position = {item.id: index for index, item in enumerate(items)}
    return sorted(found, key=lambda warning: min(position[item.id] for item in warning.items))
