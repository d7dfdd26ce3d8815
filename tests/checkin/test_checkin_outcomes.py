"""Every colour and reason the host's screen can show, and the switch from digital to on site."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from eventhub import keyring
from eventhub.extensions import db
from eventhub.mail.models import OutboxMessage
from tests.attendees.support import counters as seat_counters
from tests.checkin.support import (
    check_ins,
    current_ticket,
    decode_qr,
    open_door,
    registered,
    registration_row,
)
from tests.registration.support import add_group_session


def test_scan_confirmed_on_site_is_green_with_groups_and_counters(app, slug, door):
    with app.app_context():
        group_id, _ = add_group_session(slug, [("Samverkan", "on_site", 10), ("Digital grupp", "digital", 10)])
    ticket = registered(app, slug, "anna@example.se", group_id=group_id)
    registered(app, slug, "bertil@example.se")

    response = door.post("scan", {"code": ticket.payload, "nonce": "n-green-0001"})

    body = response.get_json()
    assert (body["result"]["colour"], body["result"]["reason"]) == ("green", "checked_in")
    assert body["result"]["groups"] == ["Samverkan"]
    assert body["result"]["check_in_id"] == check_ins(app, ticket.id)[0].id
    assert body["counters"] == {"checked_in": 1, "expected": 2}


def test_second_scan_is_amber_with_first_hosts_name_and_time(app, slug, door):
    ticket = registered(app, slug, "anna@example.se")
    other_door = open_door(app, slug, "kalle@example.se")
    first = door.scan(ticket.payload)

    second = other_door.scan(ticket.code)

    assert (second["colour"], second["reason"], second["duplicate"]) == ("amber", "already", True)
    assert second["checked_in_by"] == door.name != other_door.name
    assert second["checked_in_at"] == first["checked_in_at"]
    assert datetime.fromisoformat(second["checked_in_at"]) == registration_row(app, ticket.id).checked_in_at
    assert second["name"] == ticket.name
    rows = check_ins(app, ticket.id)
    assert [(r.outcome, r.host_id) for r in rows] == [("checked_in", door.user_id), ("duplicate", other_door.user_id)]


def test_scan_unknown_code_is_red_not_found(door):
    result = door.scan("ZZZZ-ZZZZ")

    assert (result["colour"], result["reason"], result["registration_id"]) == ("red", "not_found", None)


def test_scan_waitlisted_is_red_waitlisted(app, make_event):
    slug = make_event(on_site_seats=1)
    door = open_door(app, slug, "vard@example.se")
    registered(app, slug, "first@example.se")
    waiting = registered(app, slug, "second@example.se")
    assert registration_row(app, waiting.id).status == "waitlisted"

    result = door.scan(waiting.payload)

    assert (result["colour"], result["reason"], result["name"]) == ("red", "waitlisted", waiting.name)
    assert registration_row(app, waiting.id).checked_in_at is None
    assert check_ins(app) == []


def test_scan_digital_registrant_is_red_digital_and_may_switch_when_seats_are_free(app, slug, door):
    ticket = registered(app, slug, "anna@example.se", mode="digital")

    result = door.scan(ticket.payload)

    assert (result["colour"], result["reason"], result["name"]) == ("red", "digital", ticket.name)
    assert result["can_switch_to_on_site"] is True
    assert registration_row(app, ticket.id).checked_in_at is None


def test_scan_digital_registrant_may_not_switch_when_on_site_is_full(app, make_event):
    slug = make_event(on_site_seats=1, digital_seats=5)
    door = open_door(app, slug, "vard@example.se")
    registered(app, slug, "seated@example.se")
    ticket = registered(app, slug, "anna@example.se", mode="digital")

    result = door.scan(ticket.payload)

    assert (result["colour"], result["reason"], result["can_switch_to_on_site"]) == ("red", "digital", False)


def test_scan_digital_registrant_may_not_switch_at_a_digital_only_event(app, make_event):
    slug = make_event(format="digital", on_site_seats=None, digital_seats=5)
    door = open_door(app, slug, "vard@example.se")
    ticket = registered(app, slug, "anna@example.se", mode="digital")

    result = door.scan(ticket.payload)

    assert (result["reason"], result["can_switch_to_on_site"]) == ("digital", False)


def test_scan_digital_registrant_may_switch_when_on_site_is_unlimited(app, make_event):
    slug = make_event(on_site_seats=None, digital_seats=5)
    door = open_door(app, slug, "vard@example.se")
    ticket = registered(app, slug, "anna@example.se", mode="digital")

    assert door.scan(ticket.payload)["can_switch_to_on_site"] is True


def test_switch_to_on_site_through_api_then_new_ticket_scans_green(app, slug, door):
    old = registered(app, slug, "anna@example.se", mode="digital")
    before = _seats(app, slug)

    response = door.post("switch", {"registration_id": old.id})

    assert response.status_code == 200 and response.get_json() == {"switched": True}
    after = _seats(app, slug)
    assert (after["on_site_taken"], after["digital_taken"]) == (before["on_site_taken"] + 1,
                                                                 before["digital_taken"] - 1)
    with app.app_context():
        mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == "anna@example.se")
                                  .order_by(OutboxMessage.id.desc())).first()
        attachment = mail.attachment_bytes()
    new = current_ticket(app, old.id)
    assert decode_qr(attachment) == [new.payload]  # the emailed ticket is the new one
    assert door.scan(old.payload)["reason"] == "replaced"
    result = door.scan(new.payload)
    assert (result["colour"], result["reason"]) == ("green", "checked_in")
    row = registration_row(app, old.id)
    assert (row.mode, row.status) == ("on_site", "confirmed") and row.checked_in_at is not None
    assert door.get("counters").get_json() == {"checked_in": 1, "expected": 1}


def test_switch_then_check_in_by_name_is_green(app, slug, door):
    ticket = registered(app, slug, "anna@example.se", mode="digital")
    found = door.post("checkin", {"registration_id": ticket.id, "nonce": "n-byname-0001"}).get_json()["result"]
    assert (found["reason"], found["can_switch_to_on_site"]) == ("digital", True)

    assert door.post("switch", {"registration_id": ticket.id}).status_code == 200
    result = door.post("checkin", {"registration_id": ticket.id, "nonce": "n-byname-0002"}).get_json()["result"]

    assert (result["colour"], result["reason"]) == ("green", "checked_in")
    assert check_ins(app, ticket.id)[0].method == "search"


def test_switch_when_on_site_is_full_is_409_full(app, make_event):
    slug = make_event(on_site_seats=1, digital_seats=5)
    door = open_door(app, slug, "vard@example.se")
    registered(app, slug, "seated@example.se")
    ticket = registered(app, slug, "anna@example.se", mode="digital")

    response = door.post("switch", {"registration_id": ticket.id})

    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "full"
    assert registration_row(app, ticket.id).mode == "digital"
    assert _seats(app, slug)["on_site_taken"] == 1


def test_switch_of_on_site_registrant_is_409_not_digital(app, slug, door):
    ticket = registered(app, slug, "anna@example.se")

    response = door.post("switch", {"registration_id": ticket.id})

    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "not_digital"


def test_check_in_by_name_of_another_events_registration_is_red_other_event(app, make_event, door):
    other = make_event()
    ticket = registered(app, other, "anna@example.se")

    result = door.post("checkin", {"registration_id": ticket.id, "nonce": "n-other-0001"}).get_json()["result"]

    assert (result["colour"], result["reason"], result["name"]) == ("red", "other_event", "")
    assert registration_row(app, ticket.id).checked_in_at is None


def test_search_finds_people_by_part_of_name_without_cancelled(app, slug, door):
    registered(app, slug, "anna@example.se", name="Anna Åström")
    gone = registered(app, slug, "anna2@example.se", name="Anna Andersson")
    registered(app, slug, "bertil@example.se", name="Bertil Berg")
    with app.app_context():
        from eventhub.registration import services

        services.cancel(gone.id, datetime.now().astimezone(), keyring.of(app))

    people = door.post("search", {"q": "anna"}).get_json()["people"]

    assert [p["name"] for p in people] == ["Anna Åström"]
    assert "email" not in people[0]


def _seats(app, slug):
    with app.app_context():
        return seat_counters(slug)
