"""The organiser's questions and privacy: special-category answers go with the dietary and accessibility
answers (retention), erasure removes every answer, anonymising keeps only choices, the data download holds
them (eventhub.questions, eventhub.privacy)."""
from __future__ import annotations

from datetime import timedelta

from eventhub.privacy import retention
from eventhub.privacy import services as privacy
from eventhub.questions import services
from tests.privacy.conftest import ENDED
from tests.privacy.support import registered, row
from tests.questions.support import add_questions
from tests.registration.support import KEYS, event_by_slug

BEFORE = ENDED - timedelta(days=2)


def _answered(slug: str, email: str, ids, **extra) -> int:
    answers = {ids.municipality: "Borås", ids.lunch: "c1", ids.staff: "40", ids.health: "Rullstol"}
    return registered(slug, email, now=BEFORE, answers=answers, answer_consents=frozenset({ids.health}), **extra)


def test_retention_deletes_special_answers_with_the_dietary_ones_at_the_last_minute(app_ctx, past):
    ids = add_questions(past, "municipality", "lunch", "staff", "health")
    person = _answered(past, "anna@example.se", ids)
    only_food = registered(past, "bo@example.se", now=BEFORE, dietary_needs="Vegan", special_consent=True,
                           answers={ids.municipality: "Alingsås"})

    assert retention.purge(ENDED + timedelta(days=29, hours=23, minutes=59), KEYS).events == []
    assert services.values_of(person)[ids.health] == "Rullstol"

    report = retention.purge(ENDED + timedelta(days=30), KEYS)
    assert report.special_deleted == 2  # each registration that held special-category data, of any kind
    assert services.values_of(person) == {ids.municipality: "Borås", ids.lunch: "c1", ids.staff: "40"}
    assert row(only_food).dietary_needs == ""
    assert retention.purge(ENDED + timedelta(days=31), KEYS).events == []  # nothing left: a second run writes nothing


def test_anonymising_keeps_only_the_choices_for_the_statistics(app_ctx, past):
    ids = add_questions(past, "municipality", "lunch", "staff", "health")
    person = _answered(past, "anna@example.se", ids)
    retention.purge(ENDED + timedelta(days=365), KEYS)
    assert row(person).anonymised_at is not None
    assert services.values_of(person) == {ids.lunch: "c1"}


def test_erasure_removes_every_answer(app_ctx, upcoming):
    ids = add_questions(upcoming, "municipality", "lunch", "staff", "health")
    person = registered(upcoming, "anna@example.se", answers={ids.municipality: "Borås", ids.lunch: "c1",
                                                              ids.health: "Rullstol"},
                        answer_consents=frozenset({ids.health}))
    privacy.erase(person, event_by_slug(upcoming).ends_at - timedelta(days=1), KEYS)
    assert services.values_of(person) == {}


def test_data_download_holds_the_answers_in_words(app, upcoming):
    with app.app_context(), app.test_request_context("/"):
        ids = add_questions(upcoming, "lunch", "health")
        person = registered(upcoming, "anna@example.se", answers={ids.lunch: "c2", ids.health: "Rullstol"},
                            answer_consents=frozenset({ids.health}))
        data = privacy.personal_data(person, KEYS, event_by_slug(upcoming).starts_at)
        assert data["questions"] == [
            {"question": "Lunch", "answer": "Vegetariskt", "value": "c2", "special_category": False},
            {"question": "Har du behov av stöd på grund av hälsa?", "answer": "Rullstol", "value": "Rullstol",
             "special_category": True}]


def test_making_a_question_special_deletes_answers_given_without_its_consent(app_ctx, upcoming):
    ids = add_questions(upcoming, "panel")
    person = registered(upcoming, "anna@example.se", answers={ids.panel: "Jag har diabetes"})
    event_id = event_by_slug(upcoming).id
    services.update(event_id, ids.panel, services.QuestionData("long_text", "Fråga till panelen",
                                                               "A question to the panel", special=True), None)
    assert services.values_of(person) == {}
