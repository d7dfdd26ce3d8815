"""Manage links and door tickets (eventhub.registration.tokens, eventhub.registration.qr)."""
from __future__ import annotations

import base64
import hashlib
import io
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import text

from eventhub.extensions import db
from eventhub.keyring import Keyring
from eventhub.registration import qr, services, tokens
from eventhub.registration.models import Registration
from tests.registration.support import KEYS, MANAGE_LINK_PATTERN, fresh, manage_token_from, outbox, register

NOW = datetime.now(UTC)


def decode_qr(png: bytes) -> list[str]:
    """What a real scanner reads from the image."""
    return [result.text for result in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def _b64_bits(token: str) -> int:
    return len(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))) * 8


# --- the manage token ----------------------------------------------------------------------------


def test_manage_token_has_at_least_128_bits_and_is_url_safe():
    token = tokens.manage_token(KEYS, tokens.new_salt())

    assert _b64_bits(token) >= 128
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_new_salt_is_random_and_128_bits():
    salts = {tokens.new_salt() for _ in range(100)}

    assert len(salts) == 100
    assert all(len(bytes.fromhex(salt)) * 8 == 128 for salt in salts)


def test_manage_token_differs_by_secret_key_and_by_salt():
    salt = tokens.new_salt()

    assert tokens.manage_token(KEYS, salt) == tokens.manage_token(KEYS, salt)
    assert tokens.manage_token(KEYS, salt) != tokens.manage_token(Keyring("another-secret-key"), salt)
    assert tokens.manage_token(KEYS, salt) != tokens.manage_token(KEYS, tokens.new_salt())


def test_registration_stores_only_the_tokens_sha256(app_ctx, make_event):
    slug = make_event()
    rid = register(slug, "anna@example.se").registration.id
    token = manage_token_from(outbox("anna@example.se")[0].body_text)

    registration = fresh(Registration, rid)
    assert registration.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token == tokens.manage_token(KEYS, registration.token_salt)
    row = db.session.execute(text("SELECT * FROM registration WHERE id = :id"), {"id": rid}).one()
    assert all(token not in str(value) for value in row)
    assert len(row) == len(Registration.__table__.columns)  # every column was looked at


def test_manage_token_from_another_secret_key_finds_nothing(app_ctx, make_event):
    slug = make_event()
    rid = register(slug, "anna@example.se").registration.id
    salt = fresh(Registration, rid).token_salt

    assert services.find_by_token(tokens.manage_token(KEYS, salt)).id == rid
    assert services.find_by_token(tokens.manage_token(Keyring("another-secret-key"), salt)) is None


def test_manage_link_stays_the_same_across_changes(app_ctx, make_event):
    slug = make_event()
    rid = register(slug, "anna@example.se").registration.id
    services.change_mode(rid, "digital", NOW, KEYS)
    services.cancel(rid, NOW, KEYS)

    messages = outbox("anna@example.se")
    links = {link for message in messages for link in MANAGE_LINK_PATTERN.findall(message.body_text)}
    assert len(links) == 1
    assert [m.subject for m in messages][-1] == "Avanmäld: Forumträff"
    assert not MANAGE_LINK_PATTERN.search(messages[-1].body_text)  # a cancellation needs no link


# --- the ticket ----------------------------------------------------------------------------------


def test_ticket_secret_changes_with_version():
    salt = tokens.new_salt()

    secrets = {tokens.ticket_secret(KEYS, salt, version) for version in (1, 2, 3)}

    assert len(secrets) == 3
    assert tokens.ticket_secret(KEYS, salt, 1) != tokens.ticket_secret(Keyring("another-secret-key"), salt, 1)
    secret = tokens.ticket_secret(KEYS, salt, 1)
    assert len(base64.b32decode(secret + "=" * (-len(secret) % 8))) * 8 == 160


def _ticket_secret(rid) -> str:
    registration = fresh(Registration, rid)
    return tokens.ticket_secret(KEYS, registration.token_salt, registration.ticket_version)


def _ticket_payload(rid) -> str:
    return tokens.ticket_payload(KEYS, fresh(Registration, rid))


@pytest.mark.parametrize("change", ["cancel", "change_mode"])
def test_ticket_secret_changes_when_registration_changes(app_ctx, make_event, change):
    slug = make_event()
    rid = register(slug, "anna@example.se").registration.id
    before = _ticket_secret(rid)

    if change == "cancel":
        services.cancel(rid, NOW, KEYS)
    else:
        services.change_mode(rid, "digital", NOW, KEYS)

    assert _ticket_secret(rid) != before


def test_ticket_after_mode_change_back_is_a_new_ticket(app_ctx, make_event):
    slug = make_event()
    rid = register(slug, "anna@example.se").registration.id
    first = _ticket_secret(rid)
    services.change_mode(rid, "digital", NOW, KEYS)
    services.change_mode(rid, "on_site", NOW, KEYS)

    assert _ticket_secret(rid) != first
    last_ticket = outbox("anna@example.se")[-1].attachment_bytes()
    assert decode_qr(last_ticket) == [_ticket_payload(rid)]


def test_qr_png_decodes_back_to_payload():
    payload = "EH1:12-1-" + tokens.ticket_secret(KEYS, tokens.new_salt(), 1)

    png = qr.qr_png(payload)

    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert decode_qr(png) == [payload]
    assert payload.startswith("EH1:")


def test_qr_png_small_box_size_still_decodes():
    payload = "EH1:9999-7-" + tokens.ticket_secret(KEYS, tokens.new_salt(), 7)

    assert decode_qr(qr.qr_png(payload, box_size=3)) == [payload]


def test_email_ticket_attachment_decodes_to_current_ticket(app_ctx, make_event):
    slug = make_event()
    rid = register(slug, "anna@example.se").registration.id

    [message] = outbox("anna@example.se")

    assert decode_qr(message.attachment_bytes()) == [_ticket_payload(rid)]


def test_qr_svg_is_well_formed_svg():
    svg = qr.qr_svg("EH1:1-1-ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")

    root = ET.fromstring(svg)  # noqa: S314 (our own output); raises on malformed XML

    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    paths = root.findall(".//{http://www.w3.org/2000/svg}path")
    assert paths and len(paths[0].get("d", "")) > 100  # the modules are drawn


def test_ticket_svg_route_serves_current_ticket(app, client, make_event):
    slug = make_event()
    with app.app_context():
        rid = register(slug, "anna@example.se").registration.id
        token = manage_token_from(outbox("anna@example.se")[0].body_text)
        expected = qr.qr_svg(_ticket_payload(rid))

    response = client.get(f"/r/{token}/ticket.svg")

    assert response.get_data(as_text=True) == expected
    assert ET.fromstring(response.get_data(as_text=True)).tag.endswith("svg")  # noqa: S314
