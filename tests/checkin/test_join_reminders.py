"""The reminder email that brings digital participants their join link, sent once."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from eventhub.checkin.join import send_join_reminders
from tests.registration.support import KEYS, event_by_slug, outbox, register


def _event(make_event, starts_in: timedelta) -> str:
    return make_event(starts_at=datetime.now(UTC) + starts_in, join_url="https://meet.example.org/x")


def test_reminder_goes_to_confirmed_digital_people_once(app_ctx, make_event):
    slug = _event(make_event, timedelta(hours=20))
    register(slug, "digi@example.se", "digital")
    register(slug, "room@example.se", "on_site")
    now = datetime.now(UTC)

    assert send_join_reminders(now, KEYS) == 1
    assert send_join_reminders(now + timedelta(minutes=10), KEYS) == 0  # never twice

    reminder = outbox("digi@example.se")[-1]
    assert reminder.subject.startswith("Din länk för att ansluta")
    assert "/join" in reminder.body_text
    assert "meet.example.org" not in reminder.body_text  # the platform address stays behind our link
    assert all("/join" not in message.body_text for message in outbox("room@example.se"))


def test_no_reminder_before_the_lead_time_or_for_cancelled_people(app_ctx, make_event):
    from eventhub.registration import services

    slug = _event(make_event, timedelta(days=3))
    kept = register(slug, "later@example.se", "digital").registration
    gone = register(slug, "gone@example.se", "digital").registration
    services.cancel(gone.id, datetime.now(UTC), KEYS)

    assert send_join_reminders(datetime.now(UTC), KEYS) == 0
    start = event_by_slug(slug).starts_at
    assert send_join_reminders(start - timedelta(hours=1), KEYS) == 1
    assert [m.to_address for m in outbox() if "/join" in m.body_text] == [kept.email]


def test_reminders_command_reports_what_it_queued(app, runner, make_event):
    slug = _event(make_event, timedelta(hours=2))
    with app.app_context():
        register(slug, "cli@example.se", "digital")
    result = runner.invoke(args=["reminders", "send"])
    assert result.exit_code == 0 and result.output.strip() == "queued 1 join reminders"


@pytest.mark.parametrize("language", ["sv", "en"])
def test_reminder_a_day_ahead_says_when_without_contradicting_itself(app_ctx, make_event, language):
    slug = _event(make_event, timedelta(hours=20))
    register(slug, "digi@example.se", "digital", language=language)

    send_join_reminders(datetime.now(UTC), KEYS)

    body = outbox("digi@example.se")[-1].body_text
    assert "soon" not in body and "snart" not in body  # it may be a day ahead
    assert re.search(r"/join\?lang=" + language, body)
    # The link is given in the message: the letter does not also promise it "on your page from ...".
    assert "registration page from" not in body and "anmälningssida från" not in body
    assert ("Central European" if language == "en" else "centraleuropeisk") in body
