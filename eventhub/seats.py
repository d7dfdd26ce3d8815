"""Seat counters: one rule for the event's seats per mode and a discussion group's seats.

A seat is taken with a conditional UPDATE (``... SET taken = taken + 1 WHERE taken < seats``)
whose row count says whether it was won. That is atomic on both databases: PostgreSQL
re-checks the WHERE after waiting for a concurrent writer, and SQLite's driver opens the
transaction at the first write, which waits for the single write lock (busy_timeout) instead
of failing. CHECK constraints on the counters are the backstop. ``with_for_update()`` is not
used: SQLite silently ignores it.

An organiser may give a seat beyond a full limit (``override``). The CHECK constraints stay
whole: the limit itself grows by exactly one seat in the same UPDATE that takes it, and the
answer says so (``Taken.raised_to``), so no caller has to compare the limits before and after.

Every seat taken or given back also counts one up on a version (``version``): a column of the same
row, raised in the same UPDATE, or a statement for another row (a group's seats are shown with its
event's). The event page keeps its registration form by that version, so its places left are never
stale and no other code has to remember to say the seats changed.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Executable, or_, update
from sqlalchemy.orm import InstrumentedAttribute

from eventhub.extensions import db

ROUNDS = 50  # bounds the retry loop when a seat comes free while an override raises the limit


@dataclass(frozen=True)
class Taken:
    """A seat taken: a free one, or one an override added (the limit is now ``raised_to``)."""

    raised_to: int | None = None

    @property
    def by_override(self) -> bool:
        return self.raised_to is not None


class SeatCounter:
    """The seats of one kind of row: ``taken`` counts up to ``seats`` (None: no limit)."""

    def __init__(self, key, taken, seats, unchanged=(), added=None,
                 version: InstrumentedAttribute | Callable[[int], Executable] | None = None):
        self.model = key.class_
        self.key, self.taken, self.seats = key, taken, seats
        # Counts the seats overrides added, so the planned limit stays known (a copy starts from it).
        self._added = {added: added + 1} if added is not None else {}
        # Columns an UPDATE would otherwise change by itself (an onupdate timestamp): a seat taken
        # is not a change to the row's content.
        self._unchanged = {column: column for column in unchanged}
        # The seats version: a column of this row, one up in the same UPDATE; or, for another row, the
        # statement that raises it, run after every change of these seats.
        self._counted = {}
        self._version_elsewhere: Callable[[int], Executable] | None = None
        if isinstance(version, InstrumentedAttribute):
            self._counted = {version: version + 1}
        elif version is not None:
            self._version_elsewhere = version

    def _changed(self, row_id: int) -> None:
        if self._version_elsewhere is not None:
            db.session.execute(self._version_elsewhere(row_id).execution_options(synchronize_session=False))

    def _update(self, row_id: int, *where):
        return (update(self.model).where(self.key == row_id, *where)
                .execution_options(synchronize_session=False))

    def take(self, row_id: int, *, override: bool = False) -> Taken | None:
        """Take a seat if one is free; with ``override``, raise a full limit by one and take that.
        None: no seat (full, and no override)."""
        for _ in range(ROUNDS):
            free = db.session.execute(
                self._update(row_id, or_(self.seats.is_(None), self.taken < self.seats))
                .values({self.taken: self.taken + 1, **self._counted, **self._unchanged}))
            if free.rowcount == 1:
                self._changed(row_id)
                return Taken()
            if not override:
                return None
            # SET uses the row's old values on both databases: seats and taken both become taken + 1.
            raised_to = db.session.execute(
                self._update(row_id, self.seats.is_not(None), self.taken >= self.seats)
                .values({self.seats: self.taken + 1, self.taken: self.taken + 1, **self._added, **self._counted,
                         **self._unchanged})
                .returning(self.seats)).scalar()
            if raised_to is not None:
                self._changed(row_id)
                return Taken(raised_to=raised_to)
            # A seat came free in between: take it the ordinary way on the next round.
        return None

    def release(self, row_id: int) -> None:
        released = db.session.execute(self._update(row_id, self.taken > 0).values({
            self.taken: self.taken - 1, **self._counted, **self._unchanged}))
        if released.rowcount:
            self._changed(row_id)


@dataclass(frozen=True)
class RaisedLimit:
    """A full limit that an organiser's override raised by one seat, for their message and the audit log:
    the event's seats of a mode (``what`` is the mode) or a discussion group's (its title and id)."""

    what: str
    seats: int  # the new limit
    group_id: int | None = None

    @property
    def seats_before(self) -> int:
        return self.seats - 1
