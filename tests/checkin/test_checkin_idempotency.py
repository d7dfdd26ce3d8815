"""A scan counts once however often it is sent; offline phones keep their own times, within reason."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from eventhub import keyring
from eventhub.checkin.models import CheckIn
from tests.checkin.support import (
    check_ins,
    count_rows,
    iso,
    nonce,
    open_door,
    registered,
    registration_row,
)


def test_scan_same_nonce_twice_gives_one_row_and_the_same_answer(app, slug, door):
    ticket = registered(app, slug, "anna@example.se")
    same = nonce()

    first = door.post("scan", {"code": ticket.payload, "nonce": same}).get_json()
    again = door.post("scan", {"code": ticket.payload, "nonce": same}).get_json()

    assert first["result"]["colour"] == "green"
    assert again["result"] == first["result"]  # not amber: it is the same scan, sent twice
    assert again["counters"] == first["counters"] == {"checked_in": 1, "expected": 1}
    assert count_rows(app, CheckIn) == 1


def test_scan_same_nonce_with_another_code_answers_as_the_first_time(app, slug, door):
    anna = registered(app, slug, "anna@example.se")
    bertil = registered(app, slug, "bertil@example.se")
    same = nonce()
    first = door.scan(anna.payload, nonce=same)

    resent = door.scan(bertil.payload, nonce=same)

    assert resent == first
    assert registration_row(app, bertil.id).checked_in_at is None
    assert count_rows(app, CheckIn) == 1


def test_sync_of_a_queue_replayed_twice_adds_no_rows(app, slug, door):
    anna = registered(app, slug, "anna@example.se")
    bertil = registered(app, slug, "bertil@example.se")
    cecilia = registered(app, slug, "cecilia@example.se")
    scanned = datetime.now(UTC) - timedelta(minutes=20)
    queue = [
        {"code": anna.payload, "nonce": nonce(), "scanned_at": iso(scanned)},
        {"code": bertil.code.lower(), "nonce": nonce(), "scanned_at": iso(scanned + timedelta(minutes=1))},
        {"registration_id": cecilia.id, "nonce": nonce(), "scanned_at": iso(scanned + timedelta(minutes=2))},
        {"code": anna.payload, "nonce": nonce(), "scanned_at": iso(scanned + timedelta(minutes=3))},  # scanned twice
    ]

    first = door.sync(queue)
    rows_after_first = check_ins(app)
    replay = door.sync(queue)

    assert [(r["nonce"], r["colour"]) for r in first] == [
        (queue[0]["nonce"], "green"), (queue[1]["nonce"], "green"), (queue[2]["nonce"], "green"),
        (queue[3]["nonce"], "amber")]
    assert [(r["colour"], r["check_in_id"]) for r in replay] == [(r["colour"], r["check_in_id"]) for r in first]
    assert [(r.id, r.outcome) for r in check_ins(app)] == [(r.id, r.outcome) for r in rows_after_first]
    assert [r.outcome for r in rows_after_first] == ["checked_in", "checked_in", "checked_in", "duplicate"]
    assert all(r.offline for r in rows_after_first)
    assert [r.method for r in rows_after_first] == ["qr", "code", "search", "qr"]


def test_same_ticket_from_two_offline_devices_keeps_one_check_in_and_one_duplicate(app, slug, door):
    ticket = registered(app, slug, "anna@example.se")
    other_door = open_door(app, slug, "kalle@example.se")
    at_main_door = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=12)
    at_side_door = at_main_door + timedelta(minutes=4)

    [first] = door.sync([{"code": ticket.payload, "nonce": nonce(), "scanned_at": iso(at_main_door)}])
    [second] = other_door.sync([{"code": ticket.code, "nonce": nonce(), "scanned_at": iso(at_side_door)}])

    assert (first["colour"], first["duplicate"]) == ("green", False)
    assert (second["colour"], second["reason"], second["duplicate"]) == ("amber", "already", True)
    assert second["checked_in_by"] == door.name
    assert datetime.fromisoformat(second["checked_in_at"]) == at_main_door
    rows = check_ins(app, ticket.id)
    assert [(r.outcome, r.host_id, r.offline, r.scanned_at) for r in rows] == [
        ("checked_in", door.user_id, True, at_main_door),
        ("duplicate", other_door.user_id, True, at_side_door),
    ]
    assert registration_row(app, ticket.id).checked_in_at == at_main_door


def test_two_offline_devices_synced_latest_first_keep_the_earliest_arrival(app, slug, door):
    ticket = registered(app, slug, "anna@example.se")
    other_door = open_door(app, slug, "kalle@example.se")
    at_main_door = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=12)
    at_side_door = at_main_door + timedelta(minutes=4)

    # The side door's phone gets its network back first.
    [first] = other_door.sync([{"code": ticket.payload, "nonce": nonce(), "scanned_at": iso(at_side_door)}])
    [second] = door.sync([{"code": ticket.payload, "nonce": nonce(), "scanned_at": iso(at_main_door)}])

    assert first["colour"] == "green"
    # The duplicate is reported to the phone that synced last, with the arrival that now counts.
    assert (second["colour"], second["reason"], second["duplicate"]) == ("amber", "already", True)
    assert datetime.fromisoformat(second["checked_in_at"]) == at_main_door
    assert second["checked_in_by"] == door.name
    rows = check_ins(app, ticket.id)
    assert [(r.outcome, r.host_id, r.scanned_at) for r in rows] == [
        ("duplicate", other_door.user_id, at_side_door),
        ("checked_in", door.user_id, at_main_door),
    ]
    assert registration_row(app, ticket.id).checked_in_at == at_main_door


def test_resent_take_over_and_overtaken_scans_answer_as_what_they_are(app, slug, door):
    ticket = registered(app, slug, "anna@example.se")
    other_door = open_door(app, slug, "kalle@example.se")
    at_main_door = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=12)
    side = {"code": ticket.payload, "nonce": nonce(), "scanned_at": iso(at_main_door + timedelta(minutes=4))}
    main = {"code": ticket.payload, "nonce": nonce(), "scanned_at": iso(at_main_door)}
    other_door.sync([side])
    [took_over] = door.sync([main])

    # Both queues are sent again (their answers were lost on the way back).
    [main_again] = door.sync([main])
    [side_again] = other_door.sync([side])

    assert main_again == took_over  # the take-over's first answer: a duplicate was reported
    # The overtaken scan counted when it was made; it is answered as the duplicate it has become.
    assert (side_again["colour"], side_again["duplicate"]) == ("amber", True)
    assert datetime.fromisoformat(side_again["checked_in_at"]) == at_main_door
    assert [r.outcome for r in check_ins(app, ticket.id)] == ["duplicate", "checked_in"]


def test_scan_resent_after_the_ticket_was_cancelled_gets_its_first_answer(app, slug, door):
    from eventhub.registration import services

    ticket = registered(app, slug, "anna@example.se")
    same = nonce()
    first = door.scan(ticket.payload, nonce=same)
    with app.app_context():
        services.cancel(ticket.id, datetime.now(UTC), keyring.of(app))

    again = door.scan(ticket.payload, nonce=same)
    fresh = door.scan(ticket.payload)

    assert first["colour"] == "green" and again == first
    assert (fresh["colour"], fresh["reason"]) == ("red", "cancelled")


def test_undo_of_an_overtaken_check_in_keeps_the_arrival_that_counts(app, slug, door):
    ticket = registered(app, slug, "anna@example.se")
    other_door = open_door(app, slug, "kalle@example.se")
    earlier = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=12)
    [overtaken] = other_door.sync([{"code": ticket.payload, "nonce": nonce(),
                                    "scanned_at": iso(earlier + timedelta(minutes=4))}])
    door.sync([{"code": ticket.payload, "nonce": nonce(), "scanned_at": iso(earlier)}])

    response = other_door.post("undo", {"check_in_id": overtaken["check_in_id"]})

    assert response.status_code == 200
    assert registration_row(app, ticket.id).checked_in_at == earlier  # still let in, at the earlier scan


def test_online_scan_after_an_offline_one_does_not_move_the_arrival(app, slug, door):
    ticket = registered(app, slug, "anna@example.se")
    earlier = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
    door.sync([{"code": ticket.payload, "nonce": nonce(), "scanned_at": iso(earlier)}])

    again = door.scan(ticket.payload)

    assert again["colour"] == "amber"
    assert registration_row(app, ticket.id).checked_in_at == earlier
    assert [r.outcome for r in check_ins(app, ticket.id)] == ["checked_in", "duplicate"]


def test_offline_scanned_at_is_kept_within_the_clock_skew(app, slug, door):
    ticket = registered(app, slug, "anna@example.se")
    scanned = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=45)

    result = door.scan(ticket.payload, scanned_at=scanned.isoformat().replace("+00:00", "Z"), offline=True)

    assert datetime.fromisoformat(result["checked_in_at"]) == scanned
    assert registration_row(app, ticket.id).checked_in_at == scanned
    [row] = check_ins(app)
    assert row.scanned_at == scanned and row.offline is True
    assert row.recorded_at - scanned >= timedelta(minutes=45)


def test_offline_scanned_at_in_another_zone_is_the_same_moment(app, slug, door):
    ticket = registered(app, slug, "anna@example.se")
    scanned = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)

    door.scan(ticket.payload, scanned_at=scanned.astimezone(ZoneInfo("Europe/Stockholm")).isoformat())

    assert registration_row(app, ticket.id).checked_in_at == scanned


def test_future_scanned_at_is_clamped_to_the_servers_time(app, slug, door):
    far = registered(app, slug, "anna@example.se")
    near = registered(app, slug, "bertil@example.se")
    before = datetime.now(UTC)

    door.scan(far.payload, scanned_at=iso(before + timedelta(hours=3)), offline=True)
    door.scan(near.payload, scanned_at=iso(before + timedelta(minutes=5)), offline=True)

    after = datetime.now(UTC)
    for ticket in (far, near):
        checked_in_at = registration_row(app, ticket.id).checked_in_at
        assert before <= checked_in_at <= after, (ticket, checked_in_at)
    assert all(before <= row.scanned_at <= after for row in check_ins(app))


def test_scanned_at_days_ago_is_replaced_by_the_servers_time(app, slug, door):
    ticket = registered(app, slug, "anna@example.se")
    before = datetime.now(UTC)

    door.scan(ticket.payload, scanned_at=iso(before - timedelta(days=30)), offline=True)

    assert registration_row(app, ticket.id).checked_in_at >= before


def test_nonce_of_another_event_reveals_nobody(app_ctx, make_event):
    from datetime import UTC, datetime

    from eventhub.checkin import services
    from eventhub.registration import tokens
    from tests.registration.support import KEYS, event_by_slug, register

    first, second = make_event(), make_event()
    person = register(first, "nonce@example.se", "on_site").registration
    payload = tokens.ticket_payload(KEYS, person)
    assert services.scan(event_by_slug(first).id, payload, None, "shared-nonce-1", datetime.now(UTC), KEYS).colour \
        == "green"

    other = services.scan(event_by_slug(second).id, "EH1:0-0-x", None, "shared-nonce-1", datetime.now(UTC), KEYS)

    assert other.colour == "red" and other.name == ""
