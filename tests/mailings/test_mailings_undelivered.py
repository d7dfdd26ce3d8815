"""Organisers see the emails of their event that were given up on, and why, in their language.

The mail server is aiosmtpd in the test process, refusing one recipient for good (550).
"""
from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from eventhub.extensions import db
from eventhub.mail import services as mail
from eventhub.mail.models import OutboxMessage
from eventhub.mail.transports import Undeliverable
from eventhub.mailings import services as mailings
from eventhub.mailings.views import UNDELIVERED_REASON
from eventhub.types import utcnow
from tests.accounts.support import make_user, post, sign_in
from tests.mail.support import SMTPServer
from tests.registration.support import event_by_slug, page_text, register

COMPOSE = "/manage/events/{slug}/email/"

REASON = {
    "en": "The receiving mail server does not accept this address. Check it for typing errors.",
    "sv": "Mottagarens e-postserver tar inte emot den här adressen. Kontrollera att den är rätt stavad.",
}
HEADING = {"en": "Mail not delivered", "sv": "E-post som inte kom fram"}


@pytest.fixture
def smtp():
    server = SMTPServer()
    server.inbox.refuse["nobody@example.se"] = "550 5.1.1 No such user here"
    yield server.start()
    server.stop()


@pytest.fixture
def refused(app, make_event, smtp):
    """An event whose confirmation to nobody@example.se was refused for good; another event's too."""
    slug = make_event(title="Forumträff")
    other = make_event(title="Annan träff")
    with app.app_context():
        register(slug, "nobody@example.se", "digital")
        register(slug, "anna@example.se", "digital")
        register(other, "nobody@example.se", "digital", name="Other Event Person")
        report = mail.deliver_due(smtp.transport(), utcnow())
        assert (report.sent, report.given_up) == (1, 2)
    return slug, other


@pytest.mark.parametrize("language", ["sv", "en"])
def test_compose_page_lists_undelivered_mail_with_reason_in_organisers_language(app, client, refused, language):
    slug, other = refused
    make_user(app, "org@example.se", staff_of={slug: "organiser"})
    client.set_cookie("lang", language)
    sign_in(client, "org@example.se")

    text = page_text(client.get(COMPOSE.format(slug=slug)))

    assert HEADING[language] in text
    assert "nobody@example.se" in text and REASON[language] in text and "550" in text
    assert "anna@example.se" not in text  # delivered
    with app.app_context():
        # Only this event's: the other event's refused confirmation is its organisers' business.
        assert [m.subject for m in mailings.undelivered(event_by_slug(slug).id)] == ["Du är anmäld: Forumträff"]
        assert [m.subject for m in mailings.undelivered(event_by_slug(other).id)] == ["Du är anmäld: Annan träff"]


def test_compose_page_without_undelivered_mail_shows_no_section(app, client, make_event):
    slug = make_event()
    make_user(app, "org@example.se", staff_of={slug: "organiser"})
    client.set_cookie("lang", "en")
    sign_in(client, "org@example.se")

    assert HEADING["en"] not in page_text(client.get(COMPOSE.format(slug=slug)))


def test_mailing_page_counts_and_lists_its_undelivered_messages(app, client, make_event, smtp):
    slug = make_event()
    with app.app_context():
        register(slug, "nobody@example.se", "digital")
        register(slug, "anna@example.se", "digital")
        mail.deliver_due(smtp.transport(), utcnow())  # the confirmations
    make_user(app, "org@example.se", staff_of={slug: "organiser"})
    client.set_cookie("lang", "en")
    sign_in(client, "org@example.se")
    response = post(client, f"{COMPOSE.format(slug=slug)}send", {"audience": "all", "subject": "Praktiskt",
                                                                 "body": "Hej!"})
    location = response.headers["Location"]
    with app.app_context():
        assert mail.deliver_due(smtp.transport(), utcnow()).given_up == 1

    text = page_text(client.get(location))

    assert "1 of 2 sent, 1 not delivered" in text
    assert HEADING["en"] in text and "Praktiskt" in text and REASON["en"] in text
    assert "1 of 2 sent, 1 not delivered" in page_text(client.get(COMPOSE.format(slug=slug)))


@pytest.mark.parametrize(("language", "month", "zone"), [
    ("en", 1, "(Central European Standard Time, UTC+1)"),
    ("en", 7, "(Central European Summer Time, UTC+2)"),
    ("sv", 1, "(centraleuropeisk normaltid, UTC+1)"),
], ids=["en-winter", "en-summer", "sv-winter"])
def test_the_time_a_mail_failed_names_its_zone(app, client, refused, language, month, zone):
    """The zone of that moment: a message that failed in July says summer time, one in January not."""
    slug, _other = refused
    with app.app_context():
        failed_at = datetime(2027, month, 14, 9, 30, tzinfo=UTC)
        db.session.execute(update(OutboxMessage).where(OutboxMessage.failed_at.is_not(None))
                           .values(failed_at=failed_at))
        db.session.commit()
    make_user(app, "org@example.se", staff_of={slug: "organiser"})
    client.set_cookie("lang", language)
    sign_in(client, "org@example.se")

    page = client.get(COMPOSE.format(slug=slug)).get_data(as_text=True)

    local = failed_at.astimezone(ZoneInfo("Europe/Stockholm"))
    assert re.search(rf'<time datetime="{re.escape(local.isoformat())}">[^<]*{local:%H:%M}'
                     rf'</time> <span class="zone-name">{re.escape(zone)}</span>', page), page


def test_every_reason_a_mail_is_given_up_on_has_words_for_the_organiser():
    assert set(UNDELIVERED_REASON) == set(Undeliverable.REASONS)
