"""The organiser edits the questions: choices keep their ids, a removed one stays readable, every change is in
the audit log and raises the questions version, duplicating copies them (eventhub.questions)."""
from __future__ import annotations

import html
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from eventhub.audit.models import AuditEntry
from eventhub.events import operations
from eventhub.extensions import db
from eventhub.questions import services
from eventhub.questions.services import ChoiceEdit, QuestionData
from tests.attendees.support import form_token, sign_in, staff_member
from tests.questions.support import add_questions
from tests.registration.support import event_by_slug, register


def _actions(event_id: int) -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).where(AuditEntry.event_id == event_id)
                                   .order_by(AuditEntry.id)))


def test_renaming_a_choice_keeps_the_answers_and_a_removed_one_stays_marked(app, make_event):
    slug = make_event(on_site_seats=10, digital_seats=10)
    with app.app_context(), app.test_request_context("/"):
        ids = add_questions(slug, "topics")
        registration = register(slug, "anna@example.se", answers={ids.topics: ["c1", "c2"]}).registration
        event = event_by_slug(slug)
        version = event.questions_version
        services.update(event.id, ids.topics, QuestionData("choices", "Ämnen", "Topics", choices=[
            ChoiceEdit("c1", "Rekrytering och urval", "Recruitment"), ChoiceEdit("c2", "Språk", "Language", True),
            ChoiceEdit("c3", "Mentorskap", "Mentoring"), ChoiceEdit(None, "Nätverk", "Networks")]), None)
        event = event_by_slug(slug)
        assert event.questions_version > version
        question = next(q for q in services.asked(event) if q.id == ids.topics)
        assert [(c.id, c.removed) for c in question.choices] == [("c1", False), ("c2", True), ("c3", False),
                                                                  ("c4", False)]
        value = services.values_of(registration.id)[ids.topics]
        assert services.shown(question, value, "sv") == "Rekrytering och urval; Språk (borttagen)"
        with pytest.raises(services.AnswersInvalid):  # a removed choice is no longer offered
            services.check_answers((question,), "on_site", {ids.topics: ["c2"]})
        assert _actions(event.id) == ["questions.added", "questions.changed"]


def test_a_question_asked_of_one_mode_only_loses_the_other_modes_answers(app, make_event):
    """They could no longer see or change them on their page (as on a change of mode)."""
    slug = make_event(on_site_seats=10, digital_seats=10)
    with app.app_context(), app.test_request_context("/"):
        ids = add_questions(slug, "municipality")
        on_site = register(slug, "anna@example.se", answers={ids.municipality: "Borås"}).registration.id
        digital = register(slug, "bo@example.se", "digital", answers={ids.municipality: "Skövde"}).registration.id
        services.update(event_by_slug(slug).id, ids.municipality, QuestionData(
            "short_text", "Kommun", "Municipality", required=True, audience="on_site"), None)
        assert services.values_of(on_site) == {ids.municipality: "Borås"}
        assert services.values_of(digital) == {}


@pytest.mark.parametrize(("data", "reason"), [
    (QuestionData("short_text", "", ""), "no_label"),
    (QuestionData("one_choice", "Lunch", choices=[]), "no_choices"),
    (QuestionData("long_text", "Hälsa", special=True, required=True), "special_required"),
    (QuestionData("short_text", "Lunch", audience="digital"), "audience"),
    (QuestionData("short_text", "x" * 301), "too_long"),
], ids=["no label", "no choices", "special and required", "mode not offered", "too long"])
def test_a_question_that_cannot_be_is_refused(app, make_event, data, reason):
    slug = make_event(format="on_site", on_site_seats=10)
    with app.app_context():
        with pytest.raises(services.InvalidQuestion) as raised:
            services.add(event_by_slug(slug).id, data, None)
        assert raised.value.reason == reason


def test_moving_and_removing_are_logged_and_removing_deletes_its_answers(app, make_event):
    slug = make_event(on_site_seats=10, digital_seats=10)
    with app.app_context():
        ids = add_questions(slug, "municipality", "panel", "staff")
        event_id = event_by_slug(slug).id
        register(slug, "anna@example.se", answers={ids.municipality: "Borås", ids.panel: "Fråga"})
        assert services.move(event_id, ids.staff, -1, None) == (2, 3)
        assert [q.id for q in services.of_event(event_id)] == [ids.municipality, ids.staff, ids.panel]
        assert services.remove(event_id, ids.panel, None) == 1
        assert services.answer_count(ids.panel) == 0
        assert [q.position for q in services.of_event(event_id)] == [0, 1]
        assert _actions(event_id)[-2:] == ["questions.moved", "questions.removed"]


def test_duplicating_an_event_copies_its_questions(app, make_event):
    slug = make_event(on_site_seats=10, digital_seats=10)
    with app.app_context():
        ids = add_questions(slug, "lunch", "share")
        source = event_by_slug(slug)
        user_id = staff_member(app, slug, "ulla@forum.example", "organiser")
        copy = operations.duplicate_event(source.id, date.today() + timedelta(days=90), user_id).event
        copied = services.asked(copy)
        assert [(q.label_sv, q.kind, q.audience) for q in copied] == [
            ("Lunch", "one_choice", "on_site"), ("Får vi dela din kontakt med de andra deltagarna?", "yes_no",
                                                 "everyone")]
        assert [c.id for c in copied[0].choices] == ["c1", "c2"] and ids.lunch not in {q.id for q in copied}


def test_organiser_adds_edits_and_moves_questions_through_the_pages(app, client, make_event):
    slug = make_event(on_site_seats=10, digital_seats=10)
    staff_member(app, slug, "ulla@forum.example", "organiser")
    sign_in(client, "ulla@forum.example")
    page = f"/manage/events/{slug}/questions/"
    refused = client.post(f"/manage/events/{slug}/questions/new", data={
        "csrf_token": form_token(client, page), "kind": "one_choice", "label_sv": "Lunch", "required": "no",
        "audience": "on_site", "help_sv": "Vi bjuder på lunch"})
    assert refused.status_code == 422
    text = html.unescape(refused.get_data(as_text=True))
    assert "Ange minst ett svarsalternativ." in text and "Vi bjuder på lunch</textarea>" in text
    added = client.post(f"/manage/events/{slug}/questions/new", data={
        "csrf_token": form_token(client, page), "kind": "one_choice", "label_sv": "Lunch", "label_en": "Lunch",
        "required": "no", "audience": "on_site", "new_choices_sv": "Kött\nVegetariskt", "new_choices_en": "Meat"})
    assert added.status_code == 303
    client.post(f"/manage/events/{slug}/questions/new", data={
        "csrf_token": form_token(client, page), "kind": "short_text", "label_sv": "Kommun", "required": "yes",
        "audience": "everyone"})
    with app.app_context():
        lunch, municipality = services.of_event(event_by_slug(slug).id)
        assert [(c["sv"], c["en"]) for c in lunch.choices] == [("Kött", "Meat"), ("Vegetariskt", "")]
    edit = f"/manage/events/{slug}/questions/{lunch.id}"
    shown = client.get(edit).get_data(as_text=True)
    assert 'name="required" value="no" checked' in shown and 'name="audience" value="on_site" checked' in shown
    saved = client.post(edit, data={
        "csrf_token": form_token(client, edit), "kind": "one_choice", "label_sv": "Lunch på plats", "required": "no",
        "audience": "on_site", "choice_c1_sv": "Kött", "choice_c2_sv": "Vegetariskt", "choice_c2_remove": "y",
        "new_choices_sv": "Veganskt"})
    assert saved.status_code == 303
    moved = client.post(f"/manage/events/{slug}/questions/{municipality.id}/move", data={
        "csrf_token": form_token(client, page), "direction": "up"})
    assert moved.status_code == 303 and moved.headers["Location"].endswith(f"#move-down-{municipality.id}")
    listing = html.unescape(client.get(page).get_data(as_text=True))
    assert listing.index("Kommun") < listing.index("Lunch på plats") and "Kött · Veganskt" in listing
    register_page = html.unescape(client.get(f"/events/{slug}/register").get_data(as_text=True))
    assert "Veganskt" in register_page and "Vegetariskt" not in register_page
