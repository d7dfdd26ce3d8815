"""Privacy settings per event and the record of what each person consented to."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from eventhub.events.models import Event
from eventhub.extensions import db
from eventhub.modes import sql_in
from eventhub.types import UTCDateTime, utcnow

DEFAULT_SPECIAL_DAYS = 30  # dietary and accessibility answers: deleted this many days after the event
DEFAULT_ANONYMISE_DAYS = 365  # registrations: anonymised this many days after the event
MAX_RETENTION_DAYS = 3650


class EventPrivacy(db.Model):
    """An event's privacy notice and retention periods. No row means the defaults."""

    __tablename__ = "event_privacy"
    __table_args__ = (
        CheckConstraint(f"special_retention_days BETWEEN 0 AND {MAX_RETENTION_DAYS}", name="special_days_sane"),
        CheckConstraint(f"anonymise_after_days BETWEEN 1 AND {MAX_RETENTION_DAYS}", name="anonymise_days_sane"),
        CheckConstraint("special_retention_days <= anonymise_after_days", name="special_before_anonymise"),
        CheckConstraint(f"photo_retention_days IS NULL OR photo_retention_days BETWEEN 1 AND {MAX_RETENTION_DAYS}",
                        name="photo_days_sane"),
    )

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), primary_key=True)
    # Who is responsible for the data, and how to reach them; empty: the organiser and contact email.
    controller_name: Mapped[str] = mapped_column(String(200), default="")
    controller_contact: Mapped[str] = mapped_column(String(300), default="")
    # The organiser's own words on purpose and what is kept (Markdown); empty: the standard text.
    notice_text: Mapped[str] = mapped_column(Text, default="")
    special_retention_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_SPECIAL_DAYS,
                                                        server_default=str(DEFAULT_SPECIAL_DAYS))
    anonymise_after_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_ANONYMISE_DAYS,
                                                      server_default=str(DEFAULT_ANONYMISE_DAYS))
    # The documentation page's photos (people may be recognisable in them): deleted this many days after
    # the event; None: kept on the page until the organisers delete them.
    photo_retention_days: Mapped[int | None] = mapped_column(Integer, nullable=True, default=None)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    # Event.privacy without touching the events module.
    event: Mapped[Event] = relationship(
        backref=backref("privacy", uselist=False, cascade="all, delete-orphan", passive_deletes=True))


class ConsentKind(StrEnum):
    PRIVACY_NOTICE = "privacy_notice"  # read and accepted the notice (the version says which text)
    SPECIAL_CATEGORY = "special_category"  # dietary and accessibility answers may be kept (Art. 9)
    PHOTO = "photo"  # may appear in photos from the event
    # the organisers' mailings about the event: withdrawn (granted False) when the person stops them
    MAILINGS = "mailings"


class ConsentRecord(db.Model):
    """One consent given or withdrawn: what, under which notice version, when. Never changed afterwards.

    Written by ORM hooks on Registration (eventhub.privacy.consents), so no way of registering
    or changing answers can forget it. Deleted with the registration's personal data.
    """

    __tablename__ = "consent_record"
    __table_args__ = (
        CheckConstraint(f"kind IN {sql_in(ConsentKind)}", name="kind_valid"),
        Index("ix_consent_record_registration_recorded", "registration_id", "recorded_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(24))
    granted: Mapped[bool] = mapped_column(Boolean)  # False: withdrawn
    notice_version: Mapped[str] = mapped_column(String(16))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
