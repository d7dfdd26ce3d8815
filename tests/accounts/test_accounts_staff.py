"""An event's staff: removing organisers and door hosts (their right ends at once, the scanner's
API included), changing someone's part, and an organiser inviting a new door host."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from eventhub.accounts.models import EventStaff, User
from eventhub.extensions import db
from tests.attendees.support import audit_entries, form_token, post_form, sign_in, staff_member
from tests.checkin.support import check_ins, nonce, open_door, registered
from tests.registration.support import event_by_slug, outbox, page_text

LINK = re.compile(r"/account/password/([A-Za-z0-9_-]+)")


@pytest.fixture
def slug(make_event):
    return make_event(on_site_seats=10, digital_seats=10)


@pytest.fixture
def organiser(app, slug, client):
    """The event's organiser, signed in on ``client``."""
    user_id = staff_member(app, slug, "org@example.se", "organiser")
    sign_in(client, "org@example.se")
    return user_id


def _staff(app, slug) -> dict[str, str]:
    with app.app_context():
        rows = db.session.execute(select(User.email, EventStaff.role).join(EventStaff, EventStaff.user_id == User.id)
                                  .where(EventStaff.event_id == event_by_slug(slug).id)).all()
        return dict(rows)


def _remove(client, slug, user_id):
    page = f"/manage/events/{slug}/staff/{user_id}/remove"
    return post_form(client, page, page)


def _change(client, slug, user_id, role):
    return post_form(client, f"/manage/events/{slug}/staff", f"/manage/events/{slug}/staff/{user_id}/role",
                     role=role)


def _invite(client, slug, name, email):
    return post_form(client, f"/manage/events/{slug}/staff", f"/manage/events/{slug}/staff/invite",
                     host_name=name, host_email=email)


# --- removing ----------------------------------------------------------------------------------

def test_removing_asks_first_and_names_the_person(app, client, slug, organiser):
    host_id = staff_member(app, slug, "vard@example.se", "host")

    page = client.get(f"/manage/events/{slug}/staff/{host_id}/remove")

    assert page.status_code == 200
    text = page_text(page)
    assert "Vard" in text and "vard@example.se" in text and "Ja, ta bort Vard" in text
    assert _staff(app, slug)["vard@example.se"] == "host"  # looking at the question removes nobody


def test_a_removed_door_host_is_refused_by_the_scanner_and_its_api_at_once(app, client, slug, organiser):
    door = open_door(app, slug, "vard@example.se")
    ticket = registered(app, slug, "anna@example.se")
    assert door.get("counters").status_code == 200  # working the door until now

    response = _remove(client, slug, door.user_id)

    assert response.status_code == 303
    assert "vard@example.se" not in _staff(app, slug)
    # The phone's next calls, from the same signed-in session, are all refused: nothing caches the right.
    for path, body in (("scan", {"code": ticket.payload, "nonce": nonce()}),
                       ("sync", {"items": [{"code": ticket.payload, "nonce": nonce()}]}),
                       ("search", {"q": "Anna"})):
        refused = door.post(path, body)
        assert refused.status_code == 404 and refused.get_json()["error"]["code"] == "no_event", path
    assert door.get("tickets").status_code == 404
    assert door.client.get(f"/checkin/{slug}").status_code == 404
    assert door.client.get(f"/manage/events/{slug}/door-list.pdf").status_code in (403, 404)
    assert check_ins(app) == []  # the queued scan was not counted
    with app.app_context():
        [entry] = audit_entries(slug, "event.staff_removed")
        assert entry.details == {"user_id": door.user_id, "role": "host"} and entry.user_id == organiser


def test_a_removed_co_organiser_loses_the_workspace_at_once(app, client, slug, organiser):
    other_id = staff_member(app, slug, "medarr@example.se", "organiser")
    other = app.test_client()
    sign_in(other, "medarr@example.se")
    assert other.get(f"/manage/events/{slug}/attendees").status_code == 200

    assert _remove(client, slug, other_id).status_code == 303

    assert other.get(f"/manage/events/{slug}/attendees").status_code == 404
    assert other.get(f"/manage/events/{slug}").status_code == 404
    assert other.get(f"/checkin/{slug}").status_code == 404
    assert "medarr@example.se" not in _staff(app, slug)


@pytest.mark.parametrize("how", ["remove", "make_host"])
def test_the_last_organiser_stays(app, client, slug, organiser, how):
    response = _remove(client, slug, organiser) if how == "remove" else _change(client, slug, organiser, "host")

    assert response.status_code == 303
    assert _staff(app, slug) == {"org@example.se": "organiser"}
    text = page_text(client.get(response.headers["Location"]))
    assert "enda arrangör" in text and "Lägg till en arrangör till först" in text
    with app.app_context():
        assert audit_entries(slug, "event.staff_removed") == audit_entries(slug, "event.staff_role_changed") == []


def test_an_organiser_may_leave_when_another_remains(app, client, slug, organiser):
    staff_member(app, slug, "medarr@example.se", "organiser")

    response = _remove(client, slug, organiser)

    assert response.status_code == 303 and response.headers["Location"].endswith("/manage/")
    assert _staff(app, slug) == {"medarr@example.se": "organiser"}
    assert client.get(f"/manage/events/{slug}").status_code == 404


def test_removing_someone_not_on_the_staff_is_not_found(app, client, slug, organiser, make_event):
    elsewhere = staff_member(app, make_event(), "annan@example.se", "host")

    assert client.get(f"/manage/events/{slug}/staff/{elsewhere}/remove").status_code == 404
    token = form_token(client, f"/manage/events/{slug}/staff")
    for user_id in (elsewhere, 999):
        assert client.post(f"/manage/events/{slug}/staff/{user_id}/remove",
                           data={"csrf_token": token}).status_code == 404


# --- changing the part -------------------------------------------------------------------------

def test_an_organiser_account_hosting_the_door_can_be_made_organiser_and_back(app, client, slug, organiser):
    other_id = staff_member(app, slug, "medarr@example.se", "host", account_role="organiser")

    assert _change(client, slug, other_id, "organiser").status_code == 303
    assert _staff(app, slug)["medarr@example.se"] == "organiser"
    assert _change(client, slug, other_id, "host").status_code == 303
    assert _staff(app, slug)["medarr@example.se"] == "host"
    with app.app_context():
        changes = [entry.details for entry in audit_entries(slug, "event.staff_role_changed")]
    assert changes == [{"user_id": other_id, "role": "organiser", "previous_role": "host"},
                       {"user_id": other_id, "role": "host", "previous_role": "organiser"}]


def test_a_door_host_account_cannot_be_made_organiser(app, client, slug, organiser):
    host_id = staff_member(app, slug, "vard@example.se", "host")

    response = _change(client, slug, host_id, "organiser")

    assert _staff(app, slug)["vard@example.se"] == "host"
    assert "Ett värdkonto kan inte vara arrangör" in page_text(client.get(response.headers["Location"]))


def test_a_part_that_is_neither_is_refused(app, client, slug, organiser):
    host_id = staff_member(app, slug, "vard@example.se", "host", account_role="organiser")

    _change(client, slug, host_id, "admin")

    assert _staff(app, slug)["vard@example.se"] == "host"


# --- inviting a door host ----------------------------------------------------------------------

def test_an_organiser_invites_a_new_door_host_for_this_event_only(app, client, slug, organiser, make_event):
    other_event = make_event()

    response = _invite(client, slug, " Vera Värd ", " Vera@Example.SE ")

    assert response.status_code == 303 and response.headers["Location"].endswith("#invite")
    # Said under the invitation form, where the page opens, not at the top out of sight.
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert page.index('id="invite-result"') > page.index('id="invite"')
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "vera@example.se"))
        assert (user.name, user.role, user.password_hash) == ("Vera Värd", "host", None)
        assert _staff(app, slug)["vera@example.se"] == "host"
        assert "vera@example.se" not in _staff(app, other_event)
        [entry] = audit_entries(slug, "event.host_invited")
        assert entry.user_id == organiser and entry.details["user_id"] == user.id
        [message] = outbox("vera@example.se")
    assert "Forumträff" in message.body_text  # the invitation says which event's door
    token = LINK.search(message.body_text).group(1)

    # The invited person chooses a password and can work this event's door, nothing more.
    vera = app.test_client()
    page = f"/account/password/{token}"
    assert post_form(vera, page, page, password="ett långt lösenord", confirm="ett långt lösenord").status_code == 303
    assert vera.get(f"/checkin/{slug}").status_code == 200
    assert vera.get(f"/manage/events/{slug}").status_code == 403
    assert vera.get(f"/checkin/{other_event}").status_code == 404
    assert vera.get("/manage/events/new").status_code == 403


@pytest.mark.parametrize("role", ["organiser", "admin", "host"])
def test_inviting_an_existing_address_takes_over_no_account(app, client, slug, organiser, role):
    existing = staff_member(app, None, "finns@example.se", role)

    response = _invite(client, slug, "Någon Annan", "FINNS@example.se")

    assert response.status_code == 422
    assert "Det finns redan ett konto med den adressen" in page_text(response)
    with app.app_context():
        user = db.session.get(User, existing)
        assert (user.name, user.role) == ("Finns", role)
    assert "finns@example.se" not in _staff(app, slug)
    with app.app_context():
        assert outbox("finns@example.se") == []


def test_an_invitation_with_a_bad_address_keeps_what_was_typed(app, client, slug, organiser):
    response = _invite(client, slug, "Vera Värd", "vera@")

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'value="Vera Värd"' in html and 'value="vera@"' in html
    with app.app_context():
        assert db.session.scalar(select(User).where(User.name == "Vera Värd")) is None


def test_the_invitation_form_cannot_choose_a_role(app, client, slug, organiser):
    token = form_token(client, f"/manage/events/{slug}/staff")

    client.post(f"/manage/events/{slug}/staff/invite", data={
        "csrf_token": token, "host_name": "Ola", "host_email": "ola@example.se", "role": "admin"})

    with app.app_context():
        assert db.session.scalar(select(User.role).where(User.email == "ola@example.se")) == "host"


def test_the_staff_page_lists_each_person_with_their_part_and_actions(app, client, slug, organiser):
    staff_member(app, slug, "vard@example.se", "host")

    text = page_text(client.get(f"/manage/events/{slug}/staff"))

    assert "Org" in text and "org@example.se" in text and "Arrangör" in text
    assert "vard@example.se" in text and "Värd" in text
    assert "Bjud in en ny värd" in text and "Ta bort" in text
