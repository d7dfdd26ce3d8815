"""Consent records (written by ORM hooks) and withdrawing consent from the attendee's own page."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from eventhub.extensions import db
from eventhub.privacy import services
from eventhub.privacy.models import ConsentRecord
from eventhub.registration import services as registration_services
from tests.privacy.support import consents, page_csrf, registered, row, token_of, with_answers
from tests.registration.support import KEYS, csrf_token, event_by_slug, person

NOW = datetime.now(UTC)
FORM = dict(name="Anna Svensson", email="anna@example.se", mode="on_site", sector="business", language="sv",
            privacy="y")


def _post(client, token, action, **fields):
    return client.post(f"/r/{token}/{action}", data={"csrf_token": page_csrf(client, f"/r/{token}"), **fields})


def test_the_public_form_records_what_the_person_agreed_to(app, client, upcoming):
    page = client.get(f"/events/{upcoming}/register").get_data(as_text=True)
    response = client.post(f"/events/{upcoming}/register", data={
        **FORM, "csrf_token": csrf_token(page), "dietary_needs": "Vegan", "special_consent": "y",
        "photo_consent": "y"})
    assert response.status_code == 303
    with app.app_context():
        anna = db.session.scalar(select(ConsentRecord.registration_id))
        records = list(db.session.scalars(select(ConsentRecord).order_by(ConsentRecord.id)))
        assert [(r.kind, r.granted) for r in records] == [("privacy_notice", True), ("special_category", True),
                                                          ("photo", True)]
        version = services.notice_for(event_by_slug(upcoming)).version
        assert {r.notice_version for r in records} == {version}
        assert records[0].recorded_at == row(anna).privacy_accepted_at


def test_without_optional_consents_only_the_notice_is_recorded(app_ctx, upcoming):
    anna = registered(upcoming, "anna@example.se")
    assert consents(anna) == [("privacy_notice", True)]


def test_withdrawing_special_consent_deletes_the_answers(app, client, upcoming):
    with app.app_context():
        anna = with_answers(upcoming, "anna@example.se")
        token = token_of(anna)
    page = client.get(f"/r/{token}").get_data(as_text=True)
    assert f'action="/r/{token}/consents/special-category/withdraw"' in page
    response = _post(client, token, "consents/special-category/withdraw")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/r/{token}#privacy")
    with app.app_context():
        person_row = row(anna)
        assert (person_row.dietary_needs, person_row.accessibility_needs, person_row.special_consent_at) == \
            ("", "", None)
        assert person_row.photo_consent  # only the consent withdrawn is affected
        assert consents(anna)[-1] == ("special_category", False)
    # Nothing left to withdraw: the button is gone, and a resent form changes nothing.
    assert "special-category/withdraw" not in client.get(f"/r/{token}").get_data(as_text=True)
    assert _post(client, token, "consents/special-category/withdraw").status_code == 303
    with app.app_context():
        assert consents(anna).count(("special_category", False)) == 1


def test_photo_consent_can_be_withdrawn_and_given_again(app, client, upcoming):
    with app.app_context():
        anna = with_answers(upcoming, "anna@example.se")
        token = token_of(anna)
    _post(client, token, "consents/photo", consent="0")
    with app.app_context():
        assert not row(anna).photo_consent
        assert row(anna).dietary_needs == "Vegan, celiaki"
    _post(client, token, "consents/photo", consent="1")
    with app.app_context():
        assert row(anna).photo_consent
        assert consents(anna)[-2:] == [("photo", False), ("photo", True)]


def test_unticking_consent_on_the_answers_form_is_recorded_as_withdrawn(app, client, upcoming):
    with app.app_context():
        anna = with_answers(upcoming, "anna@example.se")
        token = token_of(anna)
    response = _post(client, token, "answers", dietary_needs="", accessibility_needs="")
    assert response.status_code == 303
    with app.app_context():
        assert consents(anna)[-1] == ("special_category", False)
        assert row(anna).special_consent_at is None


def test_giving_answers_later_records_consent(app_ctx, upcoming):
    anna = registered(upcoming, "anna@example.se")
    registration_services.update_special_answers(anna, "Vegetarisk", "", True, NOW)
    assert consents(anna) == [("privacy_notice", True), ("special_category", True)]


def test_registering_again_after_cancelling_records_the_notice_again(app_ctx, upcoming):
    anna = registered(upcoming, "anna@example.se")
    registration_services.cancel(anna, NOW, KEYS)
    registration_services.register(event_by_slug(upcoming).id, person("anna@example.se"), NOW, KEYS)
    assert consents(anna) == [("privacy_notice", True), ("privacy_notice", True)]


def test_a_changed_notice_is_a_new_version_in_later_records(app_ctx, upcoming):
    anna = registered(upcoming, "anna@example.se")
    event = event_by_slug(upcoming)
    services.apply_settings(event, services.PrivacySettings(notice_text="Vi sparar bara det nödvändiga."))
    db.session.commit()
    bo = registered(upcoming, "bo@example.se")
    first, second = (db.session.scalar(select(ConsentRecord.notice_version)
                                       .where(ConsentRecord.registration_id == i)) for i in (anna, bo))
    assert first != second == services.notice_for(event_by_slug(upcoming)).version


def test_the_attendee_page_shows_consents_and_a_changed_notice(app, client, upcoming):
    with app.app_context():
        anna = with_answers(upcoming, "anna@example.se")
        token = token_of(anna)
    body = client.get(f"/r/{token}?lang=en").get_data(as_text=True)
    assert 'id="privacy"' in body
    assert "You agree to appear in photos from the event." in body
    assert "The notice has changed since." not in body
    with app.app_context():
        services.apply_settings(event_by_slug(upcoming), services.PrivacySettings(anonymise_after_days=90))
        db.session.commit()
    assert "The notice has changed since." in client.get(f"/r/{token}?lang=en").get_data(as_text=True)
