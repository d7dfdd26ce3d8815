"""Finding registrations for organisers: search, filters, sorting and pages, all in SQL.

A page costs the same few queries whatever the event's size: one COUNT, one page of rows
(LIMIT/OFFSET), one query for those rows' discussion groups and one for their time online. Nothing loads every row;
the CSV export walks the same filtered query in batches (``batches``).

Search is case-insensitive in Swedish too (``eventhub.database.contains_text``).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from math import ceil

from sqlalchemy import Select, false, func, or_, select
from sqlalchemy.orm import selectinload

from eventhub.attendance import services as attendance
from eventhub.attendees import segments
from eventhub.database import contains_text
from eventhub.extensions import db
from eventhub.groups.models import DiscussionGroup, GroupMembership, MembershipStatus
from eventhub.modes import Mode
from eventhub.programme.models import ProgrammeItem
from eventhub.registration.models import Registration, RegistrationStatus, Sector
from eventhub.text import swedish_sort_key
from eventhub.types import MAX_ID

NO_GROUP_ARG = "none"  # ?group=none: in no discussion group
PAGE_SIZE = 50
SEARCH_MAX = 100
BATCH_SIZE = 500
# The list's "came" filter, each a segment.
ARRIVALS = {"yes": segments.ATTENDED_ON_SITE, "no": segments.NOT_CHECKED_IN, "online": segments.ATTENDED_ONLINE,
            "no_show": segments.NO_SHOW}
SORTS = ("name", "-name", "registered", "-registered", "organisation")
DEFAULT_SORT = "name"


@dataclass
class Filters:
    """What the organiser asked for; values outside the allowed ones are dropped by ``clean``."""

    search: str = ""
    mode: str = ""
    status: str = ""
    sector: str = ""
    group_id: int | None = None
    no_group: bool = False  # in no discussion group (the segment ``no_group``)
    # Who came: "yes" checked in at the door, "no" a place on site and not checked in (yet),
    # "online" joined online, "no_show" had a place and came neither way (eventhub.attendance).
    arrival: str = ""
    # An answer to one of the organiser's questions with choices: "<question id>:<value>" (the segment
    # ``answer:...``; a question of another event, or special category, filters nothing).
    answer: str = ""
    sort: str = DEFAULT_SORT
    page: int = 1

    @classmethod
    def from_args(cls, args, group_ids: set[int]) -> Filters:
        """Read a query string; anything unknown or malformed means "no filter", never an error."""
        group_id = _int(args.get("group"))
        return cls(
            search=(args.get("q") or "").strip()[:SEARCH_MAX],
            mode=_choice(args.get("mode"), {m.value for m in Mode}),
            status=_choice(args.get("status"), {s.value for s in RegistrationStatus}),
            sector=_choice(args.get("sector"), {s.value for s in Sector}),
            group_id=group_id if group_id in group_ids else None,
            no_group=args.get("group") == NO_GROUP_ARG and bool(group_ids),
            arrival=_choice(args.get("arrived"), set(ARRIVALS)),
            answer=_answer_arg(args.get("answer")),
            sort=_choice(args.get("sort"), set(SORTS)) or DEFAULT_SORT,
            page=max(1, _int(args.get("page")) or 1),
        )

    def query_args(self, **changes) -> dict[str, str | int]:
        """The query string for this view (for page links and exports), without empty values."""
        values = {"q": self.search, "mode": self.mode, "status": self.status, "sector": self.sector,
                  "group": NO_GROUP_ARG if self.no_group else self.group_id or "", "arrived": self.arrival,
                  "answer": self.answer, "sort": self.sort if self.sort != DEFAULT_SORT else "",
                  "page": self.page if self.page > 1 else ""}
        values.update(changes)
        return {key: value for key, value in values.items()
                if value not in ("", None) and not (key == "page" and value == 1)}

    @property
    def active(self) -> bool:
        return bool(self.search or self.mode or self.status or self.sector or self.group_id or self.no_group
                    or self.arrival or self.answer)

    @classmethod
    def for_segment(cls, key: str) -> Filters:
        """The list's filters that show a segment (the mailing page links each audience to them)."""
        group_id = segments.group_id_of(key)
        return cls(status={segments.CONFIRMED: RegistrationStatus.CONFIRMED.value,
                           segments.WAITLIST: RegistrationStatus.WAITLISTED.value}.get(key, ""),
                   arrival=next((arrival for arrival, segment in ARRIVALS.items() if segment == key), ""),
                   mode=key if key in (Mode.ON_SITE, Mode.DIGITAL) else "",
                   no_group=key == segments.NO_GROUP, group_id=group_id,
                   answer=key[len(segments.ANSWER_PREFIX):] if segments.answer_of(key) else "")

    def segment_keys(self) -> list[str]:
        """The segments these filters select (the list's other filters are its own)."""
        keys = [self.mode] if self.mode else []
        keys += {RegistrationStatus.CONFIRMED: [segments.CONFIRMED],
                 RegistrationStatus.WAITLISTED: [segments.WAITLIST]}.get(self.status, [])
        keys += [ARRIVALS[self.arrival]] if self.arrival else []
        keys += [segments.NO_GROUP] if self.no_group else []
        keys += [segments.group_key(self.group_id)] if self.group_id else []
        keys += [segments.ANSWER_PREFIX + self.answer] if self.answer else []
        return keys


def _int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_ID else None


def _answer_arg(value) -> str:
    """``?answer=<question id>:<value>`` as the list reads it (whose question it is, ``segments`` says)."""
    value = (value or "")[:30]
    return value if segments.answer_of(segments.ANSWER_PREFIX + value) else ""


def _choice(value, allowed: set[str]) -> str:
    return value if value in allowed else ""


def filtered(event_id: int, filters: Filters) -> Select:
    """The registrations the filters select, as a query to count, page or export."""
    query = select(Registration).where(Registration.event_id == event_id)
    if filters.search:
        sqlite = db.session.get_bind().dialect.name == "sqlite"
        query = query.where(or_(*(contains_text(column, filters.search, sqlite) for column in (
            Registration.name, Registration.email, Registration.organisation))))
    # Mode, status (confirmed, waitlist), who came and groups are segments: the mailing's too.
    for key in filters.segment_keys():
        try:
            query = query.where(segments.condition(event_id, key))
        except segments.UnknownSegment:
            # An answer filter whose question is gone (removed, made special, another event's) matches
            # nobody: dropping it would widen "all N matching" of a bulk action to the whole event.
            query = query.where(false())
    if filters.status == RegistrationStatus.CANCELLED:
        query = query.where(Registration.status == filters.status)
    if filters.sector:
        query = query.where(Registration.sector == filters.sector)
    return query


ORDER = {
    "name": (Registration.name, Registration.id),
    "-name": (Registration.name.desc(), Registration.id.desc()),
    "registered": (Registration.created_at, Registration.id),
    "-registered": (Registration.created_at.desc(), Registration.id.desc()),
    "organisation": (Registration.organisation, Registration.name, Registration.id),
}


@dataclass
class GroupPlace:
    group_id: int
    title: str
    status: str  # confirmed or waitlisted

    @property
    def is_confirmed(self) -> bool:
        return self.status == MembershipStatus.CONFIRMED


@dataclass
class Page:
    filters: Filters
    total: int
    rows: list[Registration]
    groups: dict[int, list[GroupPlace]] = field(default_factory=dict)
    online: dict[int, attendance.Online] = field(default_factory=dict)  # the time online of those who were

    @property
    def number(self) -> int:
        return self.filters.page

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / PAGE_SIZE))

    @property
    def first_index(self) -> int:
        return 0 if not self.total else (self.number - 1) * PAGE_SIZE + 1

    @property
    def last_index(self) -> int:
        return min(self.total, self.number * PAGE_SIZE)

    def links(self, around: int = 2) -> list[int | None]:
        """Page numbers to link: the first, the last and a few around this one; None marks a gap."""
        wanted = {1, self.pages, *range(self.number - around, self.number + around + 1)}
        numbers = sorted(n for n in wanted if 1 <= n <= self.pages)
        shown: list[int | None] = []
        for n in numbers:
            if shown and n - shown[-1] > 1:
                shown.append(None)
            shown.append(n)
        return shown


def page(event_id: int, filters: Filters) -> Page:
    """One page of the list: a COUNT, the page's rows, their groups and their time online (four queries)."""
    query = filtered(event_id, filters)
    total = db.session.scalar(query.with_only_columns(func.count(Registration.id)).order_by(None))
    last = max(1, ceil(total / PAGE_SIZE))
    if filters.page > last:  # an old link past the end: show the last page
        filters.page = last
    rows = list(db.session.scalars(
        query.order_by(*ORDER[filters.sort]).limit(PAGE_SIZE).offset((filters.page - 1) * PAGE_SIZE)
    ))
    return Page(filters=filters, total=total, rows=rows, groups=groups_of([r.id for r in rows]),
                online=attendance.online_of(event_id, rows))


def groups_of(registration_ids: list[int]) -> dict[int, list[GroupPlace]]:
    """Each registration's discussion groups, in programme order (one query)."""
    if not registration_ids:
        return {}
    found: dict[int, list[GroupPlace]] = defaultdict(list)
    rows = db.session.execute(
        select(GroupMembership.registration_id, DiscussionGroup.id, DiscussionGroup.title, GroupMembership.status)
        .join(DiscussionGroup, DiscussionGroup.id == GroupMembership.group_id)
        .join(ProgrammeItem, ProgrammeItem.id == GroupMembership.item_id)
        .where(GroupMembership.registration_id.in_(registration_ids))
        .order_by(ProgrammeItem.starts_at, DiscussionGroup.position, DiscussionGroup.id)
    )
    for registration_id, group_id, title, status in rows:
        found[registration_id].append(GroupPlace(group_id, title, status))
    return dict(found)


def confirmed_by_name(event_id: int, modes: tuple[str, ...]) -> list[Registration]:
    """Everyone with a seat in these modes, with their groups, in Swedish alphabetical order (door list, badges)."""
    people = db.session.scalars(
        select(Registration)
        .where(Registration.event_id == event_id, Registration.status == RegistrationStatus.CONFIRMED,
               Registration.mode.in_(modes))
        .options(selectinload(Registration.memberships).joinedload(GroupMembership.group))
    ).all()
    return sorted(people, key=lambda person: swedish_sort_key(person.name))


def batches(query: Select, size: int = BATCH_SIZE) -> Iterator[list[Registration]]:
    """Every registration a query selects, in registration order, ``size`` at a time.

    Keyset pages (id > the last one seen), so memory stays flat and no cursor is held open
    between batches while a response streams. The session's identity map holds rows weakly:
    once written out, they are let go.
    """
    last_id = 0
    while True:
        rows = list(db.session.scalars(
            query.where(Registration.id > last_id).order_by(None).order_by(Registration.id).limit(size)
        ))
        if rows:
            yield rows
        if len(rows) < size:
            return
        last_id = rows[-1].id


SELECTION_MAX = 10_000  # more ids than any event has registrations: a forged form, not a choice


def selected_ids(event_id: int, ids: list[int], filters: Filters | None = None) -> list[int]:
    """The registrations a bulk action is for, in the list's name order: every one the filters
    match ("select all N matching"), or the ticked ``ids`` that are this event's (others are dropped)."""
    if filters is not None:
        query = filtered(event_id, filters)
    else:
        wanted = sorted({i for i in ids if 0 < i <= MAX_ID})[:SELECTION_MAX]
        if not wanted:
            return []
        query = select(Registration).where(Registration.event_id == event_id, Registration.id.in_(wanted))
    return list(db.session.scalars(query.with_only_columns(Registration.id).order_by(*ORDER[DEFAULT_SORT])))


def people(event_id: int, ids: list[int]) -> list[Registration]:
    """These registrations of the event, in the list's name order (a bulk action's confirmation page)."""
    if not ids:
        return []
    return list(db.session.scalars(select(Registration).where(
        Registration.event_id == event_id, Registration.id.in_(ids)).order_by(*ORDER[DEFAULT_SORT])))
