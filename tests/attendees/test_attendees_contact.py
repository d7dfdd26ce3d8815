"""The organiser corrects a person's email address and sends their personal link again."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from eventhub.attendees import operations
from eventhub.registration import errors, services
from eventhub.registration.models import Registration
from tests.attendees.support import audit_entries, post_form
from tests.registration.support import (
    KEYS,
    MANAGE_LINK_PATTERN,
    event_by_slug,
    fresh,
    outbox,
    page_text,
    person,
    register,
    token_for,
)


def detail_url(slug, registration_id):
    return f"/manage/events/{slug}/attendees/{registration_id}"


def post_detail(signed_in, registration_id, action, lang="en", **fields):
    page = detail_url(signed_in.slug, registration_id)
    return post_form(signed_in.client, f"{page}?lang={lang}", f"{page}/{action}?lang={lang}", **fields)


def field_error(response, field_id) -> str:
    import re

    match = re.search(rf'<p class="field-error" id="{field_id}-error">(.*?)</p>', response.get_data(as_text=True),
                      re.DOTALL)
    return match.group(1) if match else ""


@pytest.fixture
def anna(app, signed_in):
    """Anna, on site with a place, who reads her emails in English."""
    with app.app_context():
        return register(signed_in.slug, "anna@exmaple.se", name="Anna Andersson", language="en").registration.id


# --- correcting the address ----------------------------------------------------------------------

def test_a_corrected_address_tells_both_addresses_and_only_the_new_one_gets_a_working_link(app, client, signed_in,
                                                                                             anna):
    old_token = token_for(app, "anna@exmaple.se")

    response = post_detail(signed_in, anna, "email", lang="sv", email=" Anna@Example.se ")

    assert response.status_code == 303
    with app.app_context():
        assert fresh(Registration, anna).email == "anna@example.se"
        [old] = outbox("anna@exmaple.se")[1:]
        [new] = outbox("anna@example.se")
        audit = audit_entries(signed_in.slug, "attendees.email_changed")
    # In Anna's language, whatever the organiser's page spoke.
    assert old.subject == "Your email address is changed: Forumträff"
    assert "changed the email address of your registration to a…@example.se" in old.body_text
    assert MANAGE_LINK_PATTERN.search(old.body_text) is None and old.attachment_name is None
    assert new.subject == "Your registration link: Forumträff"
    assert "here is your personal link" in new.body_text and new.attachment_name == "ticket.png"
    # The link and ticket that went to the mistyped address stop working; the new ones work.
    new_token = MANAGE_LINK_PATTERN.search(new.body_text).group(1)
    assert client.get(f"/r/{old_token}").status_code == 404
    assert client.get(f"/r/{new_token}").status_code == 200
    # Logged, by id, without either address.
    assert len(audit) == 1 and audit[0].user_id == signed_in.user_id
    assert "example" not in audit[0].summary + str(audit[0].details)


@pytest.mark.parametrize("typed", ["anna@example..se", "anna", "anna @example.se", "anna@", "anna@example"])
def test_a_malformed_address_is_refused_next_to_the_field_and_kept(app, signed_in, anna, typed):
    response = post_detail(signed_in, anna, "email", email=typed)

    assert response.status_code == 422
    assert field_error(response, "new-email") == "Enter an email address like name@example.se."
    assert 'value="' + typed.strip() + '"' in response.get_data(as_text=True)
    with app.app_context():
        assert fresh(Registration, anna).email == "anna@exmaple.se"
        assert len(outbox()) == 1  # only Anna's confirmation


@pytest.mark.parametrize("cancelled", [False, True], ids=["active", "cancelled"])
def test_an_address_another_registration_of_the_event_has_is_refused_with_a_link_to_it(app, signed_in, anna,
                                                                                      cancelled):
    with app.app_context():
        bert = register(signed_in.slug, "bert@example.se", name="Bert Berg").registration.id
        if cancelled:
            services.cancel(bert, datetime.now(UTC), KEYS)
        mails = len(outbox())

    response = post_detail(signed_in, anna, "email", email="BERT@example.se")

    assert response.status_code == 422
    assert "Another registration of this event already uses that address." in field_error(response, "new-email")
    assert f'href="{detail_url(signed_in.slug, bert)}"' in response.get_data(as_text=True)
    with app.app_context():
        assert fresh(Registration, anna).email == "anna@exmaple.se"
        assert len(outbox()) == mails
        assert audit_entries(signed_in.slug, "attendees.email_changed") == []


def test_the_same_address_again_changes_nothing_and_sends_nothing(app, signed_in, anna):
    response = post_detail(signed_in, anna, "email", email="ANNA@exmaple.se")
    assert response.status_code == 303
    with app.app_context():
        assert len(outbox()) == 1 and audit_entries(signed_in.slug, "attendees.email_changed") == []


def test_a_walk_in_without_an_address_gets_one_and_only_the_new_address_is_emailed(app, signed_in):
    with app.app_context():
        event = event_by_slug(signed_in.slug)
        walk_in = services.register(event.id, person("", name="Dörr Dan"), datetime.now(UTC), KEYS,
                                    organiser=True).registration.id
    response = post_detail(signed_in, walk_in, "email", email="dan@example.se")
    assert response.status_code == 303 and response.location.endswith("#email")
    assert "The address is added and Dörr Dan is emailed the personal link." in page_text(
        signed_in.client.get(response.location))
    with app.app_context():
        assert [m.to_address for m in outbox()] == ["dan@example.se"]
        assert audit_entries(signed_in.slug, "attendees.email_changed")[0].details["had_address"] is False


def test_the_address_of_a_cancelled_registration_is_not_changed(app, signed_in, anna):
    with app.app_context():
        services.cancel(anna, datetime.now(UTC), KEYS)
    response = post_detail(signed_in, anna, "email", email="anna@example.se")
    assert response.status_code == 303
    assert "This registration is cancelled." in page_text(signed_in.client.get(response.location))
    with app.app_context():
        assert fresh(Registration, anna).email == "anna@exmaple.se"


# --- sending the personal link again ---------------------------------------------------------------

def test_the_link_is_sent_again_in_the_persons_language_and_the_page_says_when(app, signed_in, anna):
    response = post_detail(signed_in, anna, "link", lang="sv")

    assert response.status_code == 303
    with app.app_context():
        confirmation, message = outbox("anna@exmaple.se")
        assert message.subject == "Your registration link: Forumträff"
        assert "are sending you your personal link" in message.body_text
        assert "You have a place." in message.body_text and message.attachment_name == "ticket.png"
        assert MANAGE_LINK_PATTERN.search(message.body_text).group(1) == \
            MANAGE_LINK_PATTERN.search(confirmation.body_text).group(1)
        assert fresh(Registration, anna).link_sent_at is not None
        assert len(audit_entries(signed_in.slug, "attendees.link_sent")) == 1
    page = page_text(signed_in.client.get(detail_url(signed_in.slug, anna) + "?lang=en"))
    assert "Last sent by an organiser" in page


def test_the_link_is_not_sent_twice_within_the_pause(app, signed_in, anna):
    assert post_detail(signed_in, anna, "link").status_code == 303
    response = post_detail(signed_in, anna, "link")
    assert response.status_code == 303
    assert "it can be sent again from" in page_text(signed_in.client.get(response.location))
    with app.app_context():
        assert len(outbox("anna@exmaple.se")) == 2  # the confirmation and one link
        assert len(audit_entries(signed_in.slug, "attendees.link_sent")) == 1


def test_the_link_may_be_sent_again_once_the_pause_is_over(app, signed_in, anna):
    with app.app_context():
        event_id, now = event_by_slug(signed_in.slug).id, datetime.now(UTC)
        operations.send_link(event_id, anna, signed_in.user_id, now, KEYS)
        with pytest.raises(operations.LinkSentRecently):
            operations.send_link(event_id, anna, signed_in.user_id, now + operations.LINK_PAUSE - timedelta(seconds=1),
                                 KEYS)
        operations.send_link(event_id, anna, signed_in.user_id, now + operations.LINK_PAUSE, KEYS)
        assert len(outbox("anna@exmaple.se")) == 3


@pytest.mark.parametrize("state, says, ticket", [
    ("waitlisted", "You are on the waitlist.", False),
    ("cancelled", "On your page you can still download or erase your data:", False),
])
def test_the_link_email_says_where_the_person_stands(app, signed_in, state, says, ticket):
    slug = signed_in.slug
    with app.app_context():
        register(slug, "first@example.se")
        register(slug, "second@example.se")
        cia = register(slug, "cia@example.se", language="en").registration.id  # the on-site waitlist
        if state == "cancelled":
            services.cancel(cia, datetime.now(UTC), KEYS)
        event_id = event_by_slug(slug).id
        operations.send_link(event_id, cia, signed_in.user_id, datetime.now(UTC), KEYS)
        message = outbox("cia@example.se")[-1]
    assert says in message.body_text and MANAGE_LINK_PATTERN.search(message.body_text)
    assert (message.attachment_name is not None) is ticket


def test_no_link_is_sent_to_a_registration_without_an_address(app, signed_in):
    with app.app_context():
        event = event_by_slug(signed_in.slug)
        walk_in = services.register(event.id, person("", name="Dörr Dan"), datetime.now(UTC), KEYS,
                                    organiser=True).registration.id
        with pytest.raises(errors.MissingEmail):
            operations.send_link(event.id, walk_in, signed_in.user_id, datetime.now(UTC), KEYS)
    page = signed_in.client.get(detail_url(signed_in.slug, walk_in) + "?lang=en").get_data(as_text=True)
    assert "/link" not in page
