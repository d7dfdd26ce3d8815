"""Setting up an evaluation: the standard questions each format asks, its settings, and the organiser's
editing of the questions (reword in both languages, add, remove, reorder) until the first answer fixes them."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from eventhub.audit.models import AuditEntry
from eventhub.evaluation import services
from eventhub.evaluation.models import Evaluation
from eventhub.extensions import db
from tests.accounts.support import post
from tests.attendance.support import AFTER
from tests.evaluation.support import DURING, OPENS, answer, question, set_up
from tests.registration.support import event_by_slug, page_text

ALL_STANDARD = ["overall", "content", "organisation", "on_site", "digital", "change"]


@pytest.mark.parametrize(("event_format", "standard"), [
    ("hybrid", ALL_STANDARD),
    ("on_site", ["overall", "content", "organisation", "on_site", "change"]),
    ("digital", ["overall", "content", "organisation", "digital", "change"]),
], ids=["hybrid", "on-site", "digital"])
def test_a_new_evaluation_asks_the_standard_questions_its_format_has(app_ctx, make_event, event_format, standard):
    slug = make_event(format=event_format)
    evaluation = services.create(event_by_slug(slug).id, None, AFTER)

    assert [q.standard for q in evaluation.questions] == standard
    assert evaluation.anonymous is True
    by_key = {q.standard: q for q in evaluation.questions}
    assert by_key["overall"].text_sv == "Hur var träffen som helhet?"
    assert by_key["overall"].text_en == "How was the event as a whole?"
    assert by_key["change"].kind == "text" and by_key["overall"].kind == "rating"
    if "digital" in by_key:
        assert by_key["digital"].audience == "digital"


def test_a_new_evaluation_is_open_for_two_weeks_from_the_events_end(app_ctx, forum):
    event = event_by_slug(forum.slug)
    evaluation = services.create(event.id, None, AFTER - timedelta(days=10))

    assert evaluation.opens_at == event.ends_at == OPENS
    assert evaluation.closes_at == event.ends_at + timedelta(days=14)


def test_setting_it_up_twice_keeps_one_evaluation(app_ctx, forum):
    event_id = event_by_slug(forum.slug).id
    first = services.create(event_id, None, AFTER)
    again = services.create(event_id, None, AFTER)

    assert first.event_id == again.event_id
    assert db.session.scalar(select(db.func.count()).select_from(Evaluation)) == 1
    assert len(again.questions) == 6


def test_a_window_that_closes_before_it_opens_is_refused(app_ctx, forum):
    set_up(forum.slug)
    with pytest.raises(services.WindowBackwards):
        services.update_settings(event_by_slug(forum.slug).id, True, OPENS, OPENS, None, AFTER)


def test_once_answered_the_anonymity_and_the_questions_are_fixed_but_wording_and_order_are_not(app_ctx, forum):
    evaluation = set_up(forum.slug)
    event_id = evaluation.event_id
    answer(forum.slug, forum.ids["Bengt"], overall=5)
    overall = question(forum.slug, "overall")

    with pytest.raises(services.Locked):
        services.update_settings(event_id, False, OPENS, OPENS + timedelta(days=3), None, AFTER)
    with pytest.raises(services.Locked):
        services.remove_question(event_id, overall.id, None)
    with pytest.raises(services.Locked):
        services.add_question(event_id, "rating", "everyone", "Ny fråga?", "", None)
    services.update_settings(event_id, True, OPENS, OPENS + timedelta(days=3), None, AFTER)  # the time may change
    services.save_questions(event_id, [services.QuestionEdit(overall.id, "Hur var dagen?", "How was the day?")],
                            None, AFTER)
    assert services.move_question(event_id, overall.id, 1) == 2
    assert question(forum.slug, "overall").text_sv == "Hur var dagen?"


@pytest.mark.parametrize(("text_sv", "text_en"), [("", ""), ("   ", " "), ("x" * 301, "")],
                         ids=["empty", "spaces", "too-long"])
def test_a_question_needs_a_text_of_sensible_length(app_ctx, forum, text_sv, text_en):
    set_up(forum.slug)
    with pytest.raises(services.EmptyQuestion):
        services.add_question(event_by_slug(forum.slug).id, "text", "everyone", text_sv, text_en, None)


def test_an_audience_the_event_does_not_have_is_refused(app_ctx, make_event):
    slug = make_event(format="on_site")
    services.create(event_by_slug(slug).id, None, AFTER)
    with pytest.raises(services.InvalidAnswer):
        services.add_question(event_by_slug(slug).id, "rating", "digital", "Hur var ljudet?", "", None)


# --- the organiser's page ------------------------------------------------------------------------

def _page(client, slug, lang="en"):
    return client.get(f"/manage/events/{slug}/evaluation/?lang={lang}")


def _questions_form(app, slug, **changes) -> dict:
    with app.app_context():
        data = {}
        for q in services.of_event(event_by_slug(slug).id).questions:
            data[f"q{q.id}_sv"], data[f"q{q.id}_en"] = q.text_sv, q.text_en
    data.update(changes)
    return data


def test_the_organiser_sets_it_up_from_the_page_and_sees_the_questions(app, organiser):
    client = organiser.client
    before = page_text(_page(client, organiser.slug))
    assert "Set up the evaluation" in before

    response = post(client, f"/manage/events/{organiser.slug}/evaluation/create")
    assert response.status_code == 303
    after = page_text(_page(client, organiser.slug))
    assert "Question 1 of 6" in after and "Question 6 of 6" in after
    assert "How was it to take part digitally" in after
    with app.app_context():
        actions = list(db.session.scalars(select(AuditEntry.action)))
    assert "evaluation.created" in actions


def test_moving_a_question_keeps_what_was_typed_and_returns_to_its_button(app, organiser):
    with app.app_context():
        set_up(organiser.slug)
        content, overall = question(organiser.slug, "content").id, question(organiser.slug, "overall").id
    data = _questions_form(app, organiser.slug, **{f"q{content}_sv": "Vad tyckte du om talarna?"})
    response = post(organiser.client, f"/manage/events/{organiser.slug}/evaluation/questions?lang=en",
                    {**data, "action": f"up:{content}"})

    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"#move-down-{content}")  # first now: its other button
    with app.app_context():
        order = [q.id for q in services.of_event(event_by_slug(organiser.slug).id).questions]
        assert order[:2] == [content, overall]
        assert question(organiser.slug, "content").text_sv == "Vad tyckte du om talarna?"
    text = page_text(organiser.client.get(f"/manage/events/{organiser.slug}/evaluation/?lang=en"))
    assert "Moved: it is now question 1 of 6." in text


def test_a_question_left_without_text_is_named_and_nothing_is_lost(app, organiser):
    with app.app_context():
        set_up(organiser.slug)
        overall = question(organiser.slug, "overall").id
    data = _questions_form(app, organiser.slug, **{f"q{overall}_sv": "", f"q{overall}_en": "",
                                                   "action": "save"})
    data[next(key for key in data if key.endswith("_en") and key != f"q{overall}_en")] = "Changed, not saved"
    response = post(organiser.client, f"/manage/events/{organiser.slug}/evaluation/questions?lang=en", data)

    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Write the question in Swedish, in English or in both." in body
    assert "Changed, not saved" in body  # what was typed comes back
    with app.app_context():
        assert question(organiser.slug, "overall").text_sv == "Hur var träffen som helhet?"


def test_a_removed_standard_question_can_be_added_again(app, organiser):
    with app.app_context():
        set_up(organiser.slug)
        digital = question(organiser.slug, "digital").id
    response = post(organiser.client, f"/manage/events/{organiser.slug}/evaluation/questions",
                    {**_questions_form(app, organiser.slug), "action": f"remove:{digital}"})
    assert response.status_code == 303
    text = page_text(_page(organiser.client, organiser.slug))
    assert "Question 5 of 5" in text and "Add a standard question again" in text

    response = post(organiser.client, f"/manage/events/{organiser.slug}/evaluation/questions/standard",
                    {"standard": "digital"})
    assert response.status_code == 303
    with app.app_context():
        questions = services.of_event(event_by_slug(organiser.slug).id).questions
        assert [q.standard for q in questions][-1] == "digital"


def test_an_own_question_is_added_for_one_audience(app, organiser):
    with app.app_context():
        set_up(organiser.slug)
    response = post(organiser.client, f"/manage/events/{organiser.slug}/evaluation/questions/new", {
        "kind": "text", "audience": "digital", "text_sv": "Hur fungerade chatten?", "text_en": ""})
    assert response.status_code == 303
    with app.app_context():
        added = services.of_event(event_by_slug(organiser.slug).id).questions[-1]
        assert (added.kind, added.audience, added.text_sv, added.text_en) == ("text", "digital",
                                                                              "Hur fungerade chatten?", "")
        assert added.text_in("en") == ("Hur fungerade chatten?", "sv")  # shown in Swedish, marked so


def test_an_own_question_without_text_says_so_in_the_organisers_language(app, organiser):
    with app.app_context():
        set_up(organiser.slug)
    response = post(organiser.client, f"/manage/events/{organiser.slug}/evaluation/questions/new", {
        "kind": "rating", "audience": "everyone", "text_sv": "", "text_en": ""})
    assert response.status_code == 422
    assert "Skriv frågan på svenska, engelska eller båda." in page_text(response)


@pytest.mark.parametrize(("opens", "closes", "message"), [
    ("2027-01-10T10:00", "2027-01-09T10:00", "The evaluation must close after it opens."),
    ("2027-03-28T02:30", "2027-04-09T10:00", "That time does not exist on that day"),
    ("", "2027-04-09T10:00", "Enter when the evaluation opens."),
], ids=["backwards", "skipped-hour", "missing"])
def test_bad_times_are_named_on_the_settings_form(app, organiser, opens, closes, message):
    with app.app_context():
        set_up(organiser.slug)
    response = post(organiser.client, f"/manage/events/{organiser.slug}/evaluation/settings?lang=en", {
        "anonymous": "no", "opens_at": opens, "closes_at": closes})
    assert response.status_code == 422
    assert message in page_text(response)
    assert f'value="{closes}"' in response.get_data(as_text=True)  # what was typed stays


def test_the_settings_are_saved_in_the_events_zone(app, organiser):
    with app.app_context():
        set_up(organiser.slug)
    response = post(organiser.client, f"/manage/events/{organiser.slug}/evaluation/settings", {
        "anonymous": "no", "opens_at": "2027-01-10T10:00", "closes_at": "2027-01-24T18:00"})
    assert response.status_code == 303
    with app.app_context():
        evaluation = services.of_event(event_by_slug(organiser.slug).id)
        assert evaluation.anonymous is False
        assert evaluation.opens_at.isoformat() == "2027-01-10T09:00:00+00:00"  # 10:00 in Stockholm, winter


def test_the_anonymity_cannot_change_once_someone_answered_and_the_form_says_why(app, organiser):
    with app.app_context():
        set_up(organiser.slug)
        answer(organiser.slug, organiser.ids["Bengt"], now=DURING, overall=4)
    response = post(organiser.client, f"/manage/events/{organiser.slug}/evaluation/settings?lang=en", {
        "anonymous": "no", "opens_at": "2026-03-09T12:00", "closes_at": "2026-03-23T12:00"})
    assert response.status_code == 422
    assert "Someone has answered already, so whether the answers are anonymous can no longer change." in \
        page_text(response)
