"""Bulk actions on the attendee list: email, move, cancel, check in and export the people chosen,
each through the single-registration operation and seat counters, each logged, organisers only."""
from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from eventhub.extensions import db
from eventhub.mailings.models import Mailing
from eventhub.registration.models import Registration
from tests.attendees.support import (
    audit_entries,
    counters,
    form_token,
    seed_registrations,
    set_seats,
    sign_in,
    staff_member,
)
from tests.registration.support import outbox, page_text, register

LIST = "/manage/events/{slug}/attendees"


@pytest.fixture
def hall(app, signed_in):
    """Two places per mode. On site: Åsa and Bengt have places, Cilla is waitlisted; digital: Dan (one place free)."""
    slug = signed_in.slug
    with app.app_context():
        signed_in.ids = {
            name: register(slug, f"{name.lower()}@example.se", mode, name=name).registration.id
            for name, mode in [("Åsa", "on_site"), ("Bengt", "on_site"), ("Cilla", "on_site"), ("Dan", "digital")]}
        for message in outbox():
            message.sent_at = datetime.now(UTC)  # the confirmations are not what these tests look at
        db.session.commit()
    signed_in.client.set_cookie("lang", "en")
    return signed_in


def bulk(people, action: str, *names, follow=True, **fields):
    """POST the list's bulk form as the browser does: the page's token, the ticked rows, the button's field."""
    slug = people.slug
    data = {"csrf_token": form_token(people.client, LIST.format(slug=slug)),
            "ids": [str(people.ids[name]) for name in names], **fields}
    return people.client.post(f"/manage/events/{slug}/{action}", data=data, follow_redirects=follow)


def status(app, registration_id) -> tuple[str, str, datetime | None]:
    with app.app_context():
        db.session.expire_all()
        row = db.session.get(Registration, registration_id)
        return row.mode, row.status, row.checked_in_at


# --- move -------------------------------------------------------------------------------------

def test_moving_says_who_moved_and_who_could_not_and_keeps_the_counters(app, hall):
    response = bulk(hall, "attendees/bulk/mode", "Åsa", "Bengt", "Dan", to_mode="digital")
    text = page_text(response)
    assert response.status_code == 200
    assert "1 moved: Digital." in text
    # In the list's order (name): Bengt takes the last digital place, so Åsa finds none.
    assert "1 could not: no digital places left (Åsa)." in text
    assert "1 already takes part that way (Dan)." in text
    assert status(app, hall.ids["Bengt"])[:2] == ("digital", "confirmed")
    assert status(app, hall.ids["Åsa"])[:2] == ("on_site", "confirmed")
    assert status(app, hall.ids["Cilla"])[:2] == ("on_site", "confirmed")  # Bengt's freed place went to the waitlist
    with app.app_context():
        seats = counters(hall.slug)
        assert seats["digital_taken"] == seats["digital_confirmed"] == 2
        assert seats["on_site_taken"] == seats["on_site_confirmed"] == 2
        (entry,) = audit_entries(hall.slug, "attendees.bulk_mode_changed")
        assert entry.details["done"] == [hall.ids["Bengt"]] and entry.details["refused"] == [hall.ids["Åsa"]]
        assert len(audit_entries(hall.slug, "attendees.mode_changed")) == 1  # the one person's own entry


def test_the_list_comes_back_with_its_filters(app, hall):
    response = bulk(hall, "attendees/bulk/mode", "Dan", follow=False, to_mode="on_site", q="an", status="confirmed")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{LIST.format(slug=hall.slug)}?q=an&status=confirmed")


def test_a_mode_the_event_does_not_offer_is_refused(app, hall):
    assert bulk(hall, "attendees/bulk/mode", "Åsa", to_mode="elsewhere").status_code == 400
    assert status(app, hall.ids["Åsa"])[0] == "on_site"


# --- check in ---------------------------------------------------------------------------------

def test_checking_in_all_matching_follows_the_door_rule(app, hall):
    response = bulk(hall, "attendees/bulk/check-in", all_matching="1")  # no row ticked: every one matching
    text = page_text(response)
    assert "2 checked in." in text
    assert "1 could not: on the waitlist, without a place (Cilla)." in text
    assert "1 could not: takes part digitally (Dan)." in text
    assert status(app, hall.ids["Åsa"])[2] is not None and status(app, hall.ids["Cilla"])[2] is None
    again = page_text(bulk(hall, "attendees/bulk/check-in", "Åsa"))
    assert "0 checked in." in again and "1 was already checked in (Åsa)." in again
    with app.app_context():
        entries = audit_entries(hall.slug, "attendees.bulk_checked_in")
        assert sorted(entries[0].details["done"]) == sorted([hall.ids["Åsa"], hall.ids["Bengt"]])


def test_all_matching_takes_the_filters_not_the_ticked_rows(app, hall):
    bulk(hall, "attendees/bulk/check-in", "Åsa", all_matching="1", q="bengt")
    assert status(app, hall.ids["Bengt"])[2] is not None
    assert status(app, hall.ids["Åsa"])[2] is None


# --- cancel -----------------------------------------------------------------------------------

def test_cancelling_first_lists_who_and_changes_nothing(app, hall):
    response = bulk(hall, "attendees/bulk/cancel", "Åsa", "Dan")
    assert response.status_code == 200
    text = page_text(response)
    assert "Cancel these registrations?" in text and "Åsa" in text and "Dan" in text and "Bengt" not in text
    assert ('<span class="email-part">dan@</span><wbr><span class="email-part">example</span>'
            in response.get_data(as_text=True))
    assert "Cancel 2 registrations" in text
    assert status(app, hall.ids["Åsa"])[1] == "confirmed"


def test_confirming_cancels_exactly_the_listed_people_and_emails_them(app, hall):
    response = bulk(hall, "attendees/bulk/cancel", "Åsa", "Dan", confirmed="1")
    assert "2 registrations are cancelled and emailed." in page_text(response)
    assert status(app, hall.ids["Åsa"])[1] == status(app, hall.ids["Dan"])[1] == "cancelled"
    assert status(app, hall.ids["Cilla"])[1] == "confirmed"  # Åsa's place went to the waitlist
    with app.app_context():
        sent_to = {message.to_address for message in outbox() if message.sent_at is None}
        assert {"åsa@example.se", "dan@example.se", "cilla@example.se"} <= sent_to
        assert len(audit_entries(hall.slug, "attendees.cancelled")) == 2
        assert len(audit_entries(hall.slug, "attendees.bulk_cancelled")) == 1
    again = page_text(bulk(hall, "attendees/bulk/cancel", "Åsa", confirmed="1"))
    assert "1 was already cancelled (Åsa)." in again


# --- export -----------------------------------------------------------------------------------

def test_export_holds_exactly_the_chosen_people_and_is_logged(app, hall):
    response = bulk(hall, "exports/selection.csv", "Bengt", "Dan", flavour="standard")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Cache-Control"] == "private, no-store"
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0].startswith("Name,Email,") and len(lines) == 3
    assert {line.split(",")[0] for line in lines[1:]} == {"Bengt", "Dan"}
    excel = bulk(hall, "exports/selection.csv", "Bengt", flavour="excel").get_data()
    assert excel.startswith("\ufeff".encode()) and b";" in excel
    with app.app_context():
        entries = audit_entries(hall.slug, "exports.selection")
        assert [entry.details["rows"] for entry in entries] == [2, 1]


# --- email ------------------------------------------------------------------------------------

def test_email_goes_to_exactly_the_chosen_people(app, hall):
    compose = bulk(hall, "email/chosen", "Bengt", "Dan")
    assert compose.status_code == 200
    body = compose.get_data(as_text=True)
    assert "Goes to 2 people" in page_text(compose)
    assert body.count('name="ids"') == 2 and 'name="audience" value="selection"' in body
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', body).group(1)
    fields = {"csrf_token": token, "audience": "selection", "ids": [str(hall.ids["Bengt"]), str(hall.ids["Dan"])],
              "subject": "Parkering", "body": "Parkera vid stationen."}
    preview = hall.client.post(f"/manage/events/{hall.slug}/email/", data=fields)
    assert preview.status_code == 200 and "Send to 2 people" in page_text(preview)
    sent = hall.client.post(f"/manage/events/{hall.slug}/email/send", data=fields)
    assert sent.status_code == 303
    with app.app_context():
        mailing = db.session.scalar(select(Mailing))
        assert mailing.audience == "selection" and mailing.recipient_count == 2
        to = {m.to_address for m in outbox() if m.mailing_id == mailing.id}
        assert to == {"bengt@example.se", "dan@example.se"}


# --- who and what may be chosen ---------------------------------------------------------------

def test_ids_of_another_event_are_left_out(app, hall, make_event):
    other = make_event()
    with app.app_context():
        (stranger,) = seed_registrations(other, 1, prefix="stranger")
    hall.ids["Stranger"] = stranger
    response = bulk(hall, "attendees/bulk/check-in", "Stranger")
    assert "Choose at least one person in the list first." in page_text(response)
    assert status(app, stranger)[2] is None


@pytest.mark.parametrize("action", ["attendees/bulk/mode", "attendees/bulk/check-in", "attendees/bulk/cancel",
                                    "exports/selection.csv", "email/chosen"])
def test_nobody_chosen_goes_back_to_the_list_with_a_message(hall, action):
    response = bulk(hall, action, to_mode="digital", flavour="excel")
    assert response.status_code == 200
    assert "Choose at least one person in the list first." in page_text(response)


@pytest.mark.parametrize("action", ["attendees/bulk/mode", "attendees/bulk/check-in", "attendees/bulk/cancel",
                                    "exports/selection.csv", "email/chosen"])
def test_without_the_token_nothing_happens(app, hall, action):
    response = hall.client.post(f"/manage/events/{hall.slug}/{action}",
                                data={"ids": [str(hall.ids["Åsa"])], "to_mode": "digital", "confirmed": "1"})
    assert response.status_code == 400
    assert status(app, hall.ids["Åsa"])[1:] == ("confirmed", None)


@pytest.mark.parametrize("action", ["attendees/bulk/mode", "attendees/bulk/check-in", "attendees/bulk/cancel",
                                    "exports/selection.csv", "email/chosen"])
def test_a_door_host_may_not(app, client, hall, action):
    staff_member(app, hall.slug, "host@example.se", "host")
    host = app.test_client()
    sign_in(host, "host@example.se")
    token = form_token(host, f"/checkin/{hall.slug}")
    response = host.post(f"/manage/events/{hall.slug}/{action}", data={
        "csrf_token": token, "ids": [str(hall.ids["Åsa"])], "to_mode": "digital", "confirmed": "1"})
    assert response.status_code == 403
    assert status(app, hall.ids["Åsa"])[1:] == ("confirmed", None)


def test_a_full_mode_cannot_be_overfilled_by_a_bulk_move(app, hall):
    with app.app_context():
        set_seats(hall.slug, digital_seats=1)
    response = bulk(hall, "attendees/bulk/mode", "Åsa", "Bengt", to_mode="digital")
    assert "2 could not: no digital places left (Bengt, Åsa)." in page_text(response)
    with app.app_context():
        seats = counters(hall.slug)
        assert seats["digital_taken"] == seats["digital_confirmed"] == 1
