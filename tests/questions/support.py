"""An event with one question of each kind (and a special-category one), and helpers to answer them."""
from __future__ import annotations

from types import SimpleNamespace

from eventhub.extensions import db
from eventhub.questions import services
from eventhub.questions.models import RegistrationQuestion
from eventhub.questions.services import ChoiceEdit, QuestionData
from tests.registration.support import event_by_slug

QUESTIONS = {
    "municipality": QuestionData("short_text", "Kommun", "Municipality", help_sv="Där du arbetar", required=True),
    "panel": QuestionData("long_text", "Fråga till panelen", "A question to the panel"),
    "lunch": QuestionData("one_choice", "Lunch", "Lunch", audience="on_site", choices=[
        ChoiceEdit(None, "Kött", "Meat"), ChoiceEdit(None, "Vegetariskt", "Vegetarian")]),
    "topics": QuestionData("choices", "Ämnen", "Topics", choices=[
        ChoiceEdit(None, "Rekrytering", "Recruitment"), ChoiceEdit(None, "Språk", "Language"),
        ChoiceEdit(None, "Mentorskap", "Mentoring")]),
    "share": QuestionData("yes_no", "Får vi dela din kontakt med de andra deltagarna?",
                          "May we share your contact with the other participants?", required=True),
    "staff": QuestionData("number", "Antal anställda", "Number of employees"),
    "start": QuestionData("date", "Startdatum för projektet", "Project start date"),
    "health": QuestionData("long_text", "Har du behov av stöd på grund av hälsa?", "Do you need support for health "
                           "reasons?", special=True),
}


def add_questions(slug: str, *names: str) -> SimpleNamespace:
    """The named questions (all of them by default) on the event; their ids by name."""
    event = event_by_slug(slug)
    ids = {}
    for name in names or QUESTIONS:
        data = QUESTIONS[name]
        copy = QuestionData(**{**data.__dict__, "choices": [ChoiceEdit(**c.__dict__) for c in data.choices]})
        ids[name] = services.add(event.id, copy, None).id
    return SimpleNamespace(**ids)


def choice_ids(question_id: int) -> list[str]:
    return [choice["id"] for choice in db.session.get(RegistrationQuestion, question_id).choices]


ANSWERS = {"municipality": "Borås", "panel": "Hur når vi fler?", "lunch": "c2", "topics": ["c1", "c3"],
           "share": "yes", "staff": "12,5", "start": "2027-03-14", "health": "Rullstol"}


def filled(ids: SimpleNamespace, **changes) -> dict[str, object]:
    """Form fields answering every question of ``ids`` (on site), as a browser sends them; a change to None
    leaves that field out."""
    values = {f"q{getattr(ids, name)}": answer for name, answer in ANSWERS.items() if hasattr(ids, name)}
    if hasattr(ids, "health"):
        values[f"q{ids.health}_consent"] = "y"
    values.update(changes)
    return {key: value for key, value in values.items() if value is not None}
