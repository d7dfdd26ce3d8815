"""The outbox: emails queued with the change they report, delivered later with retries.

This package knows messages, attachments, transports and delivery, never a feature: each
feature writes its own emails (registration/emails.py, groups/emails.py, ...) and hands
them to ``queue``. An attachment that is costly to draw can be drawn at delivery by a
renderer that its package registers when the app is built (``draw_attachments_with``).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from eventhub.database import commit
from eventhub.extensions import db
from eventhub.mail.models import RENDERERS, OutboxMessage
from eventhub.mail.transports import DeliveryFailed

BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=1)
CLAIM_LEASE = timedelta(minutes=5)  # a crashed sender's claim expires and the mail is retried


@dataclass(frozen=True)
class Attachment:
    """A file sent with an email: its bytes, or the renderer and source to draw it from when sent."""

    name: str
    content_type: str
    data: bytes | None = None
    renderer: str | None = None
    source: str | None = None


def draw_attachments_with(name: str, render: Callable[[str], bytes]) -> None:
    """Let messages name ``name`` as the renderer of their attachment (done where the app is built)."""
    RENDERERS[name] = render


def queue(to: str, subject: str, body_text: str, *, registration_id: int | None = None,
          mailing_id: int | None = None, attachment: Attachment | None = None,
          calendar_ics: bytes | None = None) -> OutboxMessage:
    """Add an email to the current transaction; it exists only if the transaction commits."""
    message = OutboxMessage(to_address=to, subject=subject, body_text=body_text, registration_id=registration_id,
                            mailing_id=mailing_id, calendar_ics=calendar_ics)
    if attachment is not None:
        if attachment.renderer is not None and attachment.renderer not in RENDERERS:
            raise LookupError(f"no renderer {attachment.renderer!r} is registered")
        message.attachment_name, message.attachment_type = attachment.name, attachment.content_type
        message.attachment_data = attachment.data
        message.attachment_renderer, message.attachment_source = attachment.renderer, attachment.source
    db.session.add(message)
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
    return db.session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_at.is_(None)))


@dataclass(frozen=True)
class Backlog:
    """What waits in the outbox (for the health check): counts and times only, never an address."""

    due: int  # unsent and due now: a sender that keeps up leaves this near zero
    oldest_due_at: datetime | None  # when the longest-waiting of those was written
    retrying: int  # unsent after at least one failed attempt, due now or later


def backlog(now: datetime) -> Backlog:
    unsent = OutboxMessage.sent_at.is_(None)
    due, oldest = db.session.execute(
        select(func.count(), func.min(OutboxMessage.created_at))
        .where(unsent, OutboxMessage.next_attempt_at <= now)
    ).one()
    retrying = db.session.scalar(select(func.count()).where(unsent, OutboxMessage.attempts > 0))
    return Backlog(due=due, oldest_due_at=oldest, retrying=retrying)
