"""One message of every kind EventHub sends, for the tests that read messages as mail clients do.

Each kind is written by the code that writes it in the app (the feature's ``emails`` module, or the
service that queues it), to a registration in the state it is written for. The event's title, the
venue, the organiser's cancellation message and the mailing's body hold characters that HTML must
escape, a long address and a list, as organisers write them.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from eventhub.accounts import services as accounts
from eventhub.attendees import emails as attendee_emails
from eventhub.checkin import emails as checkin_emails
from eventhub.events import emails as event_emails
from eventhub.extensions import db
from eventhub.groups import emails as group_emails
from eventhub.groups.models import DiscussionGroup
from eventhub.mail.models import OutboxMessage
from eventhub.mailings import services as mailings
from eventhub.registration import emails as registration_emails
from tests.registration.support import KEYS, add_group_session, event_by_slug, register

TITLE = 'Forum <i>"Väst"</i> & co'
CANCELLATION = "Lokalen <script>alert(1)</script> är stängd & vi ses i höst."
MAILING_BODY = """Välkommen på tisdag!

Ta med:
- en penna
- din <b>nyfikenhet</b> & frågor

Läs mer på https://www.example.se/forum/2026/program-och-praktisk-information-for-deltagare?sida=1&lang=sv."""

# (kind, language, on site): the kinds a registrant gets, each in both languages where it matters.
KINDS = [
    "confirmed", "confirmed_digital", "waitlisted", "promoted", "cancelled", "mode_changed", "manage_link",
    "group_confirmed", "group_waitlisted", "group_promoted", "event_cancelled", "event_moved", "join_reminder",
    "email_changed_old", "email_changed_new", "link_sent", "mailing", "account_invitation", "host_invitation",
    "password_reset",
]
WITH_TICKET = {"confirmed", "promoted", "mode_changed", "manage_link", "email_changed_new", "link_sent"}
WITH_CALENDAR = {"confirmed", "confirmed_digital", "promoted", "mode_changed", "event_moved", "email_changed_new"}


def _last() -> OutboxMessage:
    return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()


def write(kind: str, make_event, language: str = "sv") -> OutboxMessage:
    """Queue one message of ``kind`` in ``language`` (a registrant's; account emails are Swedish)
    and return it, committed. Call inside an app context."""
    now = datetime.now(UTC)
    slug = make_event(title=TITLE, venue_name="Textile Fashion Center", venue_address="Skaraborgsvägen 3, Borås",
                      contact_email="forum@boras.se", organiser_name="Agenda 2030 i Väst & Co",
                      on_site_seats=1, digital_seats=5, group_choice_open=True,
                      starts_at=now + timedelta(days=10))
    event = event_by_slug(slug)
    group_id, = add_group_session(slug, [("Cirkulär <ekonomi> & textil", "on_site", 10)])
    group = db.session.get(DiscussionGroup, group_id)
    if kind in ("confirmed_digital", "join_reminder"):
        registration = register(slug, "dana@example.se", "digital", language=language).registration
    else:
        registration = register(slug, "anna@example.se", "on_site", language=language).registration
    if kind == "waitlisted":
        register(slug, "walter@example.se", "on_site", language=language)  # the only seat is Anna's
    elif kind == "promoted":
        registration_emails.send(registration, "promoted", KEYS, wish=None)
    elif kind == "cancelled":
        registration_emails.send(registration, "cancelled", KEYS)
    elif kind == "mode_changed":
        registration_emails.send(registration, "mode_changed", KEYS, left_groups=[group], kept_groups=[],
                                 may_choose=True, wish=None)
    elif kind == "manage_link":
        registration_emails.send(registration, "manage_link", KEYS)
    elif kind.startswith("group_"):
        group_emails.send(registration, kind, group, KEYS)
    elif kind == "event_cancelled":
        event.cancellation_message = CANCELLATION
        event_emails.event_cancelled(registration, KEYS)
    elif kind == "event_moved":
        event_emails.event_moved(registration, KEYS, new_day=True)
    elif kind == "join_reminder":
        checkin_emails.join_reminder(registration, KEYS)
    elif kind == "email_changed_old":
        attendee_emails.email_changed_old(registration, "anna.andersson@example.org", KEYS)
    elif kind == "email_changed_new":
        attendee_emails.email_changed_new(registration, KEYS)
    elif kind == "link_sent":
        attendee_emails.link_sent(registration, KEYS)
    elif kind == "mailing":
        mailings.send(event.id, "all", "Inför tisdag & <onsdag>", MAILING_BODY, None, KEYS, now)
    elif kind == "account_invitation":
        accounts.invite("olle@example.se", "Olle <Organisatör>", "organiser", now, None)
    elif kind == "host_invitation":
        accounts.invite_host(event.id, "vera@example.se", "Vera Värd", now, None)
    elif kind == "password_reset":
        accounts.create_user("rut@example.se", "Rut", "organiser", now, password="correct horse battery 9")
        accounts.request_password_reset("rut@example.se", now)
    elif kind not in ("confirmed", "confirmed_digital"):
        raise LookupError(kind)
    db.session.commit()
    return _last()
