"""One registration in the organisers' workspace: edit, move, promote, groups, cancel; and adding by hand."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from eventhub.registration import errors
from eventhub.registration.models import Registration
from tests.attendees.support import (
    audit_actions,
    counters,
    group_counters,
    post_form,
)
from tests.registration.support import (
    add_group_session,
    fresh,
    outbox,
    page_text,
    register,
    register_many,
    registrations,
)


def detail_url(slug, registration_id):
    return f"/manage/events/{slug}/attendees/{registration_id}"


def post_detail(signed_in, registration_id, action, **fields):
    page = detail_url(signed_in.slug, registration_id)
    return post_form(signed_in.client, page + "?lang=en", f"{page}/{action}?lang=en", **fields)


def field_error(response, field_id) -> str:
    import re

    match = re.search(rf'<p class="field-error" id="{field_id}-error">(.*?)</p>', response.get_data(as_text=True),
                      re.DOTALL)
    return match.group(1) if match else ""


@pytest.fixture
def anna(app, signed_in):
    with app.app_context():
        result = register(signed_in.slug, "anna@example.se", name="Anna Andersson", organisation="Borås Stad")
        return result.registration.id


def test_detail_page_shows_the_registration(signed_in, anna):
    response = signed_in.client.get(detail_url(signed_in.slug, anna) + "?lang=en")
    assert response.status_code == 200
    text = page_text(response)
    assert "Anna Andersson" in text and "anna@example.se" in text and "Borås Stad" in text
    assert "Confirmed" in text and "On site" in text


def test_an_id_from_another_event_or_none_at_all_is_404(app, signed_in, make_event):
    other = make_event()
    with app.app_context():
        stranger = register(other, "stranger@example.se").registration.id
    client = signed_in.client
    assert client.get(detail_url(signed_in.slug, stranger)).status_code == 404
    assert client.get(detail_url(signed_in.slug, 999999)).status_code == 404
    assert client.get(detail_url(signed_in.slug, 10**20)).status_code == 404  # beyond the database's integers
    assert client.get(detail_url(signed_in.slug, "abc")).status_code == 404
    assert client.get(detail_url(signed_in.slug, stranger) + "/cancel").status_code == 404
    # POSTs too, with a valid token, and nothing changes.
    token_page = f"/manage/events/{signed_in.slug}/attendees"
    response = post_form(client, token_page, detail_url(signed_in.slug, stranger) + "/details",
                         name="Hacked", sector="other", language="sv")
    assert response.status_code == 404
    response = post_form(client, token_page, detail_url(signed_in.slug, stranger) + "/cancel")
    assert response.status_code == 404
    with app.app_context():
        assert fresh(Registration, stranger).name == "Anna Svensson"
        assert fresh(Registration, stranger).status == "confirmed"


def test_edit_details(app, signed_in, anna):
    response = post_detail(signed_in, anna, "details", name="Anna Åkesson", organisation="Högskolan",
                           role_title="Lektor", sector="academia", language="en")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(detail_url(signed_in.slug, anna))
    with app.app_context():
        row = fresh(Registration, anna)
        assert (row.name, row.organisation, row.role_title, row.sector, row.language) == (
            "Anna Åkesson", "Högskolan", "Lektor", "academia", "en")
        assert "attendees.updated" in audit_actions(signed_in.slug)


def test_edit_details_with_bad_input_keeps_what_was_typed(app, signed_in, anna):
    response = post_detail(signed_in, anna, "details", name="", organisation="Typed <Org>", role_title="x" * 201,
                           sector="spaceship", language="sv")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'value="Typed &lt;Org&gt;"' in body
    assert field_error(response, "name") and field_error(response, "role_title")
    assert 'id="error-summary"' in body
    with app.app_context():
        assert fresh(Registration, anna).name == "Anna Andersson"


def test_a_post_without_the_form_token_is_refused(app, signed_in, anna):
    response = signed_in.client.post(detail_url(signed_in.slug, anna) + "/details",
                                     data={"name": "No token", "sector": "other", "language": "sv"})
    assert response.status_code == 400
    with app.app_context():
        assert fresh(Registration, anna).name == "Anna Andersson"


def test_move_to_a_full_mode_needs_the_override(app, signed_in, anna):
    with app.app_context():
        register_many(signed_in.slug, 2, mode="digital")
    response = post_detail(signed_in, anna, "mode", mode="digital")
    assert response.status_code == 422
    assert "There are no digital places left" in page_text(response)
    assert 'name="mode" value="digital" checked' in response.get_data(as_text=True)  # the choice is kept
    with app.app_context():
        assert fresh(Registration, anna).mode == "on_site"
        before = counters(signed_in.slug)
        assert before["digital_taken"] == before["digital_seats"] == 2

    response = post_detail(signed_in, anna, "mode", mode="digital", override="y")
    assert response.status_code == 303
    with app.app_context():
        assert fresh(Registration, anna).mode == "digital"
        assert counters(signed_in.slug) == {"on_site_taken": 0, "on_site_seats": 2, "digital_taken": 3,
                                            "digital_seats": 3, "on_site_confirmed": 0, "digital_confirmed": 3}
        assert audit_actions(signed_in.slug)[-2:] == ["attendees.seat_limit_raised", "attendees.mode_changed"]
    page = signed_in.client.get(response.headers["Location"] + "?lang=en")
    assert "The limit was raised: Digital now has 3 places." in page_text(page)


def test_move_with_an_unknown_mode_is_a_form_error(app, signed_in, anna):
    response = post_detail(signed_in, anna, "mode", mode="teleport", override="y")
    assert response.status_code == 422
    with app.app_context():
        assert fresh(Registration, anna).mode == "on_site"


def test_promote_from_the_waitlist_out_of_order(app, signed_in):
    slug = signed_in.slug
    with app.app_context():
        register_many(slug, 2)
        first, second = register_many(slug, 2, prefix="waiting")
    page = signed_in.client.get(detail_url(slug, second) + "?lang=en")
    assert "Give a place now" in page_text(page)
    response = post_detail(signed_in, second, "promote")
    assert response.status_code == 422
    assert "There are no places left on site" in page_text(response)

    response = post_detail(signed_in, second, "promote", override="y")
    assert response.status_code == 303
    with app.app_context():
        assert fresh(Registration, second).status == "confirmed"
        assert fresh(Registration, first).status == "waitlisted"
        assert counters(slug)["on_site_taken"] == 3 == counters(slug)["on_site_seats"]
        assert outbox("waiting001@example.se")[-1].subject  # told about the seat
    # Promoting again (a second tab): no longer on the waitlist, a message, not an error page.
    response = post_detail(signed_in, second, "promote", override="y")
    assert response.status_code == 303
    assert "no longer on the waitlist" in page_text(signed_in.client.get(response.headers["Location"] + "?lang=en"))
    with app.app_context():
        assert counters(slug)["on_site_seats"] == 3


def test_place_in_a_group_and_remove(app, signed_in, anna):
    slug = signed_in.slug
    with app.app_context():
        small, _digital = add_group_session(slug, [("Rum A", "on_site", 1), ("Zoom", "digital", 5)])
        bert = register(slug, "bert@example.se").registration.id
    assert post_detail(signed_in, anna, "group", group=str(small)).status_code == 303
    response = post_detail(signed_in, bert, "group", group=str(small))
    assert response.status_code == 303
    page = signed_in.client.get(response.headers["Location"].split("#")[0] + "?lang=en")
    assert "The group is full" in page_text(page) and "on the group's waitlist" in page_text(page)
    assert post_detail(signed_in, bert, "group", group=str(small), override="y").status_code == 303
    with app.app_context():
        assert group_counters(small) == (2, 2)

    response = post_form(signed_in.client, detail_url(slug, anna),
                         f"{detail_url(slug, anna)}/groups/{small}/remove")
    assert response.status_code == 303
    with app.app_context():
        assert group_counters(small) == (1, 2)
        assert fresh(Registration, anna).memberships == []
    response = post_form(signed_in.client, detail_url(slug, anna),
                         f"{detail_url(slug, anna)}/groups/{small}/remove")
    assert response.status_code == 404


def test_place_in_a_group_not_for_the_mode_or_unknown_is_a_form_error(app, signed_in, anna):
    with app.app_context():
        _room, digital = add_group_session(signed_in.slug, [("Rum A", "on_site", 5), ("Zoom", "digital", 5)])
    response = post_detail(signed_in, anna, "group", group=str(digital))
    assert response.status_code == 422
    assert "not open to the way this person takes part" in page_text(response)
    assert post_detail(signed_in, anna, "group", group="999999").status_code == 422
    assert post_detail(signed_in, anna, "group", group="").status_code == 422
    with app.app_context():
        assert fresh(Registration, anna).memberships == []


def test_cancel_asks_first_then_cancels_and_promotes(app, signed_in, anna):
    slug = signed_in.slug
    with app.app_context():
        register(slug, "bert@example.se")
        waiting = register(slug, "wait@example.se").registration.id
    confirm = signed_in.client.get(detail_url(slug, anna) + "/cancel?lang=en")
    assert confirm.status_code == 200 and "Yes, cancel the registration" in page_text(confirm)
    with app.app_context():
        assert fresh(Registration, anna).status == "confirmed"
    response = post_form(signed_in.client, detail_url(slug, anna) + "/cancel", detail_url(slug, anna) + "/cancel")
    assert response.status_code == 303
    with app.app_context():
        assert fresh(Registration, anna).status == "cancelled"
        assert fresh(Registration, waiting).status == "confirmed"
        assert counters(slug)["on_site_taken"] == 2
    page = signed_in.client.get(detail_url(slug, anna) + "?lang=en")
    assert "Give a place now" not in page_text(page) and 'action="' + detail_url(slug, anna) + '/mode"' not in \
        page.get_data(as_text=True)


# --- adding by hand ----------------------------------------------------------------------------

NEW = {"name": "Walk In", "email": "walkin@example.se", "sector": "business", "mode": "on_site",
       "language": "sv", "informed": "y"}


def add(signed_in, **fields):
    url = f"/manage/events/{signed_in.slug}/attendees/new?lang=en"
    return post_form(signed_in.client, url, url, **fields)


def test_add_a_registration_by_hand(app, signed_in):
    response = add(signed_in, **NEW, organisation="Gång in AB")
    assert response.status_code == 303
    with app.app_context():
        (row,) = registrations(signed_in.slug)
        assert (row.name, row.email, row.organisation, row.status) == ("Walk In", "walkin@example.se",
                                                                        "Gång in AB", "confirmed")
        assert response.headers["Location"].endswith(detail_url(signed_in.slug, row.id))
        assert [m.to_address for m in outbox()] == ["walkin@example.se"]
        assert "attendees.added" in audit_actions(signed_in.slug)


def test_add_an_address_the_mail_server_cannot_take_is_refused_with_what_was_typed(app, signed_in):
    app.config["MAIL_SMTPUTF8"] = "false"  # a server without SMTPUTF8: no å, ä or ö before the @
    response = add(signed_in, **{**NEW, "email": "åsa@example.se", "organisation": "Typed Org"})
    assert response.status_code == 422
    assert "cannot send email to an address with letters such as å, ä or ö before the @" in field_error(
        response, "email")
    assert 'value="åsa@example.se"' in response.get_data(as_text=True)
    with app.app_context():
        assert registrations(signed_in.slug) == []


def test_add_with_bad_input_keeps_what_was_typed(app, signed_in):
    response = add(signed_in, **{**NEW, "email": "not-an-address", "informed": "", "organisation": "Typed Org"})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'value="not-an-address"' in body and 'value="Walk In"' in body and 'value="Typed Org"' in body
    assert field_error(response, "email") and field_error(response, "informed")
    response = add(signed_in, **{**NEW, "email": ""})
    assert field_error(response, "email")
    with app.app_context():
        assert registrations(signed_in.slug) == []


def test_add_an_address_already_registered_links_to_it(app, signed_in, anna):
    response = add(signed_in, **{**NEW, "email": "ANNA@example.se"})
    assert response.status_code == 422
    assert "already registered" in field_error(response, "email")
    assert f'href="{detail_url(signed_in.slug, anna)}"' in response.get_data(as_text=True)
    with app.app_context():
        assert len(registrations(signed_in.slug)) == 1


def test_add_when_full_goes_to_the_waitlist_unless_overridden(app, signed_in):
    with app.app_context():
        register_many(signed_in.slug, 2)
    assert add(signed_in, **NEW).status_code == 303
    assert add(signed_in, **{**NEW, "email": "vip@example.se"}, override="y").status_code == 303
    with app.app_context():
        rows = {row.email: row.status for row in registrations(signed_in.slug)}
        assert rows["walkin@example.se"] == "waitlisted" and rows["vip@example.se"] == "confirmed"
        assert counters(signed_in.slug)["on_site_taken"] == 3 == counters(signed_in.slug)["on_site_seats"]


def test_add_with_a_full_group_says_the_group_was_not_given(app, signed_in):
    with app.app_context():
        (group,) = add_group_session(signed_in.slug, [("Rum", "on_site", 1)])
    assert add(signed_in, **NEW, group=str(group)).status_code == 303
    response = add(signed_in, **{**NEW, "email": "second@example.se", "name": "Second"}, group=str(group))

    assert response.status_code == 303
    text = page_text(signed_in.client.get(response.headers["Location"] + "?lang=en"))
    assert "Second is registered" in text and "The group is full: Second is on its waitlist" in text
    with app.app_context():
        assert group_counters(group) == (1, 1)


def test_add_on_the_waitlist_with_a_group_keeps_it_as_a_wish_shown_on_the_detail_page(app, signed_in):
    with app.app_context():
        (group,) = add_group_session(signed_in.slug, [("Rum", "on_site", 5)], title="Samtal")
        register_many(signed_in.slug, 2)
    response = add(signed_in, **NEW, group=str(group))

    text = page_text(signed_in.client.get(response.headers["Location"] + "?lang=en"))
    assert "is on the waitlist" in text and "The group is kept as their wish" in text
    assert "Group wish Samtal: Rum (chosen on the waitlist" in text
    with app.app_context():
        (row,) = registrations(signed_in.slug, status="waitlisted")
        assert row.group_wish_id == group and group_counters(group) == (0, 5)


def test_add_without_an_email_address_is_refused_by_the_rule_not_only_the_form(app, signed_in):
    from eventhub.attendees import operations
    from tests.registration.support import KEYS, event_by_slug, person

    with app.app_context(), pytest.raises(errors.MissingEmail):
        operations.add_registration(event_by_slug(signed_in.slug).id, person("  "), signed_in.user_id,
                                    datetime.now(UTC), KEYS)
    with app.app_context():
        assert registrations(signed_in.slug) == []


def test_add_with_special_answers_needs_consent(app, signed_in):
    response = add(signed_in, **NEW, dietary_needs="Vegan")
    assert response.status_code == 422 and field_error(response, "special_consent")
    assert add(signed_in, **NEW, dietary_needs="Vegan", special_consent="y").status_code == 303
    with app.app_context():
        (row,) = registrations(signed_in.slug)
        assert row.dietary_needs == "Vegan" and row.special_consent_at is not None
