"""The public API's shapes as pydantic models: what the serializers build and the OpenAPI document shows.

One source for both, so the document cannot drift from the answers. v1 is public: a field may be
added, never renamed, retyped or removed. Times are ISO 8601 strings with the event's own offset
(``2027-10-20T13:00:00+02:00``), written by the serializers, so they stay exactly as they were.
"""
from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from eventhub.events.models import EventFormat, EventStatus
from eventhub.materials.models import MaterialKind
from eventhub.modes import Audience, Mode
from eventhub.programme.models import ItemKind, SpeakerRole

LIMIT_MAX = 100

LocalTime = Annotated[str, WithJsonSchema(
    {"type": "string", "format": "date-time",
     "description": "ISO 8601 with the offset of the event's time zone at that moment"})]
Url = Annotated[str, WithJsonSchema({"type": "string", "format": "uri"})]
Markdown = Annotated[str, Field(description="The organiser's text as written, in Markdown")]
SafeHtml = Annotated[str, Field(
    description="The same text as HTML, sanitised: p, br, strong, em, b, i, a (href, title; http, https, "
                "mailto; rel=\"noopener noreferrer nofollow\"), ul, ol, li, blockquote, h3, h4, code, pre, hr. "
                "Nothing else: no scripts, styles, images or attributes beyond these. Empty when the text is.")]


class _Shape(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", use_enum_values=True)


class Person(_Shape):
    name: str
    title: str
    organisation: str


class Speaker(Person):
    role: SpeakerRole


class Venue(_Shape):
    name: str
    address: str | None


class Partner(_Shape):
    name: str
    url: Url | None


class Contact(_Shape):
    name: str | None
    email: str


class RegistrationWindow(_Shape):
    opens_at: LocalTime | None = Field(description="None: open since the event was published")
    closes_at: LocalTime | None = Field(description="None: open until the event starts")


class Material(_Shape):
    kind: MaterialKind
    title: str
    format: str | None
    size_bytes: int | None
    url: Url


class Group(_Shape):
    id: int
    title: str
    description: Markdown
    description_html: SafeHtml
    mode: Mode
    seats: int | None = Field(description="None: no limit")
    place: str | None
    leaders: list[Person]


class ProgrammeItem(_Shape):
    id: int
    starts_at: LocalTime
    ends_at: LocalTime | None
    title: str
    description: Markdown
    description_html: SafeHtml
    kind: ItemKind
    audience: Audience
    location: str | None
    speakers: list[Speaker]
    groups: list[Group]


class EventSummary(_Shape):
    slug: str
    title: str
    summary: str
    language: str = Field(description="The language the organiser wrote the event in (sv, en)")
    status: EventStatus = Field(description="published, or cancelled (kept listed so people find out)")
    format: EventFormat
    modes: list[Mode]
    starts_at: LocalTime
    ends_at: LocalTime
    timezone: str = Field(description="IANA time zone name, e.g. Europe/Stockholm")
    organiser: str
    venue: Venue | None
    platform: str | None
    recording_url: Url | None
    url: Url = Field(description="The event's public page")
    api_url: Url = Field(description="This event in the API, with its programme")


class EventDetail(EventSummary):
    description: Markdown
    description_html: SafeHtml
    partners: list[Partner]
    contact: Contact | None
    seats: dict[Mode, int | None] = Field(description="Seats per mode; None: no limit")
    registration: RegistrationWindow
    materials: list[Material]
    programme: list[ProgrammeItem] = Field(
        description="What the public sees, in order; a digital event leaves out what is for those on site")


class EventList(_Shape):
    upcoming: list[EventSummary] = Field(description="Soonest first; an event under way counts as upcoming")
    past: list[EventSummary] = Field(description="Latest first")


class EventListQuery(BaseModel):
    """The query parameters of the event list; any other parameter is ignored."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    organiser: str | None = Field(
        None, pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=80,  # as events.services.organiser_key writes it
        description="Only this organiser's events: the key in the organiser's page address "
                    "(/organisers/<key>), e.g. agenda-2030-i-vast")
    limit: int | None = Field(
        None, ge=1, le=LIMIT_MAX, strict=False,
        description=f"At most this many upcoming and this many past events (1 to {LIMIT_MAX})")


class InvalidParameter(_Shape):
    name: str = Field(description="The query parameter")
    detail: str = Field(description="What is wrong with it, in the language of the answer")


class Problem(_Shape):
    """An error, as RFC 9457 problem details (application/problem+json)."""

    model_config = ConfigDict(json_schema_extra={"description": "RFC 9457 problem details"})

    type: Url = Field(description="Identifies the kind of problem; it points to its description in this API")
    title: str = Field(description="A short summary of the kind of problem, in the language of the answer")
    status: int = Field(description="The HTTP status code")
    detail: str = Field(description="What happened this time, in the language of the answer")
    code: str = Field(description="A stable machine-readable code; program against this, not the texts")
    errors: list[InvalidParameter] | None = Field(
        None, description="For invalid_parameter: each parameter that was refused")


class ProblemType(_Shape):
    """What one kind of problem means."""

    type: Url
    code: str
    status: int
    title: str
    description: str
