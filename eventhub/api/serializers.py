"""The public JSON, built as the shapes in ``schemas``. Join URLs never appear here: this is for embedding
on public sites. Organiser text in Markdown comes twice: as written, and as the sanitised HTML the
event page shows (``text.render_markdown``, the one sanitiser)."""
from __future__ import annotations

from flask import url_for

from eventhub.api import schemas
from eventhub.events.models import Event
from eventhub.i18n import iso_filter as iso
from eventhub.programme import services as programme
from eventhub.text import render_markdown


def _html(markdown: str | None) -> str:
    return str(render_markdown(markdown))


def _person(person) -> dict:
    return {"name": person.name, "title": person.title, "organisation": person.organisation}


def _summary_fields(event: Event) -> dict:
    tz = event.timezone
    return {
        "slug": event.slug,
        "title": event.title,
        "summary": event.summary,
        "language": event.language,
        "status": event.status,
        "format": event.format,
        "modes": [mode.value for mode in event.modes],
        "starts_at": iso(event.starts_at, tz),
        "ends_at": iso(event.ends_at, tz),
        "timezone": tz,
        "organiser": event.organiser_name,
        "venue": {"name": event.venue_name, "address": event.venue_address} if event.venue_name else None,
        "platform": event.platform_name,
        "recording_url": event.recording_url,
        "url": url_for("events.event_page", slug=event.slug, _external=True),
        "api_url": url_for("api.event_detail", slug=event.slug, _external=True),
    }


def event_summary(event: Event) -> schemas.EventSummary:
    return schemas.EventSummary(**_summary_fields(event))


def event_list(upcoming: list[Event], past: list[Event]) -> schemas.EventList:
    return schemas.EventList(upcoming=[event_summary(e) for e in upcoming], past=[event_summary(e) for e in past])


def _group(group) -> dict:
    return {
        "id": group.id,
        "title": group.title,
        "description": group.description,
        "description_html": _html(group.description),
        "mode": group.mode,
        "seats": group.seats,
        "place": group.place,
        "leaders": [_person(leader.person) for leader in group.leaders],
    }


def _item(item, tz: str) -> dict:
    return {
        "id": item.id,
        "starts_at": iso(item.starts_at, tz),
        "ends_at": iso(item.ends_at, tz) or None,
        "title": item.title,
        "description": item.description,
        "description_html": _html(item.description),
        "kind": item.kind,
        "audience": item.audience,
        "location": item.location,
        "speakers": [dict(_person(s.person), role=s.role) for s in item.speakers],
        "groups": [_group(group) for group in item.groups],
    }


def event_detail(event: Event) -> schemas.EventDetail:
    tz = event.timezone
    return schemas.EventDetail(
        **_summary_fields(event),
        description=event.description,
        description_html=_html(event.description),
        partners=[{"name": p.name, "url": p.url} for p in event.partners],
        contact={"name": event.contact_name, "email": event.contact_email} if event.contact_email else None,
        seats={mode.value: event.seats_for(mode) for mode in event.modes},
        registration={
            "opens_at": iso(event.registration_opens_at, tz) or None,
            "closes_at": iso(event.registration_closes_at, tz) or None,
        },
        materials=[
            {"kind": m.kind, "title": m.title, "format": m.file_format, "size_bytes": m.size_bytes,
             # A stored file is served by our own download route; a link points where the organiser said.
             "url": m.url or url_for("materials.download_material", slug=event.slug, material_id=m.id,
                                     _external=True)}
            for m in event.materials
        ],
        programme=[_item(item, tz) for item in programme.items_for(event, None)],
    )
