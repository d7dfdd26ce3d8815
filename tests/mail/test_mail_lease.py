"""Each message is claimed just before it is sent, for a lease counted from that moment, and marked
sent right after: a second sender never sends it again, however long the first one's run lasts."""
from __future__ import annotations

import threading
import time
from datetime import timedelta

from eventhub.extensions import db
from eventhub.mail import services as mail
from eventhub.mail.models import OutboxMessage
from eventhub.types import utcnow
from tests.registration.support import fresh, outbox

MESSAGES = 5
DELAY = 0.5  # seconds the server takes to accept one message
LEASE = timedelta(seconds=1)  # shorter than the first sender's whole run, far longer than one message


def test_deliver_due_second_sender_during_a_long_run_sends_nothing_twice(app, smtp, monkeypatch):
    monkeypatch.setattr(mail, "CLAIM_LEASE", LEASE)
    with app.app_context():
        for i in range(MESSAGES):
            mail.queue(f"person{i}@example.se", f"Meddelande {i}", "Hej")
        db.session.commit()
    smtp.inbox.delay = DELAY
    smtp.start()
    reports, errors = [], []

    def sender():
        try:
            with app.app_context():
                reports.append(mail.deliver_due(smtp.transport(), utcnow()))
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    first = threading.Thread(target=sender)
    first.start()
    # The second sender starts once the first run has lasted longer than a lease, while the first
    # is in the middle of sending its last message.
    deadline = time.monotonic() + 30
    while len(smtp.inbox.envelopes) < 4 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(DELAY / 2)
    second = threading.Thread(target=sender)
    second.start()
    first.join(timeout=60)
    second.join(timeout=60)

    assert errors == []
    subjects = sorted(m["Subject"] for m in smtp.inbox.messages())
    assert subjects == sorted(f"Meddelande {i}" for i in range(MESSAGES))  # each exactly once
    assert sum(report.sent for report in reports) == MESSAGES
    with app.app_context():
        assert all(m.sent_at is not None and m.attempts == 1 for m in outbox())


def test_deliver_due_lease_counts_from_the_claim_and_marks_sent_when_sent(app_ctx, monkeypatch):
    message = mail.queue("anna@example.se", "Ämne", "Hej")
    db.session.commit()
    start = utcnow()
    moments = iter([start + timedelta(minutes=7), start + timedelta(minutes=8)])  # the claim, then sent

    class Transport:
        def send(self, outbox_message):
            claimed = fresh(OutboxMessage, outbox_message.id)
            assert claimed.next_attempt_at == start + timedelta(minutes=7) + mail.CLAIM_LEASE

    report = mail.deliver_due(Transport(), start, clock=lambda: next(moments))

    assert report.sent == 1
    assert fresh(OutboxMessage, message.id).sent_at == start + timedelta(minutes=8)


def test_deliver_due_claim_of_a_sender_that_died_lapses_then_sent(app_ctx, smtp):
    message = mail.queue("anna@example.se", "Ämne", "Hej")
    db.session.commit()
    start = utcnow()
    assert mail._claim(message.id, start)  # a sender took it and died before sending
    smtp.start()

    assert mail.deliver_due(smtp.transport(), start + timedelta(minutes=4), clock=lambda: start).sent == 0
    later = start + mail.CLAIM_LEASE + timedelta(seconds=1)
    assert mail.deliver_due(smtp.transport(), later, clock=lambda: later).sent == 1
    assert len(smtp.inbox.envelopes) == 1
