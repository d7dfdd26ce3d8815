"""One-click unsubscribe from the organisers' mailings (List-Unsubscribe, RFC 8058): only mailings carry
it, a mail provider's POST stops them for that person and event, a GET only shows a page, the person's
own page shows the choice and undoes it, and mailings skip those who stopped them (the organiser sees
how many). Confirmations, tickets and notices about the event always go.

Messages are read with Python's email parser under the strict policy.
"""
from __future__ import annotations

import email.policy
import re
from datetime import UTC, datetime
from email import message_from_bytes

import pytest
from sqlalchemy import select

from eventhub.audit.models import AuditEntry
from eventhub.events import operations as events
from eventhub.extensions import db
from eventhub.headers import SECRET_URL_REFERRER_POLICY
from eventhub.mail.models import OutboxMessage
from eventhub.mail.transports import build_message
from eventhub.mailings import services as mailings
from eventhub.privacy.models import ConsentRecord
from eventhub.registration import services as registrations
from eventhub.registration import tokens
from eventhub.registration.models import Registration
from tests.accounts.support import make_user, post, sign_in
from tests.registration.support import (
    KEYS,
    csrf_token,
    event_by_slug,
    fresh,
    manage_token_from,
    outbox,
    page_text,
    register,
)

SENDER = "EventHub <noreply@eventhub.boras.se>"
BASE = "https://eventhub.boras.se"
ONE_CLICK = {"List-Unsubscribe": "One-Click"}  # RFC 8058's POST body
LIST_UNSUBSCRIBE = re.compile(r"^<(https://eventhub\.boras\.se/unsubscribe/([0-9]+-[A-Za-z0-9_-]{32}))>$")


def parsed(message: OutboxMessage):
    return message_from_bytes(build_message(message, SENDER).as_bytes(), policy=email.policy.strict)


@pytest.fixture
def https(app):
    """Links in emails on the public https address (RFC 8058 wants an HTTPS URI)."""
    app.config["BASE_URL"] = BASE


@pytest.fixture
def forum(app, https, make_event):
    """Anna (Swedish) and Bo (English) registered; the outbox emptied of their confirmations."""
    slug = make_event(on_site_seats=10, digital_seats=10, title="Forum Borås", contact_email="forum@boras.se")
    with app.app_context():
        register(slug, "anna@example.se")
        register(slug, "bo@example.se", mode="digital", language="en")
        db.session.query(OutboxMessage).delete()
        db.session.commit()
    return slug


def _mail_everyone(slug: str, subject: str = "Praktisk information") -> list[OutboxMessage]:
    mailings.send(event_by_slug(slug).id, "all", subject, "Hej!", None, KEYS, datetime.now(UTC))
    return [m for m in outbox() if m.subject == subject]


def _link(app, slug: str, email: str, subject: str = "Praktisk information") -> str:
    """The path of the person's unsubscribe link, as their mail program reads it from a mailing."""
    with app.app_context():
        message = next(m for m in _mail_everyone(slug, subject) if m.to_address == email)
        match = LIST_UNSUBSCRIBE.match(parsed(message)["List-Unsubscribe"])
        assert match, parsed(message)["List-Unsubscribe"]
        return match[1][len(BASE):]


def _stopped(email: str, slug: str | None = None):
    """When the person stopped the mailings (of the event ``slug``, if they are registered for more)."""
    db.session.expire_all()
    query = select(Registration.mailings_stopped_at).where(Registration.email == email)
    if slug is not None:
        query = query.where(Registration.event_id == event_by_slug(slug).id)
    return db.session.scalar(query)


# --- the header -------------------------------------------------------------------------------------

def test_a_mailing_carries_one_click_list_unsubscribe_and_a_confirmation_never(app, https, make_event):
    slug = make_event(contact_email="forum@boras.se")
    with app.app_context():
        register(slug, "anna@example.se")
        [confirmation] = outbox()
        [mailing] = _mail_everyone(slug)
        person = db.session.scalar(select(Registration))

        confirmation_read, mailing_read = parsed(confirmation), parsed(mailing)

    assert confirmation_read["List-Unsubscribe"] is None and confirmation_read["List-Unsubscribe-Post"] is None
    match = LIST_UNSUBSCRIBE.match(mailing_read["List-Unsubscribe"])
    assert match and match[2] == tokens.unsubscribe_token(KEYS, person)
    assert mailing_read["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # its own secret, not the personal link's: the link opens only this choice
    assert tokens.manage_token(KEYS, person.token_salt) not in match[1]
    assert match[1] in mailing.body_text  # and the same link for readers whose program shows no button


def test_the_list_unsubscribe_url_stays_one_url_however_long(app, make_event):
    """The stdlib would fold a long unstructured header into encoded words; no program reads that as a URL."""
    app.config["BASE_URL"] = "https://evenemang.agenda2030-i-vast.boras-kommun.example.se/forum"
    slug = make_event()
    with app.app_context():
        register(slug, "anna@example.se")
        [mailing] = _mail_everyone(slug)
        data = build_message(mailing, SENDER).as_bytes()
    [line] = [line for line in data.split(b"\r\n") if line.startswith(b"List-Unsubscribe:")]
    assert line.startswith(b"List-Unsubscribe: <https://evenemang.agenda2030-i-vast.boras-kommun.example.se/forum/")
    assert b"=?" not in line and line.endswith(b">") and len(line) < 998
    read = message_from_bytes(data, policy=email.policy.strict)
    assert read["List-Unsubscribe"] == line.decode().split(": ", 1)[1]


def test_over_plain_http_the_header_offers_no_one_click(app, make_event):
    app.config["BASE_URL"] = "http://127.0.0.1:5301"
    slug = make_event()
    with app.app_context():
        register(slug, "anna@example.se")
        [mailing] = _mail_everyone(slug)
        read = parsed(mailing)
    assert read["List-Unsubscribe"].startswith("<http://127.0.0.1:5301/unsubscribe/")
    assert read["List-Unsubscribe-Post"] is None  # RFC 8058: one-click needs HTTPS


# --- the one-click POST --------------------------------------------------------------------------

def test_one_click_post_stops_the_mailings_of_that_event_only(app, client, forum, make_event):
    other = make_event(title="Annat forum")
    with app.app_context():
        register(other, "anna@example.se")
    path = _link(app, forum, "anna@example.se")

    response = client.post(path, data=ONE_CLICK)  # no cookie, no CSRF token: as a mail provider sends it

    assert response.status_code == 200 and "Location" not in response.headers  # answered, not redirected
    assert response.headers["Cache-Control"] == "private, no-store"
    with app.app_context():
        assert _stopped("anna@example.se", forum) is not None and _stopped("anna@example.se", other) is None
        again = _mail_everyone(forum, "Andra utskicket")
        elsewhere = _mail_everyone(other, "Från det andra forumet")
    assert [m.to_address for m in again] == ["bo@example.se"]
    assert [m.to_address for m in elsewhere] == ["anna@example.se"]


def test_one_click_post_as_multipart_form_data_works_too(app, client, forum):
    """RFC 8058 asks receivers to send multipart/form-data; some send x-www-form-urlencoded."""
    path = _link(app, forum, "bo@example.se")
    response = client.post(path, data=ONE_CLICK, content_type="multipart/form-data")
    assert response.status_code == 200
    with app.app_context():
        assert _stopped("bo@example.se") is not None


def test_one_click_post_twice_records_one_choice(app, client, forum):
    path = _link(app, forum, "anna@example.se")
    assert client.post(path, data=ONE_CLICK).status_code == 200
    with app.app_context():
        first = _stopped("anna@example.se")
    assert client.post(path, data=ONE_CLICK).status_code == 200

    with app.app_context():
        assert _stopped("anna@example.se") == first
        person = db.session.scalar(select(Registration).where(Registration.email == "anna@example.se"))
        records = db.session.scalars(select(ConsentRecord).where(ConsentRecord.registration_id == person.id,
                                                                 ConsentRecord.kind == "mailings")).all()
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "privacy.mailings_stopped")).all()
    assert [(record.granted, record.recorded_at) for record in records] == [(False, first)]
    assert [(entry.user_id, entry.details["registration_id"], entry.details["via"]) for entry in entries] == [
        (None, person.id, "one_click")]


@pytest.mark.parametrize("body", [{}, {"List-Unsubscribe": "one-click"}, {"unsubscribe": "1"}],
                         ids=["empty", "wrong-case", "other-field"])
def test_a_post_without_the_one_click_body_changes_nothing(app, client, forum, body):
    response = client.post(_link(app, forum, "anna@example.se"), data=body)
    assert response.status_code == 400
    with app.app_context():
        assert _stopped("anna@example.se") is None


def test_unknown_or_tampered_links_are_not_found(app, client, forum):
    path = _link(app, forum, "anna@example.se")
    registration_id, secret = path.rsplit("/", 1)[1].split("-", 1)
    with app.app_context():
        bo = db.session.scalar(select(Registration).where(Registration.email == "bo@example.se"))
        manage = tokens.manage_token(KEYS, bo.token_salt)
    wrong = [f"/unsubscribe/{registration_id}-{'A' * 32}", f"/unsubscribe/{bo.id}-{secret}",
             f"/unsubscribe/{manage}", "/unsubscribe/0-" + secret, f"/unsubscribe/{registration_id}"]
    for url in wrong:
        assert client.get(url).status_code == 404, url
        assert client.post(url, data=ONE_CLICK).status_code == 404, url
    with app.app_context():
        assert _stopped("anna@example.se") is None and _stopped("bo@example.se") is None


def test_a_new_personal_link_makes_the_old_unsubscribe_link_stop_working(app, client, forum):
    """A corrected address gets a new link; the copies at the old, mistyped one must not decide for the person."""
    path = _link(app, forum, "anna@example.se")
    with app.app_context():
        person = db.session.scalar(select(Registration).where(Registration.email == "anna@example.se"))
        registrations.renew_link(person, KEYS)
        db.session.commit()
    assert client.post(path, data=ONE_CLICK).status_code == 404
    assert client.get(_link(app, forum, "anna@example.se", "Med den nya länken")).status_code == 200


# --- the page ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("email", "heading", "button"), [
    ("anna@example.se", "Mejl från arrangörerna", "Sluta ta emot arrangörernas mejl om det här evenemanget"),
    ("bo@example.se", "Emails from the organisers", "Stop the organisers' emails about this event"),
], ids=["swedish", "english"])
def test_get_shows_the_choice_in_the_persons_language_and_changes_nothing(app, client, forum, email, heading,
                                                                          button):
    response = client.get(_link(app, forum, email))

    assert response.status_code == 200
    text = page_text(response)
    assert heading in text and button in text and "Forum Borås" in text
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["Referrer-Policy"] == SECRET_URL_REFERRER_POLICY
    assert '<meta name="robots" content="noindex">' in response.get_data(as_text=True)
    with app.app_context():
        assert _stopped(email) is None  # scanners and link previews fetch links: a GET never unsubscribes
        token = tokens.manage_token(KEYS, db.session.scalar(
            select(Registration.token_salt).where(Registration.email == email)))
    assert token not in response.get_data(as_text=True)  # it opens no other page of the registration


def test_the_pages_button_stops_and_starts_the_mailings_again(app, client, forum):
    path = _link(app, forum, "bo@example.se")
    page = client.get(path)
    stop = client.post(f"{path}/choice", data={"csrf_token": csrf_token(page.get_data(as_text=True)),
                                               "wanted": "0"})
    assert stop.status_code == 303 and stop.headers["Location"].endswith(path)
    stopped = client.get(path)
    assert "You get no more emails from the organisers about Forum Borås ." in page_text(stopped)
    with app.app_context():
        assert _stopped("bo@example.se") is not None

    again = client.post(f"{path}/choice", data={"csrf_token": csrf_token(stopped.get_data(as_text=True)),
                                                "wanted": "1"})

    assert again.status_code == 303
    assert "You get the organisers' emails about this event again." in page_text(client.get(path))
    with app.app_context():
        assert _stopped("bo@example.se") is None
        kinds = db.session.execute(select(ConsentRecord.granted, AuditEntry.action).join(
            AuditEntry, AuditEntry.details["registration_id"].as_integer() == ConsentRecord.registration_id)
            .where(ConsentRecord.kind == "mailings").order_by(ConsentRecord.id, AuditEntry.id)).all()
    assert [granted for granted, _action in kinds[::2]] == [False, True]


def test_the_pages_button_without_its_csrf_token_changes_nothing(app, client, forum):
    path = _link(app, forum, "anna@example.se")
    assert client.post(f"{path}/choice", data={"wanted": "0"}).status_code == 400
    with app.app_context():
        assert _stopped("anna@example.se") is None


def test_the_language_switch_on_the_page_asks_for_the_other_language_there(app, client, forum):
    path = _link(app, forum, "anna@example.se")
    page = client.get(path).get_data(as_text=True)
    assert f'href="{path}?lang=en"' in page
    assert "Emails from the organisers" in page_text(client.get(f"{path}?lang=en"))


# --- what still reaches them, and their own page --------------------------------------------------

def test_emails_about_the_registration_still_reach_someone_who_stopped_mailings(app, client, forum):
    client.post(_link(app, forum, "anna@example.se"), data=ONE_CLICK)
    with app.app_context():
        db.session.query(OutboxMessage).delete()
        db.session.commit()
        anna = db.session.scalar(select(Registration).where(Registration.email == "anna@example.se"))
        events.cancel_event(event_by_slug(forum).id, None, KEYS, "Lokalen är stängd.")
        told = [m.to_address for m in outbox()]
        messages = outbox("anna@example.se")
        assert "anna@example.se" in told and "bo@example.se" in told
        assert all(parsed(m)["List-Unsubscribe"] is None for m in messages)
        assert fresh(Registration, anna.id).mailings_stopped_at is not None


def test_the_persons_own_page_shows_the_choice_and_turns_mailings_back_on(app, client, forum):
    client.post(_link(app, forum, "anna@example.se"), data=ONE_CLICK)
    with app.app_context():
        person = db.session.scalar(select(Registration).where(Registration.email == "anna@example.se"))
        token = tokens.manage_token(KEYS, person.token_salt)
    page = client.get(f"/r/{token}?lang=en")
    assert "You stopped the organisers' emails about this event on" in page_text(page)

    response = client.post(f"/r/{token}/consents/mailings", data={
        "csrf_token": csrf_token(page.get_data(as_text=True)), "wanted": "1"})

    assert response.status_code == 303
    assert "You get the emails the organisers send to the people registered." in page_text(
        client.get(f"/r/{token}?lang=en"))
    with app.app_context():
        assert _stopped("anna@example.se") is None
        assert [m.to_address for m in _mail_everyone(forum, "Igen")] == ["anna@example.se", "bo@example.se"]
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "privacy.mailings_resumed"))
        assert entry.details["via"] == "own_page"


def test_the_data_download_holds_the_choice_and_its_record(app, client, forum):
    client.post(_link(app, forum, "anna@example.se"), data=ONE_CLICK)
    with app.app_context():
        person = db.session.scalar(select(Registration).where(Registration.email == "anna@example.se"))
        token = tokens.manage_token(KEYS, person.token_salt)
        stopped = fresh(Registration, person.id).mailings_stopped_at

    data = client.get(f"/r/{token}/my-data.json").get_json()

    assert data["registration"]["mailings_stopped_at"] == stopped.isoformat()
    assert {"kind": "mailings", "granted": False} in [
        {"kind": record["kind"], "granted": record["granted"]} for record in data["consents"]]


# --- what the organiser sees ------------------------------------------------------------------------

@pytest.fixture
def organiser(app, client, forum):
    make_user(app, "org@example.se", staff_of={forum: "organiser"})
    client.set_cookie("lang", "en")
    sign_in(client, "org@example.se")
    return client


def test_the_audience_counts_say_how_many_are_skipped(app, client, forum):
    client.post(_link(app, forum, "anna@example.se"), data=ONE_CLICK)
    with app.app_context():
        make_user(app, "org@example.se", staff_of={forum: "organiser"})
        reach = mailings.reach(event_by_slug(forum).id, "all")
        assert (reach.recipients, reach.unsubscribed) == (1, 1)
        assert [r.email for r in mailings.recipients(event_by_slug(forum).id, "all")] == ["bo@example.se"]
    client.set_cookie("lang", "en")
    sign_in(client, "org@example.se")

    compose = page_text(client.get(f"/manage/events/{forum}/email/"))
    preview = page_text(post(client, f"/manage/events/{forum}/email/",
                             {"audience": "all", "subject": "Hej", "body": "Välkomna"}))

    assert "1 person; 1 more stopped these emails and is skipped" in compose
    assert "Goes to 1 person" in preview
    assert "1 more person in this group has stopped the organisers' emails about this event" in preview


def test_people_chosen_in_the_list_who_stopped_mailings_are_counted_apart(app, client, forum):
    client.post(_link(app, forum, "anna@example.se"), data=ONE_CLICK)
    with app.app_context():
        ids = list(db.session.scalars(select(Registration.id).order_by(Registration.id)))
        reach = mailings.reach(event_by_slug(forum).id, mailings.SELECTION, ids)
    assert (reach.recipients, reach.unsubscribed) == (1, 1)


def test_the_mailings_audit_entry_counts_those_skipped(app, client, forum):
    client.post(_link(app, forum, "anna@example.se"), data=ONE_CLICK)
    with app.app_context():
        _mail_everyone(forum, "Efter avregistreringen")
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "mailing.sent",
                                                           AuditEntry.summary == "Efter avregistreringen"))
    assert (entry.details["recipients"], entry.details["unsubscribed"]) == (1, 1)


def test_every_message_a_mailing_queues_carries_its_recipients_own_link(app, forum):
    with app.app_context():
        messages = _mail_everyone(forum)
        for message in messages:
            person = registrations.find_by_token(manage_token_from(message.body_text))
            assert message.unsubscribe_url.endswith("/unsubscribe/" + tokens.unsubscribe_token(KEYS, person))
            assert registrations.find_by_unsubscribe_token(message.unsubscribe_url.rsplit("/", 1)[1],
                                                           KEYS).id == person.id


def test_the_attendee_page_tells_the_organiser_who_stopped_the_mailings(app, client, organiser, forum):
    with app.app_context():
        anna, bo = (db.session.scalar(select(Registration.id).where(Registration.email == email))
                    for email in ("anna@example.se", "bo@example.se"))
    organiser.post(_link(app, forum, "anna@example.se"), data=ONE_CLICK)

    stopped = page_text(organiser.get(f"/manage/events/{forum}/attendees/{anna}"))
    getting = page_text(organiser.get(f"/manage/events/{forum}/attendees/{bo}"))

    assert "Stopped by the person on" in stopped and "the mailings skip them" in stopped
    assert "Gets the mailings" in getting
