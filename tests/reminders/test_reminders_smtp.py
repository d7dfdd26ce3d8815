"""Reminders delivered to a real SMTP server (aiosmtpd in the test process), read back with Python's email
parser under the strict policy: each person once, each by how they take part, the ticket's QR in the message."""
from __future__ import annotations

import email
import email.policy
import io
import re
from datetime import timedelta

import zxingcpp
from PIL import Image

from eventhub.extensions import db
from eventhub.groups.models import DiscussionGroup
from eventhub.mail import services as mail
from eventhub.registration import tokens
from eventhub.registration.models import Registration
from tests.mail.support import inline_images
from tests.registration.support import KEYS, add_group_session, fresh, register
from tests.reminders.support import TWO_DAYS, TWO_HOURS, add_registration_desk, due, send, with_reminders


def _received(smtp) -> dict[str, list[email.message.EmailMessage]]:
    by_person: dict[str, list] = {}
    for envelope in smtp.inbox.envelopes:
        message = email.message_from_bytes(envelope.content, policy=email.policy.strict)  # a defect raises
        for to in envelope.rcpt_tos:
            by_person.setdefault(to, []).append(message)
    return by_person


def _text(message) -> str:
    return message.get_body(("plain",)).get_content()


def test_reminders_reach_a_real_mail_server_once_each_by_mode(app_ctx, make_event, smtp):
    slug = with_reminders(make_event, on_site_seats=2)
    add_registration_desk(slug, 30)
    [group_id] = add_group_session(slug, [("Cirkulär ekonomi", "on_site", 10)])
    db.session.get(DiscussionGroup, group_id).place = "Sal 3"
    db.session.commit()
    anna = register(slug, "anna@example.se", "on_site", group_id=group_id).registration
    register(slug, "erik@example.se", "on_site", language="en")
    register(slug, "dana@example.se", "digital")
    register(slug, "walter@example.se", "on_site")  # waits: the two seats on site are taken
    mail.deliver_due(smtp.transport(), due(slug, 0))  # the confirmations, out of the way
    smtp.inbox.envelopes.clear()

    for run in range(3):  # the timer fires again and again: nobody gets it twice
        send(due(slug, TWO_DAYS, after=timedelta(minutes=10 * run)))
        mail.deliver_due(smtp.transport(), due(slug, TWO_DAYS, after=timedelta(minutes=10 * run + 1)))

    received = _received(smtp)
    assert {to: len(messages) for to, messages in received.items()} == {
        "anna@example.se": 1, "erik@example.se": 1, "dana@example.se": 1, "walter@example.se": 1}

    [on_site] = received["anna@example.se"]
    assert on_site["Subject"] == "Påminnelse: Forumträff"
    text = _text(on_site)
    for words in ("Registreringen öppnar kl.", "Hitta hit:", "Tio minuters promenad", "Cirkulär ekonomi (rum: Sal 3)",
                  "centraleuropeisk", "kortkod: " + tokens.ticket_code(KEYS, fresh(Registration, anna.id))):
        assert words in text, words
    [ticket] = inline_images(on_site)
    assert [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(ticket.get_content())))] == [
        tokens.ticket_payload(KEYS, fresh(Registration, anna.id))]
    html = on_site.get_body(("html",)).get_content()
    assert f'src="cid:{ticket["Content-ID"].strip("<>")}"' in html and 'lang="sv"' in html

    [english] = received["erik@example.se"]
    assert english["Subject"] == "Reminder: Forumträff" and "Registration opens at" in _text(english)
    assert 'lang="en"' in english.get_body(("html",)).get_content()

    [digital] = received["dana@example.se"]
    assert digital["Subject"] == "Påminnelse och din länk för att ansluta: Forumträff"
    text = _text(digital)
    assert re.search(r"/r/[\w-]+/join\?lang=sv", text) and "https://zoom.example.org/test" in text
    assert "meet.example.org" not in text and "kortkod" not in text and inline_images(digital) == []

    [waiting] = received["walter@example.se"]
    assert waiting["Subject"] == "Du står fortfarande på reservlistan: Forumträff"
    assert "nummer 1" in _text(waiting) and "/waitlist/leave?lang=sv" in _text(waiting)
    assert inline_images(waiting) == []

    smtp.inbox.envelopes.clear()
    send(due(slug, TWO_HOURS))
    mail.deliver_due(smtp.transport(), due(slug, TWO_HOURS, after=timedelta(minutes=1)))
    assert sorted(_received(smtp)) == ["anna@example.se", "dana@example.se", "erik@example.se"]  # one note only
