"""The privacy notice an event shows, and its version.

The notice is put together from the event (organiser, contact email), its privacy
settings (controller, contact, the organiser's own text, retention periods) and the
standard text in ``templates/privacy/_notice.html``. Its version is a hash of all of
that, so any change to what people read gives a new version, and consent records say
which one a person accepted. The standard text itself is versioned by hand:
bump ``STANDARD_TEXT_REVISION`` when its meaning changes.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, func, select

from eventhub.events.models import Event
from eventhub.privacy.models import DEFAULT_ANONYMISE_DAYS, DEFAULT_SPECIAL_DAYS, EventPrivacy

# 2: the meeting platform's attendance report; 3: the evaluation and event photos (how long photos are
# kept is a period of its own, in the notice's inputs); 4: the organiser's own registration questions
STANDARD_TEXT_REVISION = 4


@dataclass(frozen=True)
class Notice:
    controller: str  # empty: not named (the page then points to the event page)
    contact: str
    own_text: str  # the organiser's words on purpose and what is kept; empty: the standard text
    language: str  # of the organiser's words (the event's content language)
    special_days: int
    anonymise_days: int
    photo_days: int | None = None  # None: photos stay until the organisers delete them

    @property
    def standard(self) -> bool:
        return not self.own_text.strip()

    @property
    def version(self) -> str:
        """Ten hex digits that change whenever anything a reader sees changes."""
        payload = {**asdict(self), "standard_text_revision": STANDARD_TEXT_REVISION}
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:10]

    def special_deleted_on(self, ends_at: datetime) -> datetime:
        return ends_at + timedelta(days=self.special_days)

    def anonymised_on(self, ends_at: datetime) -> datetime:
        return ends_at + timedelta(days=self.anonymise_days)

    def photos_deleted_on(self, ends_at: datetime) -> datetime | None:
        return None if self.photo_days is None else ends_at + timedelta(days=self.photo_days)


def inputs_query(event_id: int) -> Select:
    """One row with everything a notice is made of (works on a Session and inside flush hooks)."""
    return (
        select(Event.organiser_name, Event.contact_email, Event.language, EventPrivacy.controller_name,
               EventPrivacy.controller_contact, EventPrivacy.notice_text,
               func.coalesce(EventPrivacy.special_retention_days, DEFAULT_SPECIAL_DAYS),
               func.coalesce(EventPrivacy.anonymise_after_days, DEFAULT_ANONYMISE_DAYS),
               EventPrivacy.photo_retention_days)
        .select_from(Event)
        .outerjoin(EventPrivacy, EventPrivacy.event_id == Event.id)
        .where(Event.id == event_id)
    )


def from_row(row) -> Notice:
    organiser, contact_email, language, controller, contact, own_text, special_days, anonymise_days, photo_days = row
    return Notice(controller=(controller or organiser or "").strip(), contact=(contact or contact_email or "").strip(),
                  own_text=(own_text or "").strip(), language=language or "sv", special_days=int(special_days),
                  anonymise_days=int(anonymise_days), photo_days=None if photo_days is None else int(photo_days))


def for_event(event: Event) -> Notice:
    settings = event.privacy
    return Notice(
        controller=((settings and settings.controller_name) or event.organiser_name or "").strip(),
        contact=((settings and settings.controller_contact) or event.contact_email or "").strip(),
        own_text=((settings and settings.notice_text) or "").strip(),
        language=event.language or "sv",
        special_days=settings.special_retention_days if settings else DEFAULT_SPECIAL_DAYS,
        anonymise_days=settings.anonymise_after_days if settings else DEFAULT_ANONYMISE_DAYS,
        photo_days=settings.photo_retention_days if settings else None,
    )
