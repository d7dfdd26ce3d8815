"""The digital participant's own join link, /r/<token>/join: its window, what it records, who may use it,
and that the meeting platform's address never shows on a public page, in public JSON or a calendar."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from eventhub.extensions import db
from eventhub.headers import SECRET_URL_REFERRER_POLICY
from eventhub.registration import services as registration_services
from eventhub.registration import tokens
from eventhub.registration.models import Registration
from tests.checkin.support import registered, registration_row
from tests.registration.support import KEYS, page_text

STARTS = datetime(2030, 6, 10, 8, 0, tzinfo=UTC)  # 10:00 in Stockholm (summer time)
ENDS = STARTS + timedelta(hours=3)
JOIN_URL = "https://meet.example.invalid/j/room-7f3k9q?pwd=hemligt"
SECRET_PART = "room-7f3k9q"


@pytest.fixture
def online(make_event):
    return make_event(starts_at=STARTS, ends_at=ENDS, join_url=JOIN_URL, on_site_seats=5, digital_seats=5,
                      title="Hybridforum")


@pytest.fixture
def clock(monkeypatch):
    """Set the time the join view sees: ``clock(moment)``."""

    def set_time(moment: datetime) -> None:
        monkeypatch.setattr("eventhub.checkin.views.utcnow", lambda: moment)

    return set_time


def _token(app, registration_id: int) -> str:
    with app.app_context():
        return tokens.manage_token(KEYS, db.session.get(Registration, registration_id).token_salt)


def test_join_before_the_window_is_425_with_the_opening_time(app, client, online, clock):
    person = registered(app, online, "anna@example.se", mode="digital")
    clock(STARTS - timedelta(minutes=31))  # the default window opens 30 minutes before

    response = client.get(f"/r/{_token(app, person.id)}/join?lang=en")

    assert response.status_code == 425
    text = page_text(response)
    assert "opens at 10 June 2030 09:30" in text  # in the event's zone, Stockholm
    assert SECRET_PART not in response.get_data(as_text=True)
    row = registration_row(app, person.id)
    assert (row.first_joined_at, row.last_joined_at) == (None, None)


def test_join_window_follows_join_opens_minutes_before(app, client, make_event, clock):
    slug = make_event(starts_at=STARTS, ends_at=ENDS, join_url=JOIN_URL, join_opens_minutes_before=60)
    token = _token(app, registered(app, slug, "anna@example.se", mode="digital").id)

    clock(STARTS - timedelta(minutes=61))
    early = client.get(f"/r/{token}/join?lang=en")
    clock(STARTS - timedelta(minutes=45))
    inside = client.get(f"/r/{token}/join")

    assert early.status_code == 425 and "09:00" in page_text(early)
    assert inside.status_code == 303 and inside.headers["Location"] == JOIN_URL


def test_join_inside_the_window_redirects_303_and_records_first_and_last_join(app, client, online, clock):
    person = registered(app, online, "anna@example.se", mode="digital")
    token = _token(app, person.id)
    first_visit, second_visit = STARTS - timedelta(minutes=29), STARTS + timedelta(minutes=50)

    clock(first_visit)
    first = client.get(f"/r/{token}/join")
    after_first = registration_row(app, person.id)
    clock(second_visit)
    second = client.get(f"/r/{token}/join")

    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"] == JOIN_URL
    assert first.headers["Referrer-Policy"] == SECRET_URL_REFERRER_POLICY
    assert "no-store" in first.headers["Cache-Control"]
    assert (after_first.first_joined_at, after_first.last_joined_at) == (first_visit, first_visit)
    row = registration_row(app, person.id)
    assert (row.first_joined_at, row.last_joined_at) == (first_visit, second_visit)


def test_join_at_the_very_end_still_works_and_after_it_is_410(app, client, online, clock):
    token = _token(app, registered(app, online, "anna@example.se", mode="digital").id)

    clock(ENDS)
    at_end = client.get(f"/r/{token}/join")
    clock(ENDS + timedelta(minutes=1))
    after = client.get(f"/r/{token}/join?lang=en")

    assert at_end.status_code == 303
    assert after.status_code == 410
    assert "The event has ended" in page_text(after)
    assert SECRET_PART not in after.get_data(as_text=True)


@pytest.mark.parametrize(("case", "message"), [
    ("on_site", "You take part on site: show your ticket at the door."),
    ("cancelled", "Your registration is cancelled"),
    ("waitlisted", "You are on the waitlist."),
])
def test_join_by_someone_not_confirmed_digital_is_403_with_a_clear_message(app, client, make_event, clock, case,
                                                                           message):
    slug = make_event(starts_at=STARTS, ends_at=ENDS, join_url=JOIN_URL, on_site_seats=5, digital_seats=1)
    registered(app, slug, "seated@example.se", mode="digital")
    mode = "on_site" if case == "on_site" else "digital"
    person = registered(app, slug, "anna@example.se", mode=mode)
    if case == "cancelled":
        with app.app_context():
            registration_services.cancel(person.id, datetime.now(UTC), KEYS)
    assert registration_row(app, person.id).status == {"on_site": "confirmed", "cancelled": "cancelled",
                                                       "waitlisted": "waitlisted"}[case]
    clock(STARTS)

    response = client.get(f"/r/{_token(app, person.id)}/join?lang=en")

    assert response.status_code == 403
    assert message in page_text(response)
    assert SECRET_PART not in response.get_data(as_text=True)
    assert registration_row(app, person.id).first_joined_at is None


def test_join_with_an_unknown_token_is_404(client, online):
    assert client.get("/r/not-a-real-token/join").status_code == 404


def test_platform_url_never_appears_on_public_pages_json_or_calendars(app, client, online, make_item, monkeypatch):
    make_item(online, title="Välkommen")
    token = _token(app, registered(app, online, "anna@example.se", mode="digital").id)
    monkeypatch.setattr("eventhub.registration.views.utcnow", lambda: STARTS)  # the manage page shows the link
    urls = ["/", f"/events/{online}", f"/events/{online}?audience=digital", f"/events/{online}?lang=en",
            "/api/v1/events", f"/api/v1/events/{online}", f"/events/{online}/event.ics",
            f"/events/{online}/programme.ics", f"/events/{online}/programme.ics?audience=digital",
            f"/r/{token}", f"/r/{token}/calendar.ics"]

    responses = {url: client.get(url) for url in urls}

    assert {url: r.status_code for url, r in responses.items()} == dict.fromkeys(urls, 200)
    leaks = [url for url, r in responses.items() if SECRET_PART in r.get_data(as_text=True)
             or "meet.example.invalid" in r.get_data(as_text=True)]
    assert leaks == []
    assert f"/r/{token}/join" in responses[f"/r/{token}"].get_data(as_text=True)  # the personal link instead
