"""Answering the evaluation from one's own link: who may, when, which questions each mode is asked, once per
person (also when two answers leave at the same moment), and what an anonymous answer keeps: no link to the
person, no time, only mode and sector."""
from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from eventhub.evaluation import services
from eventhub.evaluation.models import EvaluationAnswer, EvaluationAnswered, EvaluationResponse
from eventhub.extensions import db
from tests.attendance.support import AFTER
from tests.evaluation.support import CLOSES, DURING, OPENS, answer, open_now, question, set_up, token_of
from tests.registration.support import csrf_token, page_text


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.mark.parametrize(("person", "asked", "not_asked"), [
    ("Bengt", "on_site", "digital"),
    ("Åsa", "digital", "on_site"),
], ids=["on-site", "digital"])
def test_each_mode_is_asked_its_own_question_about_taking_part(app_ctx, forum, person, asked, not_asked):
    evaluation = set_up(forum.slug)
    registration = db.session.get(services.Registration, forum.ids[person])
    keys = [q.standard for q in services.questions_for(evaluation, registration.mode)]

    assert asked in keys and not_asked not in keys
    assert keys == ["overall", "content", "organisation", asked, "change"]
    with pytest.raises(services.InvalidAnswer):  # the other mode's question, sent by hand
        answer(forum.slug, forum.ids[person], **{not_asked: 3})


@pytest.mark.parametrize(("now", "error"), [
    (OPENS - timedelta(minutes=1), services.NotOpenYet),
    (CLOSES, services.Closed),
], ids=["a-minute-before", "at-the-close"])
def test_it_is_answered_only_while_open(app_ctx, forum, now, error):
    set_up(forum.slug)
    with pytest.raises(error):
        answer(forum.slug, forum.ids["Bengt"], now=now, overall=4)
    assert _count(EvaluationResponse) == 0


@pytest.mark.parametrize("person", ["Ylva"], ids=["cancelled"])
def test_only_people_with_a_place_answer(app_ctx, forum, person):
    set_up(forum.slug)
    with pytest.raises(services.NoPlace):
        answer(forum.slug, forum.ids[person], overall=4)


@pytest.mark.parametrize(("values", "error"), [
    ({"overall": 6}, services.InvalidAnswer),
    ({"overall": 0}, services.InvalidAnswer),
    ({"overall": "fyra"}, services.InvalidAnswer),
    ({"change": "x" * 2001}, services.InvalidAnswer),
    ({"overall": "", "change": "   "}, services.NothingAnswered),
], ids=["above-five", "zero", "a-word", "too-long", "nothing"])
def test_answers_out_of_range_or_empty_are_refused_and_nothing_is_stored(app_ctx, forum, values, error):
    set_up(forum.slug)
    with pytest.raises(error):
        answer(forum.slug, forum.ids["Bengt"], **values)
    assert _count(EvaluationResponse) == 0 and _count(EvaluationAnswered) == 0


def test_an_anonymous_answer_keeps_no_link_to_the_person_and_no_time(app_ctx, forum):
    set_up(forum.slug, anonymous=True)
    for name in ("Bengt", "Åsa", "Cecilia"):
        answer(forum.slug, forum.ids[name], overall=4, change=f"Svar från någon {len(name)}")

    responses = db.session.scalars(select(EvaluationResponse)).all()
    assert [r.registration_id for r in responses] == [None, None, None]
    assert [r.submitted_at for r in responses] == [None, None, None]
    assert sorted(r.mode for r in responses) == ["digital", "digital", "on_site"]
    assert all(re.fullmatch(r"[0-9a-f]{32}", r.id) for r in responses)  # random: the order says nothing
    marks = db.session.scalars(select(EvaluationAnswered)).all()
    assert {m.registration_id for m in marks} == {forum.ids["Bengt"], forum.ids["Åsa"], forum.ids["Cecilia"]}
    assert set(EvaluationAnswered.__table__.columns.keys()) == {"registration_id", "event_id"}  # no time, no answer
    assert services.own_response(forum.ids["Bengt"]) is None and services.answered(forum.ids["Bengt"])


def test_a_named_answer_is_the_persons_with_its_time(app_ctx, forum):
    set_up(forum.slug, anonymous=False)
    answer(forum.slug, forum.ids["Bengt"], now=DURING, overall=5, change="Mer tid i grupperna")

    response = services.own_response(forum.ids["Bengt"])
    assert response.registration_id == forum.ids["Bengt"] and response.submitted_at == DURING
    assert sorted(((a.rating, a.text) for a in response.answers), key=str) == [(5, None),
                                                                               (None, "Mer tid i grupperna")]


def test_a_second_answer_from_the_same_person_is_refused_and_the_first_stays(app_ctx, forum):
    set_up(forum.slug, anonymous=True)
    answer(forum.slug, forum.ids["Bengt"], overall=5)
    with pytest.raises(services.AlreadyAnswered):
        answer(forum.slug, forum.ids["Bengt"], overall=1)

    assert [a.rating for a in db.session.scalars(select(EvaluationAnswer))] == [5]


def test_two_answers_sent_at_the_same_moment_store_one(app, forum):
    """Four threads, each its own connection and transaction, send the same person's answers together."""
    with app.app_context():
        set_up(forum.slug, anonymous=True)
        overall = question(forum.slug, "overall").id
    barrier, outcomes = threading.Barrier(4), []

    def send(rating):
        with app.app_context():
            barrier.wait()
            try:
                services.submit(forum.ids["Åsa"], {overall: rating}, DURING)
                outcomes.append("stored")
            except services.AlreadyAnswered:
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=send, args=(rating,)) for rating in (1, 2, 3, 4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["refused", "refused", "refused", "stored"]
    with app.app_context():
        assert _count(EvaluationResponse) == 1 and _count(EvaluationAnswer) == 1
        assert _count(EvaluationAnswered) == 1


# --- through the personal link ---------------------------------------------------------------------

def _page(client, token, lang="en"):
    return client.get(f"/r/{token}/evaluation?lang={lang}")


def test_a_person_on_site_answers_from_their_link_and_is_thanked(app, client, forum):
    with app.app_context():
        open_now(forum.slug)
        token = token_of(forum.ids["Bengt"])
        overall, on_site, change = (question(forum.slug, key).id for key in ("overall", "on_site", "change"))
    page = _page(client, token)
    text = page_text(page)
    assert "Your answers are anonymous" in text
    assert "How was it to take part on site" in text and "taking part digitally" not in text

    response = client.post(f"/r/{token}/evaluation?lang=en", data={
        "csrf_token": csrf_token(page.get_data(as_text=True)), f"answer_{overall}": "5",
        f"answer_{on_site}": "4", f"answer_{change}": "Fler pauser, tack."})
    assert response.status_code == 303
    after = page_text(client.get(response.headers["Location"] + "?lang=en"))
    assert "Thank you! Your answers are sent." in after
    assert "You answered anonymously, so your answers are not kept with your registration" in after
    with app.app_context():
        assert sorted(a.rating or 0 for a in db.session.scalars(select(EvaluationAnswer))) == [0, 4, 5]


def test_the_page_speaks_the_persons_language_and_says_when_it_opens(app, client, forum):
    with app.app_context():
        now = AFTER
        set_up(forum.slug, opens=now + timedelta(days=400), closes=now + timedelta(days=420))
        token = token_of(forum.ids["Åsa"])
    text = page_text(client.get(f"/r/{token}/evaluation"))  # Åsa chose Swedish
    assert "Utvärderingen öppnar" in text and "centraleuropeisk" in text  # the zone is named
    assert "Skicka mina svar" not in text


def test_a_closed_evaluation_says_so_and_refuses_answers(app, client, forum):
    with app.app_context():
        set_up(forum.slug)  # closed in March 2026, long before now
        token = token_of(forum.ids["Bengt"])
        overall = question(forum.slug, "overall").id
    page = _page(client, token)
    assert "The evaluation closed on" in page_text(page)
    response = client.post(f"/r/{token}/evaluation?lang=en", data={
        "csrf_token": csrf_token(page.get_data(as_text=True)), f"answer_{overall}": "5"})
    assert response.status_code == 409
    with app.app_context():
        assert _count(EvaluationResponse) == 0


def test_sending_nothing_says_so_and_keeps_what_was_written(app, client, forum):
    with app.app_context():
        open_now(forum.slug)
        token = token_of(forum.ids["Bengt"])
        overall, change = question(forum.slug, "overall").id, question(forum.slug, "change").id
    page = _page(client, token)
    response = client.post(f"/r/{token}/evaluation?lang=en", data={
        "csrf_token": csrf_token(page.get_data(as_text=True)), f"answer_{overall}": "9",
        f"answer_{change}": "Det här vill jag behålla"})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Not a valid choice" in body or "not a valid choice" in body.lower()
    assert "Det här vill jag behålla" in body

    response = client.post(f"/r/{token}/evaluation?lang=en", data={
        "csrf_token": csrf_token(page.get_data(as_text=True)), f"answer_{overall}": ""})
    assert response.status_code == 422 and "Answer at least one question before you send." in page_text(response)


def test_a_named_evaluation_shows_the_person_their_own_answers(app, client, forum):
    with app.app_context():
        open_now(forum.slug, anonymous=False)
        token = token_of(forum.ids["Cecilia"])
        now = services.of_event(db.session.get(services.Registration, forum.ids["Cecilia"]).event_id).opens_at
        answer(forum.slug, forum.ids["Cecilia"], now=now + timedelta(minutes=5), overall=2, change="Ljudet bröts")
    text = page_text(_page(client, token))
    assert "Thank you: you have answered the evaluation." in text
    assert "2 – Poor" in text and "Ljudet bröts" in text


def test_the_personal_page_invites_to_the_open_evaluation(app, client, forum):
    with app.app_context():
        open_now(forum.slug)
        token = token_of(forum.ids["Bengt"])
    body = client.get(f"/r/{token}?lang=en").get_data(as_text=True)
    assert f'href="/r/{token}/evaluation"' in body and "Answer the evaluation" in body


def test_a_waitlisted_person_is_told_the_evaluation_is_for_those_with_a_place(app, client, make_event):
    from tests.registration.support import register

    slug = make_event(on_site_seats=0, digital_seats=0)
    with app.app_context():
        person = register(slug, "vanta@example.se", language="en").registration
        open_now(slug)
        token = token_of(person.id)
    text = page_text(_page(client, token))
    assert "The evaluation is for the people who had a place at the event." in text
    assert "Answer the evaluation" not in page_text(client.get(f"/r/{token}?lang=en"))
