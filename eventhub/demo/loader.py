"""Load the demo events transcribed from the seed articles (events.json)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from eventhub.database import commit
from eventhub.documentation.models import EventDocumentation
from eventhub.events.models import Event, Partner
from eventhub.extensions import db
from eventhub.groups.models import DiscussionGroup, GroupKeyPoints, GroupLeader, KeyPointsAuthor
from eventhub.materials.models import EventMaterial
from eventhub.programme.models import ItemSpeaker, Person, ProgrammeItem
from eventhub.reminders import services as reminders
from eventhub.types import utcnow

DATA_FILE = Path(__file__).with_name("events.json")


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def read_data(path: Path = DATA_FILE) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def event_date(spec: str, today: date) -> date:
    """``next-MM-DD`` is the next such day from today (today included); otherwise an ISO date."""
    if spec.startswith("next-"):
        month, day = (int(part) for part in spec.removeprefix("next-").split("-"))
        candidate = date(today.year, month, day)
        return candidate if candidate >= today else date(today.year + 1, month, day)
    return date.fromisoformat(spec)


def _at(day: date, hhmm: str, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.fromisoformat(hhmm), tzinfo=zone)


def _person(people: dict, cache: dict[str, Person], key: str) -> Person:
    """One Person per name across all events: speakers are reused, never duplicated."""
    if key in cache:
        return cache[key]
    spec = people[key]
    person = db.session.scalar(select(Person).where(Person.name == spec["name"]).limit(1))
    if person is None:
        person = Person(name=spec["name"], title=spec["title"], organisation=spec["organisation"])
        db.session.add(person)
    cache[key] = person
    return person


def build_event(spec: dict, people: dict, cache: dict[str, Person], today: date) -> Event:
    zone = ZoneInfo(spec["timezone"])
    day = event_date(spec["date"], today)
    starts_at = _at(day, spec["start"], zone)
    event = Event(
        slug=spec["slug"],
        title=spec["title"],
        summary=spec.get("summary", ""),
        description=spec.get("description", ""),
        language=spec.get("language", "sv"),
        timezone=spec["timezone"],
        starts_at=starts_at,
        ends_at=_at(day, spec["end"], zone),
        format=spec["format"],
        status=spec["status"],
        organiser_name=spec.get("organiser", ""),
        venue_name=spec.get("venue_name"),
        venue_address=spec.get("venue_address"),
        platform_name=spec.get("platform_name"),
        join_url=spec.get("join_url"),
        platform_test_url=spec.get("platform_test_url"),
        directions=spec.get("directions", ""),
        on_site_seats=spec.get("on_site_seats"),
        digital_seats=spec.get("digital_seats"),
        registration_closes_at=starts_at if spec.get("registration_closes") == "start" else None,
        recording_url=spec.get("recording_url"),
        group_choice_open=spec.get("group_choice_open", False),
        on_site_may_join_digital_groups=spec.get("on_site_may_join_digital_groups", False),
    )
    event.partners = [
        Partner(name=p["name"], url=p.get("url"), position=i) for i, p in enumerate(spec.get("partners", []))
    ]
    event.materials = [
        EventMaterial(
            kind=m["kind"], title=m["title"], url=m.get("url"), file_format=m.get("file_format"),
            size_bytes=m.get("size_bytes"), position=i,
        )
        for i, m in enumerate(spec.get("materials", []))
    ]
    previous_start = None
    position = 0
    for item_spec in spec["programme"]:
        item_start = _at(day, item_spec["start"], zone)
        position = position + 1 if item_start == previous_start else 0
        previous_start = item_start
        item = ProgrammeItem(
            starts_at=item_start,
            ends_at=_at(day, item_spec["end"], zone) if item_spec.get("end") else None,
            title=item_spec["title"],
            description=item_spec.get("description", ""),
            kind=item_spec["kind"],
            audience=item_spec["audience"],
            location=item_spec.get("location"),
            position=position,
        )
        item.speakers = [
            ItemSpeaker(person=_person(people, cache, key), role=role, position=i)
            for i, (key, role) in enumerate(item_spec.get("speakers", []))
        ]
        item.groups = [
            DiscussionGroup(
                title=g["title"], description=g.get("description", ""), mode=g["mode"], seats=g.get("seats"),
                place=g.get("place"), join_url=g.get("join_url"), position=i,
                leaders=[
                    GroupLeader(person=_person(people, cache, key), position=j)
                    for j, key in enumerate(g["leaders"])
                ],
            )
            for i, g in enumerate(item_spec.get("groups", []))
        ]
        event.programme_items.append(item)
    return event


def add_documentation(event: Event, spec: dict) -> None:
    """The event's documentation page as the article reads afterwards: its summary, and the key points
    of the groups that have them (the caller commits; the event and its groups are flushed first)."""
    written = spec.get("documentation")
    if written:
        db.session.add(EventDocumentation(event_id=event.id, summary=written.get("summary", "")))
    for item, item_spec in zip(event.programme_items, spec["programme"], strict=True):
        for group, group_spec in zip(item.groups, item_spec.get("groups", []), strict=True):
            if group_spec.get("key_points"):
                db.session.add(GroupKeyPoints(group_id=group.id, text=group_spec["key_points"],
                                              written_by=KeyPointsAuthor.LEADER, updated_at=event.ends_at))


def load_demo(today: date, data: dict | None = None) -> LoadReport:
    """Create each demo event that does not exist yet; existing ones are left as they are.

    Running it twice changes nothing, and an organiser's edits to a demo event survive.
    """
    data = data or read_data()
    people = {p["key"]: p for p in data["people"]}
    existing = set(db.session.scalars(select(Event.slug)))
    cache: dict[str, Person] = {}
    report = LoadReport()
    for spec in data["events"]:
        if spec["slug"] in existing:
            report.skipped.append(spec["slug"])
            continue
        event = build_event(spec, people, cache, today)
        db.session.add(event)
        reminders.add_defaults(event, utcnow())
        db.session.flush()
        add_documentation(event, spec)
        report.created.append(spec["slug"])
    commit()
    return report


def database_is_empty() -> bool:
    return db.session.scalar(select(Event.id).limit(1)) is None


