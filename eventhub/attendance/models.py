"""Attendance reports imported from the meeting platform (Microsoft Teams, Zoom).

One ``AttendanceImport`` per meeting: importing the same meeting's report again replaces it
(``meeting_key``), so minutes are never counted twice. Its ``ImportedParticipant`` rows are one
per person in the report (a person who joined twice is one row, their minutes summed), matched to
a registration by email or by an organiser's hand. They are personal data: the person's data
download holds them, and erasure and the event's retention rule wipe them (eventhub.privacy).
"""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventhub.extensions import db
from eventhub.modes import sql_in
from eventhub.types import UTCDateTime, utcnow


class Platform(StrEnum):
    TEAMS = "teams"
    ZOOM = "zoom"


class MatchedBy(StrEnum):
    EMAIL = "email"  # the address in the report is the registration's
    HAND = "hand"  # an organiser chose the registration


class AttendanceImport(db.Model):
    __tablename__ = "attendance_import"
    __table_args__ = (
        # One import per meeting: a second import of it replaces the first.
        UniqueConstraint("event_id", "meeting_key", name="uq_attendance_import_meeting"),
        CheckConstraint(f"platform IN {sql_in(Platform)}", name="platform_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(8))
    # A hash of the meeting's identity as the report gives it (its id or title, and its start),
    # or of the file itself when the report names no meeting.
    meeting_key: Mapped[str] = mapped_column(String(64))
    meeting_title: Mapped[str] = mapped_column(String(300), default="")
    meeting_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    filename: Mapped[str] = mapped_column(String(255), default="")
    rows_read: Mapped[int] = mapped_column(Integer, default=0)  # the report's rows (a join each, or a person each)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    participants: Mapped[list[ImportedParticipant]] = relationship(
        back_populates="attendance_import", cascade="all, delete-orphan", passive_deletes=True,
        order_by="ImportedParticipant.position")
    imported_by: Mapped[User | None] = relationship("User")  # noqa: F821


class ImportedParticipant(db.Model):
    __tablename__ = "attendance_participant"
    __table_args__ = (
        CheckConstraint(f"matched_by IS NULL OR matched_by IN {sql_in(MatchedBy)}", name="matched_by_valid"),
        CheckConstraint("minutes >= 0 AND sessions >= 1", name="minutes_and_sessions_counted"),
        # The report and the attendee list read each registration's online minutes.
        Index("ix_attendance_participant_event_registration", "event_id", "registration_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("attendance_import.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)  # the order of the report
    name: Mapped[str] = mapped_column(String(200), default="")
    # Normalised (trimmed, lower case), as registrations keep theirs; "" when the report has none.
    email: Mapped[str] = mapped_column(String(254), default="")
    # Teams' "Participant ID (UPN)" when it is another address than the email: matched too.
    other_email: Mapped[str] = mapped_column(String(254), default="")
    role: Mapped[str] = mapped_column(String(40), default="")  # as the platform says: Organizer, Presenter, ...
    guest: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    first_join_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_leave_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    minutes: Mapped[int] = mapped_column(Integer, default=0)
    sessions: Mapped[int] = mapped_column(Integer, default=1)  # how many times they joined
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id", ondelete="SET NULL"), index=True)
    # How it was matched; read only with ``registration_id`` (a registration's deletion leaves it behind).
    matched_by: Mapped[str | None] = mapped_column(String(8))
    # Set when the name and addresses were wiped (erasure, retention); the minutes stay for the figures.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    attendance_import: Mapped[AttendanceImport] = relationship(back_populates="participants")
    registration: Mapped[Registration | None] = relationship()  # noqa: F821
