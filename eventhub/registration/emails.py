"""The emails a registration brings, and the letter every email to a registrant is written in.

Each is rendered in the person's own language with their personal link, and handed to the
outbox in the transaction of the change it reports. Confirmations of an on-site seat carry the
door ticket (its QR code is drawn when the email is sent, and shown in the HTML part) and the
event's calendar. Other features write their own emails to registrants with ``letter`` (groups,
check-in, events). Each is written once, as text: the outbox makes its HTML part (mail.bodies).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from eventhub.keyring import Keyring
from eventhub.mail import services as outbox
from eventhub.mail.models import OutboxMessage
from eventhub.modes import Mode
from eventhub.programme import calendars
from eventhub.registration import tokens
from eventhub.registration.models import Registration

TICKET_RENDERER = "ticket_qr"  # registered with the outbox by create_app: registration.qr.qr_png


def personal_url(registration: Registration, keys: Keyring, page: str = "") -> str:
    """One of the person's own pages (``page`` such as "/join"), by the secret link, in their language."""
    base = current_app.config["BASE_URL"].rstrip("/")
    token = tokens.manage_token(keys, registration.token_salt)
    return f"{base}/r/{token}{page}?lang={registration.language}"


def unsubscribe_url(registration: Registration, keys: Keyring) -> str:
    """Where the person stops the organisers' mailings about this event (List-Unsubscribe, RFC 8058):
    a page of its own, never their personal page (mail providers fetch and post it)."""
    base = current_app.config["BASE_URL"].rstrip("/")
    return f"{base}/unsubscribe/{tokens.unsubscribe_token(keys, registration)}"


def manage_url(registration: Registration, keys: Keyring) -> str:
    """The person's own page: the secret link that every email to them carries."""
    return personal_url(registration, keys)


@dataclass(frozen=True)
class Draft:
    """An email to a registrant as ``letter`` queues it (``compose`` writes it without queuing: a preview)."""

    to: str
    subject: str
    body: str
    registration_id: int | None
    language: str
    reply_to: str | None
    attachment: outbox.Attachment | None = None
    calendar_ics: bytes | None = None


def compose(registration: Registration, template: str, subject: Callable[[str], str], keys: Keyring, *,
            details: bool = True, ticket: bool = False, calendar: bool = False, **context) -> Draft | None:
    """The email ``letter`` would queue, written but not queued (None without an address)."""
    if not registration.email:
        return None
    event = registration.event
    with_ticket = ticket and registration.is_confirmed and registration.mode == Mode.ON_SITE
    with force_locale(registration.language):
        body = render_template(template, registration=registration, event=event, details=details,
                               with_ticket=with_ticket, manage_url=manage_url(registration, keys),
                               join_url=personal_url(registration, keys, "/join"),
                               ticket_code=tokens.ticket_code(keys, registration) if with_ticket else None,
                               join_opens_at=event.join_opens_at, **context)
        title = subject(event.title)
        # What the QR code is, for whoever cannot see it (the HTML part shows it inline).
        ticket_alt = _("QR code for your ticket to %(title)s", title=event.title) if with_ticket else None
        ics = None
        if calendar and registration.is_confirmed:
            links = calendars.links_for(event, current_app.config["BASE_URL"], language=registration.language)
            ics = calendars.event_calendar_for_mail(event, links)
    attachment = outbox.Attachment(
        "biljett.png" if registration.language == "sv" else "ticket.png", "image/png", renderer=TICKET_RENDERER,
        source=tokens.ticket_payload(keys, registration), alt=ticket_alt) if with_ticket else None
    return Draft(registration.email, title, body, registration.id, registration.language, event.contact_email,
                 attachment, ics)


def letter(registration: Registration, template: str, subject: Callable[[str], str], keys: Keyring, *,
           details: bool = True, ticket: bool = False, calendar: bool = False, **context) -> OutboxMessage | None:
    """Queue one email to a registrant: ``template`` (which extends registration/emails/letter.txt)
    and ``subject(event title)`` in their language; with ``details``, how and when they take part.
    None for a walk-in registered at the door without an address."""
    draft = compose(registration, template, subject, keys, details=details, ticket=ticket, calendar=calendar,
                    **context)
    return None if draft is None else queue(draft)


def queue(draft: Draft) -> OutboxMessage:
    """Hand a written email to the outbox (in the caller's transaction)."""
    return outbox.queue(draft.to, draft.subject, draft.body, registration_id=draft.registration_id,
                        attachment=draft.attachment, calendar_ics=draft.calendar_ics, reply_to=draft.reply_to,
                        language=draft.language)


@dataclass(frozen=True)
class _Kind:
    subject: Callable[[str], str]
    ticket: bool = False  # the door ticket, for an on-site seat
    calendar: bool = False  # the event's calendar, with a seat
    details: bool = True


KINDS = {
    "confirmed": _Kind(lambda title: _("You are registered: %(title)s", title=title), ticket=True, calendar=True),
    "waitlisted": _Kind(lambda title: _("You are on the waitlist: %(title)s", title=title)),
    "promoted": _Kind(lambda title: _("You have a place: %(title)s", title=title), ticket=True, calendar=True),
    "cancelled": _Kind(lambda title: _("Registration cancelled: %(title)s", title=title), details=False),
    "mode_changed": _Kind(lambda title: _("Your registration has changed: %(title)s", title=title), ticket=True,
                          calendar=True),
    "manage_link": _Kind(lambda title: _("Your registration link: %(title)s", title=title), ticket=True),
    "my_link": _Kind(lambda title: _("Your registration link: %(title)s", title=title), ticket=True),
}


def send(registration: Registration, kind: str, keys: Keyring, **context) -> OutboxMessage | None:
    """One of the registration's own emails (``KINDS``) to the person; ``context`` goes to its template."""
    spec = KINDS[kind]
    return letter(registration, f"registration/emails/{kind}.txt", spec.subject, keys, details=spec.details,
                  ticket=spec.ticket, calendar=spec.calendar, **context)
