"""The organiser's side: the privacy page, early anonymisation; the door host never sees special-category data."""
from __future__ import annotations

import io
import json
import re
import secrets
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from eventhub.audit.models import AuditEntry
from eventhub.extensions import db
from eventhub.registration.models import Registration
from tests.attendees.support import sign_in, staff_member
from tests.privacy.conftest import ENDED
from tests.privacy.support import backdated, page_csrf, row, with_answers
from tests.registration.support import event_by_slug, page_text

BEFORE = ENDED - timedelta(days=2)
SPECIAL = ("Vegan, celiaki", "Rullstol")
META_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def _signed_in(app, slug, role, email=None):
    client = app.test_client()
    email = email or f"{role}@example.se"
    staff_member(app, slug, email, role)
    sign_in(client, email)
    return client


# --- the privacy page and early anonymisation ----------------------------------------------------------

def test_the_privacy_page_shows_figures_dates_and_the_notice(app, past):
    with app.app_context():
        backdated(past, 3, BEFORE)
        db.session.get(Registration, db.session.scalar(select(Registration.id))).photo_consent = False
        db.session.commit()
    client = _signed_in(app, past, "organiser")
    response = client.get(f"/manage/events/{past}/privacy?lang=en")
    assert response.status_code == 200
    text = page_text(response)
    assert "Registrations 3" in text and "With dietary or accessibility answers 3" in text
    assert "With photo consent 2" in text and "Anonymised 0" in text
    assert "Agenda 2030 i Väst is the data controller" in text  # the notice as attendees read it
    assert f'href="/manage/events/{past}/privacy/anonymise"' in response.get_data(as_text=True)
    nav = client.get(f"/manage/events/{past}?lang=en").get_data(as_text=True)
    assert f'href="/manage/events/{past}/privacy"' in nav  # in the event's workspace navigation


def test_an_organiser_anonymises_an_event_early_after_a_confirmation(app, past):
    with app.app_context():
        ids = backdated(past, 4, BEFORE)
    client = _signed_in(app, past, "organiser")
    confirm = client.get(f"/manage/events/{past}/privacy/anonymise?lang=en")
    assert confirm.status_code == 200 and "4 registrations still hold personal data." in page_text(confirm)
    with app.app_context():
        assert row(ids[0]).anonymised_at is None  # asking changes nothing
    response = client.post(f"/manage/events/{past}/privacy/anonymise",
                           data={"csrf_token": page_csrf(client, f"/manage/events/{past}/privacy/anonymise")})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/manage/events/{past}/privacy")
    with app.app_context():
        assert all(row(i).email is None and row(i).name == f"#{i}" for i in ids)
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "privacy.anonymised"))
        assert entry.details == {"rows": 4, "reason": "organiser"} and entry.user.email == "organiser@example.se"
        assert "old" not in entry.summary.lower()
    audit_page = client.get(f"/manage/events/{past}/audit").get_data(as_text=True)
    assert "Avidentifierade 4 anmälningar" in audit_page  # the log says it in words


def test_an_event_not_over_cannot_be_anonymised(app, upcoming):
    with app.app_context():
        anna = with_answers(upcoming, "anna@example.se")
    client = _signed_in(app, upcoming, "organiser")
    assert "privacy/anonymise" not in client.get(f"/manage/events/{upcoming}/privacy").get_data(as_text=True)
    confirm = client.get(f"/manage/events/{upcoming}/privacy/anonymise").get_data(as_text=True)
    assert "button-danger" not in confirm  # no button to press
    csrf = page_csrf(client, f"/manage/events/{upcoming}/edit")  # a request made anyway
    response = client.post(f"/manage/events/{upcoming}/privacy/anonymise", data={"csrf_token": csrf})
    assert response.status_code == 303
    with app.app_context():
        assert row(anna).email == "anna@example.se"
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "privacy.anonymised")) is None


def test_a_cancelled_event_can_be_anonymised_at_once(app, upcoming):
    with app.app_context():
        anna = with_answers(upcoming, "anna@example.se")
        event_by_slug(upcoming).status = "cancelled"
        db.session.commit()
    client = _signed_in(app, upcoming, "organiser")
    csrf = page_csrf(client, f"/manage/events/{upcoming}/privacy/anonymise")
    client.post(f"/manage/events/{upcoming}/privacy/anonymise", data={"csrf_token": csrf})
    with app.app_context():
        assert row(anna).email is None


# --- the door host -----------------------------------------------------------------------------------

HOST_DOCUMENTS = {"exports.badges_pdf", "exports.door_list_pdf",  # for the door, without answers (below)
                  "exports.signature_list_pdf"}
# The live event's pages for the room, which a host runs on the day (the console, the projector, the panel's view of
# the groups' key points, the moderator's queue, the presenter's screen, the organisers' stream): open to
# hosts, yet with no answer and no address in them (checked below like every other answer).
HOST_LIVE = {"live.console", "live.projector", "live.event_stream", "live.panel", "live.moderation",
             "live.moderation_list", "live.moderate", "live.merge", "live.presenter", "live.presenter_pinned"}


def _organiser_urls(app, slug: str, registration_id: int):
    """Every rule under /manage/events/<slug>/ (exports, attendees, privacy...), with a value for each argument."""
    values = {"slug": slug, "registration_id": registration_id, "action": "approve"}
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if not rule.rule.startswith("/manage/events/<slug>") or rule.endpoint in HOST_DOCUMENTS | {"live.event_stream"}:
            continue
        arguments = {name: values.get(name, 1) for name in rule.arguments if name not in (rule.defaults or {})}
        url = rule.build({**(rule.defaults or {}), **arguments}, append_unknown=False)[1]
        yield rule, url


def test_a_host_reaches_no_export_or_organiser_page(app, upcoming):
    with app.app_context():
        anna = with_answers(upcoming, "anna@example.se")
    host = _signed_in(app, upcoming, "host")
    token = META_CSRF.search(host.get(f"/checkin/{upcoming}").get_data(as_text=True)).group(1)
    tried = []
    for rule, url in _organiser_urls(app, upcoming, anna):
        for method in sorted(rule.methods & {"GET", "POST"}):
            response = host.get(url) if method == "GET" else host.post(url, data={"csrf_token": token})
            body = response.get_data(as_text=True)
            tried.append(url)
            if rule.endpoint in HOST_LIVE:
                assert response.status_code < 500, (method, url, response.status_code)
            else:
                assert response.status_code in (403, 404), (method, url, response.status_code)
            assert not any(answer in body for answer in SPECIAL) and "anna@example.se" not in body
    # The special-category export and the attendee exports are among them.
    for path in ("exports/special-category.csv", "exports/attendees.csv", "exports/attendees-excel.csv",
                 "attendees", "privacy", "privacy/anonymise", "statistics"):
        assert f"/manage/events/{upcoming}/{path}" in tried


def test_what_the_door_host_sees_holds_no_special_category_data(app, upcoming):
    with app.app_context():
        anna = with_answers(upcoming, "anna@example.se", name="Anna Svensson")
        from eventhub.registration import tokens
        from tests.registration.support import KEYS

        payload = tokens.ticket_payload(KEYS, db.session.get(Registration, anna))
    host = _signed_in(app, upcoming, "host")
    scanner = host.get(f"/checkin/{upcoming}")
    csrf = META_CSRF.search(scanner.get_data(as_text=True)).group(1)
    seen = [scanner.get_data(as_text=True)]
    tickets = host.get(f"/checkin/{upcoming}/api/tickets")
    seen.append(tickets.get_data(as_text=True))
    seen.append(host.post(f"/checkin/{upcoming}/api/search", json={"q": "Anna"},
                          headers={"X-CSRFToken": csrf}).get_data(as_text=True))
    scan = host.post(f"/checkin/{upcoming}/api/scan", json={"code": payload, "nonce": secrets.token_hex(12)},
                     headers={"X-CSRFToken": csrf})
    assert scan.get_json()["result"]["colour"] == "green"
    seen.append(scan.get_data(as_text=True))
    for text in seen:
        assert not any(answer in text for answer in SPECIAL)
        assert "anna@example.se" not in text
    # The offline cache holds only what the screen shows, and ticket hashes.
    [cached] = json.loads(tickets.get_data(as_text=True))["tickets"]
    assert set(cached) == {"id", "ticket", "code", "name", "organisation", "groups", "mode", "status", "checked_in"}
    assert cached["name"] == "Anna Svensson" and len(cached["ticket"]) == len(cached["code"]) == 64


@pytest.mark.parametrize("document", ["door-list.pdf", "badges.pdf"])
def test_the_door_documents_hold_no_special_category_data(app, upcoming, document):
    with app.app_context():
        with_answers(upcoming, "anna@example.se", name="Anna Svensson")
    host = _signed_in(app, upcoming, "host")
    response = host.get(f"/manage/events/{upcoming}/{document}")
    assert response.status_code == 200
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "Anna Svensson" in text
    for hidden in (*SPECIAL, "Vegan", "anna@example.se"):
        assert hidden not in text
