"""The forum of the attendance samples (tests/attendance/support.PEOPLE) with an evaluation: who took part how,
their answers, and helpers to answer through the service or the web as a person would."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from sqlalchemy import select

from eventhub.evaluation import services
from eventhub.evaluation.models import Evaluation, EvaluationQuestion
from eventhub.extensions import db
from eventhub.registration import tokens
from eventhub.registration.models import Registration
from tests.attendance.support import AFTER, STARTS, make_forum, seat_people
from tests.attendees.support import sign_in, staff_member
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


def make_forum_with_people(app, make_event) -> SimpleNamespace:
    """The forum of 9 March 2026 with its registrations (tests/attendance/support.PEOPLE): Bengt and Zäta
    checked in at the door (Zäta online too), Cecilia joined by her link; the others did not come."""
    slug = make_forum(make_event, recording_url="https://play.example.se/forum", contact_email="forum@example.se")
    with app.app_context():
        ids = seat_people(slug)
    return SimpleNamespace(slug=slug, ids=ids)


def sign_in_organiser(app, client, forum: SimpleNamespace) -> SimpleNamespace:
    """An organiser of the forum, signed in on ``client`` (``forum.client``)."""
    forum.user_id = staff_member(app, forum.slug, "ulla@forum.example", "organiser")
    sign_in(client, "ulla@forum.example")
    forum.client = client
    return forum
