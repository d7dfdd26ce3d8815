"""The documentation page: the organiser's summary, the groups' key points, photos, the recording and
slides, as the public sees them once the event is over (``page``) and as organisers keep them.

Who may see it: everyone once a public event is over (as its material, ``materials.services.is_public``);
its organisers always (they prepare it before and look at it in the preview).

Photos are the organiser's content, published like the recording: they are kept until the organiser
deletes them (or the event), not by the retention periods of registrations, which are about people's
answers (``privacy.retention``). No photo is tied to a registration, so none is in a person's data
download. What the organiser has to check before publishing one, the photo consents, is listed beside
the upload (``photo_consents``); docs/architecture.md says so too.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import contains_eager, selectinload

from eventhub.audit import services as audit
from eventhub.database import commit, forget_on_disk
from eventhub.documentation import photos as photo_files
from eventhub.documentation.models import EventDocumentation, EventPhoto, PhotoChunk, PhotoSize
from eventhub.events.models import Event
from eventhub.events.services import is_past
from eventhub.extensions import db
from eventhub.groups import leaders
from eventhub.groups.models import DiscussionGroup, GroupKeyPoints, GroupLeader
from eventhub.materials.models import CHUNK_BYTES
from eventhub.programme.models import ProgrammeItem
from eventhub.registration.models import Registration, RegistrationStatus
from eventhub.text import swedish_sort_key


class DocumentationError(Exception):
    pass


class PhotoNotFound(DocumentationError):
    pass


class CannotMove(DocumentationError):
    """The first photo cannot go up, nor the last down."""


class MissingAltText(DocumentationError):
    """A photo needs a text for those who cannot see it, in the event's language."""

    def __init__(self, language: str):
        super().__init__(language)
        self.language = language


def is_public(event: Event, now: datetime) -> bool:
    """The documentation is for everyone once a public event is over; before that for its organisers only."""
    return event.is_public and is_past(event, now)


# --- the page --------------------------------------------------------------------------------

@dataclass(frozen=True)
class GroupPoints:
    group: DiscussionGroup
    key_points: GroupKeyPoints


@dataclass(frozen=True)
class Page:
    summary: str
    groups: list[GroupPoints]
    photos: list[EventPhoto]
    sessions: int  # how many group sessions the groups with key points come from

    @property
    def has_content(self) -> bool:
        return bool(self.summary or self.groups or self.photos)


def page(event: Event) -> Page:
    """What the documentation page shows of the event (besides its recording and material, which the
    event row brings): four queries, however many groups and photos."""
    documentation = db.session.get(EventDocumentation, event.id)
    written = list(db.session.execute(
        select(DiscussionGroup, GroupKeyPoints)
        .join(GroupKeyPoints, GroupKeyPoints.group_id == DiscussionGroup.id)
        .join(ProgrammeItem, ProgrammeItem.id == DiscussionGroup.item_id)
        .options(contains_eager(DiscussionGroup.item),
                 selectinload(DiscussionGroup.leaders).joinedload(GroupLeader.person))
        .where(ProgrammeItem.event_id == event.id, GroupKeyPoints.text != "")
        .order_by(ProgrammeItem.starts_at, ProgrammeItem.position, DiscussionGroup.mode.desc(),
                  DiscussionGroup.position, DiscussionGroup.id)
    ).all())
    groups = [GroupPoints(group, points) for group, points in written]
    return Page(summary=documentation.summary if documentation else "", groups=groups,
                photos=photos_of(event.id), sessions=len({point.group.item_id for point in groups}))


def page_after(event: Event) -> Page | None:
    """The documentation the event page shows once the event is over; None when it has nothing to show
    (no summary, key points, photos, recording or material), so the page stays as it was, and for a
    cancelled event, which did not take place."""
    if event.is_cancelled:
        return None
    shown = page(event)
    return shown if shown.has_content or event.recording_url or event.materials else None


# --- the summary -----------------------------------------------------------------------------

def summary_of(event_id: int) -> str:
    documentation = db.session.get(EventDocumentation, event_id)
    return documentation.summary if documentation else ""


def save_summary(event_id: int, summary: str, actor_id: int) -> EventDocumentation:
    summary = (summary or "").strip()
    documentation = db.session.get(EventDocumentation, event_id)
    if documentation is None:
        documentation = EventDocumentation(event_id=event_id, summary="")
        db.session.add(documentation)
    if documentation.summary != summary:
        documentation.summary = summary
        audit.record(actor_id, "documentation.summary_saved", "", event_id=event_id)
    commit()
    return documentation


# --- the groups, as the organiser sees them ------------------------------------------------------

@dataclass(frozen=True)
class GroupState:
    group: DiscussionGroup
    key_points: GroupKeyPoints | None
    has_link: bool


def groups_of(event_id: int) -> list[GroupState]:
    """Every discussion group of the event in programme order, with its key points and whether its
    leader has a link: three queries."""
    groups = list(db.session.scalars(
        select(DiscussionGroup).join(ProgrammeItem, ProgrammeItem.id == DiscussionGroup.item_id)
        .options(contains_eager(DiscussionGroup.item),
                 selectinload(DiscussionGroup.leaders).joinedload(GroupLeader.person))
        .where(ProgrammeItem.event_id == event_id)
        .order_by(ProgrammeItem.starts_at, ProgrammeItem.position, DiscussionGroup.mode.desc(),
                  DiscussionGroup.position, DiscussionGroup.id)))
    ids = [group.id for group in groups]
    points, links = leaders.key_points_of_groups(ids), leaders.links_of(ids)
    return [GroupState(group, points.get(group.id), group.id in links) for group in groups]


def group_of(event_id: int, group_id: int) -> DiscussionGroup:
    group = db.session.scalar(
        select(DiscussionGroup).join(ProgrammeItem, ProgrammeItem.id == DiscussionGroup.item_id)
        .options(contains_eager(DiscussionGroup.item))
        .where(DiscussionGroup.id == group_id, ProgrammeItem.event_id == event_id))
    if group is None:
        raise leaders.GroupNotFound(group_id)
    return group


# --- photos ----------------------------------------------------------------------------------

def photos_of(event_id: int) -> list[EventPhoto]:
    return list(db.session.scalars(
        select(EventPhoto).where(EventPhoto.event_id == event_id).order_by(EventPhoto.position, EventPhoto.id)))


def photo_of(slug: str, photo_id: int) -> EventPhoto | None:
    """The photo, if it belongs to the event with this address (with its event)."""
    return db.session.scalar(select(EventPhoto).join(Event).options(contains_eager(EventPhoto.event))
                             .where(Event.slug == slug, EventPhoto.id == photo_id))


def _photo(event_id: int, photo_id: int) -> EventPhoto:
    photo = db.session.get(EventPhoto, photo_id)
    if photo is None or photo.event_id != event_id:
        raise PhotoNotFound(photo_id)
    return photo


def _alt_texts(event: Event, alt_sv: str, alt_en: str) -> tuple[str, str]:
    alt_sv, alt_en = (alt_sv or "").strip(), (alt_en or "").strip()
    if not (alt_en if event.language == "en" else alt_sv):
        raise MissingAltText("en" if event.language == "en" else "sv")
    return alt_sv, alt_en


def store_photo(event_id: int, stream, filename: str | None, alt_sv: str, alt_en: str, caption: str,
                actor_id: int, max_bytes: int, now: datetime) -> EventPhoto:
    """Check an uploaded photo and keep its two sizes, metadata left out; nothing stays on failure."""
    event = db.session.get(Event, event_id)
    alt_sv, alt_en = _alt_texts(event, alt_sv, alt_en)
    clean = photo_files.clean_photo(stream, filename, max_bytes)
    try:
        photo = EventPhoto(
            event_id=event_id, stored_name=secrets.token_hex(16), format=clean.format,
            width=clean.large.width, height=clean.large.height, size_bytes=len(clean.large.data),
            small_width=clean.small.width, small_height=clean.small.height, small_size_bytes=len(clean.small.data),
            alt_sv=alt_sv, alt_en=alt_en, caption=(caption or "").strip(), position=_next_position(event_id),
            uploaded_at=now)
        db.session.add(photo)
        db.session.flush()
        _write_chunks(photo.id, PhotoSize.LARGE, clean.large.data)
        _write_chunks(photo.id, PhotoSize.SMALL, clean.small.data)
        audit.record(actor_id, "documentation.photo_uploaded", photo.alt_sv or photo.alt_en, event_id=event_id,
                     photo_id=photo.id, title=(alt_sv or alt_en)[:80], size_bytes=photo.size_bytes)
        commit()
        return photo
    except BaseException:
        db.session.rollback()
        raise


def _next_position(event_id: int) -> int:
    return (db.session.scalar(select(func.max(EventPhoto.position)).where(EventPhoto.event_id == event_id))
            or 0) + 1


def _write_chunks(photo_id: int, size: str, data: bytes) -> None:
    for number, start in enumerate(range(0, len(data), CHUNK_BYTES)):
        db.session.add(PhotoChunk(photo_id=photo_id, size=size, number=number, data=data[start:start + CHUNK_BYTES]))
    db.session.flush()


def photo_bytes(photo: EventPhoto, size: str) -> bytes | None:
    """The photo in that size, or None if its bytes are not kept."""
    pieces = db.session.scalars(select(PhotoChunk.data).where(PhotoChunk.photo_id == photo.id, PhotoChunk.size == size)
                                .order_by(PhotoChunk.number)).all()
    return b"".join(pieces) if pieces else None


def update_photo(event_id: int, photo_id: int, alt_sv: str, alt_en: str, caption: str, actor_id: int) -> EventPhoto:
    photo = _photo(event_id, photo_id)
    photo.alt_sv, photo.alt_en = _alt_texts(photo.event, alt_sv, alt_en)
    photo.caption = (caption or "").strip()
    audit.record(actor_id, "documentation.photo_described", photo.alt_sv or photo.alt_en, event_id=event_id,
                 photo_id=photo.id, title=(photo.alt_sv or photo.alt_en)[:80])
    commit()
    return photo


def move_photo(event_id: int, photo_id: int, direction: str, actor_id: int) -> EventPhoto:
    """One place earlier ("up") or later ("down") on the page."""
    photo = _photo(event_id, photo_id)
    order = photos_of(event_id)
    index = order.index(photo)
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other < len(order):
        raise CannotMove(photo_id)
    order[index], order[other] = order[other], order[index]
    for position, each in enumerate(order, start=1):
        each.position = position
    audit.record(actor_id, "documentation.photo_moved", photo.alt_sv or photo.alt_en, event_id=event_id,
                 photo_id=photo.id, title=(photo.alt_sv or photo.alt_en)[:80])
    commit()
    return photo


def remove_photo(event_id: int, photo_id: int, actor_id: int) -> None:
    photo = _photo(event_id, photo_id)
    title = (photo.alt_sv or photo.alt_en)[:80]
    db.session.execute(delete(PhotoChunk).where(PhotoChunk.photo_id == photo.id))
    db.session.delete(photo)
    audit.record(actor_id, "documentation.photo_deleted", title, event_id=event_id, title=title)
    commit()


def delete_photos(event_id: int) -> int:
    """Delete every photo of an event (its retention period is over); how many. The caller commits and
    writes the audit entry."""
    photos = photos_of(event_id)
    if photos:
        forget_on_disk(PhotoChunk.__tablename__, EventPhoto.__tablename__)
        db.session.execute(delete(PhotoChunk).where(PhotoChunk.photo_id.in_([photo.id for photo in photos])))
        for photo in photos:  # through the ORM: the event page's version goes up (programme.revisions)
            db.session.delete(photo)
    return len(photos)


def personal_data(event_id: int) -> list[dict]:
    """The event's published photos, for a data download: which ones a person may appear in (only
    with photo consent), each by its number and texts; no photo is tied to a person."""
    return [{"photo_id": photo.id, "alt_text_sv": photo.alt_sv, "alt_text_en": photo.alt_en,
             "caption": photo.caption, "published_at": photo.uploaded_at.isoformat()}
            for photo in photos_of(event_id)]


# --- photo consent -------------------------------------------------------------------------------

@dataclass(frozen=True)
class ConsentRow:
    name: str
    organisation: str
    mode: str
    checked_in: bool


@dataclass(frozen=True)
class PhotoConsents:
    agreed: list[ConsentRow]
    declined: list[ConsentRow]


def photo_consents(event_id: int) -> PhotoConsents:
    """Who with a place at the event agreed to appear in photos and who did not (their registrations'
    answers now, withdrawals included), by name. Anonymised registrations are no one's any more."""
    rows = db.session.execute(
        select(Registration.name, Registration.organisation, Registration.mode, Registration.checked_in_at,
               Registration.photo_consent)
        .where(Registration.event_id == event_id, Registration.status == RegistrationStatus.CONFIRMED,
               Registration.anonymised_at.is_(None))).all()
    people = sorted(rows, key=lambda row: swedish_sort_key(row.name))
    agreed = [ConsentRow(row.name, row.organisation, row.mode, row.checked_in_at is not None)
              for row in people if row.photo_consent]
    declined = [ConsentRow(row.name, row.organisation, row.mode, row.checked_in_at is not None)
                for row in people if not row.photo_consent]
    return PhotoConsents(agreed, declined)
