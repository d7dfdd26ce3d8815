"""The follow-up email after the event: one text for those who came and one for those who did not, in each
person's language, with the recording, the slides, the event page and their own evaluation link; previewed,
sent now or at a set time, and delivered to each person once (a real SMTP server in the test process)."""
from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from eventhub.evaluation import followups
from eventhub.evaluation.models import FollowUpDelivery
from eventhub.extensions import db
from eventhub.mail import services as mail
from eventhub.mail.models import OutboxMessage
from eventhub.materials.models import EventMaterial
from eventhub.registration.models import Registration
from tests.accounts.support import post
from tests.attendance.support import AFTER
from tests.evaluation.support import open_now, token_of
from tests.mail.support import SMTPServer
from tests.registration.support import KEYS, event_by_slug, page_text

CAME = {"Bengt", "Zäta", "Cecilia"}  # checked in at the door (Zäta online too), joined by her link
MISSED = {"Åsa", "Örjan", "Dan", "Eva", "Fredrik"}  # had a place and did neither (no report imported)


@pytest.fixture
def smtp():
    server = SMTPServer()
    yield server.start()
    server.stop()


def _prepare(slug, ids):
    """Slides, an open evaluation, and Örjan reading English."""
    event = event_by_slug(slug)
    event.materials.append(EventMaterial(kind="slides", title="Bilder från Borås", url="https://slides.example/b"))
    db.session.execute(update(Registration).where(Registration.id == ids["Örjan"]).values(language="en"))
    db.session.commit()
    open_now(slug)


def _messages(event_id):
    return list(db.session.scalars(select(OutboxMessage).join(Registration).where(
        Registration.event_id == event_id, OutboxMessage.mailing_id.is_(None),
        OutboxMessage.subject.contains("Tack för att du var med") | OutboxMessage.subject.contains("Thank you for")
        | OutboxMessage.subject.contains("Inspelningen och presentationerna")
        | OutboxMessage.subject.contains("The recording and the slides")).order_by(OutboxMessage.id)))


def test_the_default_texts_differ_for_those_who_came_and_those_who_did_not_in_both_languages(app_ctx, forum):
    texts = followups.texts_of(event_by_slug(forum.slug))

    assert texts[("came", "sv")].subject == "Tack för att du var med: Forumträff om arbetsmarknaden"
    assert texts[("came", "en")].subject == "Thank you for taking part: Forumträff om arbetsmarknaden"
    assert texts[("missed", "sv")].body.startswith("Vi saknade dig på Forumträff om arbetsmarknaden.")
    assert not any(text.edited for text in texts.values())


def test_who_gets_which_follows_the_attendance_rule_and_their_language(app_ctx, forum):
    _prepare(forum.slug, forum.ids)
    reach = followups.reach(event_by_slug(forum.slug).id)

    assert reach.counts == {("came", "sv"): 3, ("came", "en"): 0, ("missed", "sv"): 4, ("missed", "en"): 1}
    assert reach.waiting == 8 and reach.delivered == 0 and reach.stopped == 0


def test_each_person_gets_their_variant_in_their_language_with_their_own_links(app_ctx, forum):
    _prepare(forum.slug, forum.ids)
    event = event_by_slug(forum.slug)
    sent = followups.send_now(event.id, None, datetime.now(UTC), KEYS)

    assert sent == 8
    by_person = {message.registration_id: message for message in _messages(event.id)}
    names = {registration_id: name for name, registration_id in forum.ids.items()}
    assert {names[i] for i in by_person} == CAME | MISSED
    for registration_id, message in by_person.items():
        name, body = names[registration_id], message.body_text
        assert f"/r/{token_of(registration_id)}/evaluation?lang=" in body  # their own evaluation link
        assert "https://play.example.se/forum" in body and "Bilder från Borås: https://slides.example/b" in body
        assert f"/events/{forum.slug}" in body and message.unsubscribe_url and message.automatic is False
        if name == "Örjan":
            assert message.subject == "The recording and the slides: Forumträff om arbetsmarknaden"
            assert "Did you take part after all?" in body and message.language == "en"
        elif name in CAME:
            assert message.subject.startswith("Tack för att du var med") and "Berätta hur det var för dig" in body
        else:
            assert "Vi saknade dig på" in body and "Deltog du ändå?" in body
    assert followups.reach(event.id).waiting == 0


def test_running_it_twice_writes_to_each_person_once(app_ctx, forum):
    _prepare(forum.slug, forum.ids)
    event_id = event_by_slug(forum.slug).id
    now = datetime.now(UTC)
    assert followups.send_now(event_id, None, now, KEYS) == 8
    assert followups.send_now(event_id, None, now, KEYS) == 0
    assert len(_messages(event_id)) == 8
    assert db.session.scalar(select(func.count()).select_from(FollowUpDelivery)) == 8


def test_two_senders_at_the_same_moment_write_to_each_person_once(app, forum):
    with app.app_context():
        _prepare(forum.slug, forum.ids)
        event_id = event_by_slug(forum.slug).id
    barrier, counts = threading.Barrier(3), []

    def run():
        with app.app_context():
            barrier.wait()
            try:
                counts.append(followups.deliver(event_id, datetime.now(UTC), KEYS))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert sum(counts) == 8
    with app.app_context():
        recipients = [message.registration_id for message in _messages(event_id)]
        assert len(recipients) == len(set(recipients)) == 8


def test_someone_who_stopped_the_organisers_emails_gets_none(app_ctx, forum):
    _prepare(forum.slug, forum.ids)
    db.session.execute(update(Registration).where(Registration.id == forum.ids["Dan"]).values(
        mailings_stopped_at=AFTER))
    db.session.commit()
    event_id = event_by_slug(forum.slug).id

    assert followups.reach(event_id).stopped == 1
    assert followups.send_now(event_id, None, datetime.now(UTC), KEYS) == 7
    assert forum.ids["Dan"] not in {message.registration_id for message in _messages(event_id)}


def test_it_cannot_be_sent_or_scheduled_before_the_event_is_over(app_ctx, make_event):
    slug = make_event()
    event = event_by_slug(slug)
    with pytest.raises(followups.EventNotOver):
        followups.send_now(event.id, None, datetime.now(UTC), KEYS)
    with pytest.raises(followups.BeforeTheEnd):
        followups.schedule(event.id, event.ends_at - timedelta(minutes=1), None, datetime.now(UTC))
    followups.schedule(event.id, event.ends_at + timedelta(hours=2), None, datetime.now(UTC))
    assert followups.send_due(event.ends_at + timedelta(hours=1), KEYS) == []  # not yet


def test_the_scheduled_follow_up_is_sent_by_the_command_once(app, runner, forum):
    with app.app_context():
        _prepare(forum.slug, forum.ids)
        event = event_by_slug(forum.slug)
        followups.schedule(event.id, event.ends_at + timedelta(days=1), None, AFTER)
    first = runner.invoke(args=["follow-ups", "send"])
    second = runner.invoke(args=["follow-ups", "send"])

    assert first.exit_code == 0 and f"{forum.slug}: queued 8 follow-up emails" in first.output
    assert second.exit_code == 0 and "0 follow-up emails queued for 0 events" in second.output
    with app.app_context():
        assert len(_messages(event_by_slug(forum.slug).id)) == 8
        assert followups.of_event(event_by_slug(forum.slug).id).send_at is None


def test_the_follow_up_reaches_a_real_mail_server_each_variant_once(app, forum, smtp):
    with app.app_context():
        _prepare(forum.slug, forum.ids)
        event_id = event_by_slug(forum.slug).id
        followups.send_now(event_id, None, datetime.now(UTC), KEYS)
        db.session.execute(update(OutboxMessage).where(OutboxMessage.id.not_in(
            [message.id for message in _messages(event_id)])).values(sent_at=AFTER))  # the confirmations
        db.session.commit()
        report = mail.deliver_due(smtp.transport(), datetime.now(UTC))
        again = mail.deliver_due(smtp.transport(), datetime.now(UTC) + timedelta(hours=2))

    assert (report.sent, report.failed, again.sent) == (8, 0, 0)
    received = smtp.inbox.messages()
    by_address = {}
    for message in received:
        by_address.setdefault(message["To"], []).append(message)
    assert all(len(messages) == 1 for messages in by_address.values()) and len(by_address) == 8
    bengt, dan, orjan = (by_address[address][0] for address in ("bengt@example.se", "dan@example.se",
                                                                 "orjan@example.se"))
    assert bengt["Subject"] == "Tack för att du var med: Forumträff om arbetsmarknaden"
    assert dan["Subject"] == "Inspelningen och presentationerna: Forumträff om arbetsmarknaden"
    assert orjan["Subject"] == "The recording and the slides: Forumträff om arbetsmarknaden"
    assert bengt["List-Unsubscribe"] and bengt["Reply-To"] == "forum@example.se"
    text, html = bengt.get_body(("plain",)).get_content(), bengt.get_body(("html",)).get_content()
    assert "Hej Bengt Bäck!" in text and "/evaluation?lang=sv" in text
    assert 'href="https://play.example.se/forum"' in html


# --- the organiser's page ------------------------------------------------------------------------

def test_the_page_counts_who_gets_which_and_warns_when_nobody_came(app, organiser):
    with app.app_context():
        _prepare(organiser.slug, organiser.ids)
    text = page_text(organiser.client.get(f"/manage/events/{organiser.slug}/follow-up/?lang=en"))
    assert "For those who came" in text and "Send it now to 8 people" in text
    assert "The person's own evaluation link (open until" in text
    assert "Nobody is recorded as having come" not in text

    with app.app_context():
        db.session.execute(update(Registration).values(checked_in_at=None, first_joined_at=None))
        db.session.commit()
    text = page_text(organiser.client.get(f"/manage/events/{organiser.slug}/follow-up/?lang=en"))
    assert "Nobody is recorded as having come" in text


def test_the_organiser_edits_a_text_previews_it_and_sends(app, organiser):
    client, slug = organiser.client, organiser.slug
    with app.app_context():
        _prepare(slug, organiser.ids)
        texts = followups.texts_of(event_by_slug(slug))
    data = {f"{part}_{variant}_{language}": getattr(texts[(variant, language)], part)
            for variant, language in texts for part in ("subject", "body")}
    data["body_came_sv"] = "Tack för i fredags!\n\n- Bilderna finns nedan\n- Inspelningen också"
    other = page_text(client.get(f"/manage/events/{slug}/follow-up/preview?variant=missed&language=en&lang=en"))
    assert "We missed you at Forumträff om arbetsmarknaden." in other and "(the default text)" in other
    assert post(client, f"/manage/events/{slug}/follow-up/", data).status_code == 303

    preview = client.get(f"/manage/events/{slug}/follow-up/preview?variant=came&language=sv&lang=en")
    body = preview.get_data(as_text=True)
    assert "Tack för i fredags!" in body and "exempellank-inte-en-riktig/evaluation" in body
    assert '<pre class="mail-text" lang="sv">' in body  # the Swedish text marked so on the English page

    response = post(client, f"/manage/events/{slug}/follow-up/send?lang=en")
    assert response.status_code == 303
    assert "The follow-up is queued for 8 people." in page_text(client.get(response.headers["Location"]
                                                                           .replace("#sending", "") + "?lang=en"))
    with app.app_context():
        bengt = next(m for m in _messages(event_by_slug(slug).id) if m.registration_id == organiser.ids["Bengt"])
        assert "Tack för i fredags!" in bengt.body_text


@pytest.mark.parametrize(("field", "value", "message"), [
    ("subject_came_sv", "", "Write a subject."),
    ("subject_missed_en", "Två\nrader", "The subject must be a single line."),
    ("body_came_en", "", "Write a message."),
], ids=["no-subject", "two-lines", "no-message"])
def test_a_bad_text_is_named_and_the_rest_kept(app, organiser, field, value, message):
    with app.app_context():
        texts = followups.texts_of(event_by_slug(organiser.slug))
    data = {f"{part}_{variant}_{language}": getattr(texts[(variant, language)], part)
            for variant, language in texts for part in ("subject", "body")}
    data["body_missed_sv"], data[field] = "Mitt eget meddelande", value
    response = post(organiser.client, f"/manage/events/{organiser.slug}/follow-up/?lang=en", data)
    assert response.status_code == 422
    assert message in page_text(response) and "Mitt eget meddelande" in response.get_data(as_text=True)
    with app.app_context():
        assert followups.of_event(event_by_slug(organiser.slug).id) is None


def test_a_schedule_before_the_end_is_refused_on_the_form(app, client, make_event):
    from tests.attendees.support import sign_in, staff_member

    slug = make_event()
    staff_member(app, slug, "olle@example.se", "organiser")
    sign_in(client, "olle@example.se")
    response = post(client, f"/manage/events/{slug}/follow-up/schedule?lang=en", {"send_at": "2020-01-01T10:00"})
    assert response.status_code == 422 and "Choose a time after the event ends." in page_text(response)
    text = page_text(client.get(f"/manage/events/{slug}/follow-up/?lang=en"))
    assert "The follow-up can be sent once the event is over" in text and "Send it now" not in text


def test_an_evaluation_that_opens_later_is_said_to_open_then(app_ctx, forum):
    from tests.evaluation.support import set_up

    now = datetime.now(UTC)
    set_up(forum.slug, opens=now + timedelta(days=1), closes=now + timedelta(days=8))
    event_id = event_by_slug(forum.slug).id
    followups.send_now(event_id, None, now, KEYS)
    bengt = next(m for m in _messages(event_id) if m.registration_id == forum.ids["Bengt"])
    assert "Öppen från " in bengt.body_text and "/evaluation?lang=sv" in bengt.body_text
