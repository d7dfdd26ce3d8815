"""Undoing a check-in, and registering a walk-in at the door."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from eventhub.checkin.models import CheckIn
from eventhub.extensions import db
from eventhub.mail.models import OutboxMessage
from eventhub.registration.models import Registration
from tests.attendees.support import counters as seat_counters
from tests.checkin.support import (
    audit_actions,
    check_ins,
    count_rows,
    nonce,
    open_door,
    registered,
    registration_row,
)


def _seats(app, slug):
    with app.app_context():
        return seat_counters(slug)


# --- undo ------------------------------------------------------------------------------------------


def test_undo_clears_the_check_in_marks_the_row_and_writes_an_audit_entry(app, slug, door):
    ticket = registered(app, slug, "anna@example.se")
    check_in_id = door.scan(ticket.payload)["check_in_id"]

    response = door.post("undo", {"check_in_id": check_in_id})

    assert response.status_code == 200
    body = response.get_json()
    assert (body["undone"], body["name"], body["counters"]) == (True, ticket.name, {"checked_in": 0, "expected": 1})
    assert registration_row(app, ticket.id).checked_in_at is None
    [row] = check_ins(app, ticket.id)
    assert row.undone_at is not None and row.undone_by_id == door.user_id
    [entry] = audit_actions(app, "checkin.undone")
    assert (entry.user_id, entry.details["registration_id"]) == (door.user_id, ticket.id)


def test_undone_ticket_can_be_checked_in_again(app, slug, door):
    ticket = registered(app, slug, "anna@example.se")
    door.post("undo", {"check_in_id": door.scan(ticket.payload)["check_in_id"]})

    again = door.scan(ticket.payload)

    assert (again["colour"], again["reason"]) == ("green", "checked_in")
    assert registration_row(app, ticket.id).checked_in_at is not None
    assert [(r.outcome, r.undone_at is None) for r in check_ins(app, ticket.id)] == [
        ("checked_in", False), ("checked_in", True)]
    amber = door.scan(ticket.code)
    assert (amber["colour"], amber["checked_in_by"]) == ("amber", door.name)


def test_undo_twice_is_404_json(app, slug, door):
    ticket = registered(app, slug, "anna@example.se")
    check_in_id = door.scan(ticket.payload)["check_in_id"]
    door.post("undo", {"check_in_id": check_in_id})

    response = door.post("undo", {"check_in_id": check_in_id})

    assert response.status_code == 404 and response.get_json()["error"]["code"] == "unknown"
    assert len(audit_actions(app, "checkin.undone")) == 1


def test_undo_of_another_events_check_in_is_404_json(app, make_event, slug, door):
    other = make_event()
    other_door = open_door(app, other, "kalle@example.se")
    ticket = registered(app, other, "anna@example.se")
    check_in_id = other_door.scan(ticket.payload)["check_in_id"]

    response = door.post("undo", {"check_in_id": check_in_id})

    assert response.status_code == 404
    assert response.is_json and response.get_json()["error"]["code"] == "unknown"
    assert registration_row(app, ticket.id).checked_in_at is not None
    assert check_ins(app, ticket.id)[0].undone_at is None
    assert audit_actions(app, "checkin.undone") == []


# --- walk-ins --------------------------------------------------------------------------------------


def test_walk_in_takes_an_on_site_seat_and_checks_in(app, slug, door):
    before = _seats(app, slug)

    response = door.post("walk-in", {"name": "Gunnar Gäst", "email": "Gunnar@Example.se", "nonce": nonce()})

    assert response.status_code == 200
    body = response.get_json()
    assert (body["result"]["colour"], body["result"]["reason"], body["result"]["name"]) == (
        "green", "checked_in", "Gunnar Gäst")
    assert body["counters"] == {"checked_in": 1, "expected": 1}
    assert _seats(app, slug)["on_site_taken"] == before["on_site_taken"] + 1
    row = registration_row(app, body["result"]["registration_id"])
    assert (row.email, row.mode, row.status) == ("gunnar@example.se", "on_site", "confirmed")
    assert row.checked_in_at is not None
    [check_in] = check_ins(app, row.id)
    assert (check_in.method, check_in.outcome) == ("walk_in", "checked_in")
    assert [entry.event_id for entry in audit_actions(app, "checkin.walk_in")] == [row.event_id]
    with app.app_context():
        assert db.session.scalars(select(OutboxMessage.to_address)).all() == ["gunnar@example.se"]


def test_walk_in_without_email_queues_no_email(app, slug, door):
    response = door.post("walk-in", {"name": "Utan Adress", "nonce": nonce()})

    assert response.status_code == 200
    row = registration_row(app, response.get_json()["result"]["registration_id"])
    assert (row.email, row.status) == (None, "confirmed")
    assert count_rows(app, OutboxMessage) == 0


def test_two_walk_ins_without_email_are_two_people(app, slug, door):
    first = door.post("walk-in", {"name": "Utan Adress", "nonce": nonce()})
    second = door.post("walk-in", {"name": "Också Utan", "nonce": nonce()})

    assert first.status_code == second.status_code == 200
    assert count_rows(app, Registration) == 2


def test_walk_in_resent_with_the_same_nonce_registers_once(app, slug, door):
    same = nonce()
    first = door.post("walk-in", {"name": "Utan Adress", "nonce": same})

    resent = door.post("walk-in", {"name": "Utan Adress", "nonce": same})

    assert first.status_code == resent.status_code == 200
    assert resent.get_json()["result"] == first.get_json()["result"]
    assert count_rows(app, Registration) == 1
    assert count_rows(app, CheckIn) == 1
    assert _seats(app, slug)["on_site_taken"] == 1


def test_walk_in_when_on_site_is_full_is_409_full(app, make_event):
    slug = make_event(on_site_seats=1, digital_seats=5)
    door = open_door(app, slug, "vard@example.se")
    registered(app, slug, "seated@example.se")

    response = door.post("walk-in", {"name": "Gunnar Gäst", "email": "gunnar@example.se", "nonce": nonce()})

    assert response.status_code == 409 and response.get_json()["error"]["code"] == "full"
    assert count_rows(app, Registration) == 1
    assert _seats(app, slug)["on_site_taken"] == 1
    assert count_rows(app, OutboxMessage, OutboxMessage.to_address == "gunnar@example.se") == 0


def test_walk_in_with_an_already_registered_address_is_409(app, slug, door):
    registered(app, slug, "anna@example.se", mode="digital")

    response = door.post("walk-in", {"name": "Anna Igen", "email": " ANNA@example.se", "nonce": nonce()})

    assert response.status_code == 409 and response.get_json()["error"]["code"] == "registered"
    assert count_rows(app, Registration) == 1
    assert _seats(app, slug)["on_site_taken"] == 0


def test_walk_in_at_a_digital_only_event_is_409_not_500(app, make_event):
    slug = make_event(format="digital", digital_seats=5)
    door = open_door(app, slug, "vard@example.se")

    response = door.post("walk-in", {"name": "Gunnar Gäst", "nonce": nonce()})

    assert response.status_code == 409 and response.get_json()["error"]["code"] == "no_on_site"
    assert count_rows(app, Registration) == 0


def test_walk_in_without_name_or_with_a_bad_address_is_400(app, slug, door):
    no_name = door.post("walk-in", {"name": "  ", "nonce": nonce()})
    bad_email = door.post("walk-in", {"name": "Gunnar", "email": "not an address", "nonce": nonce()})

    assert (no_name.status_code, no_name.get_json()["error"]["code"]) == (400, "name")
    assert (bad_email.status_code, bad_email.get_json()["error"]["code"]) == (400, "email")
    # The same rule as the registration form: an address needs something before and after the @
    # and a dot in the domain.
    for address in ("anna@", "@example.se", "a@b", "a@@b.se"):
        response = door.post("walk-in", {"name": "Gunnar", "email": address, "nonce": nonce()})
        assert (response.status_code, response.get_json()["error"]["code"]) == (400, "email"), address
    assert count_rows(app, Registration) == 0


def test_walk_in_rules_live_in_the_service(app, slug):
    from datetime import UTC, datetime

    from eventhub.checkin import services
    from tests.registration.support import KEYS, event_by_slug

    with app.app_context():
        event_id = event_by_slug(slug).id
        with pytest.raises(services.NameMissing):
            services.walk_in(event_id, "x" * 201, None, None, datetime.now(UTC), KEYS, nonce())
        with pytest.raises(services.EmailInvalid):
            services.walk_in(event_id, "Gunnar", "anna@", None, datetime.now(UTC), KEYS, nonce())
