"""The organiser's event pages: publishing with its checks, unpublishing, preview, deleting, duplicating."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from eventhub.events.models import Event
from eventhub.extensions import db
from eventhub.registration.models import Registration
from tests.accounts.support import make_user, post, sign_in
from tests.registration.support import event_by_slug, register

SOON = datetime.now(UTC) + timedelta(days=20)


@pytest.fixture
def draft(make_event, make_item):
    slug = make_event(status="draft", title="Forumträff i Borås", starts_at=SOON, venue_name="Navet",
                      group_choice_open=True)
    make_item(slug, minutes_after_start=-60, title="Alldeles för tidigt")  # outside the event's hours
    return slug


@pytest.fixture
def organiser_client(app, client, draft):
    make_user(app, "org@example.se", staff_of={draft: "organiser"})
    sign_in(client, "org@example.se")
    return client


def published_with(app, slug, *emails):
    """The draft published, with people registered."""
    with app.app_context():
        event_by_slug(slug).status = "published"
        db.session.commit()
        for email in emails:
            register(slug, email)


def status_of(app, slug):
    with app.app_context():
        return event_by_slug(slug).status


def test_publish_page_lists_the_checks_and_warnings_before_publishing(app, organiser_client, draft):
    page = organiser_client.get(f"/manage/events/{draft}/publish?published=1").get_data(as_text=True)
    assert "Alldeles för tidigt" in page  # the programme warning, with its item
    assert "ingen anslutningslänk" in page  # hybrid without a join link
    assert status_of(app, draft) == "draft"
    response = post(organiser_client, f"/manage/events/{draft}/publish", {"published": "1", "confirm": "1"})
    assert response.status_code == 303 and status_of(app, draft) == "published"


def test_unpublishing_with_registrations_asks_first(app, organiser_client, draft):
    published_with(app, draft, "anna@example.se")
    response = post(organiser_client, f"/manage/events/{draft}/publish", {"published": "0"})
    assert response.status_code == 200 and "1 person är anmäld" in response.get_data(as_text=True)
    assert status_of(app, draft) == "published"
    post(organiser_client, f"/manage/events/{draft}/publish", {"published": "0", "confirm": "1"})
    assert status_of(app, draft) == "draft"


def test_unpublishing_without_registrations_needs_no_confirmation(app, organiser_client, draft):
    published_with(app, draft)
    assert post(organiser_client, f"/manage/events/{draft}/publish", {"published": "0"}).status_code == 303
    assert status_of(app, draft) == "draft"


@pytest.mark.parametrize(("audience", "shown", "hidden"), [
    ("on_site", "deltagare på plats", "digitala deltagare ser"),
    ("digital", "digitala deltagare ser", "deltagare på plats ser"),
])
def test_preview_shows_a_draft_as_one_audience_and_registers_nobody(app, organiser_client, draft, audience, shown,
                                                                     hidden):
    page = organiser_client.get(f"/manage/events/{draft}/preview?audience={audience}").get_data(as_text=True)
    assert "Förhandsgranskning" in page and "Forumträff i Borås" in page
    assert shown in page and hidden not in page
    assert 'type="submit" class="button">Anmäl' not in page and "disabled" in page
    assert organiser_client.get(f"/events/{draft}").status_code == 404  # still a draft for the public


@pytest.mark.parametrize("mode", ["on_site", "digital"])
def test_personal_page_preview_shows_a_made_up_person_and_stores_nothing(app, organiser_client, draft, mode):
    response = organiser_client.get(f"/manage/events/{draft}/preview/personal?mode={mode}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Alex Exempelsson" in page and "<div inert>" in page
    assert "/preview/ticket.svg" in page or mode == "digital"
    assert organiser_client.get(f"/manage/events/{draft}/preview/ticket.svg").mimetype == "image/svg+xml"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


def test_delete_draft_page_confirms_then_deletes(app, organiser_client, draft):
    assert "Ja, ta bort utkastet" in organiser_client.get(f"/manage/events/{draft}/delete").get_data(as_text=True)
    response = post(organiser_client, f"/manage/events/{draft}/delete")
    assert response.status_code == 303 and response.headers["Location"].endswith("/manage/")
    with app.app_context():
        assert db.session.scalar(select(Event).where(Event.slug == draft)) is None


def _local_day(app, slug):
    """The event's day where it takes place (near midnight UTC, Stockholm is already on the next)."""
    with app.app_context():
        event = event_by_slug(slug)
        return event.starts_at.astimezone(ZoneInfo(event.timezone)).date()


def test_duplicate_asks_for_the_title_and_warns_about_meeting_links(app, organiser_client, draft):
    with app.app_context():
        event_by_slug(draft).join_url = "https://meet.example/old"
        db.session.commit()
    page = organiser_client.get(f"/manage/events/{draft}/duplicate").get_data(as_text=True)
    assert 'value="Forumträff i Borås"' in page
    new_day = (SOON + timedelta(days=7)).date().isoformat()
    response = post(organiser_client, f"/manage/events/{draft}/duplicate",
                    {"title": "Forumträff i Borås, del 2", "new_date": new_day}, follow_redirects=True)
    assert "De gamla möteslänkarna kopieras inte" in response.get_data(as_text=True)
    past = post(organiser_client, f"/manage/events/{draft}/duplicate", {"title": "Gammal", "new_date": "2020-01-15"})
    assert past.status_code == 422 and "Välj i dag eller ett senare datum" in past.get_data(as_text=True)
    far = post(organiser_client, f"/manage/events/{draft}/duplicate", {"title": "Långt fram", "new_date": "9999-12-31"})
    assert far.status_code == 422 and "Ange ett datum mellan åren 1900 och 2200" in far.get_data(as_text=True)
    same_day = post(organiser_client, f"/manage/events/{draft}/duplicate",
                    {"title": "Forumträff i Borås", "new_date": _local_day(app, draft).isoformat()})
    assert same_day.status_code == 422 and "har redan den titeln" in same_day.get_data(as_text=True)


def test_edit_moving_the_date_says_what_moved_and_who_is_told(app, organiser_client, draft):
    published_with(app, draft, "anna@example.se")
    form = organiser_client.get(f"/manage/events/{draft}/edit").get_data(as_text=True)
    assert "Fråga deltagare på plats om specialkost" in form
    with app.app_context():
        event = event_by_slug(draft)
        start = event.starts_at.astimezone(ZoneInfo(event.timezone))
        end = event.ends_at.astimezone(start.tzinfo)
    later = start + timedelta(days=7)
    response = post(organiser_client, f"/manage/events/{draft}/edit", {
        "title": "Forumträff i Borås", "format": "hybrid", "timezone": "Europe/Stockholm", "language": "sv",
        "starts_at": later.strftime("%Y-%m-%dT%H:%M"), "ends_at": end.strftime("%Y-%m-%dT%H:%M"),
        "venue_name": "Navet", "group_choice_open": "y", "asks_dietary_needs": "y",
        "controller_name": "Borås Stad", "retention_days": "30", "special_retention_days": "7",
    }, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "1 programpunkt flyttades med datumet" in page, page[:3000]
    assert "1 anmäld person får den nya tiden per mejl" in page


@pytest.mark.parametrize(("event_format", "asks", "dietary_shown"), [
    ("hybrid", True, True),
    ("on_site", True, True),
    ("digital", True, False),
    ("hybrid", False, False),
])
def test_registration_form_asks_about_food_only_where_someone_eats(client, make_event, event_format, asks,
                                                                    dietary_shown):
    slug = make_event(format=event_format, asks_dietary_needs=asks)
    page = client.get(f"/events/{slug}").get_data(as_text=True)
    assert ('name="dietary_needs"' in page) is dietary_shown
    assert 'name="accessibility_needs"' in page


@pytest.mark.parametrize("line", ["Borås Stad | https://", "Borås Stad | http://", "Borås Stad | https://[::1",
                                  "Borås Stad | javascript:alert(1)"])
def test_a_partner_line_without_a_full_address_is_a_form_error(app, organiser_client, draft, line):
    with app.app_context():
        event = event_by_slug(draft)
        start = event.starts_at.astimezone(ZoneInfo(event.timezone))
    end = start + timedelta(hours=2)
    response = post(organiser_client, f"/manage/events/{draft}/edit", {
        "title": "Ändrad titel", "format": "hybrid", "timezone": "Europe/Stockholm", "language": "sv",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"), "ends_at": end.strftime("%Y-%m-%dT%H:%M"),
        "partners": f"Navet\n{line}", "controller_name": "Borås Stad", "retention_days": "30",
        "special_retention_days": "7",
    })

    assert response.status_code == 422, response.status_code
    page = response.get_data(as_text=True)
    assert "fullständig adress som börjar med https://" in page and "Ändrad titel" in page
    with app.app_context():
        assert event_by_slug(draft).title == "Forumträff i Borås"
