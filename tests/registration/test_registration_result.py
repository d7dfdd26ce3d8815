"""The page right after registering says at once what happened: a seat or the waitlist (which place),
the group, the ticket with its short code, and the way to the person's own page."""
from __future__ import annotations

import re

import pytest

from eventhub import keyring
from eventhub.headers import SECRET_URL_REFERRER_POLICY
from eventhub.registration import tokens
from tests.registration.support import (
    add_group_session,
    html_of,
    page_text,
    post_registration,
    register,
    registrations,
)


def result_page(client, response):
    assert response.status_code == 303, page_text(response)
    return client.get(response.headers["Location"])


def test_result_on_site_seat_shows_ticket_code_and_link(app, client, make_event):
    slug = make_event(on_site_seats=5)

    page = result_page(client, post_registration(client, slug))

    text = page_text(page)
    assert "Du är anmäld" in text and "Du har en plats i lokalen." in text
    with app.app_context():
        [person] = registrations(slug)
        code = tokens.ticket_code(keyring.of(app), person)
        token = tokens.manage_token(keyring.of(app), person.token_salt)
    assert code in text  # the short code stands next to the QR code
    assert f'src="/r/{token}/ticket.svg"' in html_of(page)
    assert f'href="/r/{token}"' in html_of(page)
    assert page.headers["Cache-Control"] == "private, no-store"
    assert page.headers["Referrer-Policy"] == SECRET_URL_REFERRER_POLICY


def test_result_digital_seat_says_when_the_join_link_comes_and_has_no_ticket(client, make_event):
    slug = make_event(on_site_seats=5, digital_seats=5)

    page = result_page(client, post_registration(client, slug, mode="digital", language="en"))

    text = page_text(page)
    assert "You have a digital place." in text
    assert "ticket.svg" not in html_of(page)
    assert re.search(r"join link will be on your page from .* \(Central European (Summer|Standard) Time, UTC\+\d\)",
                     text)


def test_result_waitlist_says_which_place(app, make_event):
    slug = make_event(on_site_seats=1)
    with app.app_context():
        register(slug, "first@example.se")
        register(slug, "second@example.se")
    client = app.test_client()

    page = result_page(client, post_registration(client, slug))

    text = page_text(page)
    assert "Du står på reservlistan: nummer 2." in text
    assert "Du har en plats" not in text and "ticket.svg" not in html_of(page)
    assert 'class="status-box status-waitlisted"' in html_of(page)


@pytest.mark.parametrize(("seats", "present", "absent"), [
    (5, "Din grupp: Grupp A", "reservlista, not"),
    (0, "Gruppen Grupp A är full: du står på dess reservlista och är inte med i gruppen än.", "Din grupp:"),
])
def test_result_says_the_group_and_whether_it_is_a_place_or_its_waitlist(app, client, make_event, seats, present,
                                                                          absent):
    slug = make_event(on_site_seats=5, group_choice_open=True)
    with app.app_context():
        [group_id] = add_group_session(slug, [("Grupp A", "on_site", seats)])

    page = result_page(client, post_registration(client, slug, group=str(group_id)))

    assert present in page_text(page)
    assert absent not in page_text(page)


def test_result_survives_a_reload_but_not_a_cancellation(app, client, make_event):
    slug = make_event(on_site_seats=5)
    response = post_registration(client, slug)
    location = response.headers["Location"]
    assert "Du har en plats i lokalen." in page_text(client.get(location))
    assert "Du har en plats i lokalen." in page_text(client.get(location))  # a reload on bad Wi-Fi

    with app.app_context():
        from eventhub.registration import services
        [person] = registrations(slug)
        services.cancel(person.id, person.created_at, keyring.of(app))

    assert "Titta i din e-post" in page_text(client.get(location))


def test_result_of_one_event_is_not_shown_on_another(client, make_event):
    slug, other = make_event(on_site_seats=5), make_event(on_site_seats=5)
    post_registration(client, slug)

    page = client.get(f"/events/{other}/registered")

    assert "Du har en plats" not in page_text(page) and "/r/" not in html_of(page)


def test_result_page_language_switch_changes_the_person_s_language_and_stays(app, client, make_event):
    slug = make_event(on_site_seats=5)
    location = post_registration(client, slug, language="sv").headers["Location"]
    page = html_of(client.get(location))
    header = page[page.index('class="language-switch"'):page.index("</nav>", page.index('class="language-switch"'))]
    action = re.search(r'action="(/r/[^"]+/language)"', header).group(1)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', header).group(1)

    response = client.post(action, data={"csrf_token": token, "language": "en", "next": f"/events/{slug}/registered"})

    assert response.headers["Location"] == f"/events/{slug}/registered"
    assert "You have a place on site." in page_text(client.get(response.headers["Location"]))
    with app.app_context():
        [person] = registrations(slug)
        assert person.language == "en"
