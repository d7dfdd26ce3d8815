"""An announcement an organiser sent on the live channel (eventhub.live.services decides who sees it)."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventhub.extensions import db
from eventhub.modes import sql_in
from eventhub.types import UTCDateTime, utcnow

TEXT_MAX = 280  # characters, per language: read at a glance on a phone


class AnnouncementAudience(StrEnum):
    """Who an announcement is for: everyone with a place, one way of taking part, or one group's members."""

    ALL = "all"
    ON_SITE = "on_site"
    DIGITAL = "digital"
    GROUP = "group"


class Announcement(db.Model):
    """A short message on the personal pages of everyone it is for, the moment it is sent; its id is
    the live channel's event id (a page that reconnects asks for those after the last it saw)."""

    __tablename__ = "announcement"
    __table_args__ = (
        CheckConstraint(f"audience IN {sql_in(AnnouncementAudience)}", name="audience_valid"),
        CheckConstraint(f"length(text_sv) BETWEEN 1 AND {TEXT_MAX} AND length(text_en) <= {TEXT_MAX}",
                        name="text_length"),
        CheckConstraint("(audience = 'group') = (group_id IS NOT NULL OR group_title <> '')", name="group_named"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    audience: Mapped[str] = mapped_column(String(16))
    # The group's members (audience "group"); None once the group is removed, its title kept for the list.
    group_id: Mapped[int | None] = mapped_column(ForeignKey("discussion_group.id", ondelete="SET NULL"), index=True)
    group_title: Mapped[str] = mapped_column(String(300), default="", server_default=text("''"))
    text_sv: Mapped[str] = mapped_column(String(TEXT_MAX))
    text_en: Mapped[str] = mapped_column(String(TEXT_MAX), default="", server_default=text("''"))
    by_email: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    recipient_count: Mapped[int] = mapped_column(Integer, default=0)  # on their pages
    emailed_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship("User")  # noqa: F821

    def text(self, language: str) -> str:
        """The words in ``language``; English readers get the Swedish when no English was written."""
        return (self.text_en.strip() or self.text_sv) if language == "en" else self.text_sv
