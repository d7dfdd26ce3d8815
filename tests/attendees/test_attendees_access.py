"""Who may see and change attendees: the event's organisers only; hosts 403, other organisers 404, anonymous sign in."""
from __future__ import annotations

import re

import pytest

from eventhub.registration.models import Registration
from tests.attendees.support import sign_in, staff_member
from tests.registration.support import fresh, register

GET_PAGES = [
    "attendees", "attendees?q=a&page=2", "attendees/new", "attendees/{rid}", "attendees/{rid}/cancel", "statistics",
    "exports/attendees.csv", "exports/attendees-excel.csv",
]
POST_ACTIONS = [
    ("attendees/{rid}/details", {"name": "Changed", "sector": "other", "language": "sv"}),
    ("attendees/{rid}/mode", {"mode": "digital", "override": "y"}),
    ("attendees/{rid}/promote", {"override": "y"}),
    ("attendees/{rid}/group", {"group": "1"}),
    ("attendees/{rid}/groups/1/remove", {}),
    ("attendees/{rid}/cancel", {}),
    ("attendees/new", {"name": "X", "email": "x@example.se", "sector": "other", "mode": "on_site",
                       "language": "sv", "informed": "y"}),
    ("exports/special-category.csv", {"flavour": "excel"}),
]


@pytest.fixture
def target(app, hybrid):
    with app.app_context():
        rid = register(hybrid, "anna@example.se").registration.id
    return hybrid, rid


def _urls(slug, rid):
    return [f"/manage/events/{slug}/{page.format(rid=rid)}" for page in GET_PAGES]


def _token(client) -> str:
    """This session's CSRF token from a page anyone may open: sign-in, or for the signed in the dashboard."""
    response = client.get("/account/login")
    if response.status_code == 302:
        response = client.get("/manage/")
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.get_data(as_text=True))
    assert match
    return match.group(1)


def _assert_unchanged(app, rid):
    with app.app_context():
        row = fresh(Registration, rid)
        assert (row.name, row.mode, row.status) == ("Anna Svensson", "on_site", "confirmed")


def test_anonymous_people_are_sent_to_sign_in(app, client, target):
    slug, rid = target
    for url in _urls(slug, rid):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/account/login" in response.headers["Location"], url
    token = _token(client)
    for page, data in POST_ACTIONS:
        response = client.post(f"/manage/events/{slug}/{page.format(rid=rid)}", data={**data, "csrf_token": token})
        assert response.status_code == 302, page
    _assert_unchanged(app, rid)


def test_a_door_host_of_the_event_gets_403(app, client, target):
    slug, rid = target
    staff_member(app, slug, "host@example.se", "host")
    sign_in(client, "host@example.se")
    for url in _urls(slug, rid):
        assert client.get(url).status_code == 403, url
    token = _token(client)
    for page, data in POST_ACTIONS:
        response = client.post(f"/manage/events/{slug}/{page.format(rid=rid)}", data={**data, "csrf_token": token})
        assert response.status_code == 403, page
    _assert_unchanged(app, rid)


def test_an_organiser_of_another_event_gets_404(app, client, target, make_event):
    slug, rid = target
    staff_member(app, make_event(), "other@example.se", "organiser")
    sign_in(client, "other@example.se")
    for url in _urls(slug, rid):
        assert client.get(url).status_code == 404, url
    token = _token(client)
    for page, data in POST_ACTIONS:
        response = client.post(f"/manage/events/{slug}/{page.format(rid=rid)}", data={**data, "csrf_token": token})
        assert response.status_code == 404, page
    _assert_unchanged(app, rid)


def test_the_events_organiser_and_an_administrator_get_in(app, client, target):
    slug, rid = target
    staff_member(app, slug, "organiser@example.se", "organiser")
    staff_member(app, None, "admin@example.se", "admin", account_role="admin")
    for email in ("organiser@example.se", "admin@example.se"):
        visitor = app.test_client()
        sign_in(visitor, email)
        for url in _urls(slug, rid):
            assert visitor.get(url).status_code == 200, (email, url)


def test_unknown_event_is_404(client, signed_in):
    assert signed_in.client.get("/manage/events/no-such-event/attendees").status_code == 404
    assert signed_in.client.get("/manage/events/no-such-event/statistics").status_code == 404
