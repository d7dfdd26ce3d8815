"""From ticket to door: the QR payload through a real PNG and decoder, the typed short code, and the
tickets that must not open the door (forged, wrong id, replaced, cancelled, another event's)."""
from __future__ import annotations

from datetime import UTC, datetime

from eventhub.registration import qr
from eventhub.registration import services as registration_services
from tests.checkin.support import check_ins, current_ticket, decode_qr, registered, registration_row
from tests.registration.support import KEYS


def test_scan_qr_png_decoded_by_zxing_checks_in_green(app, slug, door):
    ticket = registered(app, slug, "anna@example.se", name="Anna Svensson", organisation="Borås Stad")
    [decoded] = decode_qr(qr.qr_png(ticket.payload))

    result = door.scan(decoded)

    assert decoded == ticket.payload
    assert (result["colour"], result["reason"]) == ("green", "checked_in")
    assert (result["registration_id"], result["name"], result["organisation"]) == (
        ticket.id, "Anna Svensson", "Borås Stad")
    assert result["checked_in_by"] == door.name
    assert registration_row(app, ticket.id).checked_in_at is not None
    [row] = check_ins(app, ticket.id)
    assert (row.method, row.outcome, row.host_id, row.offline) == ("qr", "checked_in", door.user_id, False)


def test_scan_short_code_lower_case_with_spaces_checks_in_green(app, slug, door):
    ticket = registered(app, slug, "anna@example.se")
    typed = " " + ticket.code.lower().replace("-", "  ") + " "

    result = door.scan(typed)

    assert (result["colour"], result["reason"], result["registration_id"]) == ("green", "checked_in", ticket.id)
    [row] = check_ins(app, ticket.id)
    assert row.method == "code"


def test_scan_short_code_with_look_alike_letters_checks_in_green(app, slug, door):
    ticket = registered(app, slug, "anna@example.se")
    # Crockford codes have no O, I or L: a host typing them meant 0 and 1.
    typed = ticket.code.replace("0", "o").replace("1", "l")

    assert door.scan(typed)["colour"] == "green"


def test_scan_forged_secret_is_red_not_found(app, slug, door):
    ticket = registered(app, slug, "anna@example.se")
    prefix, secret = ticket.payload.rsplit("-", 1)
    forged = f"{prefix}-{'A' * len(secret) if secret[0] != 'A' else 'B' * len(secret)}"

    result = door.scan(forged)

    assert (result["colour"], result["reason"]) == ("red", "not_found")
    assert (result["registration_id"], result["name"]) == (None, "")  # nothing revealed about the id
    assert registration_row(app, ticket.id).checked_in_at is None
    assert check_ins(app) == []


def test_scan_wrong_id_is_red_not_found(app, slug, door):
    anna = registered(app, slug, "anna@example.se")
    bertil = registered(app, slug, "bertil@example.se")
    version_and_secret = anna.payload.split(":", 1)[1].split("-", 1)[1]

    with_bertils_id = door.scan(f"EH1:{bertil.id}-{version_and_secret}")
    with_unknown_id = door.scan(f"EH1:999999-{version_and_secret}")

    assert (with_bertils_id["colour"], with_bertils_id["reason"], with_bertils_id["name"]) == ("red", "not_found", "")
    assert (with_unknown_id["colour"], with_unknown_id["reason"]) == ("red", "not_found")
    assert registration_row(app, bertil.id).checked_in_at is None
    assert check_ins(app) == []


def test_scan_garbage_is_red_not_found(door):
    for code in ("hello", "EH1:", "EH1:1-1", "EH9:1-1-ABC", "1234"):
        result = door.scan(code)
        assert (result["colour"], result["reason"]) == ("red", "not_found"), code


def test_scan_old_ticket_after_mode_changes_is_red_replaced(app, slug, door):
    old = registered(app, slug, "anna@example.se")
    with app.app_context():
        now = datetime.now(UTC)
        registration_services.change_mode(old.id, "digital", now, KEYS)
        registration_services.change_mode(old.id, "on_site", now, KEYS)
    new = current_ticket(app, old.id)

    old_qr = door.scan(old.payload)
    old_code = door.scan(old.code)
    new_qr = door.scan(new.payload)

    assert new.payload != old.payload and new.code != old.code
    assert (old_qr["colour"], old_qr["reason"], old_qr["name"]) == ("red", "replaced", old.name)
    assert (old_code["colour"], old_code["reason"]) == ("red", "not_found")
    assert (new_qr["colour"], new_qr["reason"]) == ("green", "checked_in")


def test_scan_ticket_after_cancel_is_red_cancelled(app, slug, door):
    ticket = registered(app, slug, "anna@example.se")
    with app.app_context():
        registration_services.cancel(ticket.id, datetime.now(UTC), KEYS)

    by_qr = door.scan(ticket.payload)
    by_code = door.scan(ticket.code)

    assert (by_qr["colour"], by_qr["reason"]) == ("red", "cancelled")
    assert (by_code["colour"], by_code["reason"]) == ("red", "cancelled")  # the same reading, scanned or typed
    assert registration_row(app, ticket.id).checked_in_at is None
    assert check_ins(app) == []


def test_scan_ticket_of_another_event_is_red_other_event_without_name(app, make_event, slug, door):
    other = make_event(title="Ett annat forum")
    ticket = registered(app, other, "anna@example.se", name="Anna Svensson", organisation="Borås Stad")

    by_qr = door.scan(ticket.payload)
    by_code = door.scan(ticket.code)

    assert (by_qr["colour"], by_qr["reason"]) == ("red", "other_event")
    assert (by_qr["name"], by_qr["organisation"], by_qr["registration_id"], by_qr["groups"]) == ("", "", None, [])
    assert "Anna" not in str(by_qr) and "Borås" not in str(by_qr)
    assert (by_code["colour"], by_code["reason"]) == ("red", "not_found")  # typed codes are this event's only
    assert registration_row(app, ticket.id).checked_in_at is None
    assert check_ins(app) == []
