"""The forum of the attendance samples (tests/attendance/support.PEOPLE) with an evaluation: who took part how,
their answers, and helpers to answer through the service or the web as a person would."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from eventhub.evaluation import services
from eventhub.evaluation.models import Evaluation, EvaluationQuestion
from eventhub.extensions import db
from eventhub.registration import tokens
from eventhub.registration.models import Registration
from tests.attendance.support import AFTER, STARTS
from tests.registration.support import KEYS, event_by_slug

OPENS = STARTS + timedelta(hours=3)  # the forum ends 11:00 UTC
DURING = OPENS + timedelta(days=1)
CLOSES = OPENS + timedelta(days=services.OPEN_DAYS)


def set_up(slug: str, anonymous: bool = True, now=AFTER, opens=OPENS, closes=CLOSES) -> Evaluation:
    """The evaluation with the standard questions, open from the forum's end for OPEN_DAYS (or as given)."""
    evaluation = services.create(event_by_slug(slug).id, None, now)
    services.update_settings(evaluation.event_id, anonymous, opens, closes, None, now)
    return services.of_event(evaluation.event_id)


def open_now(slug: str, anonymous: bool = True) -> Evaluation:
    """Set up and open at this moment, for what goes through the web (whose clock is the real one)."""
    now = datetime.now(UTC)
    return set_up(slug, anonymous, now=now, opens=now - timedelta(hours=1), closes=now + timedelta(days=14))


def question(slug: str, standard: str) -> EvaluationQuestion:
    return db.session.scalar(select(EvaluationQuestion).where(
        EvaluationQuestion.event_id == event_by_slug(slug).id, EvaluationQuestion.standard == standard))


def answer(slug: str, registration_id: int, now=DURING, **by_standard):
    """Answer the standard questions by their keys: ``overall=4, change="Mer tid"``."""
    answers = {question(slug, key).id: value for key, value in by_standard.items()}
    return services.submit(registration_id, answers, now)


def token_of(registration_id: int) -> str:
    return tokens.manage_token(KEYS, db.session.get(Registration, registration_id).token_salt)
