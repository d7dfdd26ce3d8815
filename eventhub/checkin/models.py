from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventhub.extensions import db
from eventhub.modes import sql_in
from eventhub.types import UTCDateTime, utcnow


class Method(StrEnum):
    QR = "qr"  # camera or a USB/Bluetooth scanner
    CODE = "code"  # the short code typed by the host
    SEARCH = "search"  # found by name
    WALK_IN = "walk_in"


class Outcome(StrEnum):
    CHECKED_IN = "checked_in"
    DUPLICATE = "duplicate"  # the ticket was already checked in: kept, and reported


class CheckIn(db.Model):
    """One check-in at the door, as the host's device made it (perhaps offline, synced later).

    The client-made ``nonce`` makes every check-in count once however often it is sent.
    Registration.checked_in_at is the single flag a conditional UPDATE sets; these rows
    are the record of who did what, including duplicates from two offline phones.
    """

    __tablename__ = "check_in"
    __table_args__ = (
        CheckConstraint(f"method IN {sql_in(Method)}", name="method_valid"),
        CheckConstraint(f"outcome IN {sql_in(Outcome)}", name="outcome_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"), index=True)
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    method: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str] = mapped_column(String(16))
    offline: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime)  # when the host scanned, on their device
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # when the server got it
    host_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    host: Mapped[User | None] = relationship("User", foreign_keys=[host_id])  # noqa: F821
    registration: Mapped[Registration] = relationship()  # noqa: F821
