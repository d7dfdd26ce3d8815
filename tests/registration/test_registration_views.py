"""The registration form and the attendee's own page through the test client (eventhub.registration.views)."""
from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pytest

from config import TestingConfig
from eventhub import create_app
from eventhub.extensions import db
from eventhub.groups.models import GroupMembership
from eventhub.mail.models import OutboxMessage
from eventhub.registration.models import Registration
from tests.registration.support import (
    FORM,
    add_group_session,
    count,
    csrf_of,
    csrf_token,
    event_by_slug,
    html_of,
    memberships,
    outbox,
    page_text,
    post_manage,
    post_registration,
    register,
    registrations,
    token_for,
)

NOW = datetime.now(UTC)
BORAS = "integration-i-arbetslivet"
def registration_for(app, email) -> Registration:
    with app.app_context():
        registration = db.session.scalar(db.select(Registration).where(Registration.email == email))
        db.session.expunge_all()
        return registration


def field_error(response, field_id) -> str:
    match = re.search(rf'<p class="field-error" id="{field_id}-error">(.*?)</p>', html_of(response), re.S)
    assert match, f"no error shown next to {field_id}"
    return html.unescape(match.group(1)).strip()


def registration_section(response) -> str:
    match = re.search(r'<section id="registration".*?</section>', html_of(response), re.S)
    assert match
    return match.group(0)


# --- the form ---------------------------------------------------------------------------------------


def test_event_page_shows_registration_form(client, make_event):
    slug = make_event(on_site_seats=10, digital_seats=5)

    response = client.get(f"/events/{slug}")

    section = registration_section(response)
    assert f'action="/events/{slug}/register#registration"' in section
    assert 'name="csrf_token"' in section and 'name="email"' in section
    assert 'value="on_site"' in section and 'value="digital"' in section
    assert "10 platser kvar" in html.unescape(section) and "5 platser kvar" in html.unescape(section)


def test_event_page_with_audience_preselects_that_mode(client, make_event):
    slug = make_event()

    section = registration_section(client.get(f"/events/{slug}?audience=digital"))

    assert re.search(r'value="digital"\s+checked', section)
    assert not re.search(r'value="on_site"\s+checked', section)


def test_register_page_shows_form(client, make_event):
    slug = make_event(title="Forumträff i Borås")

    response = client.get(f"/events/{slug}/register")

    assert response.status_code == 200
    assert "Anmäl dig: Forumträff i Borås" in page_text(response)
    assert 'name="privacy"' in html_of(response)


def test_register_page_full_mode_says_waitlist(client, make_event):
    slug = make_event(on_site_seats=0, digital_seats=3)

    text = page_text(client.get(f"/events/{slug}/register"))

    assert "Fullt: du hamnar på reservlistan" in text
    assert "3 platser kvar" in text


def test_register_unknown_event_is_404(client):
    assert client.get("/events/no-such-event/register").status_code == 404


def test_register_draft_event_is_404(client, make_event):
    slug = make_event(status="draft")

    assert client.get(f"/events/{slug}/register").status_code == 404


def test_register_valid_post_redirects_to_registered_page(app, client, make_event):
    slug = make_event()

    response = post_registration(client, slug, email=" Anna@Example.SE ")

    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/events/{slug}/registered")
    page = client.get(response.headers["Location"])
    assert "Du har en plats i lokalen." in page_text(page)
    assert "anna@example.se" in page_text(page)
    with app.app_context():
        [registration] = registrations(slug)
        assert (registration.email, registration.status, registration.sector) == (
            "anna@example.se", "confirmed", "business")
        assert registration.privacy_accepted_at is not None


def test_register_english_language_choice_sends_english_email(app, client, make_event):
    slug = make_event()

    post_registration(client, slug, language="en")

    with app.app_context():
        [message] = outbox("anna@example.se")
        assert message.subject == "You are registered: Forumträff"


def test_register_empty_post_shows_each_error_next_to_its_field_in_swedish(app, client, make_event):
    slug = make_event()
    token = csrf_of(client, f"/events/{slug}/register")

    response = client.post(f"/events/{slug}/register", data={"csrf_token": token, "language": "sv"})

    assert response.status_code == 422
    assert field_error(response, "mode") == "Välj hur du vill delta."
    assert field_error(response, "name") == "Skriv ditt namn."
    assert field_error(response, "email") == "Skriv din e-postadress."
    assert field_error(response, "sector") == "Välj den sektor du arbetar inom."
    assert field_error(response, "privacy") == "Du behöver godkänna integritetsmeddelandet för att anmäla dig."
    assert 'id="error-summary"' in html_of(response)
    with app.app_context():
        assert count(Registration) == 0 and count(OutboxMessage) == 0


def test_register_invalid_post_keeps_typed_values(app, client, make_event):
    slug = make_event()

    response = post_registration(
        client, slug, name="Anna <Svensson>", email="anna@example", organisation="Högskolan i Borås",
        role_title="Lektor", sector="academia", mode="digital", dietary_needs="Glutenfritt",
        accessibility_needs="Hörslinga", special_consent=None,
    )

    assert response.status_code == 422
    body = html_of(response)
    assert field_error(response, "email") == "Skriv en e-postadress som namn@exempel.se."
    assert field_error(response, "special_consent").startswith("För att spara specialkost")
    assert 'value="Anna &lt;Svensson&gt;"' in body  # kept, and escaped
    assert 'value="anna@example"' in body
    assert 'value="Högskolan i Borås"' in body and 'value="Lektor"' in body
    assert re.search(r'value="academia"\s+checked', body)
    assert re.search(r'value="digital"\s+checked', body)
    assert ">Glutenfritt</textarea>" in body and ">Hörslinga</textarea>" in body
    assert re.search(r'id="privacy" name="privacy" value="y"\s+checked', body)
    with app.app_context():
        assert count(Registration) == 0


def test_register_too_long_name_refused(client, make_event):
    slug = make_event()

    response = post_registration(client, slug, name="A" * 201)

    assert response.status_code == 422
    assert field_error(response, "name") == "Högst 200 tecken."


def test_register_errors_in_english_when_chosen(client, make_event):
    slug = make_event()
    client.get("/language/en")
    token = csrf_of(client, f"/events/{slug}/register")

    response = client.post(f"/events/{slug}/register", data={"csrf_token": token, "language": "en"})

    assert field_error(response, "name") == "Enter your name."


def test_register_post_without_csrf_token_refused_and_nothing_stored(app, client, make_event):
    slug = make_event()
    client.get(f"/events/{slug}/register")  # a session exists, but the token is not sent

    response = client.post(f"/events/{slug}/register", data=FORM)

    assert response.status_code == 400
    assert "Formuläret hade gått ut, så inget sparades." in page_text(response)
    assert 'value="Anna Svensson"' in html_of(response)  # what was typed comes back
    assert 'class="site-header"' in html_of(response)
    with app.app_context():
        assert count(Registration) == 0 and count(OutboxMessage) == 0


def test_register_post_with_wrong_csrf_token_refused(app, client, make_event):
    slug = make_event()
    client.get(f"/events/{slug}/register")

    response = client.post(f"/events/{slug}/register", data={**FORM, "csrf_token": "forged"})

    assert response.status_code == 400
    with app.app_context():
        assert count(Registration) == 0


def test_register_mode_not_offered_shows_error(app, client, make_event):
    slug = make_event(format="on_site")

    response = post_registration(client, slug, mode="digital")

    assert response.status_code == 422
    with app.app_context():
        assert count(Registration) == 0


@pytest.mark.parametrize(("overrides", "message"), [
    ({"registration_opens_at": NOW + timedelta(days=2)}, "Anmälan har inte öppnat än."),
    ({"registration_closes_at": NOW - timedelta(hours=1)}, "Anmälan är stängd."),
    ({"status": "cancelled"}, "Evenemanget är inställt, så anmälan är stängd."),
    ({"starts_at": NOW - timedelta(days=3)}, "Evenemanget har ägt rum."),
])
def test_register_closed_shows_message_not_form(app, client, make_event, overrides, message):
    slug = make_event(**overrides)
    token = csrf_of(client, f"/events/{make_event()}/register")  # the session's token serves every form

    for url in (f"/events/{slug}", f"/events/{slug}/register"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert message in page_text(response), url
        assert 'name="email"' not in html_of(response), url
    post = client.post(f"/events/{slug}/register", data={**FORM, "csrf_token": token})
    assert post.status_code == 422
    assert message in page_text(post)
    with app.app_context():
        assert count(Registration) == 0


def test_register_not_open_yet_says_when_it_opens(client, make_event):
    opens = datetime(2031, 3, 14, 8, 0, tzinfo=UTC)
    slug = make_event(starts_at=opens + timedelta(days=10), registration_opens_at=opens)

    text = page_text(client.get(f"/events/{slug}/register"))

    assert "Den öppnar 14 mars 2031 09:00." in text


def test_registered_page_for_an_address_already_registered_reveals_nothing(app, make_event):
    slug = make_event()
    first, second, stranger = app.test_client(), app.test_client(), app.test_client()

    new = post_registration(first, slug)
    duplicate = post_registration(second, slug, email="ANNA@example.se ", name="Someone Else")

    assert new.status_code == duplicate.status_code == 303
    assert new.headers["Location"] == duplicate.headers["Location"]
    # Neither the address's owner nor someone who never registered in this browser sees a registration.
    for page in (second.get(duplicate.headers["Location"]), stranger.get(new.headers["Location"])):
        assert "Titta i din e-post" in page_text(page)
        assert "/r/" not in html_of(page)
        assert not any(word in page_text(page) for word in ("Anna Svensson", "Someone Else", "Du har en plats"))
    with app.app_context():
        assert len(registrations(slug)) == 1
        assert [m.subject for m in outbox("anna@example.se")] == [
            "Du är anmäld: Forumträff", "Din anmälningslänk: Forumträff"]


# --- the attendee's page ---------------------------------------------------------------------------


def test_manage_page_shows_status_and_details(app, client, make_event):
    slug = make_event(venue_name="Textile Fashion Center")
    post_registration(client, slug)
    token = token_for(app, "anna@example.se")

    response = client.get(f"/r/{token}")

    assert response.status_code == 200
    text = page_text(response)
    assert "Du har en plats i lokalen." in text
    assert "Anna Svensson" in text and "anna@example.se" in text
    assert "Textile Fashion Center" in text
    assert 'name="robots" content="noindex"' in html_of(response)


def test_manage_page_waitlisted_says_waitlist(app, client, make_event):
    slug = make_event(on_site_seats=0)
    post_registration(client, slug)

    text = page_text(client.get(f"/r/{token_for(app, 'anna@example.se')}"))

    assert "Du står på reservlistan: nummer 1." in text
    assert "Du har en plats" not in text


def test_manage_page_programme_only_shows_own_modes_items(app, demo):
    on_site, digital = app.test_client(), app.test_client()
    post_registration(on_site, BORAS, email="plats@example.se", mode="on_site")
    post_registration(digital, BORAS, email="digital@example.se", mode="digital")

    on_site_text = page_text(on_site.get(f"/r/{token_for(app, 'plats@example.se')}"))
    digital_text = page_text(digital.get(f"/r/{token_for(app, 'digital@example.se')}"))

    assert "En väg in i sysselsättning" in on_site_text
    assert "Arbetsmarknadsintegration, tack vare i stället för trots allt" not in on_site_text
    assert "Arbetsmarknadsintegration, tack vare i stället för trots allt" in digital_text
    assert "En väg in i sysselsättning" not in digital_text
    for text in (on_site_text, digital_text):  # items for everyone are in both
        assert "Hållbar arbetsmarknadsintegration" in text


def test_manage_page_never_shows_join_url_before_start(app, client, make_event):
    slug = make_event(join_url="https://meet.example.org/secret-room")
    post_registration(client, slug, mode="digital")

    body = html_of(client.get(f"/r/{token_for(app, 'anna@example.se')}"))

    assert "secret-room" not in body


def test_ticket_svg_for_confirmed_on_site(app, client, make_event):
    slug = make_event()
    post_registration(client, slug)
    token = token_for(app, "anna@example.se")

    page = html_of(client.get(f"/r/{token}"))
    response = client.get(f"/r/{token}/ticket.svg")

    assert f'src="/r/{token}/ticket.svg"' in page
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert "<svg" in html_of(response)
    assert "no-store" in response.headers["Cache-Control"]


@pytest.mark.parametrize(("seats", "mode"), [(5, "digital"), (0, "on_site")])
def test_ticket_svg_not_for_digital_or_waitlisted(app, client, make_event, seats, mode):
    slug = make_event(on_site_seats=seats, digital_seats=seats)
    post_registration(client, slug, mode=mode)
    token = token_for(app, "anna@example.se")

    assert "ticket.svg" not in html_of(client.get(f"/r/{token}"))
    assert client.get(f"/r/{token}/ticket.svg").status_code == 404


def test_ticket_svg_gone_after_cancel(app, client, make_event):
    slug = make_event()
    post_registration(client, slug)
    token = token_for(app, "anna@example.se")
    assert client.get(f"/r/{token}/ticket.svg").status_code == 200

    client.post(f"/r/{token}/cancel", data={"csrf_token": csrf_of(client, f"/r/{token}/cancel")})

    assert client.get(f"/r/{token}/ticket.svg").status_code == 404


def test_manage_change_mode(app, client, make_event):
    slug = make_event(on_site_seats=5, digital_seats=5)
    post_registration(client, slug)
    token = token_for(app, "anna@example.se")

    response = post_manage(client, token, "mode", mode="digital")

    assert response.status_code == 303
    assert "Din anmälan är ändrad." in page_text(client.get(response.headers["Location"]))
    assert registration_for(app, "anna@example.se").mode == "digital"
    with app.app_context():
        event = event_by_slug(slug)
        assert (event.on_site_taken, event.digital_taken) == (0, 1)


def test_manage_change_mode_to_full_mode_keeps_registration(app, client, make_event):
    slug = make_event(on_site_seats=5, digital_seats=0)
    post_registration(client, slug)
    token = token_for(app, "anna@example.se")

    response = post_manage(client, token, "mode", mode="digital")

    assert response.status_code == 303
    assert 'class="flash flash-error"' in html_of(client.get(response.headers["Location"]))
    registration = registration_for(app, "anna@example.se")
    assert (registration.mode, registration.status) == ("on_site", "confirmed")


def test_manage_change_mode_invalid_choice_is_422(app, client, make_event):
    slug = make_event(format="hybrid")
    post_registration(client, slug)
    token = token_for(app, "anna@example.se")

    response = post_manage(client, token, "mode", mode="hologram")

    assert response.status_code == 422
    assert registration_for(app, "anna@example.se").mode == "on_site"


def test_manage_choose_group(app, client, make_event):
    slug = make_event(group_choice_open=True)
    with app.app_context():
        on_site_group, digital_group = add_group_session(
            slug, [("Samverkan för ökad social hållbarhet", "on_site", 5), ("Digital grupp", "digital", 5)])
    post_registration(client, slug)
    token = token_for(app, "anna@example.se")
    page = html_of(client.get(f"/r/{token}"))
    assert "Samverkan för ökad social hållbarhet" in page
    assert f'value="{digital_group}"' not in page  # not offered to an on-site person here

    response = post_manage(client, token, "group", group=str(on_site_group))

    assert response.status_code == 303
    after = client.get(response.headers["Location"])
    assert "Du har en plats i gruppen Samverkan för ökad social hållbarhet." in page_text(after)
    assert "Din grupp: Samverkan för ökad social hållbarhet" in page_text(after)
    with app.app_context():
        assert [m.status for m in memberships(on_site_group)] == ["confirmed"]


def test_manage_choose_group_of_other_mode_refused(app, client, make_event):
    slug = make_event(group_choice_open=True)
    with app.app_context():
        [digital_group] = add_group_session(slug, [("Digital grupp", "digital", 5)])
    post_registration(client, slug)
    token = token_for(app, "anna@example.se")

    response = post_manage(client, token, "group", group=str(digital_group))

    assert response.status_code == 303
    assert 'class="flash flash-error"' in html_of(client.get(response.headers["Location"]))
    with app.app_context():
        assert count(GroupMembership) == 0


def test_manage_choose_full_group_says_waitlist(app, make_event):
    slug = make_event(group_choice_open=True)
    with app.app_context():
        [group] = add_group_session(slug, [("Liten grupp", "on_site", 1)])
        register(slug, "first@example.se", group_id=group)
    client = app.test_client()
    post_registration(client, slug)
    token = token_for(app, "anna@example.se")

    response = post_manage(client, token, "group", group=str(group))

    text = page_text(client.get(response.headers["Location"]))
    assert "Gruppen Liten grupp är full: du står på dess reservlista och är inte med i gruppen än." in text
    assert "Gruppens reservlista Liten grupp" in text  # in the programme too, never as "Din grupp"


def test_manage_update_answers_with_consent_saved(app, client, make_event):
    slug = make_event()
    post_registration(client, slug)
    token = token_for(app, "anna@example.se")

    response = post_manage(client, token, "answers", dietary_needs="Vegan", special_consent="y")

    assert response.status_code == 303
    assert "Dina svar är sparade." in page_text(client.get(response.headers["Location"]))
    registration = registration_for(app, "anna@example.se")
    assert registration.dietary_needs == "Vegan" and registration.special_consent_at is not None


def test_manage_update_answers_without_consent_refused(app, client, make_event):
    slug = make_event()
    post_registration(client, slug)
    token = token_for(app, "anna@example.se")

    response = post_manage(client, token, "answers", dietary_needs="Vegan")

    assert response.status_code == 422
    assert field_error(response, "special_consent").startswith("För att spara specialkost")
    assert ">Vegan</textarea>" in html_of(response)
    assert registration_for(app, "anna@example.se").dietary_needs == ""


def test_manage_cancel_asks_before_cancelling(app, client, make_event):
    slug = make_event()
    post_registration(client, slug)
    token = token_for(app, "anna@example.se")

    confirm = client.get(f"/r/{token}/cancel")

    assert confirm.status_code == 200
    assert "Ja, avanmäl mig" in page_text(confirm)
    assert f'action="/r/{token}/cancel"' in html_of(confirm)
    assert registration_for(app, "anna@example.se").status == "confirmed"

    response = client.post(f"/r/{token}/cancel", data={"csrf_token": csrf_token(html_of(confirm))})

    assert response.status_code == 303
    assert "Du är avanmäld." in page_text(client.get(response.headers["Location"]))
    assert registration_for(app, "anna@example.se").status == "cancelled"
    with app.app_context():
        assert event_by_slug(slug).on_site_taken == 0
        assert outbox("anna@example.se")[-1].subject == "Avanmäld: Forumträff"


def test_manage_cancel_without_csrf_token_refused(app, client, make_event):
    slug = make_event()
    post_registration(client, slug)
    token = token_for(app, "anna@example.se")

    response = client.post(f"/r/{token}/cancel")

    assert response.status_code == 400
    assert "Formuläret hade gått ut, så inget sparades." in page_text(response)
    assert 'class="site-header"' in html_of(response)
    assert registration_for(app, "anna@example.se").status == "confirmed"


def test_manage_cancelled_page_offers_no_changes(app, client, make_event):
    slug = make_event()
    post_registration(client, slug)
    token = token_for(app, "anna@example.se")
    client.post(f"/r/{token}/cancel", data={"csrf_token": csrf_of(client, f"/r/{token}/cancel")})

    page = client.get(f"/r/{token}")
    confirm = client.get(f"/r/{token}/cancel")

    assert "Du är avanmäld." in page_text(page)
    assert f"/r/{token}/mode" not in html_of(page)
    assert "Ja, avanmäl mig" not in page_text(confirm)


@pytest.mark.parametrize("path", ["", "/cancel", "/ticket.svg"])
def test_manage_unknown_token_is_404(client, path):
    response = client.get(f"/r/{'A' * 32}{path}")

    assert response.status_code == 404
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_manage_pages_send_no_referrer(app, client, make_event):
    slug = make_event()
    post_registration(client, slug)
    token = token_for(app, "anna@example.se")

    for path in ("", "/cancel", "/ticket.svg"):
        response = client.get(f"/r/{token}{path}")
        assert response.status_code == 200, path
        assert response.headers["Referrer-Policy"] == "no-referrer", path
        assert "private" in response.headers["Cache-Control"], path


def test_public_pages_keep_default_referrer_policy(client, make_event):
    slug = make_event()

    assert "Referrer-Policy" not in client.get(f"/events/{slug}").headers


# --- the rate limit ---------------------------------------------------------------------------------


@pytest.fixture
def limited_app(app, database):
    """A second app on the same database with the registration rate limit on."""
    limited = create_app(TestingConfig, RATELIMIT_ENABLED=True, REGISTRATION_RATE_LIMIT="3 per minute",
                         RATELIMIT_STORAGE_URI="memory://", **database)
    yield limited
    with limited.app_context():
        db.session.remove()
        db.engine.dispose()


def test_register_fourth_post_in_a_minute_gets_429_in_site_layout(limited_app, make_event):
    slug = make_event()
    client = limited_app.test_client()
    token = csrf_of(client, f"/events/{slug}/register")

    statuses = [
        client.post(f"/events/{slug}/register",
                    data={**FORM, "email": f"person{i}@example.se", "csrf_token": token}).status_code
        for i in range(3)
    ]
    fourth = client.post(f"/events/{slug}/register",
                         data={**FORM, "name": "Fjärde Försöket", "email": "fourth@example.se", "csrf_token": token})

    assert statuses == [303, 303, 303]
    assert fourth.status_code == 429
    body = html_of(fourth)
    assert 'class="site-header"' in body and 'class="site-footer"' in body
    assert '<html lang="sv">' in body
    assert 'id="error-summary"' in body
    assert 'value="Fjärde Försöket"' in body
    assert client.get(f"/events/{slug}/register").status_code == 200  # reading the form is not limited
    with limited_app.app_context():
        assert count(Registration) == 3
        assert count(Registration, Registration.email == "fourth@example.se") == 0


@pytest.fixture
def default_limits_app(app, database):
    """A second app on the same database with the rate limits on, at their defaults."""
    limited = create_app(TestingConfig, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://", **database)
    yield limited
    with limited.app_context():
        db.session.remove()
        db.engine.dispose()


OFFICE = {"REMOTE_ADDR": "192.0.2.80"}  # one municipal office's network: everyone has its address


def _register_from(client, slug, token, email, address=OFFICE, **fields):
    return client.post(f"/events/{slug}/register", environ_base=address,
                       data={**FORM, "email": email, "csrf_token": token, **fields}).status_code


def test_thirty_colleagues_behind_one_address_register_in_a_minute(default_limits_app, make_event):
    slug = make_event(on_site_seats=40)
    colleagues = [default_limits_app.test_client() for _ in range(30)]
    tokens = [csrf_of(client, f"/events/{slug}/register") for client in colleagues]

    # Everyone sends the form once without consenting to the privacy notice, then again.
    corrected = [_register_from(client, slug, token, f"kollega{n}@boras.se", privacy="")
                 for n, (client, token) in enumerate(zip(colleagues, tokens, strict=True))]
    statuses = [_register_from(client, slug, token, f"kollega{n}@boras.se")
                for n, (client, token) in enumerate(zip(colleagues, tokens, strict=True))]

    assert corrected == [422] * 30
    assert statuses == [303] * 30
    with default_limits_app.app_context():
        assert count(Registration) == 30


def test_one_email_address_registered_again_and_again_is_limited_from_any_address(default_limits_app, make_event):
    slug = make_event()
    client = default_limits_app.test_client()
    token = csrf_of(client, f"/events/{slug}/register")

    statuses = [_register_from(client, slug, token, " Anna@Example.se", {"REMOTE_ADDR": f"192.0.2.{n}"})
                for n in range(1, 8)]
    someone_else = _register_from(client, slug, token, "berit@example.se", {"REMOTE_ADDR": "192.0.2.7"})

    assert statuses == [303] * 5 + [429] * 2
    assert someone_else == 303
    with default_limits_app.app_context():
        assert count(OutboxMessage, OutboxMessage.to_address == "anna@example.se") == 5
