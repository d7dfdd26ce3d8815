"""The organiser's reminder pages through the web: times and words, previews, who has had each, errors."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from eventhub.audit.models import AuditEntry
from eventhub.extensions import db
from eventhub.mail.models import OutboxMessage
from eventhub.registration.models import Registration
from eventhub.reminders.models import Reminder
from tests.attendees.support import form_token, sign_in, staff_member
from tests.registration.support import event_by_slug, html_of, page_text, register
from tests.reminders.support import TWO_DAYS, TWO_HOURS, due, reminder_of, send, with_reminders

pytestmark = pytest.mark.usefixtures("app_ctx")


@pytest.fixture
def slug(make_event):
    return with_reminders(make_event)


@pytest.fixture
def organiser(app, slug, client):
    staff_member(app, slug, "ulla@example.se", "organiser")
    sign_in(client, "ulla@example.se")


def _base(slug: str) -> str:
    return f"/manage/events/{slug}/reminders"


def _post(client, slug, path="", page="", **fields):
    return client.post(_base(slug) + path, data={"csrf_token": form_token(client, _base(slug) + page), **fields})


def _minutes(slug) -> list[int]:
    db.session.expire_all()
    return [r.minutes_before for r in db.session.scalars(
        select(Reminder).where(Reminder.event_id == event_by_slug(slug).id).order_by(Reminder.minutes_before.desc()))]


def test_the_page_lists_the_reminders_with_their_moments_and_previews(client, slug, organiser):
    text = page_text(client.get(_base(slug)))

    assert "2 dagar före starten" in text and "2 timmar före starten" in text
    assert "centraleuropeisk" in text  # the moment, with its zone
    html = html_of(client.get(_base(slug)))
    for kind in ("on_site", "digital", "waitlist"):
        for language in ("sv", "en"):
            assert f"kind={kind}&amp;language={language}" in html


def test_adding_a_reminder_four_days_before(client, slug, organiser):
    response = _post(client, slug, amount="4", unit="days", intro_sv="Nu är det fyra dagar kvar!", intro_en="")

    assert response.status_code == 303
    assert _minutes(slug) == [4 * 24 * 60, TWO_DAYS, TWO_HOURS]
    assert reminder_of(slug, 4 * 24 * 60).intro_sv == "Nu är det fyra dagar kvar!"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "reminder.added"))
    assert entry.details["minutes"] == 4 * 24 * 60


@pytest.mark.parametrize(("fields", "message"), [
    ({"amount": "2", "unit": "days"}, "Evenemanget har redan en påminnelse vid den tiden."),
    ({"amount": "10", "unit": "minutes"}, "Välj en tid mellan 15 minuter och 60 dagar före starten."),
    ({"amount": "61", "unit": "days"}, "Välj en tid mellan 15 minuter och 60 dagar före starten."),
    ({"amount": "", "unit": "days"}, "Skriv hur långt före starten, som ett tal."),
    ({"amount": "två", "unit": "days"}, "Skriv hur långt före starten, som ett tal."),
    ({"amount": "6", "unit": "days"}, "Den tiden har redan passerat"),  # the event starts in five days
    ({"amount": "3", "unit": "days", "intro_sv": "x" * 2001}, "Högst 2000 tecken."),
])
def test_a_refused_reminder_says_why_and_keeps_what_was_typed(client, slug, organiser, fields, message):
    response = _post(client, slug, intro_en="Welcome & bring a pen", **{"intro_sv": "Välkommen!", **fields})

    assert response.status_code == 422
    assert message in page_text(response)
    assert "Welcome &amp; bring a pen" in html_of(response)
    assert _minutes(slug) == [TWO_DAYS, TWO_HOURS]


def test_changing_a_reminder_its_time_and_words(client, slug, organiser):
    reminder_id = reminder_of(slug, TWO_HOURS).id
    path = f"/{reminder_id}"

    response = _post(client, slug, path, path, amount="3", unit="hours", intro_sv="Vi ses snart!",
                     intro_en="See you soon!")

    assert response.status_code == 303
    reminder = db.session.get(Reminder, reminder_id)
    db.session.refresh(reminder)
    assert (reminder.minutes_before, reminder.intro_en) == (180, "See you soon!")
    form = html_of(client.get(_base(slug) + path))
    assert 'value="3"' in form and '<option selected value="hours">' in form


def test_a_refused_change_keeps_the_reminder_as_it_was(client, slug, organiser):
    path = f"/{reminder_of(slug, TWO_HOURS).id}"

    response = _post(client, slug, path, path, amount="2", unit="days", intro_sv="Ändrat")

    assert response.status_code == 422 and "redan en påminnelse vid den tiden" in page_text(response)
    assert _minutes(slug) == [TWO_DAYS, TWO_HOURS] and reminder_of(slug, TWO_HOURS).intro_sv == ""


def test_removing_asks_first_then_removes(client, slug, organiser):
    path = f"/{reminder_of(slug, TWO_DAYS).id}/remove"

    asked = client.get(_base(slug) + path)
    assert asked.status_code == 200 and "Ta bort påminnelsen 2 dagar före starten?" in page_text(asked)
    assert _minutes(slug) == [TWO_DAYS, TWO_HOURS]  # GET changes nothing

    response = _post(client, slug, path, path)

    assert response.status_code == 303 and _minutes(slug) == [TWO_HOURS]


def test_removing_needs_the_forms_token(client, slug, organiser):
    response = client.post(_base(slug) + f"/{reminder_of(slug, TWO_DAYS).id}/remove")
    assert response.status_code == 400 and _minutes(slug) == [TWO_DAYS, TWO_HOURS]


def test_another_events_reminder_is_not_found(client, slug, organiser, make_event):
    other = with_reminders(make_event)
    other_id = reminder_of(other, TWO_DAYS).id
    for path in (f"/{other_id}", f"/{other_id}/preview", f"/{other_id}/remove"):
        assert client.get(_base(slug) + path).status_code == 404


@pytest.mark.parametrize(("kind", "language", "expected", "absent"), [
    ("on_site", "sv", ["Hej Alex Exempelsson!", "Påminnelse: Forumträff", "Tio minuters promenad", "kortkod"],
     ["/join"]),
    ("on_site", "en", ["Hello Alex Example,", "Reminder: Forumträff", "How to get there:", "short code"], ["/join"]),
    ("digital", "en", ["Reminder and your join link: Forumträff", "/join?lang=en", "zoom.example.org/test"],
     ["kortkod", "short code", "meet.example.org"]),
    ("waitlist", "sv", ["Du står fortfarande på reservlistan: Forumträff", "nummer 3", "/waitlist/leave?lang=sv"],
     ["kortkod", "Välkommen på tisdag"]),
])
def test_the_preview_shows_the_reminder_as_a_person_gets_it(client, slug, organiser, kind, language, expected,
                                                             absent):
    reminder = reminder_of(slug, TWO_DAYS)
    reminder.intro_sv, reminder.intro_en = "Välkommen på tisdag!", "Welcome on Tuesday!"
    db.session.commit()

    response = client.get(f"{_base(slug)}/{reminder.id}/preview?kind={kind}&language={language}")

    assert response.status_code == 200
    text = page_text(response)
    for words in expected:
        assert words in text, words
    for words in absent:
        assert words not in text, words
    assert f'<pre class="mail-text" lang="{language}">' in html_of(response)
    assert ("preview/ticket.svg" in html_of(response)) == (kind == "on_site")


def test_a_preview_of_an_unknown_version_shows_the_first(client, slug, organiser):
    response = client.get(f"{_base(slug)}/{reminder_of(slug, TWO_DAYS).id}/preview?kind=<x>&language=fi")
    assert response.status_code == 200 and "Påminnelse: Forumträff" in page_text(response)


def test_the_preview_stores_and_sends_nothing(client, slug, organiser):
    before = (db.session.query(OutboxMessage).count(), db.session.query(Registration).count())
    client.get(f"{_base(slug)}/{reminder_of(slug, TWO_DAYS).id}/preview?kind=waitlist&language=en")
    assert (db.session.query(OutboxMessage).count(), db.session.query(Registration).count()) == before


def test_who_has_had_a_reminder_is_listed_with_when(client, slug, organiser):
    register(slug, "anna@example.se", "on_site")
    register(slug, "dana@example.se", "digital")
    send(due(slug, TWO_DAYS))

    text = page_text(client.get(f"{_base(slug)}/{reminder_of(slug, TWO_DAYS).id}"))
    listing = page_text(client.get(_base(slug)))

    assert "anna@example.se" in text and "dana@example.se" in text and "2 personer." in text
    assert "Väntar på att skickas" in text  # the outbox has not sent them yet
    # Sent (as if) at its moment, which by the clock is still ahead: it says who has had it already.
    assert "Skickas vid sin tid till dem som inte har fått den: 2 personer har redan fått den." in listing


def test_saving_the_practical_information(client, slug, organiser):
    response = _post(client, slug, "/practical", directions="Buss 1 till Knalleland.",
                     platform_test_url="https://zoom.example.org/test2")

    assert response.status_code == 303
    event = event_by_slug(slug)
    db.session.refresh(event)
    assert (event.directions, event.platform_test_url) == ("Buss 1 till Knalleland.", "https://zoom.example.org/test2")


@pytest.mark.parametrize("link", ["javascript:alert(1)", "zoom.example.org", "https://"])
def test_a_test_link_that_is_no_web_address_is_refused(client, slug, organiser, link):
    response = _post(client, slug, "/practical", directions="Buss 1", platform_test_url=link)

    assert response.status_code == 422 and "Buss 1" in html_of(response)
    assert event_by_slug(slug).platform_test_url == "https://zoom.example.org/test"


def test_a_reminder_past_its_moment_says_it_was_not_sent(client, make_event, app):
    slug = with_reminders(make_event, starts_in=timedelta(days=1), set_at=datetime.now(UTC))
    staff_member(app, slug, "ulla@example.se", "organiser")
    sign_in(client, "ulla@example.se")

    assert "Skickas inte: dess tid hade redan passerat" in page_text(client.get(_base(slug)))
