"""Organisers emailing attendees: audiences, preview, one transaction, header injection, progress."""
from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from eventhub.audit.models import AuditEntry
from eventhub.extensions import db
from eventhub.groups import services as groups
from eventhub.mail import services as mail
from eventhub.mail.models import OutboxMessage
from eventhub.mail.transports import DeliveryFailed, build_message
from eventhub.mailings import services as operations
from eventhub.mailings.models import Mailing
from eventhub.registration import services
from eventhub.registration.models import Registration
from eventhub.registration.tokens import manage_token
from tests.accounts.support import make_user, post, sign_in
from tests.registration.support import (
    KEYS,
    add_group_session,
    count,
    event_by_slug,
    manage_token_from,
    outbox,
    page_text,
    register,
)

COMPOSE = "/manage/events/{slug}/email/"
SEND = "/manage/events/{slug}/email/send"


@pytest.fixture
def forum(app, make_event):
    """A hybrid event with one on-site seat: two on site (one waitlisted), one digital, one cancelled."""
    slug = make_event(on_site_seats=1, digital_seats=5, group_choice_open=True, title="Forum <Borås>")
    with app.app_context():
        register(slug, "anna@example.se")
        register(slug, "bertil@example.se")  # waitlisted
        register(slug, "cecilia@example.se", mode="digital", language="en")
        gone = register(slug, "david@example.se", mode="digital").registration
        services.cancel(gone.id, datetime.now(UTC), KEYS)
        db.session.query(OutboxMessage).delete()  # the registration emails are not what these tests look at
        db.session.commit()
    return slug


@pytest.fixture
def organiser(app, client, forum):
    make_user(app, "org@example.se", staff_of={forum: "organiser"})
    client.set_cookie("lang", "en")  # the new strings get their Swedish translations later
    sign_in(client, "org@example.se")
    return client


def _send(client, slug, audience="all", subject="Praktisk information", body="Hej!\nVälkommen.", **extra):
    return post(client, SEND.format(slug=slug), {"audience": audience, "subject": subject, "body": body, **extra})


def _recipients(app, slug, audience):
    with app.app_context():
        return sorted(r.email for r in operations.recipients(event_by_slug(slug).id, audience))


def test_compose_page_lists_audiences_with_counts_and_is_in_the_workspace_nav(organiser, forum):
    response = organiser.get(COMPOSE.format(slug=forum))
    assert response.status_code == 200
    text = page_text(response)
    assert "3 people" in text  # everyone not cancelled
    assert f'href="/manage/events/{forum}/email/" aria-current="page"' in response.get_data(as_text=True)


@pytest.mark.parametrize(("audience", "expected"), [
    ("all", ["anna@example.se", "bertil@example.se", "cecilia@example.se"]),
    ("on_site", ["anna@example.se", "bertil@example.se"]),
    ("digital", ["cecilia@example.se"]),
    ("waitlist", ["bertil@example.se"]),
])
def test_audiences_never_include_cancelled_people(app, forum, audience, expected):
    assert _recipients(app, forum, audience) == expected


def test_walk_in_without_an_address_is_not_a_recipient_and_sending_works(app, organiser, forum):
    with app.app_context():
        data = services.RegistrationInput(name="Gäst vid dörren", email="", mode="digital", privacy_accepted=True)
        services.register(event_by_slug(forum).id, data, datetime.now(UTC), KEYS, organiser=True)
    assert _recipients(app, forum, "all") == ["anna@example.se", "bertil@example.se", "cecilia@example.se"]

    response = _send(organiser, forum, body="Hej!")

    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(Mailing)).recipient_count == 3 and len(outbox()) == 3


def test_group_audience_with_an_id_past_the_database_integer_is_unknown(app, forum):
    with app.app_context(), pytest.raises(operations.UnknownAudience):
        operations.recipients(event_by_slug(forum).id, "group:99999999999999999999")


def test_group_audience_is_the_confirmed_members_of_that_group(app, forum, make_event):
    with app.app_context():
        group_id, other_group = add_group_session(forum, [("Grupp A", "on_site", 5), ("Grupp B", "digital", 5)])
        anna = db.session.scalar(select(Registration).where(Registration.email == "anna@example.se"))
        groups.choose(anna.id, group_id, datetime.now(UTC), KEYS)
        db.session.commit()
    assert _recipients(app, forum, f"group:{group_id}") == ["anna@example.se"]
    assert _recipients(app, forum, f"group:{other_group}") == []
    elsewhere = make_event(group_choice_open=True)
    with app.app_context():
        foreign_group = add_group_session(elsewhere, [("Grupp C", "on_site", 5)])[0]
        with pytest.raises(operations.UnknownAudience):
            operations.recipients(event_by_slug(forum).id, f"group:{foreign_group}")
        with pytest.raises(operations.UnknownAudience):
            operations.recipients(event_by_slug(forum).id, "everyone'; DROP TABLE registration")


def test_preview_shows_one_rendered_email_and_the_count_and_queues_nothing(app, organiser, forum):
    response = post(organiser, COMPOSE.format(slug=forum),
                    {"audience": "on_site", "subject": "Lokalbyte", "body": "Vi ses i <sal 2>."})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    text = page_text(response)
    assert "Goes to 2 people" in text
    assert "Vi ses i &lt;sal 2&gt;." in page  # escaped on the page
    assert "Forum &lt;Borås&gt;" in page
    # Who gets it, by name and address (both on-site registrations, the waitlisted one too) ...
    assert page.count('<span class="recipient-name">Anna Svensson</span>') == 2
    assert '<span class="email-part">anna@</span>' in page and '<span class="email-part">bertil@</span>' in page
    # ... and the text as a made-up person gets it: a sample link, no one's working personal link.
    assert "/r/sample-link-not-a-real-one" in text
    with app.app_context():
        for person in db.session.scalars(select(Registration)):
            assert manage_token(KEYS, person.token_salt) not in page
    with app.app_context():
        assert count(OutboxMessage) == 0 and count(Mailing) == 0


def test_sending_queues_one_personal_message_per_recipient_in_their_language(app, organiser, forum):
    response = _send(organiser, forum, body="Hej!\nTa med <legitimation>.")
    assert response.status_code == 303
    with app.app_context():
        mailing = db.session.scalar(select(Mailing))
        messages = outbox()
        assert mailing.recipient_count == 3 and mailing.audience == "all"
        assert mailing.created_by is not None
        assert sorted(m.to_address for m in messages) == ["anna@example.se", "bertil@example.se",
                                                          "cecilia@example.se"]
        assert {m.mailing_id for m in messages} == {mailing.id}
        assert {m.subject for m in messages} == {"Praktisk information"}
        for message in messages:
            assert message.body_text.startswith("Hej!\nTa med <legitimation>.")  # plain text, not escaped
            assert "Forum <Borås>" in message.body_text
            person = services.find_by_token(manage_token_from(message.body_text))
            assert person.email == message.to_address  # each link is the person's own
        english = next(m for m in messages if m.to_address == "cecilia@example.se")
        assert "do not share it" in english.body_text
        swedish = next(m for m in messages if m.to_address == "anna@example.se")
        assert "dela den inte" in swedish.body_text
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "mailing.sent"))
        assert entry.event_id == event_by_slug(forum).id and entry.details["recipients"] == 3
    page = organiser.get(response.headers["Location"])
    assert "0 of 3 sent, 3 waiting" in page_text(page)


def test_the_same_preview_sent_twice_queues_once(app, organiser, forum):
    first = _send(organiser, forum, send_key="same-key-from-one-preview")
    second = _send(organiser, forum, send_key="same-key-from-one-preview")
    assert first.headers["Location"] == second.headers["Location"]
    with app.app_context():
        assert count(Mailing) == 1 and count(OutboxMessage) == 3


@pytest.mark.parametrize("subject", [
    "Hej\r\nBcc: everyone@example.org", "Hej\nBcc: x@example.org", "Hej\rX", "Tab\there", "Hej\u2028Bcc: x",
])
def test_a_subject_with_a_line_break_is_refused_and_nothing_is_queued(app, organiser, forum, subject):
    response = _send(organiser, forum, subject=subject)
    assert response.status_code == 422
    assert "The subject must be a single line." in page_text(response)
    with app.app_context():
        assert count(OutboxMessage) == 0 and count(Mailing) == 0
        with pytest.raises(operations.UnsafeSubject):
            operations.send(event_by_slug(forum).id, "all", subject, "x", None, KEYS, datetime.now(UTC))


def test_empty_subject_or_body_or_unknown_audience_is_refused(app, organiser, forum):
    assert _send(organiser, forum, subject="").status_code == 422
    assert _send(organiser, forum, body="   ").status_code == 422
    assert _send(organiser, forum, audience="everybody").status_code == 422
    assert _send(organiser, forum, subject="x" * 201).status_code == 422
    with app.app_context():
        assert count(OutboxMessage) == 0


def test_nobody_in_the_audience_means_no_send_button_and_no_mailing(app, organiser, forum):
    with app.app_context():
        group_id = add_group_session(forum, [("Tom grupp", "on_site", 5)])[0]
    preview = post(organiser, COMPOSE.format(slug=forum), {"audience": f"group:{group_id}", "subject": "S",
                                                           "body": "B"})
    assert "Send to" not in page_text(preview) and "nobody to send to" in page_text(preview)
    assert _send(organiser, forum, audience=f"group:{group_id}").status_code == 422
    with app.app_context():
        assert count(Mailing) == 0


def test_sending_is_all_or_nothing(app, forum, monkeypatch):
    real_render = operations.render
    calls = []

    def failing_render(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("template broke half-way")
        return real_render(*args, **kwargs)

    monkeypatch.setattr(operations, "render", failing_render)
    with app.test_request_context():
        with pytest.raises(RuntimeError):
            operations.send(event_by_slug(forum).id, "all", "S", "B", None, KEYS, datetime.now(UTC))
        db.session.rollback()
        assert count(OutboxMessage) == 0 and count(Mailing) == 0 and count(AuditEntry) == 0


def test_without_csrf_token_nothing_is_sent(app, organiser, forum):
    response = organiser.post(SEND.format(slug=forum), data={"audience": "all", "subject": "S", "body": "B"})
    assert response.status_code == 400
    with app.app_context():
        assert count(OutboxMessage) == 0


def test_progress_counts_sent_waiting_and_failing(app, organiser, forum):
    location = _send(organiser, forum).headers["Location"]

    class Picky:
        def send(self, message):
            if message.to_address == "bertil@example.se":
                raise DeliveryFailed("550 No such user")

    with app.app_context():
        first = db.session.scalar(select(OutboxMessage).order_by(OutboxMessage.id))
        report = mail.deliver_due(Picky(), datetime.now(UTC) + timedelta(seconds=1), batch=2)
        assert report.sent + report.failed == 2
        mailing = db.session.scalar(select(Mailing))
        progress = operations.progress([mailing.id])[mailing.id]
        assert (progress.sent, progress.waiting, progress.failing) == (1, 1, 1)
        assert first.id
    text = page_text(organiser.get(location))
    assert "1 of 3 sent, 1 waiting, 1 failing" in text and "bertil@example.se" in text and "550 No such user" in text
    listing = page_text(organiser.get(COMPOSE.format(slug=forum)))
    assert "1 of 3 sent" in listing


def test_the_queued_message_builds_a_safe_email(app, organiser, forum):
    _send(organiser, forum, subject="Välkommen – åäö")
    with app.app_context():
        message = outbox("anna@example.se")[0]
        built = email.message_from_bytes(bytes(build_message(message, "EventHub <noreply@example.se>")),
                                         policy=email.policy.default)
        assert built["Subject"] == "Välkommen – åäö"
        assert built["Bcc"] is None and built["To"] == "anna@example.se"


def test_user_text_is_escaped_on_the_mailing_pages(app, organiser, forum):
    location = _send(organiser, forum, subject="<script>alert(1)</script>",
                     body="<img src=x onerror=alert(1)>").headers["Location"]
    page = organiser.get(location).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "<img src=x" not in page
    listing = organiser.get(COMPOSE.format(slug=forum)).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in listing


def test_a_mailing_is_only_shown_under_its_own_event(app, client, organiser, forum, make_event):
    location = _send(organiser, forum).headers["Location"]
    mailing_id = location.rstrip("/").rsplit("/", 1)[1]
    other = make_event()
    make_user(app, "boss@example.se", role="admin")
    admin = app.test_client()
    sign_in(admin, "boss@example.se")
    assert admin.get(f"/manage/events/{other}/email/{mailing_id}").status_code == 404
    assert admin.get(location).status_code == 200
    make_user(app, "other@example.se", staff_of={other: "organiser"})
    stranger = app.test_client()
    sign_in(stranger, "other@example.se")
    assert stranger.get(location).status_code == 404
    assert stranger.get(f"/manage/events/{other}/email/{mailing_id}").status_code == 404


def test_changing_the_email_from_the_preview_keeps_what_was_typed(organiser, forum):
    response = post(organiser, COMPOSE.format(slug=forum),
                    {"audience": "digital", "subject": "Ämne", "body": "Text som skrevs", "edit": "1"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'value="Ämne"' in page and "Text som skrevs</textarea>" in page
    assert 'value="digital" checked' in page


def test_a_long_list_of_recipients_is_folded_away_but_complete(app, organiser, forum):
    from tests.attendees.support import seed_registrations

    with app.app_context():
        seed_registrations(forum, 20, prefix="many")
    response = post(organiser, COMPOSE.format(slug=forum), {"audience": "all", "subject": "S", "body": "B"})
    page = response.get_data(as_text=True)
    assert "Goes to 23 people" in page_text(response)
    assert "<details>" in page and "<details open>" not in page
    assert page.count('class="recipient-name"') == 23
