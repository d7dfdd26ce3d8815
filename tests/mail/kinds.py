"""One message of every kind EventHub sends, for the tests that read messages as mail clients do.

Each kind is written by the code that writes it in the app (the feature's ``emails`` module, or the
service that queues it), to a registration in the state it is written for. The event's title, the
venue, the organiser's cancellation message and the mailing's body hold characters that HTML must
escape, a long address and a list, as organisers write them.
"""
from __future__ import annotations

import email
import email.policy
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from config import TestingConfig
from eventhub import create_app
from eventhub.accounts import services as accounts
from eventhub.attendees import emails as attendee_emails
from eventhub.events import emails as event_emails
from eventhub.events.models import Event
from eventhub.extensions import db
from eventhub.groups import emails as group_emails
from eventhub.groups import services as group_services
from eventhub.groups.models import DiscussionGroup
from eventhub.mail.models import OutboxMessage
from eventhub.mail.transports import build_message
from eventhub.mailings import services as mailings
from eventhub.registration import emails as registration_emails
from eventhub.registration import services as registration_services
from eventhub.reminders import emails as reminder_emails
from eventhub.reminders import services as reminder_services
from eventhub.reminders.models import Reminder
from tests.registration.support import KEYS, add_group_session, event_by_slug, register

TITLE = 'Forum <i>"Väst"</i> & co'
CANCELLATION = "Lokalen <script>alert(1)</script> är stängd & vi ses i höst."
MAILING_BODY = """Välkommen på tisdag!

Ta med:
- en penna
- din <b>nyfikenhet</b> & frågor

Läs mer på https://www.example.se/forum/2026/program-och-praktisk-information-for-deltagare?sida=1&lang=sv."""

KINDS = [
    "confirmed", "confirmed_digital", "waitlisted", "promoted", "cancelled", "mode_changed", "manage_link",
    "group_confirmed", "group_waitlisted", "group_promoted", "event_cancelled", "event_moved", "reminder_on_site",
    "reminder_digital", "reminder_waitlist",
    "email_changed_old", "email_changed_new", "link_sent", "mailing", "account_invitation", "host_invitation",
    "password_reset",
]
WITH_TICKET = {"confirmed", "promoted", "mode_changed", "manage_link", "email_changed_new", "link_sent",
               "reminder_on_site"}
WITH_CALENDAR = {"confirmed", "confirmed_digital", "promoted", "mode_changed", "event_moved", "email_changed_new"}


def _last() -> OutboxMessage:
    return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()


def make_event(**values) -> str:
    """A published event starting in ten days (``values`` override); its slug."""
    start = datetime.now(UTC) + timedelta(days=10)
    event = Event(**{"slug": f"event-{secrets.token_hex(4)}", "title": "Forumträff", "starts_at": start,
                     "ends_at": start + timedelta(hours=3), "format": "hybrid", "status": "published", **values})
    db.session.add(event)
    db.session.commit()
    return event.slug


def write(kind: str, language: str = "sv") -> OutboxMessage:
    """Queue one message of ``kind`` in ``language`` (a registrant's; account emails are Swedish)
    on an event of its own, and return it, committed. Call inside an app context."""
    now = datetime.now(UTC)
    slug = make_event(title=TITLE, venue_name="Textile Fashion Center", venue_address="Skaraborgsvägen 3, Borås",
                      contact_email="forum@boras.se", organiser_name="Agenda 2030 i Väst & Co",
                      on_site_seats=1, digital_seats=5, group_choice_open=True)
    event = event_by_slug(slug)
    group_id, = add_group_session(slug, [("Cirkulär <ekonomi> & textil", "on_site", 10)])
    group = db.session.get(DiscussionGroup, group_id)
    if kind in ("confirmed_digital", "reminder_digital"):
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
    elif kind.startswith("reminder_"):
        registration = _remind(kind, event, registration, group, language, now)
    elif kind == "email_changed_old":
        attendee_emails.email_changed_old(registration, "anna.andersson@example.org", KEYS)
    elif kind == "email_changed_new":
        attendee_emails.email_changed_new(registration, KEYS)
    elif kind == "link_sent":
        attendee_emails.link_sent(registration, KEYS)
    elif kind == "mailing":
        mailings.send(event.id, "all", "Inför tisdag & <onsdag>", MAILING_BODY, None, KEYS, now)
    elif kind == "account_invitation":
        accounts.invite(f"olle.{slug}@example.se", "Olle <Organisatör>", "organiser", now, None)
    elif kind == "host_invitation":
        accounts.invite_host(event.id, f"vera.{slug}@example.se", "Vera Värd", now, None)
    elif kind == "password_reset":
        accounts.create_user(f"rut.{slug}@example.se", "Rut", "organiser", now, password="correct horse battery 9")
        accounts.request_password_reset(f"rut.{slug}@example.se", now)
    elif kind not in ("confirmed", "confirmed_digital"):
        raise LookupError(kind)
    db.session.commit()
    return _last()


def _remind(kind: str, event, registration, group, language: str, now: datetime):
    """A reminder as the sender writes it, with what organisers write into one: a map link, an introduction
    with characters HTML must escape, a group and its room."""
    event.directions = "Tio minuter från resecentrum, förbi <ekonomi> & ta vänster.\nhttps://kartor.example.se/tfc"
    event.join_url, event.platform_name = "https://meet.example.org/forum", "Zoom & Co"
    event.platform_test_url = "https://zoom.example.org/test?lang=sv&room=1"
    group.place = "Sal <ekonomi> & foajén"
    reminder = Reminder(event_id=event.id, minutes_before=120, intro_sv="Välkommen på <onsdag> & ta med en penna!",
                        intro_en="Welcome on <onsdag> & bring a pen!", set_at=now)
    db.session.add(reminder)
    if kind == "reminder_on_site":
        db.session.flush()
        group_services.join(registration, group, KEYS, notify=False)
    elif kind == "reminder_waitlist":
        registration = register(event.slug, "walter@example.se", "on_site", language=language).registration
    db.session.flush()
    draft = reminder_emails.compose(registration, reminder, KEYS, places=reminder_services.places_of(registration),
                                    registration_opens_at=event.starts_at - timedelta(minutes=30),
                                    waitlist_position=registration_services.waitlist_position(registration))
    reminder_emails.send(draft)
    return registration


@dataclass(frozen=True)
class Written:
    """A message as it was queued and as it is sent (``raw``), kept after its app is gone."""

    kind: str
    language: str
    subject: str
    body_text: str
    calendar_ics: bytes | None
    raw: bytes

    def parsed(self) -> email.message.EmailMessage:
        """Read by Python's parser under the strict policy: a defect raises."""
        return email.message_from_bytes(self.raw, policy=email.policy.strict)


def write_every_kind(database: Path, sender: str = "EventHub <noreply@eventhub.boras.se>",
                     languages=("sv", "en")) -> dict[tuple[str, str], Written]:
    """Every kind in every language, written and built once on an app of its own (SQLite at ``database``):
    reading them back needs no database, so the checks share one set."""
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{database}")
    written = {}
    with app.app_context():
        db.create_all()
        for language in languages:
            for kind in KINDS:
                message = write(kind, language)
                written[kind, language] = Written(kind, language, message.subject, message.body_text,
                                                  message.calendar_ics, build_message(message, sender).as_bytes())
        db.session.remove()
        db.engine.dispose()
    return written
