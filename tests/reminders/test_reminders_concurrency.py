"""Two senders at once, in two processes on the same database (SQLite and PostgreSQL): as when the timer fires
on two servers, or a run is still going when the next starts. Each person gets each reminder once.

The processes build their own app on the test's database, meet at a barrier and run the sender at the same
moment; then the database is counted: one delivery row and one email per person, and the two runs' counts add
up to everyone (neither sent what the other had).
"""
from __future__ import annotations

import multiprocessing
from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from config import TestingConfig
from eventhub import create_app
from eventhub.extensions import db
from eventhub.mail.models import OutboxMessage
from eventhub.reminders import services
from eventhub.reminders.models import ReminderDelivery
from tests.attendees.support import seed_registrations
from tests.registration.support import KEYS
from tests.reminders.support import TWO_DAYS, due, with_reminders

PEOPLE, WAITING = 80, 20


def _sender(database: dict, moment: str, barrier, results) -> None:
    """One server's run of ``flask reminders send``, started when the other's is."""
    app = create_app(TestingConfig, **database)
    with app.app_context():
        db.session.execute(select(1))  # connected before the start, as a running server is
        barrier.wait(timeout=60)
        report = services.send_due(datetime.fromisoformat(moment), KEYS)
        results.put(dict(report.by_kind))
        db.session.remove()
        db.engine.dispose()


def test_two_senders_at_once_remind_each_person_once(app, database, make_event):
    with app.app_context():
        slug = with_reminders(make_event)
        start = datetime.now(UTC) - timedelta(days=1)
        seed_registrations(slug, PEOPLE, start=start)  # half on site, half digital
        seed_registrations(slug, WAITING, start=start, prefix="waiting", status="waitlisted", confirmed_at=None,
                           waitlisted_at=start, mode="on_site")
        moment = due(slug, TWO_DAYS).isoformat()
        db.session.remove()
        db.engine.dispose()

    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(2), context.Queue()
    senders = [context.Process(target=_sender, args=(database, moment, barrier, results)) for _ in range(2)]
    for sender in senders:
        sender.start()
    reports = [results.get(timeout=180) for _ in senders]
    for sender in senders:
        sender.join(timeout=60)
        assert sender.exitcode == 0

    with app.app_context():
        per_person = Counter(db.session.scalars(select(ReminderDelivery.registration_id)))
        mail_per_address = Counter(db.session.scalars(
            select(OutboxMessage.to_address).where(OutboxMessage.id.in_(select(ReminderDelivery.message_id)))))
        every_message = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    assert len(per_person) == PEOPLE + WAITING and set(per_person.values()) == {1}
    assert len(mail_per_address) == PEOPLE + WAITING and set(mail_per_address.values()) == {1}
    assert every_message == PEOPLE + WAITING  # no email without its delivery row (seeded people had no confirmation)
    total = sum((Counter(report) for report in reports), Counter())
    assert total == {"on_site": PEOPLE // 2, "digital": PEOPLE // 2, "waitlist": WAITING}
