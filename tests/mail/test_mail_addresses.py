"""Internationalised addresses: a domain with å, ä or ö goes as punycode, a local part outside ASCII only
through a server offering SMTPUTF8 (else the message fails for good with its reason), and no address
header ever holds an RFC 2047 encoded word inside the address.

The SMTP server is aiosmtpd in this process, with and without SMTPUTF8 in its EHLO (tests/mail/support.py).
"""
from __future__ import annotations

import email.policy
import re
from datetime import timedelta
from email import message_from_string

import pytest

from eventhub.extensions import db
from eventhub.mail import services as mail
from eventhub.mail.addresses import ascii_domain, needs_smtputf8, wire_address
from eventhub.mail.models import OutboxMessage
from eventhub.mail.transports import FolderTransport, build_message, smtputf8_setting
from eventhub.types import utcnow
from tests.mail.support import SMTPServer
from tests.registration.support import fresh

SENDER = "Forum Borås <noreply@borås.se>"
ENCODED_WORD = re.compile(rb"=\?[^?]+\?[qQbB]\?")
ADDRESS_HEADERS = ("From", "To", "Reply-To")


def read(data: bytes):
    """Python's email parser under the strict policy. Its bytes parser leaves UTF-8 headers (RFC 6532)
    undecoded, so the message is read as text, as a mail program that speaks SMTPUTF8 does."""
    return message_from_string(data.decode("utf-8"), policy=email.policy.strict)


def _queued(to: str, reply_to: str | None = "kontakt@borås.se") -> OutboxMessage:
    message = mail.queue(to, "Välkommen", "Hej!", reply_to=reply_to)
    db.session.commit()
    return message


def _raw_headers(data: bytes) -> dict[str, bytes]:
    """Each header's raw value as sent, folded lines joined."""
    head = data.split(b"\r\n\r\n", 1)[0].replace(b"\r\n ", b" ").replace(b"\r\n\t", b" ")
    return {name.decode(): value.strip() for name, _, value in (line.partition(b":") for line in head.split(b"\r\n"))}


def _address_parts(raw: bytes) -> bytes:
    """What stands inside <...>, or the whole value when there is no display name."""
    inside = re.findall(rb"<([^>]*)>", raw)
    return b" ".join(inside) if inside else raw


@pytest.mark.parametrize(("domain", "expected"), [
    ("borås.se", "xn--bors-soa.se"),
    ("Växjö.SE", "xn--vxj-qla6g.se"),  # UTS 46 maps to lower case first
    ("örebro.se", "xn--rebro-iua.se"),
    ("straße.de", "xn--strae-oqa.de"),  # IDNA 2008; Python's codec (IDNA 2003) would say strasse.de
    ("example.se", "example.se"),
])
def test_ascii_domain_is_idna_2008_punycode(domain, expected):
    assert ascii_domain(domain) == expected


def test_ascii_domain_differs_from_pythons_idna_2003_codec_where_it_matters():
    assert "straße.de".encode("idna") == b"strasse.de"  # another domain: why the idna package is used
    assert ascii_domain("straße.de") != "strasse.de"


@pytest.mark.parametrize("domain", ["borås..se", "å" * 300 + ".se", "-borås.se", "ä" * 64 + ".se", "bor_ås.se"])
def test_ascii_domain_refuses_what_has_no_idna_form(domain):
    with pytest.raises(ValueError):
        ascii_domain(domain)


@pytest.mark.parametrize(("text", "addr_spec", "needs"), [
    ("anna@borås.se", "anna@xn--bors-soa.se", False),
    ("Berit Müllerström <berit@växjö.se>", "berit@xn--vxj-qla6g.se", False),
    ("åsa@example.se", "åsa@example.se", True),
    ("örjan@borås.se", "örjan@xn--bors-soa.se", True),
])
def test_wire_address_puts_the_domain_in_ascii_and_says_when_smtputf8_is_needed(text, addr_spec, needs):
    address = wire_address(text)
    assert address.addr_spec == addr_spec
    assert needs_smtputf8(address) is needs


@pytest.mark.parametrize("to", ["anna@borås.se", "åsa@example.se", "örjan@växjö.se"])
def test_no_address_header_holds_an_encoded_word_inside_the_address(app_ctx, to):
    data = build_message(_queued(to), SENDER).as_bytes()
    headers = _raw_headers(data)

    for name in ADDRESS_HEADERS:
        assert not ENCODED_WORD.search(_address_parts(headers[name])), (name, headers[name])
    assert ENCODED_WORD.search(headers["From"]) or "Borås".encode() in headers["From"]  # the name may be encoded
    parsed = read(data)
    assert parsed["Reply-To"].addresses[0].domain == "xn--bors-soa.se"
    assert parsed["From"].addresses[0].display_name == "Forum Borås"


def test_an_ascii_local_part_with_an_international_domain_is_plain_ascii(app_ctx):
    data = build_message(_queued("anna@borås.se"), SENDER).as_bytes()

    assert data.split(b"\r\n\r\n", 1)[0].isascii()  # no SMTPUTF8 needed, any server takes it
    headers = _raw_headers(data)
    assert headers["To"] == b"anna@xn--bors-soa.se"
    assert headers["Message-ID"].endswith(b"@xn--bors-soa.se>")


def test_a_local_part_outside_ascii_is_written_in_utf8_headers(app_ctx):
    data = build_message(_queued("åsa@borås.se"), SENDER).as_bytes()

    assert _raw_headers(data)["To"] == "åsa@xn--bors-soa.se".encode()  # RFC 6532: UTF-8, not =?utf-8?...
    assert read(data)["To"].addresses[0].username == "åsa"


# --- through a real SMTP server -------------------------------------------------------------------

@pytest.mark.parametrize("smtputf8", [True, False], ids=["server-offers-smtputf8", "server-without-smtputf8"])
def test_an_international_domain_goes_as_punycode_through_any_server(app_ctx, smtputf8):
    server = SMTPServer(smtputf8=smtputf8).start()
    try:
        _queued("anna@borås.se")
        report = mail.deliver_due(server.transport(sender=SENDER), utcnow())
        [envelope] = server.inbox.envelopes
    finally:
        server.stop()

    assert report.sent == 1
    assert envelope.rcpt_tos == ["anna@xn--bors-soa.se"] and envelope.mail_from == "noreply@xn--bors-soa.se"
    assert "SMTPUTF8" not in envelope.mail_options  # not needed: every server takes punycode
    assert read(envelope.original_content)["To"] == "anna@xn--bors-soa.se"


def test_a_local_part_outside_ascii_is_sent_with_smtputf8_when_the_server_offers_it(app_ctx):
    server = SMTPServer(smtputf8=True).start()
    try:
        message = _queued("åsa@borås.se")
        report = mail.deliver_due(server.transport(), utcnow())
        [envelope] = server.inbox.envelopes
    finally:
        server.stop()

    assert report.sent == 1 and fresh(OutboxMessage, message.id).sent_at is not None
    assert "SMTPUTF8" in envelope.mail_options
    assert envelope.rcpt_tos == ["åsa@xn--bors-soa.se"]
    received = read(envelope.original_content)
    assert received["To"].addresses[0].username == "åsa"
    assert not ENCODED_WORD.search(_address_parts(_raw_headers(envelope.original_content)["To"]))


def test_a_header_alone_outside_ascii_still_asks_for_smtputf8(app_ctx):
    """The envelope is ASCII, but the Reply-To (the event's contact) is not: the UTF-8 headers need it."""
    server = SMTPServer(smtputf8=True).start()
    try:
        _queued("anna@example.se", reply_to="örjan@borås.se")
        assert mail.deliver_due(server.transport(), utcnow()).sent == 1
        [envelope] = server.inbox.envelopes
    finally:
        server.stop()

    assert "SMTPUTF8" in envelope.mail_options and envelope.rcpt_tos == ["anna@example.se"]


@pytest.mark.parametrize(("server_offers", "setting"), [(False, "auto"), (False, "true"), (True, "false")],
                         ids=["server-without-smtputf8", "promised-but-not-offered", "turned-off"])
def test_a_local_part_outside_ascii_fails_for_good_when_smtputf8_cannot_be_used(app_ctx, server_offers, setting):
    server = SMTPServer(smtputf8=server_offers).start()
    try:
        message = _queued("åsa@example.se")
        _queued("anna@example.se")
        now = utcnow()
        report = mail.deliver_due(server.transport(smtputf8=setting), now, clock=lambda: now)
        again = mail.deliver_due(server.transport(smtputf8=setting), now + timedelta(days=2))
        delivered = [envelope.rcpt_tos for envelope in server.inbox.envelopes]
    finally:
        server.stop()

    assert (report.sent, report.given_up) == (1, 1)
    assert delivered == [["anna@example.se"]]  # the rest goes on
    failed = fresh(OutboxMessage, message.id)
    assert failed.failure == "needs_smtputf8" and failed.failed_at == now and "SMTPUTF8" in failed.last_error
    assert (again.sent, again.failed) == (0, 0)  # never tried again
    assert mail.pending_count() == 0


def test_the_folder_transport_writes_utf8_headers_unless_turned_off(app_ctx, tmp_path):
    message = _queued("åsa@example.se")
    assert mail.deliver_due(FolderTransport(tmp_path / "on", SENDER), utcnow()).sent == 1
    written = (tmp_path / "on" / f"{message.id:06d}.eml").read_bytes()
    assert read(written)["To"].addresses[0].username == "åsa"

    other = _queued("örjan@example.se")
    assert mail.deliver_due(FolderTransport(tmp_path / "off", SENDER, "false"), utcnow()).given_up == 1
    assert fresh(OutboxMessage, other.id).failure == "needs_smtputf8"


# --- whether an address can be taken (asked at registration) ---------------------------------------

@pytest.mark.parametrize(("server_offers", "setting", "expected"), [
    (True, "auto", True),
    (False, "auto", False),
    (False, "true", True),  # taken at the operator's word; sending then fails with its reason
    (True, "false", False),
], ids=["auto-offered", "auto-not-offered", "true", "false"])
def test_takes_smtputf8_follows_the_setting_and_the_servers_ehlo(smtp_offers_cleared, server_offers, setting,
                                                                 expected):
    server = SMTPServer(smtputf8=server_offers).start()
    try:
        assert server.transport(smtputf8=setting).takes_smtputf8() is expected
    finally:
        server.stop()


def test_takes_smtputf8_asks_the_server_once_and_trusts_it_when_it_is_down(smtp_offers_cleared):
    server = SMTPServer(smtputf8=False).start()
    transport = server.transport()
    assert transport.takes_smtputf8() is False
    server.stop()
    assert transport.takes_smtputf8() is False  # the answer is kept: no connection from every registration

    down = SMTPServer(smtputf8=False)  # never started: nobody answers
    assert down.transport().takes_smtputf8() is True  # not refused for a moment's outage


@pytest.mark.parametrize(("backend", "setting", "address", "expected"), [
    ("folder", "auto", "åsa@example.se", True),
    ("folder", "false", "åsa@example.se", False),
    ("folder", "false", "anna@borås.se", True),  # a domain never needs SMTPUTF8
    ("smtp", "false", "anna@example.se", True),
    ("smtp", "false", "åsa@example.se", False),
    ("smtp", "true", "åsa@example.se", True),
])
def test_takes_address_follows_the_configuration(app, backend, setting, address, expected):
    app.config.update(MAIL_BACKEND=backend, MAIL_SMTPUTF8=setting)
    with app.app_context():
        assert mail.takes_address(address) is expected


@pytest.mark.parametrize(("value", "expected"), [
    (None, "auto"), ("", "auto"), ("auto", "auto"), ("TRUE", "true"), ("1", "true"), ("yes", "true"),
    ("false", "false"), ("0", "false"), (" off ", "false"),
])
def test_smtputf8_setting_reads_the_usual_spellings(value, expected):
    assert smtputf8_setting({"MAIL_SMTPUTF8": value}) == expected


def test_smtputf8_setting_refuses_anything_else():
    with pytest.raises(ValueError, match="MAIL_SMTPUTF8"):
        smtputf8_setting({"MAIL_SMTPUTF8": "sometimes"})
