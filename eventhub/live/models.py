"""An announcement an organiser sent on the live channel (eventhub.live.services decides who sees it), and the
questions to the speakers with their upvotes."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventhub.extensions import db
from eventhub.modes import Mode, sql_in
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


QUESTION_MAX = 280  # characters: a question read aloud in one breath


class QuestionState(StrEnum):
    """Where a question to the speakers is: waiting for the moderator, shown, refused, answered."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    ANSWERED = "answered"


class LiveQuestion(db.Model):
    """A question to an item's speakers, from a person with a place (on site or online), moderated before
    anyone else sees it. The asker is kept even when the question is anonymous (for the limits and for
    their own erasure); an anonymous question never shows their name to anyone."""

    __tablename__ = "live_question"
    __table_args__ = (
        CheckConstraint(f"state IN {sql_in(QuestionState)}", name="state_valid"),
        CheckConstraint(f"mode IN {sql_in(Mode)}", name="mode_valid"),
        CheckConstraint(f"length(text) BETWEEN 1 AND {QUESTION_MAX}", name="text_length"),
        CheckConstraint("votes >= 0", name="votes_not_negative"),
        CheckConstraint("merged_into_id IS NULL OR merged_into_id <> id", name="not_merged_into_itself"),
        CheckConstraint("NOT pinned OR (state = 'approved' AND merged_into_id IS NULL)", name="pinned_is_shown"),
        # At most one pinned question per event: the one on the presenter's screen.
        UniqueConstraint("registration_id", "source_question_id", name="sent_in_advance_once"),
        Index("uq_live_question_one_pinned", "event_id", unique=True,
              sqlite_where=text("pinned"), postgresql_where=text("pinned")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    # The item whose speakers it is for; None once the item is removed from the programme.
    item_id: Mapped[int | None] = mapped_column(ForeignKey("programme_item.id", ondelete="SET NULL"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"), index=True)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    mode: Mapped[str] = mapped_column(String(16))  # how the asker took part when they asked
    text: Mapped[str] = mapped_column(String(QUESTION_MAX))  # plain text, escaped wherever shown
    state: Mapped[str] = mapped_column(String(16), default=QuestionState.PENDING, index=True)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # A duplicate merged into another question: hidden, its votes and asker carried over.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("live_question.id", ondelete="SET NULL"),
                                                       index=True)
    votes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Sent in advance: the asker's answer to this registration question, marked "a question to the speakers"
    # (taken in once per person and question).
    source_question_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration_question.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # True for those sent in advance (kept when the registration answer goes: the origin stays known).
    in_advance: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class LiveQuestionVote(db.Model):
    """One person's upvote of one question (once: the database keeps it so)."""

    __tablename__ = "live_question_vote"
    __table_args__ = (UniqueConstraint("question_id", "registration_id", name="one_vote_per_person"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("live_question.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LiveSettings(db.Model):
    """An event's settings for the live event (a row only once an organiser changes one)."""

    __tablename__ = "live_settings"

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), primary_key=True)
    # Questions shown as soon as they are asked, without the moderator (off: moderation before display).
    auto_approve: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
