"""The organiser's own questions on an event's registration form, and each person's answers.

A question's choices live in the question's row (``choices``, a JSON list of ``{"id", "sv", "en",
"removed"}``): each has a stable id (``c1``, ``c2``, ...) that its answers name, so renaming a choice
keeps them, and a removed choice stays in the list, marked, so an old answer can still be read.
An answer is one row per person and question; its ``value`` is text whatever the kind (see
``QuestionKind``). A special-category answer (health, religion, ...) is stored only with its own
consent (``consented_at``), as the dietary and accessibility answers are.
"""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventhub.extensions import db
from eventhub.modes import Audience, sql_in
from eventhub.types import UTCDateTime, utcnow

LABEL_MAX = 300
HELP_MAX = 500
CHOICE_MAX = 200
CHOICES_MAX = 30  # choices per question
QUESTIONS_MAX = 30  # questions per event
SHORT_MAX = 200
LONG_MAX = 2000
VALUE_MAX = 4000  # the stored value: the longest text, or every choice id of a question


class QuestionKind(StrEnum):
    """How a question is answered, and how its ``value`` is stored."""

    SHORT_TEXT = "short_text"  # the text as typed, one line
    LONG_TEXT = "long_text"  # the text as typed
    ONE_CHOICE = "one_choice"  # the choice's id
    CHOICES = "choices"  # the chosen ids, in the question's order, separated by spaces
    YES_NO = "yes_no"  # "yes" or "no"
    NUMBER = "number"  # a decimal with a point, e.g. "12.5"
    DATE = "date"  # ISO 8601, e.g. "2027-03-14"


CHOICE_KINDS = (QuestionKind.ONE_CHOICE, QuestionKind.CHOICES)
# What the statistics count and the attendee list filters by: a choice among a few.
COUNTED_KINDS = (QuestionKind.ONE_CHOICE, QuestionKind.CHOICES, QuestionKind.YES_NO)


class RegistrationQuestion(db.Model):
    __tablename__ = "registration_question"
    __table_args__ = (
        CheckConstraint(f"kind IN {sql_in(QuestionKind)}", name="kind_valid"),
        CheckConstraint(f"audience IN {sql_in(Audience)}", name="audience_valid"),
        CheckConstraint("length(label_sv) > 0 OR length(label_en) > 0", name="has_label"),
        CheckConstraint(f"length(label_sv) <= {LABEL_MAX} AND length(label_en) <= {LABEL_MAX}", name="label_length"),
        CheckConstraint(f"length(help_sv) <= {HELP_MAX} AND length(help_en) <= {HELP_MAX}", name="help_length"),
        # Consent must be free: a special-category question is never required.
        CheckConstraint("NOT (special AND required)", name="special_not_required"),
        # A question to the speakers is answered in words, and is never special category.
        CheckConstraint("NOT to_speakers OR (kind IN ('short_text', 'long_text') AND NOT special)",
                        name="to_speakers_is_text"),
        CheckConstraint("to_speakers OR speakers_item_id IS NULL", name="speakers_item_only_to_speakers"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(16))
    required: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    audience: Mapped[str] = mapped_column(String(16), default=Audience.EVERYONE)
    special: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    label_sv: Mapped[str] = mapped_column(String(LABEL_MAX), default="")
    label_en: Mapped[str] = mapped_column(String(LABEL_MAX), default="")
    help_sv: Mapped[str] = mapped_column(String(HELP_MAX), default="")
    help_en: Mapped[str] = mapped_column(String(HELP_MAX), default="")
    choices: Mapped[list] = mapped_column(JSON, default=list)
    # "A question to the speakers" (optionally of one item): the answers are questions sent in advance,
    # which the live event's moderator finds in the queue (eventhub.live.qa reads them; this knows no live).
    to_speakers: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    speakers_item_id: Mapped[int | None] = mapped_column(ForeignKey("programme_item.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class RegistrationAnswer(db.Model):
    __tablename__ = "registration_answer"
    __table_args__ = (
        CheckConstraint(f"length(value) BETWEEN 1 AND {VALUE_MAX}", name="value_length"),
        Index("ix_registration_answer_question", "question_id"),
    )

    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"),
                                                 primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("registration_question.id", ondelete="CASCADE"),
                                             primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    # The answer to a special-category question: when the person consented to it being kept.
    consented_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    question: Mapped[RegistrationQuestion] = relationship()
