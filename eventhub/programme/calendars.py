"""Calendars (RFC 5545) for the event, its programme and each attendee's own programme.

UIDs are stable per event and item (they hold the event's ``calendar_uid``, never the host the
app is served from), SEQUENCE follows the event's and the item's revision, deleted items stay in
feeds as STATUS:CANCELLED, and every time carries the event's TZID with a VTIMEZONE that is the
same in every file (``eventhub.vtimezone``). Subscribed feeds say how often to look again
(REFRESH-INTERVAL, X-PUBLISHED-TTL). METHOD:PUBLISH, which needs an ORGANIZER (RFC 5546), is
written only where the event has a contact address to name. Public calendars never contain join
links; only the personal feed links to the attendee's own join page. The few words a calendar
adds of its own are in the current language (the person's, for their feed and emails); the
organiser's texts stay as written.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import get_locale
from flask_babel import gettext as _
from icalendar import Calendar, vCalAddress, vText
from icalendar import Event as VEvent
from sqlalchemy import select

from eventhub.caching import LRU
from eventhub.events.models import Event
from eventhub.extensions import db
from eventhub.modes import Audience, Mode
from eventhub.programme import services as programme
from eventhub.programme.models import CancelledProgrammeItem, ProgrammeItem
from eventhub.types import utcnow
from eventhub.vtimezone import vtimezone

PRODID = "-//EventHub//EventHub calendar//SV"
DEFAULT_ITEM_LENGTH = timedelta(minutes=15)  # items printed with a start only ("16.00 Avrundning")
FEED_REFRESH = timedelta(hours=1)  # how often a subscribed programme is fetched again
UID_DOMAIN = "eventhub"  # UIDs must not change with the address the app is served from


@dataclass(frozen=True)
class Links:
    """Absolute URLs the calendar points at; built by the caller, which knows the host."""

    event_url: str
    personal_url: str | None = None
    join_url: str | None = None


def links_for(event: Event, base_url: str, token: str | None = None, has_join_page: bool = False,
              language: str | None = None) -> Links:
    """The absolute addresses a calendar for this event points at, in ``language`` when given."""
    base = base_url.rstrip("/")
    query = f"?lang={language}" if language else ""
    personal = f"{base}/r/{token}" if token else None
    return Links(event_url=f"{base}/events/{event.slug}{query}",
                 personal_url=f"{personal}{query}" if personal else None,
                 join_url=f"{personal}/join{query}" if personal and has_join_page else None)


def _calendar(event: Event, name: str, feed: bool = False) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if event.contact_email:
        cal.add("method", "PUBLISH")
    # Not a property icalendar knows as text, so it would not escape a line break in a title itself.
    cal.add("x-wr-calname", vText(name))
    cal.add("x-wr-timezone", event.timezone)
    if feed:
        cal.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", FEED_REFRESH)
    cal.add_component(vtimezone(event.timezone))
    return cal


def _uid(event: Event, item_id: int | None = None) -> str:
    return f"{'event' if item_id is None else f'item-{item_id}'}-{event.calendar_uid}@{UID_DOMAIN}"


def _organiser(vevent: VEvent, event: Event) -> None:
    """The event's contact, whom METHOD:PUBLISH needs (RFC 5546 3.2.1)."""
    if event.contact_email:
        address = vCalAddress(f"mailto:{event.contact_email}")
        name = event.contact_name or event.organiser_name
        if name:
            address.params["cn"] = name
        vevent.add("organizer", address)


def _add_location(vevent: VEvent, location: str | None) -> None:
    if location:  # an empty LOCATION makes some clients show a blank place line
        vevent.add("location", location)


def _local(moment: datetime, event: Event) -> datetime:
    """The time in the event's zone with its TZID, or in UTC where the wall clock is ambiguous.

    The hour after summer time ends happens twice, and RFC 5545 reads such a local time
    as the first one; a time in the second must be written in UTC to mean what it says.
    """
    local = moment.astimezone(ZoneInfo(event.timezone))
    if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        return moment.astimezone(UTC)
    return local




def _location(event: Event, audience: str, room: str | None = None, viewer: Mode | None = None) -> str:
    """Where the item happens for this viewer: the room, the stream, or both for everyone."""
    parts = []
    if audience != Audience.DIGITAL and viewer != Mode.DIGITAL and event.venue_name:
        parts.append(", ".join(filter(None, [room, event.venue_name, event.venue_address])))
    if audience != Audience.ON_SITE and viewer != Mode.ON_SITE and Mode.DIGITAL in event.modes:
        parts.append(event.platform_name or _("Digital"))
    return " / ".join(parts)


def _stamp(vevent: VEvent, modified: datetime, sequence: int) -> None:
    vevent.add("dtstamp", utcnow())
    vevent.add("last-modified", modified)
    vevent.add("sequence", sequence)


def _event_sequence(event: Event) -> int:
    return event.revision


def event_calendar(event: Event, links: Links) -> bytes:
    cal = _calendar(event, event.title)
    cal.add_component(_event_vevent(event, links))
    return cal.to_ical()


def organiser_calendar(name: str, events: list[Event], links_of) -> bytes:
    """An organiser's public events as one subscribed feed; ``links_of(event)`` gives each one's Links.
    Without METHOD: the events have different contacts, and a feed is not a scheduling message."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", vText(name))
    cal.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", FEED_REFRESH)
    for zone in sorted({event.timezone for event in events}):
        cal.add_component(vtimezone(zone))
    for event in events:
        cal.add_component(_event_vevent(event, links_of(event)))
    return cal.to_ical()


def _event_vevent(event: Event, links: Links) -> VEvent:
    vevent = VEvent()
    vevent.add("uid", _uid(event))
    vevent.add("summary", event.title)
    vevent.add("dtstart", _local(event.starts_at, event))
    vevent.add("dtend", _local(event.ends_at, event))
    vevent.add("description", "\n\n".join(filter(None, [event.summary, links.event_url])))
    _add_location(vevent, _location(event, Audience.EVERYONE))
    vevent.add("url", links.event_url)
    vevent.add("status", "CANCELLED" if event.is_cancelled else "CONFIRMED")
    _organiser(vevent, event)
    _stamp(vevent, event.updated_at, _event_sequence(event))
    return vevent


_mail_calendars: LRU[bytes] = LRU(256)


def event_calendar_for_mail(event: Event, links: Links) -> bytes:
    """The event's calendar as registration emails attach it: the same file for every email of one
    version of the event, drawn once per process and hour (the registration rush would otherwise
    draw it a hundred times over while holding the seat lock). ``Event.updated_at`` changes with
    every change to the event, so a change draws it afresh; DTSTAMP is at most an hour old.
    """
    key = (event.id, event.updated_at, links, str(get_locale()), utcnow().replace(minute=0, second=0, microsecond=0))
    cached = _mail_calendars.get(key)
    if cached is None:
        cached = event_calendar(event, links)
        _mail_calendars.put(key, cached)
    return cached


def _item_description(item: ProgrammeItem, extra: list[str]) -> str:
    lines = []
    for part in item.speakers:
        person = part.person
        lines.append(", ".join(filter(None, [person.name, person.title, person.organisation])))
    if item.description:
        lines.append(item.description)
    return "\n".join(lines + extra)


def _item_vevent(event: Event, item: ProgrammeItem, links: Links, extra: list[str] | None = None,
                 location: str | None = None, viewer: Mode | None = None) -> VEvent:
    vevent = VEvent()
    vevent.add("uid", _uid(event, item.id))
    vevent.add("summary", item.title)
    vevent.add("dtstart", _local(item.starts_at, event))
    vevent.add("dtend", _local(item.ends_at or item.starts_at + DEFAULT_ITEM_LENGTH, event))
    vevent.add("description", _item_description(item, (extra or []) + [links.event_url]))
    _add_location(vevent, location or _location(event, item.audience, item.location, viewer))
    vevent.add("url", links.event_url)
    vevent.add("status", "CANCELLED" if event.is_cancelled else "CONFIRMED")
    vevent.add("categories", [item.kind])
    _organiser(vevent, event)
    _stamp(vevent, item.updated_at, item.revision)
    return vevent


def _cancelled_vevents(event: Event, audiences, links: Links) -> list[VEvent]:
    rows = db.session.scalars(select(CancelledProgrammeItem).where(CancelledProgrammeItem.event_id == event.id))
    result = []
    for row in rows:
        if row.audience not in audiences:
            continue
        vevent = VEvent()
        vevent.add("uid", _uid(event, row.item_id))
        vevent.add("summary", row.title)
        vevent.add("dtstart", _local(row.starts_at, event))
        vevent.add("dtend", _local(row.ends_at or row.starts_at + DEFAULT_ITEM_LENGTH, event))
        vevent.add("status", "CANCELLED")
        _organiser(vevent, event)
        _stamp(vevent, row.cancelled_at, row.revision)
        result.append(vevent)
    return result


def programme_calendar(event: Event, viewer: Mode | None, links: Links) -> bytes:
    """One VEVENT per programme item the viewer sees (the whole programme without a viewer)."""
    cal = _calendar(event, event.title, feed=True)
    items = programme.items_for(event, viewer)
    for item in items:
        cal.add_component(_item_vevent(event, item, links, viewer=viewer))
    for vevent in _cancelled_vevents(event, programme.visible_audiences(event, viewer), links):
        cal.add_component(vevent)
    return cal.to_ical()


def personal_calendar(event: Event, mode: Mode, memberships: dict, links: Links) -> bytes:
    """The attendee's own programme: their mode's items and, in group sessions, their own group."""
    cal = _calendar(event, event.title, feed=True)
    items = programme.items_for(event, mode)
    for item in items:
        extra, location = [], None
        membership = memberships.get(item.id)
        if membership is not None:
            group = membership.group
            extra.append(f"{group.title}" + (f" ({group.place})" if group.place else ""))
            if group.place:
                location = ", ".join(filter(None, [group.place, event.venue_name]))
        if mode == Mode.DIGITAL and item.audience != Audience.ON_SITE and links.join_url:
            extra.append(_("Join with your personal link: %(url)s", url=links.join_url))
        if links.personal_url:
            extra.append(_("Your registration: %(url)s", url=links.personal_url))
        cal.add_component(_item_vevent(event, item, links, extra, location, viewer=mode))
    for vevent in _cancelled_vevents(event, programme.visible_audiences(event, mode), links):
        cal.add_component(vevent)
    return cal.to_ical()
