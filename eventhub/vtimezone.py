"""The VTIMEZONE of a time zone (RFC 5545 3.6.5) as calendar clients expect it: the zone's current
rule as yearly RRULEs, the same text in every file we write.

Why not icalendar's ``add_missing_timezones``: it writes the transitions of the years asked for
only, under the shared TZID, so a long-running reader that keeps the first definition it saw of
``Europe/Stockholm`` (vobject does) misreads a file of another year; and it writes the start of
summer time in the new offset, an hour late (``DTSTART:20260329T030000`` where RFC 5545 wants the
local time before the change, ``02:00``). Here the definition depends on the zone alone: the
transitions since 2000 are read from zoneinfo, the yearly rule that holds from some year up to
2037 becomes an RRULE, anything irregular before it (or a zone with no yearly rule) is written
transition by transition.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

FIRST_YEAR = 2000  # nothing EventHub writes is older
LAST_YEAR = 2037  # zoneinfo's own data ends with 32-bit time; the rule goes on from there
MIN_RULED_YEARS = 3
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class Transition:
    at: datetime  # the local time before the change (naive), as an observance's DTSTART is written
    offset_from: timedelta
    offset_to: timedelta
    name: str
    is_daylight: bool

    @property
    def kind(self) -> tuple:
        """What stays the same from year to year in a yearly rule."""
        return (self.offset_from, self.offset_to, self.name, self.is_daylight, self.at.month,
                self.at.weekday(), self.at.time())

    def weekdays_in_month(self) -> set[str]:
        """The BYDAY values that name this day: '2SU' and, in the month's last week, '-1SU'."""
        day, weekday = self.at.day, _WEEKDAYS[self.at.weekday()]
        forms = {f"{(day - 1) // 7 + 1}{weekday}"}
        if day + 7 > calendar.monthrange(self.at.year, self.at.month)[1]:
            forms.add(f"-1{weekday}")
        return forms


def _offset_changes(zone: ZoneInfo) -> list[datetime]:
    """Every UTC instant in FIRST_YEAR..LAST_YEAR at which the zone's offset or name changes."""
    def state(moment: datetime):
        local = moment.astimezone(zone)
        return local.utcoffset(), local.tzname()

    moments = []
    moment, end = datetime(FIRST_YEAR, 1, 1, tzinfo=UTC), datetime(LAST_YEAR + 1, 1, 1, tzinfo=UTC)
    day = timedelta(days=1)
    while moment < end:
        if state(moment) != state(moment + day):
            low, high = moment, moment + day  # the change lies in (low, high]: halve down to the second
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                low, high = (middle, high) if state(middle) == state(low) else (low, middle)
            moments.append(high.replace(microsecond=0))
        moment += day
    return moments


def _transitions(zone: ZoneInfo) -> list[Transition]:
    result = []
    for moment in _offset_changes(zone):
        before, after = (moment - timedelta(seconds=1)).astimezone(zone), moment.astimezone(zone)
        result.append(Transition(at=(moment + before.utcoffset()).replace(tzinfo=None),
                                 offset_from=before.utcoffset(), offset_to=after.utcoffset(),
                                 name=after.tzname() or "", is_daylight=bool(after.dst())))
    return result


def _yearly_rules(transitions: list[Transition]) -> tuple[list[Transition], dict[tuple, tuple[Transition, str]]]:
    """Split into the irregular past and the rule that holds every year to LAST_YEAR: per kind of
    transition its first occurrence under the rule and its BYDAY."""
    by_year: dict[int, list[Transition]] = {}
    for transition in transitions:
        by_year.setdefault(transition.at.year, []).append(transition)
    last = by_year.get(LAST_YEAR, [])
    kinds = [t.kind for t in last]
    if not last or len(set(kinds)) != len(kinds):
        return transitions, {}
    forms = {t.kind: t.weekdays_in_month() for t in last}
    first_ruled = LAST_YEAR
    for year in range(LAST_YEAR - 1, FIRST_YEAR - 1, -1):
        this_year = by_year.get(year, [])
        if sorted(t.kind for t in this_year) != sorted(kinds):
            break
        narrowed = {t.kind: forms[t.kind] & t.weekdays_in_month() for t in this_year}
        if not all(narrowed.values()):
            break
        forms, first_ruled = narrowed, year
    if first_ruled > LAST_YEAR - MIN_RULED_YEARS + 1:
        return transitions, {}  # a pattern of a year or two is no rule (Morocco's Ramadan changes)
    rules = {t.kind: (t, sorted(forms[t.kind])[0]) for t in by_year[first_ruled]}
    return [t for t in transitions if t.at.year < first_ruled], rules


def _observance(transition: Transition):
    observance = TimezoneDaylight() if transition.is_daylight else TimezoneStandard()
    observance.add("dtstart", transition.at)
    observance.add("tzoffsetfrom", transition.offset_from)
    observance.add("tzoffsetto", transition.offset_to)
    observance.add("tzname", transition.name)
    return observance


@cache
def _definition(tzid: str) -> bytes:
    zone = ZoneInfo(tzid)
    irregular, rules = _yearly_rules(_transitions(zone))
    timezone = Timezone()
    timezone.add("tzid", tzid)
    if not rules:
        # The offset in force when FIRST_YEAR begins: readers differ on times before the first
        # observance (vobject takes the other side of it), and a zone without changes needs one.
        start = datetime(FIRST_YEAR, 1, 1, tzinfo=UTC).astimezone(zone)
        timezone.add_component(_observance(Transition(
            at=datetime(FIRST_YEAR, 1, 1), offset_from=start.utcoffset(), offset_to=start.utcoffset(),
            name=start.tzname() or "", is_daylight=bool(start.dst()))))
    for transition in irregular:
        timezone.add_component(_observance(transition))
    for transition, byday in rules.values():
        observance = _observance(transition)
        observance.add("rrule", {"freq": "yearly", "bymonth": transition.at.month, "byday": byday})
        timezone.add_component(observance)
    return timezone.to_ical()


def vtimezone(tzid: str) -> Timezone:
    """A fresh VTIMEZONE component for ``tzid`` (an IANA zone), the same for every calendar."""
    return Timezone.from_ical(_definition(tzid))
