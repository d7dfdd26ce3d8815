"""The door's rule, held to one table of cases (door_rules.json) on the server; the browser test
(tests/browser/test_checkin_scanner.py) holds the scanner's offline decision to the same table."""
from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import update

from eventhub.checkin import services
from eventhub.extensions import db
from eventhub.registration import tokens
from eventhub.registration.models import Registration
from tests.checkin.support import nonce, registered

RULES = json.loads((Path(__file__).parent / "door_rules.json").read_text())
CASES, CODES = RULES["cases"], RULES["codes"]


def _put_in_state(app, slug: str, ticket: dict) -> str:
    """A registration as the case describes it; the code its door QR shows."""
    person = registered(app, slug, f"{ticket['status']}-{ticket['mode']}-{nonce()}@example.se", ticket["mode"])
    with app.app_context():
        db.session.execute(update(Registration).where(Registration.id == person.id).values(
            status=ticket["status"], checked_in_at=datetime.now(UTC) if ticket["checked_in"] else None))
        db.session.commit()
    return person.payload


@pytest.mark.parametrize("case", CASES, ids=[case["case"] for case in CASES])
def test_the_server_answers_each_case_as_the_table_says(app, slug, door, case):
    unknown = "EH1:999999-1-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    code = _put_in_state(app, slug, case["ticket"]) if case["ticket"] else unknown

    result = door.post("scan", {"code": code, "nonce": nonce()}).get_json()["result"]

    assert {"colour": result["colour"], "reason": result["reason"]} == case["answer"]


@pytest.mark.parametrize("case", [case for case in CASES if case["ticket"]], ids=lambda case: case["case"])
def test_the_rule_itself_refuses_as_the_table_says(case):
    state = services.DoorPerson(id=1, event_id=1, name="Anna", organisation="", status=case["ticket"]["status"],
                                mode=case["ticket"]["mode"], token_salt="", ticket_version=1, groups=[])
    expected = case["answer"]["reason"] if case["answer"]["colour"] == "red" else None

    assert services.refusal(state) == expected


@pytest.mark.parametrize("case", CODES, ids=[case["text"] for case in CODES])
def test_a_code_is_read_as_the_table_says(case):
    assert (tokens.is_ticket_payload(case["text"]), services.normalise_short_code(case["text"])) == (
        case["qr"], case["short"])


@pytest.mark.parametrize("case", CODES, ids=[case["text"] for case in CODES])
def test_a_code_no_ticket_has_is_not_found_scanned_or_synced(app, slug, door, case):
    registered(app, slug, "anna@example.se", name="Åsa Öhman")  # typed codes are checked against her ticket

    scanned = door.post("scan", {"code": case["text"], "nonce": nonce()})
    synced = door.sync([{"code": case["text"], "nonce": nonce()}])

    assert scanned.status_code == 200
    assert scanned.get_json()["result"]["reason"] == "not_found"
    assert [result["reason"] for result in synced] == ["not_found"]
