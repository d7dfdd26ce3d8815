"""One bad message never stops delivery: headers made safe, refusals for good marked failed, the rest goes on.

The SMTP server is aiosmtpd running in this process (tests/mail/support.py).
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.exc import OperationalError

from eventhub import cli
from eventhub.extensions import db
from eventhub.mail import services as mail
from eventhub.mail.models import RENDERERS, OutboxMessage
from eventhub.mail.transports import build_message
from eventhub.types import utcnow
from tests.registration.support import fresh, outbox, register

# Titles as they were seen or could be typed or pasted: each would start a new header line.
UNSAFE_TITLES = {
    "line separator": ("Forum\u2028träff", "Forum träff"),
    "paragraph separator": ("Forum\u2029träff", "Forum träff"),
    "crlf header injection": ("Forum\r\nBcc: mallory@example.com", "Forum Bcc: mallory@example.com"),
    "bare lf and cr": ("Forum\nträff\r2027", "Forum träff 2027"),
    "next line, vertical tab, form feed": ("Forum\x85\x0b\x0cträff", "Forum träff"),
    "escape, delete and a tab": ("Forum\x1b\x7f\tträff", "Forum träff"),  # (NUL: tests below; PostgreSQL keeps none)
}


@pytest.mark.parametrize(("title", "subject_title"), list(UNSAFE_TITLES.values()), ids=list(UNSAFE_TITLES))
def test_deliver_due_unsafe_event_title_sent_on_one_line_and_other_mail_still_goes(
        app_ctx, make_event, smtp, title, subject_title):
    unsafe = make_event(title=title)
    other = make_event(title="Annan träff")
    register(unsafe, "anna@example.se", "digital")
    register(other, "bert@example.se", "digital")
    smtp.start()

    report = mail.deliver_due(smtp.transport(), utcnow())

    assert (report.sent, report.failed) == (2, 0)
    received = {m["To"]: m for m in smtp.inbox.messages()}
    assert received["anna@example.se"]["Subject"] == f"Du är anmäld: {subject_title}"
    assert received["bert@example.se"]["Subject"] == "Du är anmäld: Annan träff"
    assert received["anna@example.se"]["Bcc"] is None
    assert [p.get_content_type() for p in received["anna@example.se"].iter_attachments()] == ["text/calendar"]
    assert sorted(e.rcpt_tos[0] for e in smtp.inbox.envelopes) == ["anna@example.se", "bert@example.se"]
    assert mail.pending_count() == 0


@pytest.mark.parametrize("subject", ["A\u2028B", "A\r\nB: c", "A\x00B", "  A \x85 B  "])
def test_build_message_subject_stored_before_the_fix_is_one_line(app_ctx, subject):
    message = OutboxMessage(id=1, to_address="anna@example.se", subject=subject, body_text="Hej")

    built = build_message(message, "EventHub <noreply@eventhub.invalid>")

    assert built["Subject"] in ("A B", "A B: c")
    assert b"\r\n\r\n" in bytes(built)  # the SMTP policy: CRLF line ends


def test_queue_subject_with_line_breaks_stored_on_one_line(app_ctx):
    message = mail.queue("anna@example.se", "Inbjudan:\u2028 Forum\r\n\x00", "Hej")
    db.session.commit()

    assert message.subject == "Inbjudan: Forum"


def _broken_renderer(source: str) -> bytes:
    raise ValueError(f"cannot draw {source}")


@pytest.fixture
def broken_renderer():
    RENDERERS["broken"] = _broken_renderer
    yield "broken"
    del RENDERERS["broken"]


def _queue_unbuildable(broken: str) -> OutboxMessage:
    message = mail.queue("trasig@example.se", "Ämne", "Text", attachment=mail.Attachment(
        "a.png", "image/png", renderer=broken, source="x"))
    db.session.commit()
    return message


def test_deliver_due_message_that_cannot_be_built_marked_failed_and_rest_sent(app_ctx, make_event, smtp,
                                                                               broken_renderer):
    broken = _queue_unbuildable(broken_renderer)
    register(make_event(), "anna@example.se", "digital")
    smtp.start()
    now = utcnow()

    report = mail.deliver_due(smtp.transport(), now)

    assert (report.sent, report.failed) == (1, 1)
    assert [e.rcpt_tos for e in smtp.inbox.envelopes] == [["anna@example.se"]]
    failed = fresh(OutboxMessage, broken.id)
    assert failed.sent_at is None and failed.failed_at is not None
    assert failed.failure == "unbuildable" and "cannot draw x" in failed.last_error
    assert mail.deliver_due(smtp.transport(), now + timedelta(days=1)).failed == 0  # not tried again
    assert mail.pending_count() == 0


PERMANENT = {
    # the step the server refuses, its reply, the reason recorded
    "recipient 550": ("rcpt", "550 5.1.1 No such user here", "recipient_refused"),
    "recipient 553": ("rcpt", "553 5.1.3 Bad recipient address syntax", "recipient_refused"),
    "data 554": ("data", "554 5.6.0 Message refused", "message_refused"),
    "sender 553": ("mail", "553 5.7.1 Sender address rejected", "sender_refused"),
}


@pytest.mark.parametrize(("step", "reply", "reason"), list(PERMANENT.values()), ids=list(PERMANENT))
def test_deliver_due_refused_for_good_marked_failed_not_retried(app_ctx, make_event, smtp, step, reply, reason):
    slug = make_event()
    register(slug, "nobody@example.se", "digital")
    if step == "rcpt":
        smtp.inbox.refuse["nobody@example.se"] = reply
    elif step == "mail":
        smtp.inbox.refuse_sender = reply
    else:
        smtp.inbox.refuse_data = reply
    smtp.start()
    now = utcnow()

    report = mail.deliver_due(smtp.transport(), now, clock=lambda: now)

    assert (report.sent, report.failed, report.given_up) == (0, 1, 1)
    [refused] = outbox("nobody@example.se")
    assert refused.sent_at is None and refused.failed_at == now and refused.failure == reason
    assert reply.split()[0] in refused.last_error
    smtp.inbox.refuse.clear()
    smtp.inbox.refuse_sender = smtp.inbox.refuse_data = None
    assert mail.deliver_due(smtp.transport(), now + timedelta(days=1)).sent == 0
    assert smtp.inbox.envelopes == [] and mail.pending_count() == 0


def test_deliver_due_recipient_refused_for_now_retried_with_backoff(app_ctx, make_event, smtp):
    slug = make_event()
    register(slug, "busy@example.se", "digital")
    smtp.inbox.refuse["busy@example.se"] = "450 4.2.1 Mailbox busy, try again later"
    smtp.start()
    now = utcnow()

    report = mail.deliver_due(smtp.transport(), now, clock=lambda: now)

    assert (report.failed, report.given_up) == (1, 0)
    [message] = outbox("busy@example.se")
    assert message.failed_at is None and message.failure is None and "450" in message.last_error
    assert message.next_attempt_at == now + timedelta(seconds=30)
    smtp.inbox.refuse.clear()
    assert mail.deliver_due(smtp.transport(), now + timedelta(seconds=31)).sent == 1
    assert [e.rcpt_tos for e in smtp.inbox.envelopes] == [["busy@example.se"]]


class _Stop(Exception):
    """Ends the command's loop from its sleep, as a service manager's stop would."""


def test_flask_outbox_deliver_loop_goes_on_after_a_bad_message(app, runner, make_event, monkeypatch, tmp_path,
                                                               broken_renderer):
    app.config.update(MAIL_BACKEND="folder", MAIL_FOLDER=str(tmp_path))
    slug = make_event()
    with app.app_context():
        _queue_unbuildable(broken_renderer)
        register(slug, "anna@example.se", "digital")
    sleeps = []

    def sleep(seconds):
        sleeps.append(seconds)
        if len(sleeps) == 2:
            raise _Stop()

    monkeypatch.setattr(cli.time, "sleep", sleep)

    result = runner.invoke(args=["outbox", "deliver", "--loop", "--interval", "0"])

    assert isinstance(result.exception, _Stop), result.output  # still looping, not crashed
    assert result.output.splitlines()[0] == "sent 1, failed 1, waiting 0"
    assert len(list(tmp_path.glob("*.eml"))) == 1
    with app.app_context():
        assert [m.failure for m in outbox("trasig@example.se")] == ["unbuildable"]


def test_flask_outbox_deliver_loop_goes_on_after_a_failed_run(app, runner, make_event, monkeypatch, tmp_path):
    app.config.update(MAIL_BACKEND="folder", MAIL_FOLDER=str(tmp_path))
    with app.app_context():
        register(make_event(), "anna@example.se", "digital")
    real_deliver, runs, sleeps = mail.deliver_due, [], []

    def deliver_due(*args, **kwargs):
        runs.append(1)
        if len(runs) == 1:
            raise OperationalError("SELECT", {}, Exception("the database restarts"))
        return real_deliver(*args, **kwargs)

    def sleep(seconds):
        sleeps.append(seconds)
        if len(sleeps) == 2:
            raise _Stop()

    monkeypatch.setattr(cli.mail, "deliver_due", deliver_due)
    monkeypatch.setattr(cli.time, "sleep", sleep)

    result = runner.invoke(args=["outbox", "deliver", "--loop", "--interval", "0"])

    assert isinstance(result.exception, _Stop), result.output
    assert result.stdout.splitlines() == ["sent 1, failed 0, waiting 0"]  # the failed run is logged (stderr)
    assert len(list(tmp_path.glob("*.eml"))) == 1


def test_flask_outbox_retry_failed_sends_them_again_after_the_fix(app, runner, make_event, smtp):
    app.config.update(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port)
    with app.app_context():
        register(make_event(), "anna@example.se", "digital")
    smtp.inbox.refuse_sender = "553 5.7.1 Sender address rejected"
    smtp.start()
    assert runner.invoke(args=["outbox", "deliver"]).output.strip() == "sent 0, failed 1, waiting 0"
    smtp.inbox.refuse_sender = None  # the sending address is fixed

    assert runner.invoke(args=["outbox", "retry-failed", "--reason", "recipient_refused"]).output.strip() == \
        "queued again 0"
    assert runner.invoke(args=["outbox", "retry-failed", "--reason", "sender_refused"]).output.strip() == \
        "queued again 1"
    assert runner.invoke(args=["outbox", "deliver"]).output.strip() == "sent 1, failed 0, waiting 0"
    assert [e.rcpt_tos for e in smtp.inbox.envelopes] == [["anna@example.se"]]
