"""How an event page describes itself to search engines and link previews: schema.org ``Event`` as
JSON-LD, and the text of the meta description and Open Graph tags.

The participation mode is the attendance mode (on site → offline, digital → online, both → mixed); a
digital event's location is a ``VirtualLocation`` at the public event page, never the join link. An
offer per mode says whether places are left, from the seat counters on the event row (no query).
"""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from eventhub.events.models import Event
from eventhub.modes import Mode
from eventhub.text import plain_text

SCHEMA = "https://schema.org/"
ATTENDANCE_MODE = {
    (Mode.ON_SITE,): "OfflineEventAttendanceMode",
    (Mode.DIGITAL,): "OnlineEventAttendanceMode",
}
DESCRIPTION_LENGTH = 300
FEW_PLACES = 5


def description(event: Event) -> str:
    """One paragraph for the meta description and previews: the summary, else the description's start."""
    text = event.summary or plain_text(event.description or "")
    if len(text) <= DESCRIPTION_LENGTH:
        return text
    return text[:DESCRIPTION_LENGTH].rsplit(" ", 1)[0] + "…"


def _local(event: Event, moment: datetime) -> str:
    """In the event's own zone with its offset, as the page prints it."""
    return moment.astimezone(ZoneInfo(event.timezone)).isoformat()


def _status(event: Event) -> str:
    if event.is_cancelled:
        return "EventCancelled"
    return "EventRescheduled" if event.previous_starts_at else "EventScheduled"


def _availability(event: Event, mode: Mode, registration_state: str) -> str:
    if registration_state in ("cancelled", "past"):
        return "Discontinued"
    if registration_state == "not_open_yet":
        return "PreOrder"
    left = event.seats_left(mode)
    if registration_state == "closed" or left == 0:
        return "SoldOut"  # a full mode still takes people on its waitlist; the page says so
    return "LimitedAvailability" if left is not None and left <= FEW_PLACES else "InStock"


def availability(event: Event, registration_state: str) -> tuple[str, ...]:
    """Each offer's availability, in the order of the event's modes (what the JSON-LD says of seats)."""
    return tuple(_availability(event, mode, registration_state) for mode in event.modes)


def event_json_ld(event: Event, url: str, mode_names: dict[Mode, str], registration_state: str,
                  images: list[str] | None = None) -> dict:
    """The JSON-LD object of the event page at ``url``; ``mode_names`` names each offer in the page's
    language; ``registration_state`` is registration.services.registration_state now; ``images`` the
    addresses of the photos its documentation shows once it is over."""
    data: dict = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "url": url,
        "startDate": _local(event, event.starts_at),
        "endDate": _local(event, event.ends_at),
        "eventAttendanceMode": SCHEMA + ATTENDANCE_MODE.get(event.modes, "MixedEventAttendanceMode"),
        "eventStatus": SCHEMA + _status(event),
        "inLanguage": event.language,
    }
    if text := description(event):
        data["description"] = text
    if images:
        data["image"] = images
    if event.previous_starts_at and not event.is_cancelled:
        data["previousStartDate"] = _local(event, event.previous_starts_at)
    places = []
    if Mode.ON_SITE in event.modes and event.venue_name:
        place: dict = {"@type": "Place", "name": event.venue_name}
        if event.venue_address:
            place["address"] = {"@type": "PostalAddress", "streetAddress": event.venue_address}
        places.append(place)
    if Mode.DIGITAL in event.modes:
        virtual: dict = {"@type": "VirtualLocation", "url": url}
        if event.platform_name:
            virtual["name"] = event.platform_name
        places.append(virtual)
    if places:
        data["location"] = places[0] if len(places) == 1 else places
    organiser = event.organiser_name or event.contact_name
    if organiser:
        data["organizer"] = {"@type": "Organization", "name": organiser, "url": url}
    data["offers"] = [{
        "@type": "Offer", "name": mode_names[mode], "url": url, "price": 0, "priceCurrency": "SEK",
        "availability": SCHEMA + _availability(event, mode, registration_state),
        **({"validFrom": _local(event, event.registration_opens_at)} if event.registration_opens_at else {}),
    } for mode in event.modes]
    return data
