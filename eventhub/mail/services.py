"""The outbox: emails queued with the change they report, delivered later with retries.

This package knows messages, attachments, transports and delivery, never a feature: each
feature writes its own emails (registration/emails.py, groups/emails.py, ...) and hands
them to ``queue``. An attachment that is costly to draw can be drawn at delivery by a
renderer that its package registers when the app is built (``draw_attachments_with``).
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select, update
from sqlalchemy import event as sa_event

from eventhub.database import commit
from eventhub.extensions import db
from eventhub.mail.addresses import needs_smtputf8
from eventhub.mail.models import RENDERERS, OutboxMessage
from eventhub.mail.transports import DeliveryFailed, Undeliverable, one_line, transport_from_config

log = logging.getLogger(__name__)

BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=1)
# A sender's claim on one message, from the moment it takes it: if the sender dies, the message is
# sent again after this. It must be far longer than one message takes (the SMTP timeout is 10 s).
CLAIM_LEASE = timedelta(minutes=5)
SUBJECT_MAX = 300  # OutboxMessage.subject


@dataclass(frozen=True)
class Attachment:
    """A file sent with an email: its bytes, or the renderer and source to draw it from when sent.
    ``alt``: an image's text alternative in the reader's language; with one, the HTML part shows it."""

    name: str
    content_type: str
    data: bytes | None = None
    renderer: str | None = None
    source: str | None = None
    alt: str | None = None


def draw_attachments_with(name: str, render: Callable[[str], bytes]) -> None:
    """Let messages name ``name`` as the renderer of their attachment (done where the app is built)."""
    RENDERERS[name] = render


def queue(to: str, subject: str, body_text: str, *, registration_id: int | None = None,
          mailing_id: int | None = None, attachment: Attachment | None = None,
          calendar_ics: bytes | None = None, reply_to: str | None = None, automatic: bool = True,
          language: str | None = None, unsubscribe_url: str | None = None) -> OutboxMessage:
    """Add an email to the current transaction; it exists only if the transaction commits.
    ``body_text`` is the letter in plain text: the HTML part is made from it when it is sent
    (``mail.bodies``), in ``language`` (the reader's; the default locale if None).
    ``reply_to``: where answers go (the event's contact); ``automatic``: written by the system, not
    by a person (a confirmation, not an organiser's mailing); ``unsubscribe_url``: where the
    recipient stops such messages with one click (List-Unsubscribe, RFC 8058), for messages that
    may be stopped (an organiser's mailing, never a confirmation)."""
    # A subject is made safe where it is built: a title with a line break stays on one line.
    message = OutboxMessage(to_address=to, subject=one_line(subject)[:SUBJECT_MAX], body_text=body_text,
                            registration_id=registration_id, mailing_id=mailing_id, calendar_ics=calendar_ics,
                            reply_to=reply_to or None, automatic=automatic, language=language,
                            unsubscribe_url=unsubscribe_url)
    if attachment is not None:
        if attachment.renderer is not None and attachment.renderer not in RENDERERS:
            raise LookupError(f"no renderer {attachment.renderer!r} is registered")
        message.attachment_name, message.attachment_type = attachment.name, attachment.content_type
        message.attachment_data = attachment.data
        message.attachment_renderer, message.attachment_source = attachment.renderer, attachment.source
        message.attachment_alt = attachment.alt
    db.session.add(message)
    return message


def takes_address(address: str) -> bool:
    """Whether the configured mail server can be given this address: one with letters outside ASCII
    before the @ needs SMTPUTF8 (MAIL_SMTPUTF8; with "auto" the server is asked, see
    ``SMTPTransport.takes_smtputf8``). A domain with å, ä or ö always can: it is sent as punycode.
    Something that is no address at all is for the form's own check to refuse."""
    try:
        if not needs_smtputf8(address):
            return True
    except ValueError:
        return True
    return transport_from_config(current_app.config, current_app.instance_path).takes_smtputf8()


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0  # not sent this time: retried later, or (``given_up``) never
    given_up: int = 0


def backoff(attempts: int) -> timedelta:
    return min(BACKOFF_BASE * (2 ** max(0, attempts - 1)), BACKOFF_MAX)


def running_clock(start: datetime) -> Callable[[], datetime]:
    """The time as a run goes on: ``start`` plus the real time passed since (a monotonic clock)."""
    began = time.monotonic()
    return lambda: start + timedelta(seconds=time.monotonic() - began)


def _claim(message_id: int, at: datetime) -> bool:
    """Take the message for ``CLAIM_LEASE`` from ``at``, if it is still due and no other sender holds it.

    One conditional UPDATE: of two senders, the second finds ``next_attempt_at`` moved past its own
    time (on PostgreSQL it waits for the first's row lock, then sees the moved value) and gets none.
    """
    claimed = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None),
               OutboxMessage.next_attempt_at <= at)
        .values(next_attempt_at=at + CLAIM_LEASE)
        .execution_options(synchronize_session=False)
    ).rowcount
    commit()
    return bool(claimed)


def deliver_due(transport, now: datetime, batch: int = 100, *,
                clock: Callable[[], datetime] | None = None) -> DeliveryReport:
    """Send what is due at ``now``, one message at a time; two senders never send one twice.

    Each message is claimed just before it is sent, its lease counted from that moment (``clock``,
    real time from ``now`` unless given), and marked sent right after, so a long run never holds
    a lapsed claim. A message that cannot be built or that the server refuses for good is marked
    failed with its reason; one that fails for now (server down, a 4xx reply) waits longer each
    time. Either way the rest of the batch goes on.
    """
    clock = clock or running_clock(now)
    report = DeliveryReport()
    due = db.session.scalars(
        select(OutboxMessage.id)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None), OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(batch)
    ).all()
    commit()
    for message_id in due:
        if not _claim(message_id, clock()):
            continue
        message = db.session.get(OutboxMessage, message_id)
        message.attempts += 1
        try:
            transport.send(message)
        except Undeliverable as error:
            message.failed_at, message.failure, message.last_error = clock(), error.reason, str(error)[:500]
            report.failed += 1
            report.given_up += 1
        except Exception as error:  # noqa: BLE001 - a network error, a 4xx or a bug: this one waits, the rest goes on
            if not isinstance(error, DeliveryFailed):
                log.exception("outbox message %s: unexpected error, retried later", message_id)
            message.last_error = (str(error) if isinstance(error, DeliveryFailed)
                                  else f"{type(error).__name__}: {error}")[:500]
            message.next_attempt_at = clock() + backoff(message.attempts)
            report.failed += 1
        else:
            message.sent_at, message.last_error = clock(), None
            report.sent += 1
        commit()
    return report


def pending_count() -> int:
    """Messages still to be sent (not those given up on)."""
    return db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None)))


@dataclass(frozen=True)
class Backlog:
    """What waits in the outbox (for the health check): counts and times only, never an address."""

    due: int  # unsent and due now: a sender that keeps up leaves this near zero
    oldest_due_at: datetime | None  # when the longest-waiting of those was written
    retrying: int  # unsent after at least one failed attempt, due now or later


def backlog(now: datetime) -> Backlog:
    unsent = OutboxMessage.sent_at.is_(None) & OutboxMessage.failed_at.is_(None)  # failed ones are given up on
    due, oldest = db.session.execute(
        select(func.count(), func.min(OutboxMessage.created_at))
        .where(unsent, OutboxMessage.next_attempt_at <= now)
    ).one()
    retrying = db.session.scalar(select(func.count()).where(unsent, OutboxMessage.attempts > 0))
    return Backlog(due=due, oldest_due_at=oldest, retrying=retrying)


def retry_failed(now: datetime, reason: str | None = None) -> int:
    """Send the messages given up on (those failed for ``reason``, or all) again, from ``now``:
    for after the configuration that made the server refuse them is fixed. Returns how many."""
    query = update(OutboxMessage).where(OutboxMessage.failed_at.is_not(None), OutboxMessage.sent_at.is_(None))
    if reason is not None:
        query = query.where(OutboxMessage.failure == reason)
    count = db.session.execute(query.values(failed_at=None, failure=None, next_attempt_at=now)
                               .execution_options(synchronize_session=False)).rowcount
    commit()
    return count


# --- forgetting ------------------------------------------------------------------------------

_FORGOTTEN = "eventhub.mail.forgotten"


def forget(message_ids: Collection[int]) -> None:
    """Delete these messages and, once that is committed, what the transport kept of them (the
    development folder's files), as erasing a person requires. The caller commits."""
    ids = list(message_ids)
    if not ids:
        return
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(ids))
                       .execution_options(synchronize_session=False))
    session = db.session()
    session.info.setdefault(_FORGOTTEN, set()).update(ids)
    if not sa_event.contains(session, "after_commit", _forget_kept_copies):
        sa_event.listen(session, "after_commit", _forget_kept_copies)
        sa_event.listen(session, "after_rollback", _keep_copies)


def _forget_kept_copies(session) -> None:
    ids = session.info.pop(_FORGOTTEN, None)
    if ids:
        try:
            transport_from_config(current_app.config, current_app.instance_path).forget(sorted(ids))
        except OSError:  # the rows are gone; a file left behind must not make the erasure look failed
            log.exception("could not delete the kept copies of %d outbox messages", len(ids))


def _keep_copies(session) -> None:
    session.info.pop(_FORGOTTEN, None)  # the rows are back, and so are their files
