"""Leaving the waitlist from the reminder's link: a page that asks (GET changes nothing), one POST that leaves."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from eventhub.registration import services
from eventhub.registration.models import Registration
from tests.registration.support import KEYS, csrf_of, fresh, outbox, page_text, register, token_for

pytestmark = pytest.mark.usefixtures("app_ctx")


@pytest.fixture
def full(make_event):
    """An event whose one seat on site is Anna's; Walter and Wilma wait, in that order."""
    slug = make_event(on_site_seats=1)
    register(slug, "anna@example.se", "on_site")
    register(slug, "walter@example.se", "on_site", now=datetime.now(UTC) + timedelta(seconds=1))
    register(slug, "wilma@example.se", "on_site", now=datetime.now(UTC) + timedelta(seconds=2))
    return slug


def _status(app, email) -> str:
    return next(r for r in Registration.query.all() if r.email == email).status


def test_the_page_asks_and_changes_nothing(app, client, full):
    token = token_for(app, "walter@example.se")

    response = client.get(f"/r/{token}/waitlist/leave")

    assert response.status_code == 200
    assert "Du är nummer 1 på reservlistan till Forumträff." in page_text(response)
    assert _status(app, "walter@example.se") == "waitlisted"
    assert response.headers["Cache-Control"].startswith("private")


def test_one_post_leaves_the_waitlist_and_the_next_moves_up(app, client, full):
    token = token_for(app, "walter@example.se")

    response = client.post(f"/r/{token}/waitlist/leave",
                           data={"csrf_token": csrf_of(client, f"/r/{token}/waitlist/leave")})

    assert response.status_code == 303 and response.headers["Location"].endswith(f"/r/{token}")
    assert _status(app, "walter@example.se") == "cancelled"
    assert outbox("walter@example.se")[-1].subject == "Avanmäld: Forumträff"
    wilma = next(r for r in Registration.query.all() if r.email == "wilma@example.se")
    assert services.waitlist_position(wilma) == 1
    assert "Du har lämnat reservlistan" in page_text(client.get(f"/r/{token}"))


def test_without_the_forms_token_nothing_changes(app, client, full):
    token = token_for(app, "walter@example.se")

    response = client.post(f"/r/{token}/waitlist/leave")

    assert response.status_code == 400
    assert _status(app, "walter@example.se") == "waitlisted"


def test_someone_who_got_a_place_meanwhile_keeps_it(app, client, full):
    token = token_for(app, "walter@example.se")
    page = f"/r/{token}/waitlist/leave"
    csrf = csrf_of(client, page)  # the page was opened while waiting
    anna = next(r for r in Registration.query.all() if r.email == "anna@example.se")
    services.cancel(anna.id, datetime.now(UTC), KEYS)  # Walter gets the seat

    response = client.post(page, data={"csrf_token": csrf})

    assert response.status_code == 303
    assert _status(app, "walter@example.se") == "confirmed"
    assert "Du står inte längre på reservlistan: du har fått en plats." in page_text(client.get(f"/r/{token}"))
    assert "du har en plats på Forumträff" in page_text(client.get(page))


def test_the_personal_page_links_to_it_while_waiting_only(app, client, full):
    waiting, seated = token_for(app, "walter@example.se"), token_for(app, "anna@example.se")

    assert f"/r/{waiting}/waitlist/leave" in client.get(f"/r/{waiting}").get_data(as_text=True)
    assert "/waitlist/leave" not in client.get(f"/r/{seated}").get_data(as_text=True)


def test_leaving_twice_says_it_is_cancelled(app, client, full):
    person = next(r for r in Registration.query.all() if r.email == "walter@example.se")
    services.leave_waitlist(person.id, datetime.now(UTC), KEYS)

    with pytest.raises(services.AlreadyCancelled):
        services.leave_waitlist(person.id, datetime.now(UTC), KEYS)
    assert fresh(Registration, person.id).is_cancelled
