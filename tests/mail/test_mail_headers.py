"""Every message carries what mail servers and clients check: Date, a Message-ID unique beyond this
database, Reply-To the event's contact, Auto-Submitted where the system wrote it. Read back with
Python's email parser under the strict policy."""
from __future__ import annotations

import email.policy
import re
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.utils import parsedate_to_datetime

import pytest

from eventhub.mail.transports import build_message
from eventhub.mailings import services as mailings
from tests.registration.support import KEYS, event_by_slug, outbox, register

SENDER = "EventHub <noreply@eventhub.boras.se>"
MESSAGE_ID = re.compile(r"^<[0-9a-f-]{36}@eventhub\.boras\.se>$")


def parsed(message):
    return message_from_bytes(build_message(message, SENDER).as_bytes(), policy=email.policy.strict)


@pytest.fixture
def event_with_contact(make_event):
    return make_event(contact_email="forum@boras.se", contact_name="Berit Müllerström",
                      starts_at=datetime.now(UTC) + timedelta(days=10))


def test_a_confirmation_has_date_a_unique_id_reply_to_and_auto_submitted(app, event_with_contact):
    with app.app_context():
        register(event_with_contact, "anna@example.se", "on_site")
        register(event_with_contact, "bo@example.se", "digital")
        first, second = (parsed(message) for message in outbox())
    for message in (first, second):
        assert MESSAGE_ID.match(message["Message-ID"]), message["Message-ID"]
        assert message["Reply-To"] == "forum@boras.se"
        assert message["Auto-Submitted"] == "auto-generated"
        assert abs(parsedate_to_datetime(message["Date"]) - datetime.now(UTC)) < timedelta(minutes=5)
    assert first["Message-ID"] != second["Message-ID"]


def test_the_message_id_stays_when_a_message_is_built_again(app, event_with_contact):
    """A message sent again after a lapsed lease keeps its id, so the receiver can drop the copy."""
    with app.app_context():
        register(event_with_contact, "anna@example.se", "on_site")
        (message,) = outbox()
        assert parsed(message)["Message-ID"] == parsed(message)["Message-ID"]


def test_an_organisers_mailing_is_not_marked_automatic(app, event_with_contact):
    with app.app_context():
        register(event_with_contact, "anna@example.se", "on_site")
        mailings.send(event_by_slug(event_with_contact).id, "all", "Hej", "Välkommen på tisdag", None, KEYS,
                      datetime.now(UTC))
        mailing = parsed(outbox()[-1])
    assert mailing["Subject"] == "Hej"
    assert mailing["Auto-Submitted"] is None
    assert mailing["Reply-To"] == "forum@boras.se"


def test_without_a_contact_there_is_no_reply_to(app, make_event):
    slug = make_event(contact_email=None, starts_at=datetime.now(UTC) + timedelta(days=10))
    with app.app_context():
        register(slug, "anna@example.se", "on_site")
        message = parsed(outbox()[0])
    assert message["Reply-To"] is None and message["Auto-Submitted"] == "auto-generated"
