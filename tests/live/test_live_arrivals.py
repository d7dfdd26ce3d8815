"""The day as it happens: arrivals at the door and online, and the groups' key points, reach the organisers'
live pages (after the commit, never after a rollback); the group leader's page lists who has come and
hears when to read it again; the closing panel sees every group's points side by side."""
from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from eventhub.checkin import join
from eventhub.checkin import services as checkin
from eventhub.extensions import db
from eventhub.groups import leaders
from eventhub.groups.models import DiscussionGroup
from eventhub.live import arrivals, channel, services
from eventhub.registration import tokens
from eventhub.registration.models import Registration
from tests.accounts.support import make_user, sign_in
from tests.live.test_live_stream import _messages
from tests.registration.support import KEYS, page_text


@pytest.fixture
def listening(app, forum):
    """A subscription to the forum's channel, as an organisers' stream holds one (staff); yields its messages."""
    subscription = channel.of(app).subscribe(forum.event_id, staff=True)

    def messages() -> list[dict]:
        found = []
        while (message := subscription.get(timeout=0.05)) is not None:
            found.append(message)
        return found

    yield messages
    subscription.close()


def _scan(app, forum, name="anna", nonce="n-1"):
    with app.app_context():
        person = db.session.get(Registration, getattr(forum, name))
        return checkin.scan(forum.event_id, tokens.ticket_payload(KEYS, person), None, nonce, datetime.now(UTC), KEYS)


def test_a_check_in_at_the_door_tells_the_organisers_someone_came(app, forum, listening):
    assert _scan(app, forum).colour == "green"
    assert listening() == [{"kind": "attendance", "to": "staff"}]
    with app.app_context():
        assert arrivals.figures(forum.event_id) == {"on_site": {"expected": 1, "arrived": 1},
                                                    "digital": {"expected": 1, "arrived": 0}}
    assert _scan(app, forum, nonce="n-2").colour != "green"  # scanned again: nobody new came
    assert listening() == []


def test_a_digital_join_and_an_undone_check_in_are_told_too(app, forum, listening):
    with app.app_context():
        db.session.get(Registration, forum.cecilia).event.join_opens_minutes_before = 120
        db.session.commit()
        join.join(forum.cecilia, datetime.now(UTC))
        assert arrivals.figures(forum.event_id)["digital"] == {"expected": 1, "arrived": 1}
    assert listening() == [{"kind": "attendance", "to": "staff"}]
    result = _scan(app, forum)
    listening()
    with app.app_context():
        checkin.undo(forum.event_id, result.check_in_id, make_user(app, "host@example.se"), datetime.now(UTC))
        assert arrivals.figures(forum.event_id)["on_site"] == {"expected": 1, "arrived": 0}
    assert listening() == [{"kind": "attendance", "to": "staff"}]


def test_nothing_is_told_of_a_change_that_was_rolled_back(app, forum, listening):
    with app.app_context():
        db.session.get(Registration, forum.anna).name = "Anna A"  # a unit of work, as a scan's
        arrivals._attendance_changed(forum.event_id)
        db.session.rollback()
        db.session.commit()
    assert listening() == []


def test_saving_a_group_s_key_points_tells_which_group_and_version(app, forum, listening):
    with app.app_context():
        group = db.session.get(DiscussionGroup, forum.on_site_group)
        leaders.save_key_points(group, "- Mentorskap\n- Språkcafé", datetime.now(UTC), version=0)
    assert listening() == [{"kind": "key-points", "group_id": forum.on_site_group, "version": 1, "to": "staff"}]


def test_attendees_streams_never_show_arrivals_or_key_points(app, client, forum):
    app.config.update(LIVE_STREAM_SECONDS=0.3, LIVE_HEARTBEAT_SECONDS=0.1)
    response = client.get(f"/r/{forum.tokens['anna']}/live")
    _scan(app, forum)
    with app.app_context():
        leaders.save_key_points(db.session.get(DiscussionGroup, forum.on_site_group), "Punkter", datetime.now(UTC),
                                version=0)
    assert [m for m in _messages(response.get_data(as_text=True)) if m.get("event") == "state"] == []


@pytest.fixture
def leader_token(app, forum):
    with app.app_context():
        return leaders.make_link(forum.event_id, forum.on_site_group, None, KEYS, datetime.now(UTC))


def test_the_leader_s_page_counts_who_has_come_without_naming_anyone(app, client, forum, leader_token):
    client.set_cookie("lang", "en")
    before = page_text(client.get(f"/leader/{leader_token}"))
    assert "How many have come" in before and "0 of the group's members have come (1 member)" in before
    _scan(app, forum)
    page = client.get(f"/leader/{leader_token}")
    after = page_text(page)
    assert "1 of the group's members has come (1 member)" in after
    assert "anna@example.se" not in after and "Anna Svensson" not in after
    assert f'data-stream="/leader/{leader_token}/live"' in page.get_data(as_text=True)


def test_the_leader_s_stream_says_only_which_kind_changed(app, client, forum, leader_token):
    app.config.update(LIVE_STREAM_SECONDS=0.3, LIVE_HEARTBEAT_SECONDS=0.1)
    response = client.get(f"/leader/{leader_token}/live")
    assert response.status_code == 200 and response.mimetype == "text/event-stream"
    _scan(app, forum)
    with app.app_context():
        services.send(forum.event_id, "all", "Tillbaka i stora salen", "", False, None, KEYS, datetime.now(UTC),
                      channel.of(app))
        leaders.save_key_points(db.session.get(DiscussionGroup, forum.on_site_group), "Punkter", datetime.now(UTC),
                                version=0)
    messages = [(m["event"], m.get("data")) for m in _messages(response.get_data(as_text=True)) if "comment" not in m]
    assert messages == [("hello", {}), ("state", {"kind": "attendance"}), ("bye", {})]
    assert client.get("/leader/" + "x" * 32 + "/live").status_code == 404


def test_the_panel_shows_every_group_s_key_points_side_by_side(app, client, forum):
    make_user(app, "host@example.se", staff_of={forum.slug: "host"})
    assert client.get(f"/manage/events/{forum.slug}/live/panel").status_code in (302, 401)
    sign_in(client, "host@example.se")
    client.set_cookie("lang", "en")
    with app.app_context():
        leaders.save_key_points(db.session.get(DiscussionGroup, forum.on_site_group),
                                "- Mentorskap <script>alert(1)</script>\n- Språkcafé", datetime.now(UTC) - timedelta(
                                    minutes=1), version=0)
    page = client.get(f"/manage/events/{forum.slug}/live/panel")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<script>alert" not in html
    text = page_text(page)
    assert "Grupp i salen" in text and "Mentorskap" in text and "Språkcafé" in text
    assert "Grupp på nätet" in text and "No key points yet." in text
    assert json.dumps(f"/manage/events/{forum.slug}/live/stream")[1:-1] in html


def test_the_console_shows_the_day_on_one_page(app, client, forum):
    make_user(app, "org@example.se", staff_of={forum.slug: "organiser"})
    sign_in(client, "org@example.se")
    client.set_cookie("lang", "en")
    _scan(app, forum)
    with app.app_context():
        services.send(forum.event_id, "all", "Välkomna till forumträffen", "", False, None, KEYS, datetime.now(UTC),
                      channel.of(app))
    page = client.get(f"/manage/events/{forum.slug}/live")
    assert page.status_code == 200
    text = page_text(page)
    assert "Live console" in text and "Now and next" in text
    assert "Checked in at the door 1 of 1 with a place" in text and "Joined online 0 of 1 with a place" in text
    assert "Open: people are choosing." in text and "Grupp i salen" in text and "Close group choice" in text
    assert "0 waiting for the moderator" in text and "1 sent" in text and "Välkomna till forumträffen" in text
    assert "Pitch" in text  # the next item for both audiences
    html = page.get_data(as_text=True)
    assert f'data-stream="/manage/events/{forum.slug}/live/stream"' in html


def test_a_host_sees_the_console_without_the_organisers_buttons(app, client, forum):
    make_user(app, "host@example.se", staff_of={forum.slug: "host"})
    sign_in(client, "host@example.se")
    client.set_cookie("lang", "en")
    text = page_text(client.get(f"/manage/events/{forum.slug}/live"))
    assert "Checked in at the door" in text and "Close group choice" not in text
    assert "Send an announcement" not in text


def test_closing_group_choice_from_the_console_comes_back_to_it(app, client, forum):
    make_user(app, "org@example.se", staff_of={forum.slug: "organiser"})
    sign_in(client, "org@example.se")
    page = client.get(f"/manage/events/{forum.slug}/live")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    response = client.post(f"/manage/events/{forum.slug}/live/group-choice",
                           data={"csrf_token": token, "open": "0", "back": "console"})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/manage/events/{forum.slug}/live")


def test_a_message_for_staff_only_wakes_no_attendee_stream(app, forum):
    hub = channel.LocalHub()
    attendee, organiser = hub.subscribe(forum.event_id), hub.subscribe(forum.event_id, staff=True)
    services.publish_state(hub, forum.event_id, "attendance", staff_only=True)
    services.publish_state(hub, forum.event_id, "seats", seats={})
    assert attendee.get(0.05) == {"kind": "seats", "seats": {}} and attendee.get(0.05) is None
    assert organiser.get(0.05)["kind"] == "attendance" and organiser.get(0.05)["kind"] == "seats"
