"""The reminder email, in the person's language, by how they take part.

- On site: the practical information (how to get there, when registration opens, their discussion
  group and its room) and their door ticket with its short code (the QR code shown in the HTML part,
  as in the confirmation).
- Digital: their personal join link (once the event has a platform link), when it opens, and the
  platform's test link when the organiser gives one.
- On the waitlist: that they are still on it, at which place, and a link to leave it.

Each is written in the letter every email to a registrant is written in (registration.emails).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _

from eventhub.keyring import Keyring
from eventhub.mail.models import OutboxMessage
from eventhub.registration import emails
from eventhub.registration.models import Registration
from eventhub.reminders.models import DeliveryKind, Reminder

TEMPLATE = "reminders/emails/reminder.txt"
LEAVE_WAITLIST_PAGE = "/waitlist/leave"


@dataclass(frozen=True)
class Place:
    """A discussion group the person has a place in: its title, room (on site) and time."""

    title: str
    room: str | None
    starts_at: datetime


def kind_of(registration: Registration) -> DeliveryKind:
    if registration.is_waitlisted:
        return DeliveryKind.WAITLIST
    return DeliveryKind(registration.mode)


def gives_join_link(registration: Registration) -> bool:
    """A digital participant's reminder carries their join link once the event has a platform link."""
    return kind_of(registration) == DeliveryKind.DIGITAL and bool(registration.event.join_url)


def _subject(kind: DeliveryKind, join_link: bool) -> Callable[[str], str]:
    if kind == DeliveryKind.WAITLIST:
        return lambda title: _("You are still on the waitlist: %(title)s", title=title)
    if join_link:
        return lambda title: _("Reminder and your join link: %(title)s", title=title)
    return lambda title: _("Reminder: %(title)s", title=title)


def compose(registration: Registration, reminder: Reminder, keys: Keyring, *, places: list[Place],
            registration_opens_at: datetime | None, waitlist_position: int | None) -> emails.Draft | None:
    """The reminder as ``registration`` gets it (None without an address)."""
    kind = kind_of(registration)
    join_link = gives_join_link(registration)
    return emails.compose(
        registration, TEMPLATE, _subject(kind, join_link), keys, ticket=kind == DeliveryKind.ON_SITE,
        kind=kind.value, intro=reminder.intro(registration.language) if kind != DeliveryKind.WAITLIST else "",
        places=places, registration_opens_at=registration_opens_at, join_link_given=join_link,
        waitlist_position=waitlist_position,
        leave_url=emails.personal_url(registration, keys, LEAVE_WAITLIST_PAGE) if registration.is_waitlisted else None,
    )


def send(draft: emails.Draft) -> OutboxMessage:
    return emails.queue(draft)
