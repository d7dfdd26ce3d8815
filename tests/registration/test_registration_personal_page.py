"""The person's own page as they use it: groups with their places, a choice answered where they look,
a change of mode that says what happens to their group first, and the page after the event."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from eventhub.events.models import Event
from eventhub.extensions import db
from tests.registration.support import (
    add_group_session,
    event_by_slug,
    html_of,
    outbox,
    page_text,
    post_manage,
    post_registration,
    register,
    token_for,
)


def checked_value(page: str, name: str) -> str | None:
    match = re.search(rf'<input type="radio"[^>]*name="{name}" value="([^"]*)" checked', page)
    return match.group(1) if match else None


def test_groups_show_places_left_and_full_on_the_form_and_the_page(app, client, make_event):
    slug = make_event(on_site_seats=10, group_choice_open=True)
    with app.app_context():
        roomy, full = add_group_session(slug, [("Grupp A", "on_site", 5), ("Grupp B", "on_site", 1)])
        register(slug, "first@example.se", group_id=full)

    form_text = page_text(client.get(f"/events/{slug}/register"))
    post_registration(client, slug, group=str(roomy))
    page_text_ = page_text(client.get(f"/r/{token_for(app, 'anna@example.se')}"))

    for text in (form_text, page_text_):
        assert "Grupp B På plats · fullt, reservlista" in text
    assert "Grupp A På plats · 5 platser kvar" in form_text
    assert "Grupp A På plats · 4 platser kvar" in page_text_


def test_current_group_is_preselected_and_saving_answers_in_the_group_section(app, client, make_event):
    slug = make_event(on_site_seats=10, group_choice_open=True)
    with app.app_context():
        first, second = add_group_session(slug, [("Grupp A", "on_site", 5), ("Grupp B", "on_site", 5)])
    post_registration(client, slug, group=str(first))
    token = token_for(app, "anna@example.se")
    assert checked_value(html_of(client.get(f"/r/{token}")), "group") == str(first)

    response = post_manage(client, token, "group", group=str(second))

    assert response.headers["Location"].endswith("#choose-group")
    page = html_of(client.get(response.headers["Location"]))
    section = page[page.index('id="choose-group"'):]
    assert "Du har en plats i gruppen Grupp B." in section  # where the person is looking
    assert 'class="flashes"' not in page[:page.index('id="choose-group"')]  # not only at the top
    assert checked_value(page, "group") == str(second)


def test_choosing_a_full_group_reads_as_a_waitlist_not_a_place(app, client, make_event):
    slug = make_event(on_site_seats=10, group_choice_open=True)
    with app.app_context():
        [group] = add_group_session(slug, [("Grupp A", "on_site", 1)])
        register(slug, "first@example.se", group_id=group)
    post_registration(client, slug)
    token = token_for(app, "anna@example.se")

    response = post_manage(client, token, "group", group=str(group))

    page = html_of(client.get(response.headers["Location"]))
    assert 'class="flash flash-warning"' in page
    assert "Gruppen Grupp A är full: du står på dess reservlista och är inte med i gruppen än." in page_text(
        client.get(f"/r/{token}"))
    assert 'class="pill pill-waitlist"' in page
    assert "Din grupp: Grupp A" not in page_text(client.get(f"/r/{token}"))


def test_every_in_page_link_on_the_personal_page_resolves(app, client, make_event):
    slug = make_event(on_site_seats=10, group_choice_open=True)
    with app.app_context():
        add_group_session(slug, [("Grupp A", "on_site", 5)])
    post_registration(client, slug)
    page = html_of(client.get(f"/r/{token_for(app, 'anna@example.se')}"))

    for target in set(re.findall(r'href="#([^"]+)"', page)):
        assert f'id="{target}"' in page, target
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


@pytest.mark.parametrize(("may_join_digital", "kept"), [(True, True), (False, False)])
def test_mode_change_says_what_happens_to_the_group_before_and_in_the_email(app, client, make_event,
                                                                          may_join_digital, kept):
    slug = make_event(on_site_seats=10, digital_seats=10, group_choice_open=True,
                      on_site_may_join_digital_groups=may_join_digital)
    with app.app_context():
        [digital_group] = add_group_session(slug, [("Digital grupp", "digital", 5)])
    post_registration(client, slug, mode="digital", group=str(digital_group))
    token = token_for(app, "anna@example.se")

    before = page_text(client.get(f"/r/{token}"))
    post_manage(client, token, "mode", mode="on_site")

    with app.app_context():
        email = outbox("anna@example.se")[-1].body_text
    if kept:
        assert "Du behåller din grupp Digital grupp." in before
        assert 'Du behåller din samtalsgrupp "Digital grupp".' in email
    else:
        assert "Du lämnar gruppen Digital grupp: den är inte öppen för det här sättet att delta." in before
        assert 'Du har lämnat samtalsgruppen "Digital grupp"' in email


def test_after_the_event_the_page_says_it_is_over_and_points_to_the_recording(app, client, make_event):
    starts = datetime.now(UTC) - timedelta(days=1)
    slug = make_event(starts_at=starts, ends_at=starts + timedelta(hours=3), digital_seats=10,
                      format="digital", on_site_seats=None, join_url="https://meet.example/x",
                      recording_url="https://video.example/inspelning")
    with app.app_context():
        registration = register(slug, "anna@example.se", "digital", now=starts - timedelta(days=2)).registration
        assert registration.is_confirmed
    token = token_for(app, "anna@example.se")

    page = client.get(f"/r/{token}")

    assert "Evenemanget är över." in page_text(page)
    assert 'href="https://video.example/inspelning"' in html_of(page)
    assert "länk för att ansluta" not in page_text(page)  # no promise of a join link any more


def test_event_page_and_personal_page_use_one_materials_list(app, client, make_event):
    starts = datetime.now(UTC) - timedelta(days=1)
    slug = make_event(starts_at=starts, ends_at=starts + timedelta(hours=3), on_site_seats=10,
                      recording_url="https://video.example/inspelning")
    with app.app_context():
        register(slug, "anna@example.se", now=starts - timedelta(days=2))
        assert db.session.get(Event, event_by_slug(slug).id).recording_url
    token = token_for(app, "anna@example.se")

    for url in (f"/events/{slug}", f"/r/{token}"):
        assert 'id="materials-heading"' in html_of(client.get(url)), url
