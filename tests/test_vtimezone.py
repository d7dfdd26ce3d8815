"""The VTIMEZONE we write says what zoneinfo says, read by icalendar and by vobject."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject

from eventhub import vtimezone as module
from eventhub.vtimezone import vtimezone

# Stockholm first; zones with rules in either hemisphere, by nth or last weekday, a half-hour DST, an
# abolished DST, irregular Ramadan changes, none at all.
ZONES = ["Europe/Stockholm", "Europe/London", "America/New_York", "America/Santiago", "Australia/Sydney",
         "Australia/Lord_Howe", "Pacific/Auckland", "Asia/Jerusalem", "Africa/Casablanca", "Europe/Moscow",
         "America/Sao_Paulo", "Asia/Tehran", "Asia/Tokyo", "Asia/Kolkata", "UTC"]


# vobject misplaces the very minute of two kinds of change (the hour around it: its reading, not our text;
# icalendar reads the same text right); there it is checked two hours either side.
VOBJECT_EDGE_QUIRKS = {"Africa/Casablanca": "summer time below standard time", "Europe/Moscow": "standard to standard"}


def instants(zone: ZoneInfo, margin: timedelta):
    """Both sides of every change (``margin`` away) and the middle of every month, from the first change
    the definition names (in 2000; nothing EventHub writes is older) to 2037."""
    changes = module._offset_changes(zone)
    yield from changes[:1]
    for moment in changes[1:]:
        yield moment - margin
        yield moment + margin - timedelta(minutes=1)
    since = changes[0] if changes else datetime(module.FIRST_YEAR, 1, 1, tzinfo=UTC)
    for year in range(module.FIRST_YEAR, module.LAST_YEAR + 1):
        for month in range(1, 13):
            if (middle := datetime(year, month, 15, 12, tzinfo=UTC)) > since:
                yield middle


def vobject_zone(text: str):
    calendar = vobject.readOne(f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{text}END:VCALENDAR\r\n")
    return calendar.vtimezone.gettzinfo()


@pytest.mark.parametrize("name", ZONES)
def test_vtimezone_offsets_match_zoneinfo_in_both_readers(name):
    zone = ZoneInfo(name)
    component = vtimezone(name)
    readers = {"icalendar": (component.to_tz(), timedelta(minutes=1)),
               "vobject": (vobject_zone(component.to_ical().decode()),
                           timedelta(hours=2) if name in VOBJECT_EDGE_QUIRKS else timedelta(minutes=1))}
    for reader, (tz, margin) in readers.items():
        for moment in instants(zone, margin):
            assert moment.astimezone(tz).utcoffset() == moment.astimezone(zone).utcoffset(), (reader, name, moment)


def test_summer_time_begins_at_the_local_time_before_the_change():
    """RFC 5545: an observance's DTSTART is the local time in TZOFFSETFROM; Stockholm goes from 02:00 CET."""
    daylight = vtimezone("Europe/Stockholm").walk("DAYLIGHT")[0]
    assert daylight.decoded("dtstart").time().hour == 2
    assert vtimezone("Europe/Stockholm").walk("STANDARD")[0].decoded("dtstart").time().hour == 3


def test_vtimezone_is_the_same_for_every_file_of_a_zone():
    """Readers that keep the first definition of a TZID (vobject) must not depend on which file came first."""
    first, second = vtimezone("Europe/Stockholm").to_ical(), vtimezone("Europe/Stockholm").to_ical()
    assert first == second
    assert len(icalendar.Timezone.from_ical(first).subcomponents) == 2  # the yearly rule, not a list of years
