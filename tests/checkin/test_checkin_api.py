"""The scanner's JSON API: who may call it, CSRF, bad input, the rate limit, and the offline ticket list."""
from __future__ import annotations

import hashlib
import json
import re

import pytest

from config import TestingConfig
from eventhub import create_app, keyring
from eventhub.checkin.models import CheckIn
from eventhub.extensions import db
from eventhub.registration.models import Registration
from tests.attendees.support import sign_in, staff_member
from tests.checkin.support import (
    Door,
    count_rows,
    nonce,
    open_door,
    registered,
    registration_row,
)
from tests.registration.support import add_group_session

LOGIN_CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def _anonymous_csrf(client) -> str:
    match = LOGIN_CSRF.search(client.get("/account/login").get_data(as_text=True))
    assert match
    return match.group(1)


# --- who may call it --------------------------------------------------------------------------------


def test_api_anonymous_is_401_json(app, client, slug):
    ticket = registered(app, slug, "anna@example.se")
    csrf = _anonymous_csrf(client)

    reads = [client.get(f"/checkin/{slug}/api/{path}") for path in ("tickets", "counters")]
    writes = [client.post(f"/checkin/{slug}/api/{path}", json=body, headers={"X-CSRFToken": csrf})
              for path, body in (("scan", {"code": ticket.payload, "nonce": nonce()}), ("search", {"q": "anna"}),
                                 ("sync", {"items": [{"code": ticket.payload, "nonce": nonce()}]}),
                                 ("undo", {"check_in_id": 1}), ("walk-in", {"name": "X", "nonce": nonce()}))]

    for response in reads + writes:
        assert response.status_code == 401, response.request.path
        assert response.is_json and response.get_json()["error"]["code"] == "signed_out"
    assert registration_row(app, ticket.id).checked_in_at is None
    assert client.get(f"/checkin/{slug}").status_code in (302, 303)  # the page itself sends to sign-in


def test_api_host_of_another_event_is_404_json(app, make_event, slug):
    ticket = registered(app, slug, "anna@example.se")
    elsewhere = open_door(app, make_event(), "kalle@example.se")

    reads = [elsewhere.client.get(f"/checkin/{slug}/api/{path}") for path in ("tickets", "counters")]
    writes = [elsewhere.post(path, body, slug=slug)
              for path, body in (("scan", {"code": ticket.payload, "nonce": nonce()}), ("search", {"q": "a"}),
                                 ("checkin", {"registration_id": ticket.id, "nonce": nonce()}),
                                 ("switch", {"registration_id": ticket.id}))]

    for response in reads + writes:
        assert response.status_code == 404, response.request.path
        assert response.is_json and response.get_json()["error"]["code"] == "no_event"
    assert "Anna" not in "".join(r.get_data(as_text=True) for r in reads + writes)
    assert registration_row(app, ticket.id).checked_in_at is None
    assert elsewhere.client.get(f"/checkin/{slug}").status_code == 404


def test_api_for_an_unknown_event_is_404_json(door):
    response = door.client.get("/checkin/no-such-event/api/counters")

    assert response.status_code == 404 and response.get_json()["error"]["code"] == "no_event"


def test_organiser_of_the_event_may_use_the_scanner(app, slug):
    organiser = open_door(app, slug, "olle@example.se", role="organiser")
    ticket = registered(app, slug, "anna@example.se")

    assert organiser.scan(ticket.payload)["colour"] == "green"


def test_scan_without_csrf_header_is_400(app, slug, door):
    ticket = registered(app, slug, "anna@example.se")

    missing = door.post("scan", {"code": ticket.payload, "nonce": nonce()}, csrf=False)
    wrong = door.client.post(door.url("scan"), json={"code": ticket.payload, "nonce": nonce()},
                             headers={"X-CSRFToken": "not-the-token"})

    assert missing.status_code == wrong.status_code == 400
    assert registration_row(app, ticket.id).checked_in_at is None
    assert count_rows(app, CheckIn) == 0


def test_csrf_token_from_another_session_is_400(app, slug, door):
    ticket = registered(app, slug, "anna@example.se")
    staff_member(app, slug, "kalle@example.se", "host")
    other = app.test_client()
    sign_in(other, "kalle@example.se")

    response = other.post(door.url("scan"), json={"code": ticket.payload, "nonce": nonce()},
                          headers={"X-CSRFToken": door.csrf})

    assert response.status_code == 400
    assert count_rows(app, CheckIn) == 0


# On Wi-Fi the phone has one address, on 4G another: its own, or as the proxy forwards it.
NETWORKS = {
    "direct": ({}, {"REMOTE_ADDR": "192.0.2.10"}, {"REMOTE_ADDR": "198.51.100.20"}),
    "behind a proxy": ({"TRUSTED_PROXIES": 1}, {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "192.0.2.10"},
                       {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "198.51.100.20"}),
}


@pytest.mark.parametrize("network", NETWORKS.values(), ids=NETWORKS.keys())
def test_a_door_phone_that_moves_between_wifi_and_4g_stays_signed_in(app, database, slug, network):
    settings, wifi, mobile = network
    door_app = create_app(TestingConfig, **settings, **database)
    try:
        ticket = registered(app, slug, "anna@example.se")
        user_id = staff_member(app, slug, "vard@example.se", "host")
        phone = door_app.test_client()
        phone.environ_base.update(wifi)
        sign_in(phone, "vard@example.se")
        door = Door(phone, slug, user_id, "Vard")

        phone.environ_base.update(mobile)  # the same phone and cookies, another address

        door.scan(ticket.payload)  # a 200, not a 401 that sends the host to sign in again
        assert door.get("counters").status_code == 200
        assert phone.get(f"/checkin/{slug}").status_code == 200
        assert registration_row(app, ticket.id).checked_in_at is not None
    finally:
        with door_app.app_context():
            db.session.remove()
            db.engine.dispose()


# --- bad input ---------------------------------------------------------------------------------------


MALFORMED = [
    ("scan", "{not json"),
    ("scan", "[1, 2]"),
    ("scan", '"just a string"'),
    ("scan", '{"code": "EH1:1-1-AAAA"}'),  # no nonce
    ("scan", '{"code": "EH1:1-1-AAAA", "nonce": "short"}'),
    ("scan", '{"code": "EH1:1-1-AAAA", "nonce": 12345678901}'),
    ("scan", '{"code": "EH1:1-1-AAAA", "nonce": "' + "n" * 65 + '"}'),
    ("scan", '{"code": "EH1:1-1-AAAA", "nonce": "nonce-0001", "scanned_at": "yesterday"}'),
    ("scan", '{"nonce": "nonce-0001"}'),  # no code
    ("scan", '{"code": 42, "nonce": "nonce-0001"}'),
    ("scan", '{"code": "   ", "nonce": "nonce-0001"}'),
    ("scan", '{"code": "' + "A" * 201 + '", "nonce": "nonce-0001"}'),
    ("checkin", '{"registration_id": "1", "nonce": "nonce-0001"}'),
    ("checkin", '{"registration_id": 1}'),
    ("checkin", '{"registration_id": true, "nonce": "nonce-0001"}'),  # JSON true is not id 1
    ("sync", '{"items": "not a list"}'),
    ("sync", '{}'),
    ("undo", '{"check_in_id": "7"}'),
    ("undo", '{}'),
    ("switch", '{"registration_id": null}'),
    ("walk-in", '{"name": "Gunnar"}'),  # no nonce
    ("walk-in", '{"name": ["Gunnar"], "nonce": "nonce-0001"}'),
]


def test_malformed_requests_are_400_not_500(app, slug, door):
    statuses = {
        (path, body): door.client.post(door.url(path), data=body, content_type="application/json",
                                       headers={"X-CSRFToken": door.csrf}).status_code
        for path, body in MALFORMED
    }

    assert {key: status for key, status in statuses.items() if status != 400} == {}
    assert count_rows(app, CheckIn) == 0 and count_rows(app, Registration) == 0
    # Our own JSON error, so the scanner does not take it for an expired CSRF token and retry.
    response = door.client.post(door.url("scan"), data="[1, 2]", content_type="application/json",
                                headers={"X-CSRFToken": door.csrf})
    assert response.get_json()["error"]["code"] == "bad_request"


def test_ids_past_the_database_integer_name_nobody(app, slug, door):
    huge = 2**63
    scanned = door.post("scan", {"code": "EH1:99999999999999999999-1-ABCD", "nonce": nonce()})
    found = door.post("checkin", {"registration_id": huge, "nonce": nonce()})
    undone = door.post("undo", {"check_in_id": huge})
    switched = door.post("switch", {"registration_id": huge})
    synced = door.post("sync", {"items": [{"registration_id": huge, "nonce": nonce()},
                                          {"code": f"EH1:{huge}-1-ABCD", "nonce": nonce()}]})

    assert scanned.get_json()["result"]["reason"] == "not_found"
    assert found.get_json()["result"]["reason"] == "not_found"
    assert (undone.status_code, switched.status_code) == (404, 409)
    assert [r["reason"] for r in synced.get_json()["results"]] == ["not_found", "not_found"]
    assert count_rows(app, CheckIn) == 0


def test_sync_of_more_than_500_items_is_400(app, slug, door):
    items = [{"code": "ABCD-EFGH", "nonce": f"nonce-{i:05d}"} for i in range(501)]

    assert door.post("sync", {"items": items}).status_code == 400


def test_sync_answers_every_item_by_its_place_and_goes_on_after_a_bad_one(app, slug, door):
    anna = registered(app, slug, "anna@example.se")
    bertil = registered(app, slug, "bertil@example.se")
    items = [{"code": anna.payload, "nonce": nonce()},
             {"nonce": nonce()},  # neither a code nor an id: no ticket matches
             {"code": "   ", "nonce": nonce(), "scanned_at": "yesterday"},
             {"code": "X", "nonce": "n"},  # no usable nonce: an error of its own, nothing recorded
             1,
             {"code": "Åsa Öhman", "nonce": nonce()},
             {"registration_id": bertil.id, "nonce": nonce(), "scanned_at": "not a time"}]

    response = door.post("sync", {"items": items})

    assert response.status_code == 200
    results = response.get_json()["results"]
    # Every item is answered, so the phone drops it from its queue instead of resending it for ever.
    assert [(r["index"], r["nonce"], r["colour"], (r.get("error") or {}).get("code")) for r in results] == [
        (0, items[0]["nonce"], "green", None), (1, items[1]["nonce"], "red", None),
        (2, items[2]["nonce"], "red", None), (3, "n", "red", "bad_item"), (4, None, "red", "bad_item"),
        (5, items[5]["nonce"], "red", None), (6, items[6]["nonce"], "green", None)]
    assert results[3]["error"]["message"]
    assert count_rows(app, CheckIn) == 2


# --- the rate limit ----------------------------------------------------------------------------------


@pytest.fixture
def limited_app(app, database):
    """A second app on the same database with the check-in limit on: 5 a minute per host."""
    limited = create_app(TestingConfig, RATELIMIT_ENABLED=True, CHECKIN_RATE_LIMIT="5 per minute",
                         RATELIMIT_STORAGE_URI="memory://", **database)
    yield limited
    with limited.app_context():
        db.session.remove()
        db.engine.dispose()


def test_scan_rate_limit_gives_429_json(app, limited_app, slug):
    tickets = [registered(app, slug, f"person{i}@example.se") for i in range(5)]
    user_id = staff_member(app, slug, "vard@example.se", "host")
    client = limited_app.test_client()
    sign_in(client, "vard@example.se")
    door = Door(client, slug, user_id, "Vard")

    statuses = [door.post("scan", {"code": t.payload, "nonce": nonce()}).status_code for t in tickets]
    sixth = door.post("scan", {"code": tickets[0].payload, "nonce": nonce()})

    assert statuses == [200] * 5
    assert sixth.status_code == 429
    assert sixth.is_json and sixth.get_json()["error"]["status"] == 429
    assert count_rows(app, CheckIn) == 5
    assert door.get("counters").status_code == 200  # reading the counter is not limited


# --- the offline ticket list -------------------------------------------------------------------------


def test_offline_tickets_hold_matching_hashes_names_and_groups_but_no_email_or_answers(app, slug, door):
    with app.app_context():
        group_id, _ = add_group_session(slug, [("Samverkan", "on_site", 10), ("Digitalt", "digital", 10)])
    anna = registered(app, slug, "anna.hemlig@example.se", name="Anna Svensson", organisation="Borås Stad",
                      group_id=group_id, dietary_needs="Glutenfri kost", accessibility_needs="Rullstolsplats",
                      special_consent=True)
    bertil = registered(app, slug, "bertil@example.se", mode="digital")
    gone = registered(app, slug, "gone@example.se")
    with app.app_context():
        from datetime import UTC, datetime

        from eventhub.registration import services

        services.cancel(gone.id, datetime.now(UTC), keyring.of(app))
    assert registration_row(app, anna.id).dietary_needs == "Glutenfri kost"  # stored, with consent

    response = door.get("tickets")

    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    body = response.get_json()
    by_id = {entry["id"]: entry for entry in body["tickets"]}
    assert set(by_id) == {anna.id, bertil.id, gone.id}  # the cancelled one too, to read "cancelled" offline
    assert by_id[gone.id]["status"] == "cancelled"
    entry = by_id[anna.id]
    assert entry["ticket"] == hashlib.sha256(anna.payload.encode()).hexdigest()
    assert entry["code"] == hashlib.sha256(anna.code.encode()).hexdigest()
    assert (entry["name"], entry["organisation"], entry["groups"]) == ("Anna Svensson", "Borås Stad", ["Samverkan"])
    assert (entry["mode"], entry["status"], entry["checked_in"]) == ("on_site", "confirmed", False)
    assert by_id[bertil.id]["mode"] == "digital"
    text = json.dumps(body, ensure_ascii=False)
    for secret in ("anna.hemlig", "@example.se", "Glutenfri", "Rullstol", anna.payload, anna.code):
        assert secret not in text, secret
    assert body["counters"] == {"checked_in": 0, "expected": 1}
    assert {key for e in body["tickets"] for key in e} == {
        "id", "ticket", "code", "name", "organisation", "groups", "mode", "status", "checked_in"}


def test_offline_tickets_show_who_is_already_checked_in(app, slug, door):
    anna = registered(app, slug, "anna@example.se")
    registered(app, slug, "bertil@example.se")
    door.scan(anna.payload)

    tickets = door.get("tickets").get_json()["tickets"]

    assert {t["id"]: t["checked_in"] for t in tickets}[anna.id] is True
    assert sorted(t["checked_in"] for t in tickets) == [False, True]


def test_search_is_a_post_so_typed_names_stay_out_of_urls(app, slug, door):
    registered(app, slug, "anna@example.se", name="Anna Åström")

    assert door.get("search?q=anna").status_code == 405
    assert door.post("search", {"q": "anna"}, csrf=False).status_code == 400  # CSRF applies
    people = door.post("search", {"q": "åSTRÖM"}).get_json()["people"]
    assert [p["name"] for p in people] == ["Anna Åström"]
    assert door.post("search", {"q": 42}).get_json() == {"people": []}
    assert door.post("search", {"q": "%"}).get_json() == {"people": []}  # a wildcard is just a character


@pytest.mark.parametrize("how", ["qr", "typed"])
def test_a_cancelled_ticket_reads_cancelled_scanned_or_typed(app, slug, door, how):
    gone = registered(app, slug, "gone@example.se", name="Greta Gått")
    with app.app_context():
        from datetime import UTC, datetime

        from eventhub.registration import services

        services.cancel(gone.id, datetime.now(UTC), keyring.of(app))
    code = gone.payload if how == "qr" else gone.code.lower().replace("-", " ")

    result = door.post("scan", {"code": code, "nonce": nonce()}).get_json()["result"]

    assert (result["colour"], result["reason"], result["name"]) == ("red", "cancelled", "Greta Gått")
    assert count_rows(app, CheckIn, CheckIn.outcome == "checked_in") == 0
