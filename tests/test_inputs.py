"""The one input rule (eventhub.inputs): control characters never reach a view, a form refuses them with
a message and shows the rest again, and a JSON body nested too deeply is a JSON 400. On SQLite and
PostgreSQL, which refuses a NUL in any text (a 500 before)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from eventhub import inputs
from eventhub.extensions import db
from eventhub.programme.models import Person
from eventhub.registration.models import Registration
from tests.accounts.support import csrf_from, make_user, post, session_csrf, sign_in
from tests.checkin.support import nonce, open_door
from tests.registration.support import FORM, html_of, post_registration

REMOVED = "Här fanns osynliga styrtecken, som nu har tagits bort"


@pytest.mark.parametrize(("text", "kept"), [
    ("Anna\x00 Svensson", "Anna Svensson"),
    ("a\x01b\x08c\x0bd\x0ce\x1ff\x7fg\x85h\x9fi", "abcdefghi"),
    ("tab\tline\nreturn\r", "tab\tline\nreturn\r"),
    ("line\u2028separator, Åsa Öhman, 🎉, 東京", "line\u2028separator, Åsa Öhman, 🎉, 東京"),
    ("lone \ud800 surrogate", "lone  surrogate"),
])
def test_clean_removes_control_characters_and_keeps_everything_else(text, kept):
    assert inputs.clean(text) == kept


def test_sign_in_with_a_nul_in_the_email_shows_the_form_again_with_a_message(app, client):
    make_user(app, "org@example.se")

    response = post(client, "/account/login", {"email": "org@example.se\x00", "password": "wrong"})

    assert response.status_code in (200, 422)
    page = html_of(response)
    assert REMOVED in page and 'value="org@example.se"' in page


def test_registration_with_a_nul_in_the_name_keeps_what_was_typed_and_registers_nobody(app, client, make_event):
    slug = make_event(on_site_seats=5, digital_seats=5)

    response = post_registration(client, slug, name="Anna\x00 Svensson", organisation="Borås Stad")

    assert response.status_code == 422
    page = html_of(response)
    assert REMOVED in page
    assert 'value="Anna Svensson"' in page and 'value="Borås Stad"' in page and f'value="{FORM["email"]}"' in page
    with app.app_context():
        assert db.session.scalars(select(Registration)).all() == []

    again = post_registration(client, slug, name="Anna Svensson", organisation="Borås Stad")
    assert again.status_code == 303


def test_a_nul_in_a_search_is_left_out(app, client, make_event):
    slug = make_event()
    make_user(app, "org@example.se", staff_of={slug: "organiser"})
    sign_in(client, "org@example.se")

    response = client.get(f"/manage/events/{slug}/attendees?q=An%00na")

    assert response.status_code == 200


def test_a_person_of_the_directory_with_a_nul_in_the_name_is_refused_with_a_message(app, client, make_event):
    slug = make_event()
    make_user(app, "org@example.se", staff_of={slug: "organiser"})
    sign_in(client, "org@example.se")

    token = csrf_from(client.get(f"/manage/events/{slug}/programme/people").get_data(as_text=True).replace(
        'name="person-csrf_token"', 'name="csrf_token"'))
    response = client.post(f"/manage/events/{slug}/programme/people", data={
        "person-name": "Berit\x00 Talare", "person-organisation": "Navet", "person-csrf_token": token})

    assert response.status_code == 422
    assert REMOVED in html_of(response) and 'value="Berit Talare"' in html_of(response)
    with app.app_context():
        assert db.session.scalars(select(Person)).all() == []


def test_a_walk_in_with_a_nul_is_registered_without_it(app, make_event):
    slug = make_event(on_site_seats=5)
    door = open_door(app, slug, "vard@example.se")

    response = door.post("walk-in", {"name": "Gunnar\x00 Gång", "email": "gunnar\x00@example.se", "nonce": nonce()})

    assert response.status_code == 200, response.get_data(as_text=True)
    with app.app_context():
        person = db.session.scalar(select(Registration))
        assert (person.name, person.email) == ("Gunnar Gång", "gunnar@example.se")


def test_door_searches_and_scans_with_control_characters_answer(app, make_event):
    slug = make_event(on_site_seats=5)
    door = open_door(app, slug, "vard@example.se")

    assert door.post("search", {"q": "An\x00na"}).status_code == 200
    assert door.post("scan", {"code": "\x00\x01", "nonce": nonce()}).status_code == 400  # nothing left of it
    assert door.post("scan", {"code": "ABCD\x00-EFGH", "nonce": nonce()}).get_json()["result"]["reason"] == "not_found"


def _nested(depth: int) -> str:
    return '{"items": ' + "[" * depth + "]" * depth + "}"


@pytest.mark.parametrize("depth", [inputs.MAX_JSON_DEPTH - 1, inputs.MAX_JSON_DEPTH, 1_000, 100_000])
def test_json_nested_past_the_limit_is_a_json_400_everywhere(app, make_event, depth):
    slug = make_event()
    door = open_door(app, slug, "vard@example.se")
    body = _nested(depth)

    for url in (door.url("sync"), door.url("search"), "/account/login", f"/events/{slug}/register"):
        response = door.client.post(url, data=body, content_type="application/json",
                                    headers={"X-CSRFToken": door.csrf})
        if depth + 1 > inputs.MAX_JSON_DEPTH:
            assert (url, response.status_code, response.get_json()["error"]["code"]) == (url, 400, "too_deep")
        else:
            assert response.status_code < 500, url


@pytest.mark.parametrize("body", ['{"email": {"x": 1}, "password": ["a", "b"]}', "false", '"a\\u0000b"', "[1, 2]"])
def test_a_form_is_not_read_from_a_json_body(app, client, body):
    """Flask-WTF would make a JSON body into form fields: a number, a string or a list was a 500."""
    make_user(app, "org@example.se")

    response = client.post("/account/password/forgot", data=body, content_type="application/json",
                           headers={"X-CSRFToken": session_csrf(client)})

    assert response.status_code == 422


@pytest.mark.parametrize("path", ["/events/a%00b", "/events/%01", "/r/abc%00def", "/manage/events/x%00/edit"])
def test_an_address_with_control_characters_is_not_found(client, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("method, url, status", [
    ("GET", "/api/v1/events", 200),  # a GET's body is read by no view
    ("POST", "/api/v1/events", 405),  # no view takes a POST here: the router's answer, not too_deep
    ("POST", "/no-such-page", 404),
])
def test_json_that_no_view_reads_is_not_refused(client, method, url, status):
    response = client.open(url, method=method, data=_nested(1_000), content_type="application/json")
    assert response.status_code == status
