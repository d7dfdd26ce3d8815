"""Announcements: who gets which (by mode and group), what each person sees, emails, the pages."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from eventhub.audit.models import AuditEntry
from eventhub.extensions import db
from eventhub.live import channel, services
from eventhub.live.models import Announcement
from eventhub.registration.models import Registration
from tests.accounts.support import make_user, post, sign_in
from tests.registration.support import KEYS, add_group_session, outbox, page_text

SEND = "/manage/events/{slug}/announcements"


def _send(app, forum, key, text_sv="Tillbaka i stora salen om fem minuter", text_en="", by_email=False, hub=None):
    with app.app_context():
        return services.send(forum.event_id, key, text_sv, text_en, by_email, None, KEYS, datetime.now(UTC),
                             hub or channel.LocalHub()).id


def _seen_by(app, forum, name) -> list[services.Shown]:
    with app.app_context():
        person = db.session.get(Registration, getattr(forum, name))
        return services.for_viewer(services.viewer_of(person, f"/r/{forum.tokens[name]}/join"))


@pytest.mark.parametrize(("key", "expected"), [
    ("all", {"anna", "cecilia"}),
    ("on_site", {"anna"}),
    ("digital", {"cecilia"}),
    ("group:on_site", {"anna"}),
    ("group:digital", {"cecilia"}),
], ids=["everyone", "on-site", "digital", "on-site-group", "digital-group"])
def test_an_announcement_reaches_only_the_people_with_a_place_it_is_for(app, forum, key, expected):
    if key.startswith("group:"):
        key = f"group:{forum.on_site_group if key.endswith('on_site') else forum.digital_group}"
    _send(app, forum, key)
    seeing = {name for name in ("anna", "bertil", "cecilia", "david") if _seen_by(app, forum, name)}
    assert seeing == expected  # never the waitlisted Bertil nor the cancelled David
    with app.app_context():
        assert db.session.scalar(select(Announcement.recipient_count)) == len(expected)


def test_each_person_reads_their_language_and_what_they_need_to_act_on_it(app, forum):
    _send(app, forum, "all", "Länken till den digitala panelen har ändrats", "The digital panel's link has changed")
    _send(app, forum, f"group:{forum.on_site_group}", "Gruppen börjar nu")
    _send(app, forum, f"group:{forum.digital_group}", "Gruppen börjar nu", "The group starts now")
    anna, cecilia = _seen_by(app, forum, "anna"), _seen_by(app, forum, "cecilia")
    assert [(s.text, s.language, s.place, s.join_url) for s in anna] == [
        ("Länken till den digitala panelen har ändrats", "sv", "Textile Fashion Center", None),
        ("Gruppen börjar nu", "sv", "Sal 3", None),  # the group's room, not the venue
    ]
    assert [(s.text, s.language, s.place, s.join_url) for s in cecilia] == [
        ("The digital panel's link has changed", "en", None, f"/r/{forum.tokens['cecilia']}/join"),
        ("The group starts now", "en", None, "https://meet.example.org/grupp"),  # the group's own link
    ]


def test_english_readers_get_the_swedish_when_no_english_was_written(app, forum):
    _send(app, forum, "digital", "Paus i tio minuter")
    assert [(s.text, s.language) for s in _seen_by(app, forum, "cecilia")] == [("Paus i tio minuter", "sv")]


@pytest.mark.parametrize(("text", "error"), [
    ("   ", services.EmptyText), ("x" * 281, services.TextTooLong)], ids=["empty", "too-long"])
def test_an_announcement_has_words_and_a_length_limit(app, forum, text, error):
    with pytest.raises(error):
        _send(app, forum, "all", text)


def test_the_same_announcement_sent_twice_at_once_goes_out_once(app, forum):
    """A double click on Send: the second is the first, so no page or inbox gets it twice."""
    first = _send(app, forum, "all", "Fikat är framdukat", by_email=True)
    with app.app_context():
        emailed = len(outbox("anna@example.se"))
        with pytest.raises(services.AlreadySent) as again:
            services.send(forum.event_id, "all", "Fikat är framdukat", "", True, None, KEYS, datetime.now(UTC),
                          channel.LocalHub())
        assert again.value.announcement.id == first
        assert len(outbox("anna@example.se")) == emailed == 1
    _send(app, forum, "digital", "Fikat är framdukat")  # to other people: sent
    _send(app, forum, "all", "Fikat är framdukat i foajén")  # other words: sent
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Announcement)) == 3


def test_an_audience_of_another_event_or_nobody_is_refused(app, forum, make_event):
    other = make_event(title="En annan träff")
    with app.app_context():
        (foreign_group,) = add_group_session(other, [("Annans grupp", "on_site", 10)])
    with pytest.raises(services.UnknownAudience):
        _send(app, forum, f"group:{foreign_group}")
    with pytest.raises(services.UnknownAudience):
        _send(app, forum, "group:999999")
    with pytest.raises(services.UnknownAudience):
        _send(app, forum, "waitlist")


def test_the_emails_go_in_each_persons_language_with_their_join_link_or_place(app, forum):
    _send(app, forum, "all", "Tillbaka i stora salen om fem minuter", "Back in the main room in five minutes",
          by_email=True)
    with app.app_context():
        anna, = outbox("anna@example.se")
        cecilia, = outbox("cecilia@example.se")
        assert outbox("bertil@example.se") == [] and outbox("david@example.se") == []
        assert anna.subject == "Meddelande: Forumträff <Borås>"
        assert "Tillbaka i stora salen om fem minuter" in anna.body_text and "Textile Fashion Center" in anna.body_text
        assert cecilia.subject == "Announcement: Forumträff <Borås>"
        assert "Back in the main room in five minutes" in cecilia.body_text
        assert f"/r/{forum.tokens['cecilia']}/join" in cecilia.body_text
        assert db.session.scalar(select(Announcement.emailed_count)) == 2


def test_the_organiser_sends_from_the_page_which_lists_what_was_sent(app, client, forum):
    make_user(app, "org@example.se", staff_of={forum.slug: "organiser"})
    client.set_cookie("lang", "en")
    sign_in(client, "org@example.se")
    page = client.get(SEND.format(slug=forum.slug))
    assert page.status_code == 200
    assert "Everyone taking part digitally" in page_text(page)
    response = post(client, SEND.format(slug=forum.slug),
                    {"audience": "digital", "text_sv": "<b>Länken</b> har ändrats", "text_en": "", "by_email": "y"})
    assert response.status_code == 303
    listing = client.get(SEND.format(slug=forum.slug))
    text = page_text(listing)
    assert "<b>Länken</b> har ändrats" in text and "Everyone taking part digitally" in text
    assert "On the page of 1 person; emailed to 1" in text
    assert "<b>Länken</b>" not in listing.get_data(as_text=True)  # escaped
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "announcement.sent"))
        assert entry.details["recipients"] == 1 and entry.details["audience"] == "digital"
    # The same form sent again (a double click): said so, not sent twice.
    again = post(client, SEND.format(slug=forum.slug),
                 {"audience": "digital", "text_sv": "<b>Länken</b> har ändrats", "text_en": "", "by_email": "y"})
    assert again.status_code == 303
    assert "was sent a moment ago, so it was not sent again" in page_text(client.get(SEND.format(slug=forum.slug)))
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Announcement)) == 1


def test_a_refused_announcement_says_why_and_sends_nothing(app, client, forum):
    make_user(app, "org@example.se", staff_of={forum.slug: "organiser"})
    client.set_cookie("lang", "en")
    sign_in(client, "org@example.se")
    response = post(client, SEND.format(slug=forum.slug), {"audience": "all", "text_sv": "x" * 281})
    assert response.status_code == 422
    assert "At most 280 characters." in page_text(response)
    with app.app_context():
        assert db.session.scalar(select(Announcement.id)) is None


def test_the_personal_page_shows_the_announcements_and_the_next_item_without_javascript(app, client, forum):
    _send(app, forum, "all", "Tillbaka i stora salen <nu>", "Back in the main room <now>")
    on_site = client.get(f"/r/{forum.tokens['anna']}")
    text = page_text(on_site)
    assert "Tillbaka i stora salen <nu>" in text and "Textile Fashion Center" in text
    assert "<nu>" not in on_site.get_data(as_text=True)
    assert 'aria-live="polite"' in on_site.get_data(as_text=True)
    assert "Nästa:" in text and "Pitch" in text and "Bara digitalt" not in text.split("Nästa:")[1][:40]
    digital = client.get(f"/r/{forum.tokens['cecilia']}")
    text = page_text(digital)
    assert "Back in the main room <now>" in text and "Join the event" in text
    assert "Next:" in text and "Bara digitalt" in text  # their own programme's next item, the zone named
    assert "Central European" in text.split("Next:")[1][:80]
    waitlisted = page_text(client.get(f"/r/{forum.tokens['bertil']}"))
    assert "Tillbaka i stora salen" not in waitlisted
