"""A scan is the door's hot path: a fixed, small number of SQL statements (see docs/performance.md)."""
from __future__ import annotations

from tests.checkin.support import nonce, registered


def test_first_scan_runs_at_most_six_statements(app, slug, door, count_queries):
    ticket = registered(app, slug, "anna@example.se")

    with count_queries() as statements:
        response = door.post("scan", {"code": ticket.payload, "nonce": nonce()})

    assert response.get_json()["result"]["colour"] == "green"
    # user, event with the host's role, registration with groups, UPDATE, INSERT, counters
    assert len(statements) <= 6, "\n".join(statements)


def test_repeat_scan_runs_at_most_seven_statements(app, slug, door, count_queries):
    ticket = registered(app, slug, "anna@example.se")
    door.scan(ticket.payload)

    with count_queries() as statements:
        response = door.post("scan", {"code": ticket.payload, "nonce": nonce()})

    assert response.get_json()["result"]["colour"] == "amber"
    assert len(statements) <= 7, "\n".join(statements)  # the first scan's, and the amber time and host


def test_typed_short_code_adds_one_statement(app, slug, door, count_queries):
    ticket = registered(app, slug, "anna@example.se")

    with count_queries() as statements:
        response = door.post("scan", {"code": ticket.code.lower(), "nonce": nonce()})

    assert response.get_json()["result"]["colour"] == "green"
    assert len(statements) <= 7, "\n".join(statements)  # the event's ticket salts, to match the code


def test_invalid_scan_writes_nothing(app, slug, door, count_queries):
    registered(app, slug, "anna@example.se")

    with count_queries() as statements:
        response = door.post("scan", {"code": "EH1:99999-1-AAAAAAAA", "nonce": nonce()})

    assert response.get_json()["result"]["reason"] == "not_found"
    assert not [s for s in statements if s.lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE"))]
    # user, event with role, registration, the nonce (a resent scan gets its first answer), counters
    assert len(statements) <= 5, "\n".join(statements)
