"""Answering the organiser's questions: the one rule (services.check_answers), the registration form and the
person's own page (eventhub.questions, eventhub.registration)."""
from __future__ import annotations

import html
import re

import pytest

from eventhub.extensions import db
from eventhub.questions import services
from eventhub.questions.models import RegistrationAnswer
from eventhub.questions.services import Asked, Choice
from eventhub.registration.models import Registration
from tests.questions.support import add_questions, filled
from tests.registration.support import FORM, csrf_of, event_by_slug, html_of, post_manage, token_for

CHOICES = (Choice("c1", "Kött", "Meat"), Choice("c2", "Vegetariskt", "Vegetarian"), Choice("c3", "Fisk", "", True))


def asked(kind: str, **overrides) -> Asked:
    values = dict(id=1, kind=kind, required=False, audience="everyone", special=False, label_sv="Fråga",
                  label_en="Question", help_sv="", help_en="", choices=CHOICES)
    values.update(overrides)
    return Asked(**values)


@pytest.mark.parametrize(("kind", "raw", "kept"), [
    ("short_text", "  Borås   stad ", "Borås stad"),
    ("long_text", "Rad ett\r\nRad två", "Rad ett\nRad två"),
    ("one_choice", "c2", "c2"),
    ("choices", ["c2", "c1"], "c1 c2"),
    ("choices", [], None),
    ("yes_no", "no", "no"),
    ("number", "12,5", "12.5"),
    ("number", "-3", "-3"),
    ("number", "1 000", "1000"),
    ("date", "2027-03-14", "2027-03-14"),
    ("date", "", None),
], ids=lambda value: str(value))
def test_clean_keeps_each_kind_as_stored(kind, raw, kept):
    assert services.clean(asked(kind), raw) == kept


@pytest.mark.parametrize(("kind", "raw", "error"), [
    ("one_choice", "c3", services.UnknownChoice),  # removed: not offered any more
    ("one_choice", "c9", services.UnknownChoice),
    ("choices", ["c1", "x"], services.UnknownChoice),
    ("yes_no", "maybe", services.UnknownChoice),
    ("number", "tolv", services.NotANumber),
    ("number", "1e5", services.NotANumber),
    ("number", "١٢", services.NotANumber),
    ("number", "99999999999999", services.NotANumber),
    ("number", "0," + "0" * 4000 + "1", services.NotANumber),  # small, but thousands of digits to keep
    ("date", "14/3/2027", services.NotADate),
    ("date", "1899-12-31", services.NotADate),
    ("short_text", "x" * 201, services.AnswerTooLong),
    ("long_text", "x" * 2001, services.AnswerTooLong),
], ids=lambda value: value if isinstance(value, str) else getattr(value, "__name__", "list"))
def test_clean_refuses_what_breaks_a_rule(kind, raw, error):
    with pytest.raises(error):
        services.clean(asked(kind), raw)


def test_check_answers_names_each_broken_rule_and_skips_the_other_modes_questions():
    questions = (asked("short_text", id=1, required=True), asked("number", id=2),
                 asked("one_choice", id=3, audience="digital", required=True),
                 asked("long_text", id=4, special=True))
    with pytest.raises(services.AnswersInvalid) as raised:
        services.check_answers(questions, "on_site", {2: "tolv", 4: "Rullstol"})
    assert {key: type(error) for key, error in raised.value.errors.items()} == {
        1: services.AnswerRequired, 2: services.NotANumber, 4: services.ConsentNeeded}
    assert services.check_answers(questions, "on_site", {1: "Borås", 3: "c1", 4: "Rullstol"}, {4}) == {
        1: "Borås", 4: "Rullstol"}


def test_shown_marks_a_removed_choice_and_writes_numbers_in_the_language(app):
    with app.test_request_context("/"):
        assert services.shown(asked("choices"), "c1 c3", "sv") == "Kött; Fisk (borttagen)"
        assert services.shown(asked("choices"), "c1", "en") == "Meat"
        assert services.shown(asked("number"), "12.5", "sv") == "12,5"
        assert services.shown(asked("yes_no"), "yes", "sv") == "Ja"


# --- through the web -------------------------------------------------------------------------------

def _register(client, slug, **fields):
    data = {**FORM, **fields, "csrf_token": csrf_of(client, f"/events/{slug}/register")}
    return client.post(f"/events/{slug}/register", data=data)


def _answers(app, email) -> dict[int, str]:
    with app.app_context():
        registration = db.session.scalar(db.select(Registration).where(Registration.email == email))
        return services.values_of(registration.id)


def test_registration_keeps_every_kind_of_answer(app, client, make_event):
    slug = make_event(on_site_seats=10, digital_seats=10)
    with app.app_context():
        ids = add_questions(slug)
    response = _register(client, slug, **filled(ids))
    assert response.status_code == 303, html_of(response)
    assert _answers(app, FORM["email"]) == {
        ids.municipality: "Borås", ids.panel: "Hur når vi fler?", ids.lunch: "c2", ids.topics: "c1 c3",
        ids.share: "yes", ids.staff: "12.5", ids.start: "2027-03-14", ids.health: "Rullstol"}
    with app.app_context():
        answer = db.session.get(RegistrationAnswer, (db.session.scalar(db.select(Registration.id)), ids.health))
        assert answer.consented_at is not None


def test_registration_form_shows_errors_and_keeps_everything_typed(app, client, make_event):
    slug = make_event(on_site_seats=10, digital_seats=10)
    with app.app_context():
        ids = add_questions(slug)
    response = _register(client, slug, **filled(ids, **{f"q{ids.municipality}": "", f"q{ids.staff}": "tolv",
                                                        f"q{ids.health}_consent": None}))
    assert response.status_code == 422
    page = html.unescape(html_of(response))
    assert f'<p class="field-error" id="q{ids.municipality}-error">Svara på frågan.</p>' in page
    assert "Ange ett tal, till exempel 12 eller 12,5." in page
    assert "För att spara svaret behöver vi ditt samtycke." in page
    assert 'value="tolv"' in page and "Hur når vi fler?</textarea>" in page and 'value="2027-03-14"' in page
    assert re.search(rf'name="q{ids.topics}" value="c1" checked', page)
    assert re.search(rf'name="q{ids.lunch}" value="c2" checked', page)
    assert f'aria-describedby="q{ids.municipality}-hint q{ids.municipality}-error"' in page
    # The error summary names each question: "Svara på frågan." alone would not say which.
    summary = page[page.index('id="error-summary"'):page.index("</ul>", page.index('id="error-summary"'))]
    assert re.search(rf'href="#q{ids.municipality}"><span>Kommun</span> – Svara på frågan.</a>', summary)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Registration)) == 0


def test_digital_participant_is_not_asked_the_on_site_question(app, client, make_event):
    slug = make_event(on_site_seats=10, digital_seats=10)
    with app.app_context():
        ids = add_questions(slug, "municipality", "lunch", "share")
    response = _register(client, slug, mode="digital", **filled(ids, **{f"q{ids.lunch}": "c1"}))
    assert response.status_code == 303
    assert ids.lunch not in _answers(app, FORM["email"])
    assert "Bara om du deltar på plats." in html_of(client.get(f"/events/{slug}/register"))


def test_personal_page_shows_and_changes_the_answers(app, client, make_event):
    slug = make_event(on_site_seats=10, digital_seats=10)
    with app.app_context():
        ids = add_questions(slug)
    assert _register(client, slug, **filled(ids)).status_code == 303
    token = token_for(app, FORM["email"])
    page = html.unescape(html_of(client.get(f"/r/{token}")))
    assert "Dina svar på arrangörens frågor" in page and 'value="Borås"' in page
    response = post_manage(client, token, "questions", **filled(ids, **{
        f"q{ids.municipality}": "Ulricehamn", f"q{ids.topics}": ["c2"], f"q{ids.health}_consent": None,
        f"q{ids.health}": ""}))
    assert response.status_code == 303
    answers = _answers(app, FORM["email"])
    assert answers[ids.municipality] == "Ulricehamn" and answers[ids.topics] == "c2" and ids.health not in answers
    refused = post_manage(client, token, "questions", **filled(ids, **{f"q{ids.share}": ""}))
    assert refused.status_code == 422 and "Svara ja eller nej." in html.unescape(html_of(refused))


def test_change_of_mode_drops_the_answers_the_new_mode_is_not_asked(app, make_event):
    from tests.registration.support import register

    slug = make_event(on_site_seats=10, digital_seats=10)
    with app.app_context():
        ids = add_questions(slug, "lunch")
        registration = register(slug, "anna@example.se", answers={ids.lunch: "c1"}).registration
        assert services.values_of(registration.id) == {ids.lunch: "c1"}
        from eventhub.registration import services as registrations
        from tests.registration.support import KEYS, NOW
        registrations.change_mode(registration.id, "digital", NOW, KEYS)
        assert services.values_of(registration.id) == {}
        assert event_by_slug(slug).questions_version > 1
