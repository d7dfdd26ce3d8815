"""The outbox: emails queued with their change and delivered later (eventhub.mail), against a real SMTP server.

The SMTP server is aiosmtpd running in this process on 127.0.0.1.
"""
from __future__ import annotations

import email
import email.policy
import io
import threading
from datetime import timedelta
from pathlib import Path

import zxingcpp
from PIL import Image

from eventhub.extensions import db
from eventhub.mail import services as mail
from eventhub.mail.models import OutboxMessage
from eventhub.mail.transports import FolderTransport, build_message
from eventhub.registration import services, tokens
from eventhub.registration.models import Registration
from eventhub.types import utcnow
from tests.mail.support import SENDER, free_port, inline_images
from tests.registration.support import KEYS, count, fresh, manage_token_from, outbox, register


def deliver_at(transport, moment, **options):
    """A delivery run whose clock stands still at ``moment``, so waits can be checked to the microsecond."""
    return mail.deliver_due(transport, moment, clock=lambda: moment, **options)


def decode_qr(png: bytes) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def _ticket_payload(registration_id) -> str:
    registration = fresh(Registration, registration_id)
    return tokens.ticket_payload(KEYS, registration)


# --- delivering over SMTP ----------------------------------------------------------------------------


def test_deliver_due_sends_queued_mail_with_ticket_over_smtp(app_ctx, make_event, smtp):
    slug = make_event(venue_name="Textile Fashion Center")
    rid = register(slug, "anna@example.se", "on_site").registration.id
    smtp.start()

    report = mail.deliver_due(smtp.transport(), utcnow())

    assert (report.sent, report.failed) == (1, 0)
    [envelope] = smtp.inbox.envelopes
    assert envelope.mail_from == "noreply@eventhub.invalid"
    assert envelope.rcpt_tos == ["anna@example.se"]
    [received] = smtp.inbox.messages()
    assert received["Subject"] == "Du är anmäld: Forumträff"
    assert received["To"] == "anna@example.se"
    assert received["Message-ID"].endswith("@eventhub.invalid>")
    body = received.get_body(preferencelist=("plain",)).get_content()
    assert "Du är anmäld till Forumträff." in body
    assert "Textile Fashion Center" in body
    assert services.find_by_token(manage_token_from(body)).id == rid
    [calendar] = list(received.iter_attachments())
    assert calendar.get_content_type() == "text/calendar" and calendar.get_filename() == "event.ics"
    [attachment] = inline_images(received)  # the HTML shows it; a text reader lists it beside the text
    assert attachment.get_content_type() == "image/png"
    assert attachment.get_filename() == "biljett.png"
    assert decode_qr(attachment.get_content()) == [_ticket_payload(rid)]
    [message] = outbox()
    assert message.sent_at is not None and message.attempts == 1 and message.last_error is None
    assert mail.pending_count() == 0


def test_registration_email_ticket_drawn_at_delivery_not_in_the_request(app_ctx, make_event):
    slug = make_event()
    rid = register(slug, "anna@example.se", "on_site").registration.id

    [message] = outbox()
    # The request stores the ticket's payload only: drawing the QR code waits for the sender.
    assert message.attachment_data is None
    assert message.attachment_source == _ticket_payload(rid)
    assert decode_qr(message.attachment_bytes()) == [_ticket_payload(rid)]


def test_stored_attachment_sent_as_stored(app_ctx):
    message = mail.queue("anna@example.se", "Ämne", "Text")
    message.attachment_name, message.attachment_type, message.attachment_data = "a.png", "image/png", b"\x89PNG"

    built = build_message(message, "noreply@eventhub.invalid")

    [attachment] = list(built.iter_attachments())
    assert attachment.get_content() == b"\x89PNG" and attachment.get_filename() == "a.png"


def test_deliver_due_digital_registrant_gets_no_ticket(app_ctx, make_event, smtp):
    slug = make_event()
    register(slug, "ben@example.se", "digital", language="en")
    smtp.start()

    mail.deliver_due(smtp.transport(), utcnow())

    [received] = smtp.inbox.messages()
    assert received["Subject"] == "You are registered: Forumträff"
    # The event's calendar, but no door ticket: digital participants do not come to the door.
    assert [part.get_content_type() for part in received.iter_attachments()] == ["text/calendar"]


def test_deliver_due_server_down_retries_with_backoff_then_delivers_once(app_ctx, make_event, smtp):
    slug = make_event()
    register(slug, "anna@example.se")
    transport = smtp.transport()  # nothing listens on its port yet
    first_try = utcnow()

    report = deliver_at(transport, first_try)

    assert (report.sent, report.failed) == (0, 1)
    [message] = outbox()
    assert message.sent_at is None and message.attempts == 1
    assert "ConnectionRefusedError" in message.last_error
    assert message.next_attempt_at == first_try + timedelta(seconds=30)

    assert deliver_at(transport, first_try + timedelta(seconds=10)).failed == 0  # not due yet
    assert fresh(OutboxMessage, message.id).attempts == 1

    second_try = first_try + timedelta(seconds=31)
    assert deliver_at(transport, second_try).failed == 1
    message = fresh(OutboxMessage, message.id)
    assert message.attempts == 2
    assert message.next_attempt_at == second_try + timedelta(seconds=60)  # the wait doubles

    smtp.start()
    assert deliver_at(transport, second_try + timedelta(seconds=30)).sent == 0  # still waiting
    assert smtp.inbox.envelopes == []

    later = second_try + timedelta(seconds=61)
    assert deliver_at(transport, later).sent == 1
    assert deliver_at(transport, later + timedelta(hours=2)).sent == 0

    assert len(smtp.inbox.envelopes) == 1
    assert smtp.inbox.messages()[0]["Subject"] == "Du är anmäld: Forumträff"
    assert count(OutboxMessage) == 1  # nothing lost, nothing duplicated
    message = fresh(OutboxMessage, message.id)
    assert (message.attempts, message.last_error, message.sent_at) == (3, None, later)


def test_deliver_due_twice_in_a_row_sends_once(app_ctx, make_event, smtp):
    slug = make_event()
    register(slug, "anna@example.se")
    register(slug, "bert@example.se", "digital")
    register(slug, "anna@example.se")  # the manage link again
    smtp.start()
    now = utcnow()

    first = mail.deliver_due(smtp.transport(), now)
    second = mail.deliver_due(smtp.transport(), now)

    assert (first.sent, second.sent) == (3, 0)
    assert sorted(e.rcpt_tos[0] for e in smtp.inbox.envelopes) == [
        "anna@example.se", "anna@example.se", "bert@example.se"]


def test_deliver_due_parallel_senders_send_each_message_once(app, make_event, smtp):
    slug = make_event(on_site_seats=None)
    with app.app_context():
        for i in range(12):
            register(slug, f"person{i}@example.se", "digital")
    smtp.start()
    now = utcnow()
    reports, errors = [], []

    def sender():
        try:
            with app.app_context():
                reports.append(mail.deliver_due(smtp.transport(), now))
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=sender) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sum(report.sent for report in reports) == 12
    message_ids = [m["Message-ID"] for m in smtp.inbox.messages()]
    assert len(message_ids) == len(set(message_ids)) == 12


def test_deliver_due_batch_limits_one_run(app_ctx, make_event, smtp):
    slug = make_event(on_site_seats=None)
    for i in range(5):
        register(slug, f"person{i}@example.se", "digital")
    smtp.start()

    assert mail.deliver_due(smtp.transport(), utcnow(), batch=2).sent == 2
    assert mail.pending_count() == 3


def test_backoff_doubles_and_is_capped():
    assert [mail.backoff(n) for n in (1, 2, 3, 4)] == [timedelta(seconds=s) for s in (30, 60, 120, 240)]
    assert mail.backoff(30) == timedelta(hours=1)


def test_queue_only_exists_when_committed(app_ctx):
    mail.queue("anna@example.se", "Ämne", "Text")
    db.session.rollback()
    mail.queue("bert@example.se", "Ämne", "Text")
    db.session.commit()

    assert [m.to_address for m in outbox()] == ["bert@example.se"]


# --- the command -----------------------------------------------------------------------------------


def test_flask_outbox_deliver_folder_writes_eml_files(app, runner, make_event, tmp_path):
    folder = tmp_path / "mail"
    app.config.update(MAIL_BACKEND="folder", MAIL_FOLDER=str(folder))
    slug = make_event()
    with app.app_context():
        rid = register(slug, "anna@example.se", "on_site").registration.id
        register(slug, "ben@example.se", "digital")

    result = runner.invoke(args=["outbox", "deliver"])

    assert result.exit_code == 0, result.output
    assert result.output.strip() == "sent 2, failed 0, waiting 0"
    files = sorted(folder.glob("*.eml"))
    assert len(files) == 2
    parsed = [email.message_from_bytes(path.read_bytes(), policy=email.policy.default) for path in files]
    assert {m["To"] for m in parsed} == {"anna@example.se", "ben@example.se"}
    on_site = next(m for m in parsed if m["To"] == "anna@example.se")
    [attachment] = inline_images(on_site)
    with app.app_context():
        assert decode_qr(attachment.get_content()) == [_ticket_payload(rid)]

    again = runner.invoke(args=["outbox", "deliver"])

    assert again.output.strip() == "sent 0, failed 0, waiting 0"
    assert len(list(folder.glob("*.eml"))) == 2


def test_flask_outbox_deliver_smtp_down_reports_failure(app, runner, make_event):
    app.config.update(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=free_port())
    slug = make_event()
    with app.app_context():
        register(slug, "anna@example.se")

    result = runner.invoke(args=["outbox", "deliver"])

    assert result.exit_code == 0, result.output
    assert result.output.strip() == "sent 0, failed 1, waiting 1"


def test_folder_transport_names_files_by_message_id(app_ctx, tmp_path):
    message = mail.queue("anna@example.se", "Ämne", "Hej")
    db.session.commit()

    FolderTransport(tmp_path, SENDER).send(message)

    written = Path(tmp_path / f"{message.id:06d}.eml").read_bytes()
    parsed = email.message_from_bytes(written, policy=email.policy.default)
    assert parsed["Subject"] == "Ämne" and parsed["From"] == SENDER
