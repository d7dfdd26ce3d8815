"""Questions to the speakers: asking and its limits, moderation, merging, pinning, the audiences' shares,
questions sent in advance, privacy, and the pages (CSRF, both languages, nothing typed lost)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from eventhub.audit.models import AuditEntry
from eventhub.extensions import db
from eventhub.labels import AUDIT_ACTION
from eventhub.live import channel, qa
from eventhub.live.models import LiveQuestion, LiveQuestionVote
from eventhub.privacy import services as privacy
from eventhub.programme.models import ItemSpeaker, Person, ProgrammeItem
from eventhub.questions import services as questions
from eventhub.registration.models import Registration
from eventhub.registration.tokens import manage_token
from tests.accounts.support import make_user, post, sign_in
from tests.registration.support import KEYS, csrf_token, event_by_slug, html_of, page_text, register

NOW = datetime.now(UTC)


@dataclass
class Room:
    slug: str
    event_id: int
    talk: int  # for everyone, with a speaker
    digital_talk: int  # for the digital audience, with a speaker
    no_speakers: int
    anna: int  # on site, Swedish
    cecilia: int  # digital, English
    bertil: int  # on site, waitlisted
    tokens: dict[str, str]


def _item(event_id, title, starts_at, audience="everyone", speaker=True):
    item = ProgrammeItem(event_id=event_id, title=title, starts_at=starts_at, ends_at=starts_at + timedelta(minutes=45),
                         audience=audience)
    if speaker:
        item.speakers.append(ItemSpeaker(person=Person(name=f"Talare {title}")))
    db.session.add(item)
    db.session.flush()
    return item.id


@pytest.fixture
def room(app, make_event):
    """A hybrid event on now (it began ten minutes ago): one seat on site, so Bertil waits."""
    slug = make_event(on_site_seats=1, digital_seats=5, title="Forumträff <Borås>",
                      starts_at=NOW - timedelta(minutes=10), join_url="https://meet.example.org/forum")
    with app.app_context():
        event = event_by_slug(slug)
        talk = _item(event.id, "Panelsamtal", event.starts_at)
        digital_talk = _item(event.id, "Digitalt föredrag", event.starts_at + timedelta(hours=1), "digital")
        no_speakers = _item(event.id, "Fika", event.starts_at + timedelta(hours=2), speaker=False)
        db.session.commit()
        people = {"anna": register(slug, "anna@example.se").registration,
                  "bertil": register(slug, "bertil@example.se").registration,
                  "cecilia": register(slug, "cecilia@example.se", mode="digital", language="en").registration}
        return Room(slug, event.id, talk, digital_talk, no_speakers, people["anna"].id, people["cecilia"].id,
                    people["bertil"].id, {name: manage_token(KEYS, p.token_salt) for name, p in people.items()})


def _ask(app, room, who="anna", text="Hur når vi de unga?", item=None, anonymous=False, now=None, hub=None):
    with app.app_context():
        return qa.ask(getattr(room, who), room.talk if item is None else item, text, anonymous, now or NOW,
                      hub or channel.LocalHub()).id


def _moderate(app, room, question_id, action, hub=None):
    with app.app_context():
        qa.moderate(room.event_id, question_id, action, None, NOW, hub or channel.LocalHub())


# --- asking ----------------------------------------------------------------------------------------

def test_a_question_waits_for_the_moderator_with_where_it_came_from(app, room):
    on_site = _ask(app, room, "anna", "Hur når vi de unga?\x07")
    digital = _ask(app, room, "cecilia", "  How do we reach\n young people  online? ", anonymous=True)
    with app.app_context():
        rows = {q.id: q for q in db.session.scalars(select(LiveQuestion))}
        assert (rows[on_site].state, rows[on_site].mode, rows[on_site].text) == ("pending", "on_site",
                                                                              "Hur når vi de unga?")
        assert (rows[digital].mode, rows[digital].text, rows[digital].anonymous) == (
            "digital", "How do we reach young people online?", True)
        assert rows[digital].registration_id == room.cecilia  # kept for the limits and erasure
        viewer = db.session.get(Registration, room.cecilia)
        assert qa.for_attendee(viewer, NOW).shown == []  # nobody sees it before the moderator


@pytest.mark.parametrize(("setup", "error"), [
    ("empty", qa.EmptyQuestion),
    ("too_long", qa.QuestionTooLong),
    ("waitlisted", qa.NoPlace),
    ("before_the_day", qa.NotOpen),
    ("after_the_end", qa.NotOpen),
    ("item_without_speakers", qa.UnknownItem),
    ("item_of_the_other_audience", qa.UnknownItem),
    ("same_words_twice", qa.SameQuestionTwice),
    ("too_many_waiting", qa.TooManyPending),
    ("too_many_in_ten_minutes", qa.TooManyRecently),
], ids=lambda value: value if isinstance(value, str) else "")
def test_a_question_outside_the_rules_is_refused_by_name(app, room, setup, error):
    who, text, item, now = "anna", "En fråga", None, NOW
    if setup == "empty":
        text = " \x00 \n "
    elif setup == "too_long":
        text = "x" * 281
    elif setup == "waitlisted":
        who = "bertil"
    elif setup == "before_the_day":
        now = NOW - timedelta(days=2)
    elif setup == "after_the_end":
        now = NOW + timedelta(hours=4)
    elif setup == "item_without_speakers":
        item = room.no_speakers
    elif setup == "item_of_the_other_audience":
        item = room.digital_talk  # Anna is on site
    elif setup == "same_words_twice":
        _ask(app, room, text="En  FRÅGA?")
    elif setup == "too_many_waiting":
        for number in range(qa.MAX_PENDING):
            _ask(app, room, text=f"Fråga {number}")
    elif setup == "too_many_in_ten_minutes":
        for number in range(qa.MAX_RECENT):
            question = _ask(app, room, text=f"Fråga {number}", now=NOW - timedelta(minutes=9))
            _moderate(app, room, question, "approve")
    with pytest.raises(error):
        _ask(app, room, who, text, item, now=now)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LiveQuestion).where(
            LiveQuestion.text == "En fråga")) == 0


def test_the_ten_minute_limit_counts_only_the_last_ten_minutes(app, room):
    for number in range(qa.MAX_RECENT):
        question = _ask(app, room, text=f"Fråga {number}", now=NOW - timedelta(minutes=11))
        _moderate(app, room, question, "approve")
    assert _ask(app, room, text="Ännu en fråga")


def test_the_default_item_is_the_one_on_now_else_the_next_with_speakers(app, room):
    with app.app_context():
        anna, cecilia = db.session.get(Registration, room.anna), db.session.get(Registration, room.cecilia)
        assert qa.for_attendee(anna, NOW).default_item_id == room.talk
        assert [item.id for item in qa.for_attendee(cecilia, NOW).items] == [room.talk, room.digital_talk]
        later = NOW + timedelta(minutes=50)  # the panel is over, the digital talk comes next
        assert qa.for_attendee(cecilia, later).default_item_id == room.digital_talk


def test_the_window_opens_at_midnight_of_the_event_day_in_its_zone(app, make_event):
    slug = make_event(starts_at=datetime(2027, 3, 14, 13, 0, tzinfo=UTC), timezone="Europe/Stockholm")
    with app.app_context():
        opens, closes = qa.window(event_by_slug(slug))
        assert opens == datetime(2027, 3, 13, 23, 0, tzinfo=UTC)  # 00:00 in Stockholm (CET)
        assert closes == datetime(2027, 3, 14, 16, 0, tzinfo=UTC)


# --- moderation, votes, merging, pinning -------------------------------------------------------------

def test_an_approved_question_is_shown_to_those_whose_programme_has_its_item(app, room):
    everyone = _ask(app, room, "anna", "Till panelen")
    digital_only = _ask(app, room, "cecilia", "To the digital talk", item=room.digital_talk)
    _moderate(app, room, everyone, "approve")
    _moderate(app, room, digital_only, "approve")
    with app.app_context():
        anna, cecilia = db.session.get(Registration, room.anna), db.session.get(Registration, room.cecilia)
        assert [q.id for q in qa.for_attendee(anna, NOW).shown] == [everyone]
        assert {q.id for q in qa.for_attendee(cecilia, NOW).shown} == {everyone, digital_only}


def test_an_upvote_counts_once_and_can_be_taken_back(app, room):
    question = _ask(app, room, "anna")
    _moderate(app, room, question, "approve")
    hub = channel.LocalHub()
    with app.app_context():
        assert qa.vote(room.cecilia, question, NOW, hub) is True
        assert db.session.get(LiveQuestion, question).votes == 1
        db.session.add(LiveQuestionVote(question_id=question, registration_id=room.cecilia))
        with pytest.raises(IntegrityError):  # the database keeps one vote per person
            db.session.flush()
        db.session.rollback()
        assert qa.vote(room.cecilia, question, NOW, hub) is False
        assert db.session.get(LiveQuestion, question).votes == 0


def test_an_upvote_is_told_to_the_organisers_pages_only(app, room):
    """Upvotes come many a second in a full room: personal pages are not asked to read their list at each."""
    question = _ask(app, room, "anna")
    _moderate(app, room, question, "approve")
    hub = channel.LocalHub()
    subscription = hub.subscribe(room.event_id, staff=True)
    with app.app_context():
        qa.vote(room.cecilia, question, NOW, hub)
    message = subscription.get(0.1)
    assert message["change"] == "voted" and message["public"] is False
    with app.app_context():
        cecilia = qa.services.viewer_of(db.session.get(Registration, room.cecilia), None)
    assert qa.services._state_for(message, cecilia) is None


@pytest.mark.parametrize("state", ["pending", "rejected"])
def test_a_question_not_shown_cannot_be_upvoted(app, room, state):
    question = _ask(app, room, "anna")
    if state == "rejected":
        _moderate(app, room, question, "reject")
    with app.app_context(), pytest.raises(qa.NotVotable):
        qa.vote(room.cecilia, question, NOW, channel.LocalHub())


def test_merging_carries_the_votes_and_the_asker_over_and_hides_the_duplicate(app, room, make_event):
    target = _ask(app, room, "anna", "Hur når vi unga?")
    duplicate = _ask(app, room, "cecilia", "How do we reach the young?")
    _moderate(app, room, target, "approve")
    _moderate(app, room, duplicate, "approve")
    with app.app_context():
        other = register(room.slug, "dora@example.se", mode="digital").registration.id
        qa.vote(other, duplicate, NOW, channel.LocalHub())
        qa.vote(other, target, NOW, channel.LocalHub())  # voted for both: counted once
        qa.merge(room.event_id, duplicate, target, None, NOW, channel.LocalHub())
        assert db.session.get(LiveQuestion, target).votes == 2  # Dora and Cecilia, the duplicate's asker
        assert db.session.get(LiveQuestion, duplicate).merged_into_id == target
        anna = db.session.get(Registration, room.anna)
        assert [q.id for q in qa.for_attendee(anna, NOW).shown] == [target]
        queue = qa.queue(room.event_id)
        assert [(q.id, q.merged) for q in queue.shown] == [(target, 1)]
        with pytest.raises(qa.NotAllowed):
            qa.merge(room.event_id, target, target, None, NOW, channel.LocalHub())


def test_one_question_is_pinned_per_event_and_pinning_another_unpins_the_first(app, room):
    first, second = _ask(app, room, "anna", "Första"), _ask(app, room, "cecilia", "Second")
    _moderate(app, room, first, "pin")  # approves it too
    _moderate(app, room, second, "pin")
    with app.app_context():
        assert [(q.id, q.state) for q in db.session.scalars(select(LiveQuestion).where(LiveQuestion.pinned))] == [
            (second, "approved")]
        db.session.get(LiveQuestion, first).pinned = True
        with pytest.raises(IntegrityError):  # the database's backstop
            db.session.flush()
        db.session.rollback()
        assert qa.pinned(room.event_id).id == second


def test_the_presenter_never_shows_an_anonymous_askers_name(app, room):
    question = _ask(app, room, "cecilia", "Anonymous one", anonymous=True)
    _moderate(app, room, question, "pin")
    with app.app_context():
        assert qa.pinned(room.event_id).asker is None
        assert [q.asker for q in qa.queue(room.event_id).shown] == [None]  # the moderator neither


@pytest.mark.parametrize(("action", "state", "pinned"), [
    ("approve", "approved", False), ("reject", "rejected", False), ("answered", "answered", False),
    ("pin", "approved", True), ("reopen", "pending", False)])
def test_each_moderators_action_is_kept_audited_and_published(app, room, action, state, pinned):
    hub = channel.LocalHub()
    subscription = hub.subscribe(room.event_id, staff=True)
    question = _ask(app, room, "anna", hub=hub)
    _moderate(app, room, question, action, hub)
    with app.app_context():
        row = db.session.get(LiveQuestion, question)
        assert (row.state, row.pinned) == (state, pinned)
        entry = db.session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()))
        assert entry.action in AUDIT_ACTION and entry.details["question_id"] == question
    messages = [subscription.get(0.1), subscription.get(0.1)]
    assert messages[0]["change"] == "asked" and messages[0]["public"] is False
    assert messages[1]["change"] == action and "text" not in messages[1]


def test_a_persons_stream_hears_of_a_question_only_once_it_is_shown_to_their_audience(app, room):
    with app.app_context():
        anna = qa.services.viewer_of(db.session.get(Registration, room.anna), None)
        cecilia = qa.services.viewer_of(db.session.get(Registration, room.cecilia), None)
    asked = {"kind": "question", "id": 1, "change": "asked", "public": False, "modes": ["on_site", "digital"]}
    digital = {"kind": "question", "id": 2, "change": "approve", "public": True, "modes": ["digital"]}
    assert qa.services._state_for(asked, anna) is None
    assert qa.services._state_for(digital, anna) is None
    assert qa.services._state_for(digital, cecilia) == {"kind": "question", "id": 2, "change": "approve"}
    assert qa.services._state_for(asked, None) == asked  # the organisers' stream: everything


def test_the_shares_put_each_audiences_questions_beside_its_people(app, room):
    with app.app_context():
        for number in range(3):
            register(room.slug, f"d{number}@example.se", mode="digital")
    for who, text in (("anna", "Ett"), ("anna", "Två"), ("anna", "Tre"), ("cecilia", "Four")):
        _ask(app, room, who, text)
    with app.app_context():
        shares = {share.mode: share for share in qa.shares(room.event_id)}
    # Anna is the one person on site with a place; Cecilia and three more are digital (Bertil waits).
    assert (shares["on_site"].questions, shares["on_site"].question_percent, shares["on_site"].people_percent) == (
        3, 75, 20)
    assert (shares["digital"].questions, shares["digital"].question_percent, shares["digital"].people_percent) == (
        1, 25, 80)


def test_the_shares_say_nothing_yet_without_questions(app, room):
    with app.app_context():
        assert [share.question_percent for share in qa.shares(room.event_id)] == [None, None]


# --- questions sent in advance -------------------------------------------------------------------------

def test_answers_to_a_question_to_the_speakers_join_the_queue_once_as_sent_in_advance(app, room):
    with app.app_context():
        asked = questions.add(room.event_id, questions.QuestionData(
            "long_text", "Din fråga till panelen", to_speakers=True, speakers_item_id=room.talk), None)
        other = questions.add(room.event_id, questions.QuestionData("short_text", "Kommun"), None)
        event = event_by_slug(room.slug)
        all_asked = questions.asked(event)
        questions.keep_answers(room.cecilia, all_asked, {asked.id: "What about rural areas?", other.id: "Borås"},
                               NOW)
        db.session.commit()
        assert qa.take_in_advance(room.event_id, NOW) == 1
        assert qa.take_in_advance(room.event_id, NOW) == 0  # once
        [entry] = qa.queue(room.event_id).waiting
        assert (entry.text, entry.in_advance, entry.mode, entry.item_id) == (
            "What about rural areas?", True, "digital", room.talk)


def test_only_a_text_question_can_be_a_question_to_the_speakers(app, room):
    with app.app_context(), pytest.raises(questions.InvalidQuestion):
        questions.add(room.event_id, questions.QuestionData("yes_no", "Fråga?", to_speakers=True), None)


# --- privacy -------------------------------------------------------------------------------------------

def test_the_data_download_lists_a_persons_questions_anonymous_ones_too(app, room):
    question = _ask(app, room, "cecilia", "My anonymous question", anonymous=True)
    _moderate(app, room, question, "approve")
    with app.app_context():
        qa.vote(room.anna, question, NOW, channel.LocalHub())
        data = privacy.personal_data(room.cecilia, KEYS, NOW)
        assert [(q["text"], q["anonymous"]) for q in data["live_questions"]] == [("My anonymous question", True)]
        assert privacy.personal_data(room.anna, KEYS, NOW)["live_questions"] == [{"upvoted_question": question}]


def test_erasure_deletes_the_persons_questions_and_votes(app, room):
    mine = _ask(app, room, "cecilia", "Mine")
    theirs = _ask(app, room, "anna", "Theirs")
    for question in (mine, theirs):
        _moderate(app, room, question, "approve")
    with app.app_context():
        qa.vote(room.cecilia, theirs, NOW, channel.LocalHub())
        privacy.erase(room.cecilia, NOW, KEYS)
        assert list(db.session.scalars(select(LiveQuestion.id))) == [theirs]
        assert db.session.get(LiveQuestion, theirs).votes == 0
        assert db.session.scalar(select(func.count()).select_from(LiveQuestionVote)) == 0


def test_anonymising_the_event_deletes_its_questions(app, room):
    _ask(app, room, "anna")
    with app.app_context():
        ids = list(db.session.scalars(select(Registration.id).where(Registration.event_id == room.event_id)))
        privacy.anonymise(ids, NOW, KEYS)
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(LiveQuestion)) == 0


# --- the pages -----------------------------------------------------------------------------------------

def _page(client, room, who="anna", language=None):
    if language:
        client.set_cookie("lang", language)
    return client.get(f"/r/{room.tokens[who]}")


def test_the_personal_page_has_the_ask_form_with_the_current_item_chosen(client, room):
    page = html_of(_page(client, room))
    assert 'action="/r/' in page and "/ask\"" in page
    assert f'<option selected value="{room.talk}">' in page or f'value="{room.talk}" selected' in page
    assert "Digitalt föredrag" not in page.split("questions-heading")[1].split("</select>")[0]  # not Anna's


@pytest.mark.parametrize(("language", "text", "message"), [
    ("sv", "x" * 281, "En fråga är högst 280 tecken"),
    ("en", "x" * 281, "A question is at most 280 characters"),
    ("sv", "   ", "Skriv din fråga."),
    ("en", "   ", "Write your question."),
])
def test_a_refused_question_says_why_in_the_persons_language_and_keeps_what_was_typed(client, room, language,
                                                                                      text, message):
    who = {"sv": "anna", "en": "cecilia"}[language]  # a personal page speaks its person's language
    csrf = csrf_token(html_of(_page(client, room, who)))
    response = client.post(f"/r/{room.tokens[who]}/ask", data={
        "csrf_token": csrf, "item": str(room.talk), "text": text, "anonymous": "y"})
    assert response.status_code == 422
    assert message in page_text(response)
    body = html_of(response)
    assert f">{text.strip()}</textarea>" in body.replace(">   </textarea>", "></textarea>") or \
        f">{text}</textarea>" in body
    assert 'name="anonymous" value="y" checked' in body
    assert f'<option selected value="{room.talk}">' in body


def test_the_ask_form_needs_its_csrf_token(client, room):
    response = client.post(f"/r/{room.tokens['anna']}/ask", data={"item": str(room.talk), "text": "Hej"})
    assert response.status_code == 400
    with client.application.app_context():
        assert db.session.scalar(select(func.count()).select_from(LiveQuestion)) == 0


def test_asking_and_upvoting_work_without_javascript(app, client, room):
    csrf = csrf_token(html_of(_page(client, room, "anna")))
    response = client.post(f"/r/{room.tokens['anna']}/ask", data={
        "csrf_token": csrf, "item": str(room.talk), "text": "Hur <b>når</b> vi de unga?"})
    assert response.status_code == 303
    page = html_of(client.get(response.headers["Location"]))
    assert "Väntar på moderatorn" in page_text(client.get(f"/r/{room.tokens['anna']}"))
    assert "Hur &lt;b&gt;når&lt;/b&gt; vi de unga?" in page  # escaped, never markup
    with app.app_context():
        question = db.session.scalar(select(LiveQuestion.id))
    _moderate(app, room, question, "approve")
    other = app.test_client()
    page = html_of(_page(other, room, "cecilia", "en"))
    assert "Hur &lt;b&gt;når&lt;/b&gt; vi de unga?" in page
    response = other.post(f"/r/{room.tokens['cecilia']}/ask/{question}/vote", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 303
    assert "1 vote" in page_text(other.get(f"/r/{room.tokens['cecilia']}"))


def test_the_moderator_sees_the_queue_with_origin_badges_and_shares(app, client, room):
    _ask(app, room, "anna", "Från salen")
    _ask(app, room, "cecilia", "From online", anonymous=True)
    make_user(app, "host@example.se", role="host", staff_of={room.slug: "host"})
    sign_in(client, "host@example.se")
    response = client.get(f"/manage/events/{room.slug}/live/questions")
    text = page_text(response)
    assert f"/manage/events/{room.slug}/attendees" not in html_of(response)  # a host moderates, nothing more
    assert "På plats" in text and "Digitalt" in text
    assert "Anonym" in text and "cecilia@example.se" not in text
    assert "Digitalt: 50 % av frågorna, 50 % av publiken" in text


def test_the_moderator_approves_and_pins_without_javascript_and_it_is_audited(app, client, room):
    question = _ask(app, room, "anna", "Från salen")
    make_user(app, "org@example.se", staff_of={room.slug: "organiser"})
    sign_in(client, "org@example.se")
    for action in ("approve", "pin"):
        response = post(client, f"/manage/events/{room.slug}/live/questions/{question}/{action}")
        assert response.status_code == 303
    assert "Från salen" in page_text(client.get(f"/manage/events/{room.slug}/live/presenter"))
    with app.app_context():
        actions = list(db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("live_question.%"))
                                          .order_by(AuditEntry.id)))
    assert actions == ["live_question.approved", "live_question.pinned"]


def test_merging_waits_until_the_moderator_chooses_which_question_it_repeats(app, client, room):
    first, second = _ask(app, room, "anna", "Från salen"), _ask(app, room, "cecilia", "From online")
    make_user(app, "org@example.se", staff_of={room.slug: "organiser"})
    sign_in(client, "org@example.se")
    client.set_cookie("lang", "en")
    queue = client.get(f"/manage/events/{room.slug}/live/questions").get_data(as_text=True)
    assert '<option value="" selected>Choose the question it repeats</option>' in queue  # nothing chosen for them
    response = post(client, f"/manage/events/{room.slug}/live/questions/{second}/merge", {"into": ""})
    assert response.status_code == 303
    assert "Choose another question to merge this one into." in page_text(client.get(response.headers["Location"]))
    with app.app_context():
        assert db.session.get(LiveQuestion, second).merged_into_id is None
        assert db.session.get(LiveQuestion, first).merged_into_id is None


def test_a_moderators_action_needs_its_csrf_token(app, client, room):
    question = _ask(app, room, "anna")
    make_user(app, "org@example.se", staff_of={room.slug: "organiser"})
    sign_in(client, "org@example.se")
    response = client.post(f"/manage/events/{room.slug}/live/questions/{question}/approve")
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(LiveQuestion, question).state == "pending"


def test_the_organiser_marks_a_registration_question_as_one_to_the_speakers(app, client, room):
    make_user(app, "org@example.se", staff_of={room.slug: "organiser"})
    sign_in(client, "org@example.se")
    response = post(client, f"/manage/events/{room.slug}/questions/new", {
        "kind": "long_text", "label_sv": "Din fråga till panelen", "required": "no", "audience": "everyone",
        "to_speakers": "y", "speakers_item": str(room.talk)})
    assert response.status_code == 303
    with app.app_context():
        [asked] = questions.of_event(room.event_id)
        assert (asked.to_speakers, asked.speakers_item_id) == (True, room.talk)
    assert "En fråga till talarna" in page_text(client.get(f"/manage/events/{room.slug}/questions/"))
    refused = post(client, f"/manage/events/{room.slug}/questions/new", {
        "kind": "yes_no", "label_sv": "Kommer du?", "required": "no", "audience": "everyone", "to_speakers": "y"})
    assert refused.status_code == 422
    assert "besvaras med ord" in page_text(refused)


def test_a_question_sent_in_advance_is_in_the_moderators_queue_marked_so(app, client, room):
    with app.app_context():
        asked = questions.add(room.event_id, questions.QuestionData("short_text", "Fråga till talarna",
                                                                    to_speakers=True), None)
        questions.keep_answers(room.anna, questions.asked(event_by_slug(room.slug)), {asked.id: "Vad kostar det?"},
                               NOW)
        db.session.commit()
    make_user(app, "host@example.se", role="host", staff_of={room.slug: "host"})
    sign_in(client, "host@example.se")
    text = page_text(client.get(f"/manage/events/{room.slug}/live/questions"))
    assert "Vad kostar det? " in text and "Skickad i förväg" in text and "På plats" in text
    assert "Tiderna anges i centraleuropeisk" in text


def test_an_approved_question_answered_leaves_the_presenters_screen(app, client, room):
    question = _ask(app, room, "anna", "Från salen")
    _moderate(app, room, question, "pin")
    _moderate(app, room, question, "answered")
    with app.app_context():
        assert qa.pinned(room.event_id) is None
        anna = db.session.get(Registration, room.anna)
        assert [(q.id, q.state) for q in qa.for_attendee(anna, NOW).shown] == [(question, "answered")]


def test_with_auto_approve_a_question_is_shown_at_once_and_the_change_is_audited(app, client, room):
    make_user(app, "org@example.se", staff_of={room.slug: "organiser"})
    sign_in(client, "org@example.se")
    response = post(client, f"/manage/events/{room.slug}/live/questions/settings", {"auto_approve": "y"})
    assert response.status_code == 303
    question = _ask(app, room, "anna", "Syns direkt")
    with app.app_context():
        assert db.session.get(LiveQuestion, question).state == "approved"
        cecilia = db.session.get(Registration, room.cecilia)
        assert [q.id for q in qa.for_attendee(cecilia, NOW).shown] == [question]
        assert qa.set_auto_approve(room.event_id, True, None) is False  # no change, no entry
        assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "live_questions.auto_approve_on")) == 1
        qa.set_auto_approve(room.event_id, False, None)
    assert _ask(app, room, "anna", "Väntar igen")
    with app.app_context():
        assert db.session.scalar(select(LiveQuestion.state).where(LiveQuestion.text == "Väntar igen")) == "pending"


def test_a_door_host_cannot_change_whether_questions_wait(app, client, room):
    make_user(app, "host@example.se", role="host", staff_of={room.slug: "host"})
    sign_in(client, "host@example.se")
    response = post(client, f"/manage/events/{room.slug}/live/questions/settings", {"auto_approve": "y"})
    assert response.status_code == 403
    with app.app_context():
        assert qa.auto_approves(room.event_id) is False


def test_a_person_on_the_waitlist_sees_no_questions_and_is_told_who_may_ask(app, client, room):
    question = _ask(app, room, "anna", "Från salen")
    _moderate(app, room, question, "approve")
    text = page_text(client.get(f"/r/{room.tokens['bertil']}/ask"))
    assert "Bara den som har en plats på evenemanget kan ställa frågor." in text
    assert "Från salen" not in text
