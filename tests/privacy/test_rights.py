"""The attendee's rights from their own link, without an account: download everything, erase."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from eventhub.attendees import statistics
from eventhub.audit.models import AuditEntry
from eventhub.extensions import db
from eventhub.groups import services as group_services
from eventhub.headers import SECRET_URL_REFERRER_POLICY
from eventhub.mail.models import OutboxMessage
from eventhub.mailings import services as mailings
from eventhub.registration import services as registration_services
from eventhub.registration.models import Registration
from tests.attendees.support import counters
from tests.privacy.conftest import ENDED
from tests.privacy.support import consents, page_csrf, registered, row, token_of, with_answers
from tests.registration.support import KEYS, add_group_session, count, event_by_slug, outbox

NOW = datetime.now(UTC)
EXPORT_KEYS = {"format", "format_version", "generated_at", "event", "registration", "special_category", "consents",
               "discussion_groups", "check_ins", "online_attendance", "questions", "evaluation", "live_questions",
               "event_photos", "emails", "retention"}


def _export(client, token):
    response = client.get(f"/r/{token}/my-data.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["Referrer-Policy"] == SECRET_URL_REFERRER_POLICY
    return response.get_data(as_text=True), response.get_json()


def _erase(client, token):
    csrf = page_csrf(client, f"/r/{token}/erase")
    return client.post(f"/r/{token}/erase", data={"csrf_token": csrf})


def test_export_holds_everything_about_the_registration_and_its_shape(app, client, upcoming):
    with app.app_context():
        groups = add_group_session(upcoming, [("Grupp A", "on_site", 5)])
        anna = with_answers(upcoming, "anna@example.se", organisation="Borås Stad", role_title="Samordnare")
        group_services.choose(anna, groups[0], NOW, KEYS)
        token = token_of(anna)
        emails = len(outbox("anna@example.se"))
    text, data = _export(client, token)

    assert set(data) == EXPORT_KEYS
    assert (data["format"], data["format_version"]) == ("eventhub-registration", 1)
    assert data["event"]["slug"] == upcoming
    assert data["event"]["data_controller"] == "Agenda 2030 i Väst"
    assert data["event"]["data_controller_contact"] == "kontakt@example.se"
    person = data["registration"]
    assert (person["name"], person["email"], person["organisation"], person["role_title"]) == \
        ("Anna Svensson", "anna@example.se", "Borås Stad", "Samordnare")
    assert (person["mode"], person["status"], person["photo_consent"]) == ("on_site", "confirmed", True)
    assert data["special_category"]["dietary_needs"] == "Vegan, celiaki"
    assert data["special_category"]["accessibility_needs"] == "Rullstol"
    assert "Special-category" in data["special_category"]["note"]
    assert [(c["kind"], c["granted"]) for c in data["consents"]] == [
        ("privacy_notice", True), ("special_category", True), ("photo", True)]
    assert all(len(c["privacy_notice_version"]) == 10 for c in data["consents"])
    assert [(g["group"], g["status"]) for g in data["discussion_groups"]] == [("Grupp A", "confirmed")]
    assert len(data["emails"]) == emails >= 2
    assert all(email["to"] == "anna@example.se" for email in data["emails"])
    assert data["emails"][0]["attachments"] == ["biljett.png", "event.ics"]
    assert data["retention"]["privacy_notice_version"] == data["consents"][0]["privacy_notice_version"]
    # Secrets that say nothing about the person stay out.
    with app.app_context():
        person_row = row(anna)
        assert person_row.token_salt not in text and person_row.token_hash not in text
    assert "Borås Stad" in text  # readable UTF-8, not escaped
    with app.app_context():  # each download is in the audit log, without what it held
        entry = db.session.query(AuditEntry).filter_by(action="privacy.downloaded").one()
        assert (entry.summary, entry.user_id) == (f"#{anna}: the person downloaded their data", None)
        assert entry.details == {"registration_id": anna, "special_category": True}


def test_export_has_no_other_persons_data(app, client, upcoming):
    with app.app_context():
        anna = with_answers(upcoming, "anna@example.se")
        bo = registered(upcoming, "bo@example.se", name="Bo Ek", organisation="Högskolan i Borås",
                   dietary_needs="Laktosfri", special_consent=True)
        registered(upcoming, "cia@example.se", "digital", name="Cia Berg")
        dora = registered(upcoming, "dora@example.se", name="Dora Lind")  # waitlisted: two seats on site
        registration_services.cancel(bo, NOW, KEYS)
        assert row(dora).status == "confirmed"  # Dora's promotion email is hers alone
        mailings.send(event_by_slug(upcoming).id, "all", "Välkommen", "Vi ses!", None, KEYS, NOW)
        token = token_of(anna)
    text, data = _export(client, token)
    for other in ("bo@example.se", "Bo Ek", "Högskolan i Borås", "Laktosfri", "cia@example.se", "Cia Berg",
                  "dora@example.se", "Dora Lind"):
        assert other not in text
    assert {email["to"] for email in data["emails"]} == {"anna@example.se"}
    assert "Vi ses!" in [email["body"].splitlines()[0] for email in data["emails"]]  # the mailing, her copy


def test_a_token_opens_only_its_own_registration(app, client, upcoming):
    with app.app_context():
        tokens = {email: token_of(registered(upcoming, email)) for email in ("anna@example.se", "bo@example.se")}
    for email, token in tokens.items():
        assert _export(client, token)[1]["registration"]["email"] == email
    assert client.get("/r/" + "x" * 32 + "/my-data.json").status_code == 404
    assert client.get("/r/" + tokens["anna@example.se"][:-1] + "/my-data.json").status_code == 404


def test_erasing_frees_the_seat_promotes_the_waitlist_and_keeps_an_anonymous_count(app, client, upcoming):
    with app.app_context():
        anna = with_answers(upcoming, "anna@example.se")
        registered(upcoming, "bo@example.se")
        waiting = registered(upcoming, "cia@example.se")
        assert row(waiting).status == "waitlisted"
        token = token_of(anna)
        before = statistics.for_event(event_by_slug(upcoming))

    page = client.get(f"/r/{token}/erase?lang=en")
    assert page.status_code == 200 and "next person on the waitlist" in page.get_data(as_text=True)
    response = _erase(client, token)
    assert response.status_code == 303 and response.headers["Location"].endswith("/privacy/erased")
    assert client.get(response.headers["Location"]).status_code == 200

    with app.app_context():
        assert row(waiting).status == "confirmed"  # promoted by registration.services
        assert counters(upcoming)["on_site_taken"] == counters(upcoming)["on_site_confirmed"] == 2
        gone = row(anna)
        assert (gone.status, gone.name, gone.email, gone.dietary_needs, gone.anonymised_at is not None) == \
            ("cancelled", f"#{anna}", None, "", True)
        assert outbox("anna@example.se") == [] and consents(anna) == []
        assert [m.to_address for m in outbox() if "cia@" in m.to_address]  # Cia's promotion email stays
        after = statistics.for_event(event_by_slug(upcoming))
        on_site_before, on_site_after = before.modes[0], after.modes[0]
        assert (on_site_before.confirmed, on_site_before.waitlisted, on_site_before.cancelled) == (2, 1, 0)
        assert (on_site_after.confirmed, on_site_after.waitlisted, on_site_after.cancelled) == (2, 0, 1)
        assert count(Registration, Registration.event_id == event_by_slug(upcoming).id) == 3
        entry = db.session.query(AuditEntry).filter_by(action="privacy.erased").one()
        assert entry.summary == f"#{anna}: erased by the person" and entry.user_id is None
    # The link stops working everywhere.
    for path in ("", "/my-data.json", "/erase", "/ticket.svg", "/calendar.ics"):
        assert client.get(f"/r/{token}{path}").status_code == 404


def test_erasing_frees_group_places_too(app, client, upcoming):
    with app.app_context():
        groups = add_group_session(upcoming, [("Grupp A", "on_site", 1)])
        anna, bo = registered(upcoming, "anna@example.se"), registered(upcoming, "bo@example.se")
        group_services.choose(anna, groups[0], NOW, KEYS)
        group_services.choose(bo, groups[0], NOW, KEYS)
        assert [m.status for m in row(bo).memberships] == ["waitlisted"]
        token = token_of(anna)
    _erase(client, token)
    with app.app_context():
        assert [m.status for m in row(bo).memberships] == ["confirmed"]
        assert row(anna).memberships == []


def test_erasing_after_the_event_keeps_the_attendance_figures(app, client, past):
    with app.app_context():
        anna = registered(past, "anna@example.se", now=ENDED - timedelta(days=2))
        db.session.get(Registration, anna).checked_in_at = ENDED - timedelta(hours=2)
        db.session.commit()
        token = token_of(anna)
        before = statistics.for_event(event_by_slug(past))
    assert "next person on the waitlist" not in client.get(f"/r/{token}/erase?lang=en").get_data(as_text=True)
    _erase(client, token)
    with app.app_context():
        gone = row(anna)
        assert (gone.status, gone.email, gone.checked_in_at is not None) == ("confirmed", None, True)
        assert statistics.for_event(event_by_slug(past)) == before


def test_erasing_a_cancelled_registration_and_twice(app, client, upcoming):
    with app.app_context():
        anna = registered(upcoming, "anna@example.se")
        registration_services.cancel(anna, NOW, KEYS)
        token = token_of(anna)
        taken = counters(upcoming)["on_site_taken"]
    csrf = page_csrf(client, f"/r/{token}/erase")
    assert client.post(f"/r/{token}/erase", data={"csrf_token": csrf}).status_code == 303
    assert client.post(f"/r/{token}/erase", data={"csrf_token": csrf}).status_code == 404  # the link is gone
    with app.app_context():
        assert counters(upcoming)["on_site_taken"] == taken
        assert row(anna).email is None
        assert count(OutboxMessage, OutboxMessage.to_address == "anna@example.se") == 0


def test_the_erase_page_asks_first_and_a_get_changes_nothing(app, client, upcoming):
    with app.app_context():
        anna = registered(upcoming, "anna@example.se")
        token = token_of(anna)
    body = client.get(f"/r/{token}/erase?lang=en").get_data(as_text=True)
    assert 'class="button button-danger"' in body and 'name="csrf_token"' in body
    assert f'action="/r/{token}/erase"' in body
    assert client.post(f"/r/{token}/erase").status_code == 400  # no CSRF token: refused, nothing done
    with app.app_context():
        assert row(anna).email == "anna@example.se"


def test_the_attendee_page_links_to_download_and_erasure(client, app, upcoming):
    with app.app_context():
        token = token_of(registered(upcoming, "anna@example.se"))
    body = client.get(f"/r/{token}").get_data(as_text=True)
    assert f'href="/r/{token}/my-data.json"' in body
    assert f'href="/r/{token}/erase"' in body
