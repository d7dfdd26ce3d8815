"""The privacy notice per event: the standard text, the organiser's edits, its version, the links to it."""
from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from eventhub.extensions import db
from eventhub.privacy import services
from eventhub.privacy.models import EventPrivacy
from tests.attendees.support import sign_in, staff_member
from tests.privacy.support import page_csrf
from tests.registration.support import event_by_slug, page_text


def _notice(client, slug, lang="en"):
    response = client.get(f"/events/{slug}/privacy?lang={lang}")
    assert response.status_code == 200
    return page_text(response)


def _event_form(event, **privacy):
    zone = ZoneInfo(event.timezone)
    local = lambda moment: moment.astimezone(zone).strftime("%Y-%m-%dT%H:%M")  # noqa: E731
    return {"title": event.title, "format": event.format, "timezone": event.timezone, "language": event.language,
            "starts_at": local(event.starts_at), "ends_at": local(event.ends_at),
            "organiser_name": event.organiser_name or "", "contact_email": event.contact_email or "", **privacy}


def _organiser(app, client, slug):
    staff_member(app, slug, "org@example.se", "organiser")
    sign_in(client, "org@example.se")


def test_the_standard_notice_names_controller_purpose_data_and_periods(client, app, upcoming):
    text = _notice(client, upcoming)
    assert "Agenda 2030 i Väst is the data controller" in text
    assert "kontakt@example.se" in text
    assert "We use your registration to run the event" in text
    assert "Dietary and accessibility answers are deleted 30 days after the event" in text
    assert "Your registration is anonymised 365 days after the event" in text
    assert "download everything we keep about you" in text
    with app.app_context():
        event = event_by_slug(upcoming)
        deleted_on = (event.ends_at + timedelta(days=30)).astimezone(ZoneInfo(event.timezone)).year
        version = services.notice_for(event).version
    assert str(deleted_on) in text
    assert f"Version of this notice: {version}" in text


def test_the_standard_notice_is_in_swedish_by_default(client, upcoming):
    text = page_text(client.get(f"/events/{upcoming}/privacy"))
    assert "Integritet" in text or "integritet" in text
    assert "Privacy notice" not in text


def test_the_notice_follows_the_events_settings(client, app, upcoming):
    with app.app_context():
        event = event_by_slug(upcoming)
        before = services.notice_for(event).version
        db.session.add(EventPrivacy(event_id=event.id, controller_name="Borås Stad",
                                    controller_contact="dataskydd@boras.se", notice_text="Vi använder **bara** "
                                    "namn och e-post.", special_retention_days=1, anonymise_after_days=90))
        db.session.commit()
        after = services.notice_for(event_by_slug(upcoming)).version
    assert before != after
    body = client.get(f"/events/{upcoming}/privacy?lang=en").get_data(as_text=True)
    text = _notice(client, upcoming)
    assert "Borås Stad is the data controller" in text and "dataskydd@boras.se" in text
    assert '<div class="organiser-text" lang="sv"><p>Vi använder <strong>bara</strong> namn och e-post.</p>' in body
    assert "We use your registration to run the event" not in text  # the organiser's words replace the standard
    assert "deleted 1 day after the event" in text and "anonymised 90 days after the event" in text
    assert "Door hosts see your name, organisation and discussion group" in text  # always stated


def test_the_version_changes_with_any_visible_change_and_only_then(app_ctx, upcoming):
    event = event_by_slug(upcoming)
    version = services.notice_for(event).version
    services.apply_settings(event, services.PrivacySettings())  # the defaults, now stored: nothing visible changed
    db.session.commit()
    assert services.notice_for(event).version == version
    event.organiser_name = "Västra Götalandsregionen"  # the controller shown changes
    db.session.commit()
    assert services.notice_for(event).version != version


def test_the_registration_form_links_the_notice_and_states_the_events_period(client, app, upcoming):
    with app.app_context():
        db.session.add(EventPrivacy(event_id=event_by_slug(upcoming).id, special_retention_days=14))
        db.session.commit()
    body = client.get(f"/events/{upcoming}/register?lang=en").get_data(as_text=True)
    assert f'href="/events/{upcoming}/privacy"' in body
    assert "delete them 14 days after the event" in body


def test_organisers_edit_the_notice_and_periods_on_the_event_form(client, app, upcoming):
    _organiser(app, client, upcoming)
    form = client.get(f"/manage/events/{upcoming}/edit?lang=en").get_data(as_text=True)
    for name in ("privacy_controller", "privacy_contact", "privacy_notice", "special_retention_days",
                 "anonymise_after_days", "photo_retention_days"):
        assert f'name="{name}"' in form
    assert 'id="special_retention_days" name="special_retention_days" type="number" value="30"' in form
    with app.app_context():
        data = _event_form(event_by_slug(upcoming), privacy_controller="Borås Stad", privacy_contact="dpo@boras.se",
                           privacy_notice="Vårt eget meddelande.", special_retention_days="10",
                           anonymise_after_days="180", photo_retention_days="730")
    data["csrf_token"] = page_csrf(client, f"/manage/events/{upcoming}/edit")
    response = client.post(f"/manage/events/{upcoming}/edit", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)
    with app.app_context():
        settings = services.settings_of(event_by_slug(upcoming))
    assert settings == services.PrivacySettings("Borås Stad", "dpo@boras.se", "Vårt eget meddelande.", 10, 180, 730)
    again = client.get(f"/manage/events/{upcoming}/edit").get_data(as_text=True)
    assert 'value="180"' in again and 'value="730"' in again and "Vårt eget meddelande." in again


def test_answers_cannot_outlive_the_registration(client, app, upcoming):
    _organiser(app, client, upcoming)
    with app.app_context():
        data = _event_form(event_by_slug(upcoming), special_retention_days="400", anonymise_after_days="365")
    data["csrf_token"] = page_csrf(client, f"/manage/events/{upcoming}/edit")
    response = client.post(f"/manage/events/{upcoming}/edit?lang=en", data=data)
    assert response.status_code == 422
    assert "Registrations cannot be anonymised before the dietary and accessibility answers are deleted" in \
        page_text(response)
    data["anonymise_after_days"] = "0"
    response = client.post(f"/manage/events/{upcoming}/edit?lang=en", data=data)
    assert response.status_code == 422 and "Enter a number of days from 1 to 3650." in page_text(response)
    data.update(special_retention_days="30", anonymise_after_days="365", photo_retention_days="0")  # empty keeps photos
    response = client.post(f"/manage/events/{upcoming}/edit?lang=en", data=data)
    assert response.status_code == 422 and "Enter a number of days from 1 to 3650." in page_text(response)
    assert 'name="photo_retention_days" type="number" value="0"' in response.get_data(as_text=True)  # kept as typed
    with app.app_context():
        assert event_by_slug(upcoming).privacy is None


def test_an_event_form_without_the_privacy_fields_keeps_the_defaults(client, app, upcoming):
    """Older clients and scripts that post only the event's own fields still work."""
    _organiser(app, client, upcoming)
    with app.app_context():
        data = _event_form(event_by_slug(upcoming))
    data["csrf_token"] = page_csrf(client, f"/manage/events/{upcoming}/edit")
    assert client.post(f"/manage/events/{upcoming}/edit", data=data).status_code == 303
    with app.app_context():
        assert services.settings_of(event_by_slug(upcoming)) == services.PrivacySettings()


def test_a_duplicate_keeps_the_privacy_settings(app, upcoming):
    from eventhub.events import operations

    organiser = staff_member(app, upcoming, "org@example.se", "organiser")
    with app.app_context():
        event = event_by_slug(upcoming)
        services.apply_settings(event, services.PrivacySettings("Borås Stad", "", "Eget.", 7, 60))
        db.session.commit()
        copy = operations.duplicate_event(event.id, (event.starts_at + timedelta(days=60)).date(), organiser).event
        assert services.settings_of(copy) == services.PrivacySettings("Borås Stad", "", "Eget.", 7, 60)
