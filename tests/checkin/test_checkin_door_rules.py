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
from eventhub.registration.models import Registration
from tests.checkin.support import nonce, registered

CASES = json.loads((Path(__file__).parent / "door_rules.json").read_text())["cases"]


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
