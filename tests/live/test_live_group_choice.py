"""Group choice at the pitch: opening it (one rule, emails once in each person's language, logged), the
state messages every open page follows (who sees which seats), the projector view, the my-link page."""
from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from config import TestingConfig
from eventhub import create_app
from eventhub.audit.models import AuditEntry
from eventhub.events import operations
from eventhub.events.models import Event
from eventhub.extensions import db
from eventhub.groups import services as groups
from eventhub.groups.models import DiscussionGroup
from eventhub.live import channel, services
from eventhub.live import group_choice as live_choice
from eventhub.mail.models import OutboxMessage
from eventhub.registration.models import Registration
from tests.accounts.support import make_user, post, sign_in
from tests.events.test_event_operations import data_of
from tests.registration.support import KEYS, csrf_token, outbox, page_text, register

PROJECTOR = "/manage/events/{slug}/live/projector"
TOGGLE = "/manage/events/{slug}/live/group-choice"
MY_LINK = "/events/{slug}/my-link"


def _set_open(app, forum, open_: bool) -> groups.ChoiceChange:
    with app.app_context():
        change = groups.set_choice_open(forum.event_id, open_, None, KEYS, datetime.now(UTC))
        return groups.ChoiceChange(None, change.changed, change.invited)


def _choice_emails(app) -> list[tuple[str, str, str]]:
    with app.app_context():
        return [(m.to_address, m.subject, m.body_text) for m in outbox()
                if "samtalsgrupp:" in m.subject or "discussion group:" in m.subject]


def _actions(app, forum) -> list[tuple[str, dict]]:
    with app.app_context():
        return [(e.action, e.details) for e in db.session.scalars(
            select(AuditEntry).where(AuditEntry.event_id == forum.event_id,
                                     AuditEntry.action.like("event.group_choice_%")).order_by(AuditEntry.id))]


@pytest.fixture
def closed(app, forum):
    """The forum before the pitch: group choice not yet open, nobody emailed."""
    _set_open(app, forum, False)
    with app.app_context():
        db.session.query(OutboxMessage).delete()
        db.session.query(AuditEntry).delete()
        db.session.commit()
    return forum


# --- the one rule ---------------------------------------------------------------------------------

def test_opening_group_choice_emails_each_confirmed_person_their_link_in_their_language(app, closed):
    change = _set_open(app, closed, True)
    assert (change.changed, change.invited) == (True, 2)
    sent = {to: (subject, body) for to, subject, body in _choice_emails(app)}
    assert set(sent) == {"anna@example.se", "cecilia@example.se"}  # not the waitlisted Bertil, not David
    assert sent["anna@example.se"][0] == "Välj din samtalsgrupp: Forumträff <Borås>"
    assert sent["cecilia@example.se"][0] == "Choose your discussion group: Forumträff <Borås>"
    assert f"/r/{closed.tokens['anna']}?lang=sv#choose-group" in sent["anna@example.se"][1]
    assert f"/r/{closed.tokens['cecilia']}?lang=en#choose-group" in sent["cecilia@example.se"][1]
    assert "Grupp i salen" in sent["anna@example.se"][1] and "Grupp på nätet" not in sent["anna@example.se"][1]
    assert "Grupp på nätet" in sent["cecilia@example.se"][1] and "Grupp i salen" not in sent["cecilia@example.se"][1]
    assert _actions(app, closed) == [("event.group_choice_opened", {"invited": 2})]


def test_opening_twice_or_again_after_closing_sends_nothing_twice(app, closed):
    _set_open(app, closed, True)
    again = _set_open(app, closed, True)
    _set_open(app, closed, False)
    reopened = _set_open(app, closed, True)
    assert (again.changed, again.invited) == (False, 0)
    assert (reopened.changed, reopened.invited) == (True, 0)
    assert len(_choice_emails(app)) == 2
    assert [action for action, _ in _actions(app, closed)] == [
        "event.group_choice_opened", "event.group_choice_closed", "event.group_choice_opened"]  # not the no-op


def test_someone_with_a_place_since_the_first_opening_is_emailed_at_the_next(app, closed):
    _set_open(app, closed, True)
    _set_open(app, closed, False)
    with app.app_context():
        register(closed.slug, "erik@example.se", mode="digital", language="en")
    assert _set_open(app, closed, True).invited == 1
    assert [to for to, _, _ in _choice_emails(app)].count("erik@example.se") == 1


def test_the_agenda_builders_toggle_uses_the_same_rule(app, client, closed):
    make_user(app, "olga@example.se", staff_of={closed.slug: "organiser"})
    sign_in(client, "olga@example.se")
    client.set_cookie("lang", "en")
    response = post(client, f"/manage/events/{closed.slug}/programme/group-choice", {"open": "1"},
                    follow_redirects=True)
    assert "2 people were emailed their link to choose" in page_text(response)
    assert len(_choice_emails(app)) == 2


def test_the_event_forms_checkbox_opens_group_choice_by_the_same_rule(app, closed):
    with app.app_context():
        event = db.session.get(Event, closed.event_id)
        operations.update_event(event.id, data_of(event, group_choice_open=True), None, datetime.now(UTC), KEYS)
        assert db.session.get(Event, closed.event_id).group_choice_open is True
    assert len(_choice_emails(app)) == 2
    assert [action for action, _ in _actions(app, closed)] == ["event.group_choice_opened"]


# --- the state on every open page ------------------------------------------------------------------

def _heard(subscription) -> list[dict]:
    found = []
    while (message := subscription.get(timeout=0.05)) is not None:
        found.append(message)
    return found


def test_opening_and_each_choice_publish_the_state_after_the_commit(app, closed):
    with app.app_context():
        subscription = channel.of(app).subscribe(closed.event_id)
    try:
        _set_open(app, closed, True)
        opened = _heard(subscription)
        assert [m["kind"] for m in opened] == ["group-choice", "seats"]
        assert opened[0]["open"] is True
        on_site, digital = str(closed.on_site_group), str(closed.digital_group)
        assert opened[1]["seats"] == {on_site: 9, digital: 9}  # Anna and Cecilia have a place each
        assert opened[1]["modes"] == {on_site: "on_site", digital: "digital"}
        with app.app_context():
            erik = register(closed.slug, "erik@example.se", mode="digital").registration.id
            _heard(subscription)
            groups.choose(erik, closed.digital_group, datetime.now(UTC), KEYS)
        chosen = _heard(subscription)
        assert [(m["kind"], m["seats"]) for m in chosen] == [("seats", {on_site: 9, digital: 8})]
        assert chosen[0]["version"] > opened[1]["version"]  # a page keeps the newer of two
        with app.app_context():
            assert chosen[0]["version"] == db.session.get(Event, closed.event_id).seats_version
    finally:
        subscription.close()


def test_a_rolled_back_change_publishes_nothing(app, closed):
    with app.app_context():
        subscription = channel.of(app).subscribe(closed.event_id)
        try:
            registration = db.session.get(Registration, closed.bertil)
            db.session.get(Event, closed.event_id).group_choice_open = True
            db.session.flush()
            assert registration is not None
            db.session.rollback()
            assert _heard(subscription) == []
        finally:
            subscription.close()


@pytest.mark.parametrize(("name", "digital_for_on_site", "sees"), [
    ("anna", False, {"on_site"}),
    ("anna", True, {"on_site", "digital"}),  # the event lets people on site join digital groups
    ("cecilia", False, {"digital"}),
    ("cecilia", True, {"digital"}),
], ids=["on-site", "on-site-may-join-digital", "digital", "digital-never-on-site"])
def test_a_person_sees_the_seats_of_the_groups_they_may_join(app, forum, name, digital_for_on_site, sees):
    with app.app_context():
        db.session.get(Event, forum.event_id).on_site_may_join_digital_groups = digital_for_on_site
        db.session.commit()
        message = {"kind": "seats", **live_choice.state(forum.event_id)}
        person = db.session.get(Registration, getattr(forum, name))
        viewer = services.viewer_of(person, None)
        shown = services._state_for(message, viewer)
        choice = services._state_for({"kind": "group-choice", "open": True}, viewer)
    ids = {"on_site": str(forum.on_site_group), "digital": str(forum.digital_group)}
    assert set(shown) == {"kind", "seats", "version"}  # numbers only: no names, no modes
    assert set(shown["seats"]) == {ids[mode] for mode in sees}
    assert choice == {"kind": "group-choice", "open": True}


def test_the_personal_page_marks_its_choice_section_and_places_left(app, client, forum):
    page = client.get(f"/r/{forum.tokens['anna']}").get_data(as_text=True)
    box = re.search(r"<div data-group-choice[^>]*>", page).group(0)
    assert 'data-open="yes"' in box and f'data-groups="{forum.on_site_group}"' in box
    assert f'data-seats-left="{forum.on_site_group}">9 platser kvar<' in page
    assert f'data-seats-left="{forum.digital_group}"' not in page  # not a group for her mode
    assert "js/group-choice.js" in page
    _set_open(app, forum, False)
    page = client.get(f"/r/{forum.tokens['anna']}").get_data(as_text=True)
    assert 'data-group-choice data-open="no"' in page and 'id="choose-group"' not in page


# --- the projector view ----------------------------------------------------------------------------

@pytest.mark.parametrize(("role", "has_button"), [("host", False), ("organiser", True)])
def test_the_projector_shows_each_group_with_seats_left_and_no_one_by_name(app, client, forum, role, has_button):
    with app.app_context():
        db.session.get(DiscussionGroup, forum.on_site_group).seats = 3
        db.session.commit()
    make_user(app, f"{role}@example.se", staff_of={forum.slug: role})
    sign_in(client, f"{role}@example.se")
    response = client.get(PROJECTOR.format(slug=forum.slug) + "?lang=en")
    assert response.status_code == 200
    page, text = response.get_data(as_text=True), page_text(response)
    assert "Grupp i salen" in text and "Sal 3" in text and "Grupp på nätet" in text and "Digital" in text
    assert f'data-seats-left="{forum.on_site_group}">2<' in page  # 3 seats, Anna has one
    assert "<svg" in page and f"/events/{forum.slug}/my-link" in page
    assert "anna@example.se" not in page and "Anna" not in text and forum.tokens["anna"] not in page
    assert '<noscript><meta http-equiv="refresh" content="15"></noscript>' in page
    assert f'data-stream="/manage/events/{forum.slug}/live/stream"' in page
    assert ("Close group choice" in text) is has_button


def test_the_projectors_button_opens_group_choice(app, client, closed):
    make_user(app, "olga@example.se", staff_of={closed.slug: "organiser"})
    sign_in(client, "olga@example.se")
    client.set_cookie("lang", "en")
    response = post(client, TOGGLE.format(slug=closed.slug), {"open": "1"}, follow_redirects=True)
    assert "Group choice is open. 2 people were emailed" in page_text(response)
    assert "Close group choice" in page_text(response)
    with app.app_context():
        assert db.session.get(Event, closed.event_id).group_choice_open is True


def test_the_projectors_button_needs_its_form_token(app, client, closed):
    make_user(app, "olga@example.se", staff_of={closed.slug: "organiser"})
    sign_in(client, "olga@example.se")
    assert client.post(TOGGLE.format(slug=closed.slug), data={"open": "1"}).status_code == 400
    with app.app_context():
        assert db.session.get(Event, closed.event_id).group_choice_open is False


# --- the page the QR code leads to ------------------------------------------------------------------

def _ask(client, slug, email):
    page = client.get(MY_LINK.format(slug=slug))
    return client.post(MY_LINK.format(slug=slug), data={"csrf_token": csrf_token(page.get_data(as_text=True)),
                                                         "email": email})


def test_my_link_emails_a_registered_person_their_link(app, client, forum):
    response = _ask(client, forum.slug, "  Cecilia@Example.se ")
    assert response.status_code == 303 and response.headers["Location"].endswith("/my-link?sent=1")
    with app.app_context():
        [message] = outbox("cecilia@example.se")
        assert message.subject == "Your registration link: Forumträff <Borås>"  # her language
        assert f"/r/{forum.tokens['cecilia']}?lang=en" in message.body_text


@pytest.mark.parametrize("email", ["nobody@example.se", "david@example.se"], ids=["unknown", "cancelled"])
def test_my_link_answers_the_same_for_an_address_it_does_not_know(app, client, forum, email):
    known = _ask(client, forum.slug, "anna@example.se")
    unknown = _ask(client, forum.slug, email)
    assert (unknown.status_code, unknown.headers["Location"]) == (known.status_code, known.headers["Location"])
    assert page_text(client.get(unknown.headers["Location"])) == page_text(client.get(known.headers["Location"]))
    with app.app_context():
        assert outbox(email) == []


@pytest.mark.parametrize(("email", "message"), [
    ("not-an-address", "Skriv en e-postadress som namn@exempel.se."),
    ("", "Skriv din e-postadress."),
], ids=["malformed", "empty"])
def test_my_link_says_what_is_wrong_with_the_address(app, client, forum, email, message):
    response = _ask(client, forum.slug, email)
    assert response.status_code == 422
    assert message in page_text(response)
    with app.app_context():
        assert outbox() == []


def test_my_link_refuses_a_post_without_its_form_token(app, client, forum):
    assert client.post(MY_LINK.format(slug=forum.slug), data={"email": "anna@example.se"}).status_code == 400
    with app.app_context():
        assert outbox() == []


def test_my_link_is_rate_limited_like_the_registration_form(app, database, forum):
    limited = create_app(TestingConfig, RATELIMIT_ENABLED=True, REGISTRATION_RATE_LIMIT="3 per minute",
                         RATELIMIT_STORAGE_URI="memory://", **database)
    try:
        client = limited.test_client()
        statuses = [_ask(client, forum.slug, f"person{i}@example.se").status_code for i in range(4)]
        assert statuses == [303, 303, 303, 429]
        fourth = _ask(client, forum.slug, "anna@example.se")
        assert fourth.status_code == 429 and "Inget skickades" in page_text(fourth)
        with limited.app_context():
            assert outbox("anna@example.se") == []
    finally:
        with limited.app_context():
            db.session.remove()
            db.engine.dispose()
