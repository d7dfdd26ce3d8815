"""The evaluation after an event (questions, one set of answers per person) and the follow-up email.

Anonymity is in what is stored: an anonymous evaluation's answers (``EvaluationResponse`` with no
``registration_id`` and no time) say only how the person took part and their sector, for the split
figures; whether someone has answered is kept apart (``EvaluationAnswered``), so each person answers
once without their answers pointing back to them. A response's id is random, so not even the order
of the rows says who answered when.
"""
from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventhub.extensions import db
from eventhub.modes import Audience, Mode, sql_in
from eventhub.registration.models import Sector
from eventhub.types import UTCDateTime, utcnow

QUESTION_TEXT_MAX = 300
ANSWER_TEXT_MAX = 2000
RATING_MIN, RATING_MAX = 1, 5
SUBJECT_MAX = 200
BODY_MAX = 10_000


class QuestionKind(StrEnum):
    RATING = "rating"  # 1 (very poor) to 5 (very good)
    TEXT = "text"  # free text


class StandardQuestion(StrEnum):
    """The questions an evaluation starts with; the organiser removes, adds and rewords them."""

    OVERALL = "overall"
    CONTENT = "content"
    ORGANISATION = "organisation"
    ON_SITE = "on_site"  # how it was to take part on site: asked only of people on site
    DIGITAL = "digital"  # ... digitally: asked only of digital participants
    CHANGE = "change"  # what to change next time (free text)


class FollowUpVariant(StrEnum):
    CAME = "came"  # checked in at the door or took part online (attendance.services)
    MISSED = "missed"  # had a place and did neither


def _random_id() -> str:
    return secrets.token_hex(16)


class Evaluation(db.Model):
    """An event's evaluation: whether it is anonymous and when it is open. No row: the event has none."""

    __tablename__ = "evaluation"
    __table_args__ = (CheckConstraint("closes_at > opens_at", name="closes_after_opening"),)

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), primary_key=True)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=True)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    questions: Mapped[list[EvaluationQuestion]] = relationship(
        back_populates="evaluation", order_by="[EvaluationQuestion.position, EvaluationQuestion.id]",
        cascade="all, delete-orphan")

    def is_open(self, now: datetime) -> bool:
        return self.opens_at <= now < self.closes_at


class EvaluationQuestion(db.Model):
    """One question, in Swedish and English (one of them may be empty: the other is shown instead)."""

    __tablename__ = "evaluation_question"
    __table_args__ = (
        CheckConstraint(f"kind IN {sql_in(QuestionKind)}", name="kind_valid"),
        CheckConstraint(f"audience IN {sql_in(Audience)}", name="audience_valid"),
        CheckConstraint(f"standard IS NULL OR standard IN {sql_in(StandardQuestion)}", name="standard_valid"),
        CheckConstraint("length(text_sv) > 0 OR length(text_en) > 0", name="has_text"),
        CheckConstraint(f"length(text_sv) <= {QUESTION_TEXT_MAX} AND length(text_en) <= {QUESTION_TEXT_MAX}",
                        name="text_length"),
        UniqueConstraint("event_id", "standard", name="uq_evaluation_question_standard"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("evaluation.event_id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(8))
    audience: Mapped[str] = mapped_column(String(16), default=Audience.EVERYONE)
    standard: Mapped[str | None] = mapped_column(String(16))  # the standard question it started as
    text_sv: Mapped[str] = mapped_column(String(QUESTION_TEXT_MAX), default="")
    text_en: Mapped[str] = mapped_column(String(QUESTION_TEXT_MAX), default="")

    evaluation: Mapped[Evaluation] = relationship(back_populates="questions")

    def text_in(self, language: str) -> tuple[str, str]:
        """The question in ``language``, or in the other one when it has none: (text, its language)."""
        own = self.text_en if language == "en" else self.text_sv
        if own:
            return own, language
        return (self.text_sv, "sv") if language == "en" else (self.text_en, "en")

    def asked_of(self, mode: str) -> bool:
        return self.audience in (Audience.EVERYONE, mode)

    @property
    def is_rating(self) -> bool:
        return self.kind == QuestionKind.RATING


class EvaluationResponse(db.Model):
    """One person's answers. Anonymous: no registration and no time, only mode and sector (for the split)."""

    __tablename__ = "evaluation_response"
    __table_args__ = (
        CheckConstraint(f"mode IN {sql_in(Mode)}", name="mode_valid"),
        CheckConstraint(f"sector IN {sql_in(Sector)}", name="sector_valid"),
        # Named answers say when; anonymous ones say nothing that could tell them apart.
        CheckConstraint("registration_id IS NOT NULL OR submitted_at IS NULL", name="anonymous_has_no_time"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=_random_id)
    event_id: Mapped[int] = mapped_column(ForeignKey("evaluation.event_id", ondelete="CASCADE"), index=True)
    # One named answer per registration; None when anonymous (or once the registration is anonymised).
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registration.id", ondelete="SET NULL"),
                                                        unique=True)
    mode: Mapped[str] = mapped_column(String(16))
    sector: Mapped[str] = mapped_column(String(16))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    answers: Mapped[list[EvaluationAnswer]] = relationship(back_populates="response", cascade="all, delete-orphan",
                                                           passive_deletes=True)
    registration: Mapped[Registration | None] = relationship()  # noqa: F821


class EvaluationAnswer(db.Model):
    """The answer to one question: a rating or a text. A question left unanswered has no row."""

    __tablename__ = "evaluation_answer"
    __table_args__ = (
        CheckConstraint(f"rating IS NULL OR rating BETWEEN {RATING_MIN} AND {RATING_MAX}", name="rating_range"),
        CheckConstraint("(rating IS NULL) <> (text IS NULL)", name="rating_or_text"),
        CheckConstraint(f"text IS NULL OR length(text) <= {ANSWER_TEXT_MAX}", name="text_length"),
        Index("ix_evaluation_answer_question", "question_id"),
    )

    response_id: Mapped[str] = mapped_column(ForeignKey("evaluation_response.id", ondelete="CASCADE"),
                                             primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("evaluation_question.id", ondelete="CASCADE"),
                                             primary_key=True)
    rating: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str | None] = mapped_column(Text)

    response: Mapped[EvaluationResponse] = relationship(back_populates="answers")
    question: Mapped[EvaluationQuestion] = relationship()


class EvaluationAnswered(db.Model):
    """That a registration has answered: the one-answer-per-person rule, in the database, for both kinds.

    It holds no time and no link to the answers, so an anonymous answer cannot be traced through it."""

    __tablename__ = "evaluation_answered"

    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"),
                                                 primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("evaluation.event_id", ondelete="CASCADE"), index=True)


# --- the follow-up email ---------------------------------------------------------------------------

class FollowUp(db.Model):
    """The email after the event: sent now, or at ``send_at`` by ``flask follow-ups send``."""

    __tablename__ = "follow_up"

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), primary_key=True)
    send_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # scheduled; None: not scheduled
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the latest run that sent it
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    texts: Mapped[list[FollowUpText]] = relationship(cascade="all, delete-orphan", back_populates="follow_up")


class FollowUpText(db.Model):
    """The organiser's subject and message for one variant in one language."""

    __tablename__ = "follow_up_text"
    __table_args__ = (
        CheckConstraint(f"variant IN {sql_in(FollowUpVariant)}", name="variant_valid"),
        CheckConstraint("language IN ('sv', 'en')", name="language_valid"),
        CheckConstraint(f"length(subject) BETWEEN 1 AND {SUBJECT_MAX}", name="subject_length"),
        CheckConstraint(f"length(body) BETWEEN 1 AND {BODY_MAX}", name="body_length"),
    )

    event_id: Mapped[int] = mapped_column(ForeignKey("follow_up.event_id", ondelete="CASCADE"), primary_key=True)
    variant: Mapped[str] = mapped_column(String(8), primary_key=True)
    language: Mapped[str] = mapped_column(String(2), primary_key=True)
    subject: Mapped[str] = mapped_column(String(SUBJECT_MAX))
    body: Mapped[str] = mapped_column(Text)

    follow_up: Mapped[FollowUp] = relationship(back_populates="texts")


class FollowUpDelivery(db.Model):
    """That the follow-up was written to a registration: once per person, whatever runs twice."""

    __tablename__ = "follow_up_delivery"
    __table_args__ = (CheckConstraint(f"variant IN {sql_in(FollowUpVariant)}", name="variant_valid"),)

    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"),
                                                 primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("follow_up.event_id", ondelete="CASCADE"), index=True)
    variant: Mapped[str] = mapped_column(String(8))
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime)
