from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventhub.extensions import db
from eventhub.modes import sql_in
from eventhub.types import UTCDateTime, utcnow


class Role(StrEnum):
    ADMIN = "admin"  # everything, manages accounts
    ORGANISER = "organiser"  # creates events, manages the events they own or are added to
    HOST = "host"  # check-in screens and door list for assigned events, nothing else


class StaffRole(StrEnum):
    ORGANISER = "organiser"
    HOST = "host"


class User(UserMixin, db.Model):
    __tablename__ = "user_account"
    __table_args__ = (CheckConstraint(f"role IN {sql_in(Role)}", name="role_valid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # normalised lower case
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(300))  # None until the invitation is used
    role: Mapped[str] = mapped_column(String(16), default=Role.ORGANISER)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Changing it logs out every session (password change, deactivation).
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


class EventStaff(db.Model):
    """Who works on an event: its organisers and door hosts."""

    __tablename__ = "event_staff"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id", name="uq_event_staff_event_user"),
        CheckConstraint(f"role IN {sql_in(StaffRole)}", name="role_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))

    user: Mapped[User] = relationship()


class AccountToken(db.Model):
    """A one-time link to set a password: an invitation or a reset. Only its hash is stored."""

    __tablename__ = "account_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(16))  # invitation or reset
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
