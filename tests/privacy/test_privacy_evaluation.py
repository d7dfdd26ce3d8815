"""Evaluation answers and privacy: in the person's data download when they carry a name, gone when the person
erases their registration, stripped of names and written comments when registrations are anonymised (early, or
by the event's retention period); and the privacy notice that says so, and that names the event's photos."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from eventhub.audit.models import AuditEntry
from eventhub.evaluation import results
from eventhub.evaluation.models import EvaluationAnswer, EvaluationAnswered, EvaluationResponse
from eventhub.extensions import db
from eventhub.privacy import notice, retention, services
from eventhub.privacy.models import ConsentRecord
from tests.attendance.support import AFTER, STARTS
from tests.evaluation.support import answer, make_forum_with_people, set_up, token_of
from tests.registration.support import KEYS, csrf_token, event_by_slug, page_text

ENDS = STARTS + timedelta(hours=3)


@pytest.fixture
def forum(app, make_event):
    """The forum of the attendance samples with its people (tests/evaluation/support)."""
    return make_forum_with_people(app, make_event)


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _answer_three(slug, ids):
    for name, overall, change in (("Bengt", 5, "Bengt tyckte om fikat"), ("Åsa", 3, "Åsa hörde dåligt"),
                                  ("Cecilia", 4, "")):
        answer(slug, ids[name], overall=overall, change=change)


def _download(client, token) -> dict:
    response = client.get(f"/r/{token}/my-data.json")
    assert response.status_code == 200
    return json.loads(response.get_data(as_text=True))


def test_named_answers_are_in_the_persons_data_download(app, client, forum):
    with app.app_context():
        set_up(forum.slug, anonymous=False)
        _answer_three(forum.slug, forum.ids)
        token = token_of(forum.ids["Bengt"])
    data = _download(client, token)["evaluation"]

    assert (data["answered"], data["anonymous"], data["mode"]) == (True, False, "on_site")
    answers = {item["question"]: (item["rating"], item["text"]) for item in data["answers"]}
    assert answers == {"Hur var träffen som helhet?": (5, None),
                       "Vad skulle du ändra till nästa gång?": (None, "Bengt tyckte om fikat")}


def test_an_anonymous_answer_is_in_the_download_only_as_the_fact_of_answering(app, client, forum):
    with app.app_context():
        set_up(forum.slug, anonymous=True)
        _answer_three(forum.slug, forum.ids)
        token, silent = token_of(forum.ids["Bengt"]), token_of(forum.ids["Dan"])
    data = _download(client, token)["evaluation"]

    assert (data["answered"], data["anonymous"]) == (True, True) and "answers" not in data
    assert "Bengt tyckte om fikat" not in json.dumps(_download(client, token))
    assert _download(client, silent)["evaluation"] is None


def test_erasure_deletes_the_persons_named_answers_and_leaves_the_others(app, client, forum):
    with app.app_context():
        set_up(forum.slug, anonymous=False)
        _answer_three(forum.slug, forum.ids)
        token = token_of(forum.ids["Bengt"])
    page = client.get(f"/r/{token}/erase")
    assert client.post(f"/r/{token}/erase", data={"csrf_token": csrf_token(page.get_data(as_text=True))}
                       ).status_code == 303
    with app.app_context():
        assert _count(EvaluationResponse) == 2 and _count(EvaluationAnswered) == 2
        assert _count(EvaluationAnswer, EvaluationAnswer.text == "Bengt tyckte om fikat") == 0
        assert _count(EvaluationResponse, EvaluationResponse.registration_id == forum.ids["Bengt"]) == 0


def test_erasure_keeps_an_anonymous_answer_it_cannot_tell_apart_but_drops_the_mark(app_ctx, forum):
    set_up(forum.slug, anonymous=True)
    _answer_three(forum.slug, forum.ids)
    services.erase(forum.ids["Bengt"], AFTER, KEYS)

    assert _count(EvaluationResponse) == 3  # the figures stay
    assert _count(EvaluationAnswered, EvaluationAnswered.registration_id == forum.ids["Bengt"]) == 0


def test_anonymising_the_event_unlinks_named_answers_and_deletes_written_ones(app_ctx, forum):
    set_up(forum.slug, anonymous=False)
    _answer_three(forum.slug, forum.ids)
    event_id = event_by_slug(forum.slug).id
    services.anonymise_event(event_id, None, AFTER, KEYS)

    responses = db.session.scalars(select(EvaluationResponse)).all()
    assert [(r.registration_id, r.submitted_at) for r in responses] == [(None, None)] * 3
    assert _count(EvaluationAnswer, EvaluationAnswer.text.is_not(None)) == 0
    found = results.for_event(event_id)
    overall = next(result for result in found.questions if result.question.standard == "overall")
    assert overall.total.answers == 3 and overall.total.average == 4.0  # the ratings remain as figures
    assert results.people_rows(found) == []


@pytest.mark.parametrize("anonymous", [True, False], ids=["anonymous", "named"])
def test_the_retention_period_turns_the_answers_into_anonymous_figures_once(app_ctx, forum, anonymous):
    set_up(forum.slug, anonymous=anonymous)
    _answer_three(forum.slug, forum.ids)
    almost, due = ENDS + timedelta(days=364, hours=23), ENDS + timedelta(days=365)

    assert retention.purge(almost, KEYS).evaluation_answers == 0
    assert _count(EvaluationAnswer, EvaluationAnswer.text.is_not(None)) == 2
    dry = retention.purge(due, KEYS, dry_run=True)
    assert dry.evaluation_answers == (2 if anonymous else 3)  # named: every answer names someone
    assert _count(EvaluationAnswer, EvaluationAnswer.text.is_not(None)) == 2

    report = retention.purge(due, KEYS)
    assert report.evaluation_answers == (2 if anonymous else 3)
    assert _count(EvaluationAnswer, EvaluationAnswer.text.is_not(None)) == 0
    assert _count(EvaluationResponse, EvaluationResponse.registration_id.is_not(None)) == 0
    assert _count(EvaluationAnswer, EvaluationAnswer.rating.is_not(None)) == 3
    assert retention.purge(due + timedelta(days=1), KEYS).events == []  # nothing left to do
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "privacy.evaluation_anonymised")).all()
    assert len(entries) == 1 and entries[0].details["days"] == 365


def test_the_purge_command_reports_the_evaluation(app, runner, forum):
    with app.app_context():
        set_up(forum.slug, anonymous=True)
        _answer_three(forum.slug, forum.ids)
    result = runner.invoke(args=["privacy", "purge", "--now", (ENDS + timedelta(days=366)).isoformat()])
    assert result.exit_code == 0, result.output
    assert "evaluation answers of 2 people made anonymous figures" in result.output


# --- the notice ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("lang", "words"), [
    ("en", ["answer a short evaluation from your personal link", "your answers are kept with no link to you",
            "Only people who agreed to appear in photos may be recognisable in them",
            "Written answers to the evaluation are deleted then too"]),
    ("sv", ["svara på en kort utvärdering via din personliga länk", "sparas dina svar utan koppling till dig",
            "Bara de som har samtyckt till att synas på bild får gå att känna igen",
            "Då raderas också skrivna svar på utvärderingen"]),
])
def test_the_notice_names_the_evaluation_and_the_photos(client, forum, lang, words):
    text = page_text(client.get(f"/events/{forum.slug}/privacy?lang={lang}"))
    for word in words:
        assert word in text, word


def test_the_notice_says_it_also_when_the_organiser_wrote_their_own(app, client, forum):
    from eventhub.privacy.models import EventPrivacy

    with app.app_context():
        db.session.add(EventPrivacy(event_id=event_by_slug(forum.slug).id, notice_text="Vår egen text."))
        db.session.commit()
    text = page_text(client.get(f"/events/{forum.slug}/privacy?lang=en"))
    assert "Vår egen text." in text and "answer a short evaluation" in text and "appear in photos" in text


def test_the_new_revision_is_a_new_version_and_people_who_accepted_the_old_one_are_told(app, client, forum,
                                                                                         monkeypatch):
    with app.app_context():
        event = event_by_slug(forum.slug)
        now_version = services.notice_for(event).version
        monkeypatch.setattr(notice, "STANDARD_TEXT_REVISION", 2)
        old_version = services.notice_for(event).version
        monkeypatch.undo()
        assert old_version != now_version
        # Bengt accepted the notice before this revision
        record = db.session.scalar(select(ConsentRecord).where(ConsentRecord.registration_id == forum.ids["Bengt"],
                                                               ConsentRecord.kind == "privacy_notice"))
        record.notice_version = old_version
        db.session.commit()
        token, current = token_of(forum.ids["Bengt"]), token_of(forum.ids["Eva"])
    assert "The notice has changed since." in page_text(client.get(f"/r/{token}?lang=en"))
    assert "The notice has changed since." not in page_text(client.get(f"/r/{current}?lang=en"))
