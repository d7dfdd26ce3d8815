"""The outbox: emails queued with the change they report, delivered later with retries."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import select, update

from eventhub.database import commit
from eventhub.extensions import db
from eventhub.keyring import Keyring
from eventhub.mail.models import OutboxMessage
from eventhub.mail.transports import DeliveryFailed

BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=1)
CLAIM_LEASE = timedelta(minutes=5)  # a crashed sender's claim expires and the mail is retried
CALENDAR_KINDS = ("confirmed", "promoted", "mode_changed")  # emails that put the event in a calendar


def queue(to: str, subject: str, body_text: str) -> OutboxMessage:
    """Add an email to the current transaction; it exists only if the transaction commits."""
    message = OutboxMessage(to_address=to, subject=subject, body_text=body_text)
    db.session.add(message)
    return message


def queue_registration_email(registration, kind: str, keys: Keyring, group=None) -> OutboxMessage | None:
    """Render one of the registration emails in the person's own language and queue it."""
    if not registration.email:  # a walk-in registered at the door without an address
        return None
    from eventhub.registration import tokens  # registration imports this module

    base_url = current_app.config["BASE_URL"].rstrip("/")
    token = tokens.manage_token(keys, registration.token_salt)
    with_ticket = registration.is_confirmed and registration.mode == "on_site" and kind in (
        "confirmed", "promoted", "mode_changed", "manage_link")
    with force_locale(registration.language):
        event = registration.event
        context = dict(registration=registration, event=event, group=group, kind=kind,
                       manage_url=f"{base_url}/r/{token}", with_ticket=with_ticket,
                       join_opens_at=event.join_opens_at)
        subject = render_template("mail/subject.txt", **context).strip()
        body = render_template("mail/registration.txt", **context)
    message = queue(registration.email, subject, body)
    message.registration_id = registration.id
    if with_ticket:  # the QR code is drawn at delivery (OutboxMessage.attachment_bytes)
        message.attachment_name = "biljett.png" if registration.language == "sv" else "ticket.png"
        message.attachment_type, message.ticket_payload = "image/png", tokens.ticket_payload(keys, registration)
    if registration.is_confirmed and kind in CALENDAR_KINDS:
        from eventhub.exports import calendars  # exports imports registration, which imports this module

        message.calendar_ics = calendars.event_calendar_for_mail(
            registration.event, calendars.links_for(registration.event, base_url))
    return message


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0


def backoff(attempts: int) -> timedelta:
    return min(BACKOFF_BASE * (2 ** max(0, attempts - 1)), BACKOFF_MAX)


def deliver_due(transport, now: datetime, batch: int = 100) -> DeliveryReport:
    """Send what is due. Each message is claimed first, so two senders never send it twice."""
    report = DeliveryReport()
    due = db.session.execute(
        select(OutboxMessage.id, OutboxMessage.next_attempt_at)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(batch)
    ).all()
    commit()
    for message_id, due_at in due:
        claimed = db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.sent_at.is_(None),
                   OutboxMessage.next_attempt_at == due_at)
            .values(next_attempt_at=now + CLAIM_LEASE)
            .execution_options(synchronize_session=False)
        ).rowcount
        commit()
        if not claimed:
            continue
        message = db.session.get(OutboxMessage, message_id)
        try:
            transport.send(message)
        except DeliveryFailed as error:
            message.attempts += 1
            message.last_error = str(error)[:500]
            message.next_attempt_at = now + backoff(message.attempts)
            report.failed += 1
        else:
            message.attempts += 1
            message.sent_at = now
            message.last_error = None
            report.sent += 1
        commit()
    return report


def pending_count() -> int:
    from sqlalchemy import func

    return db.session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_at.is_(None)))
