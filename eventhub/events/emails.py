"""The emails that tell registrants about their event: cancelled, or moved to a new time."""
from __future__ import annotations

from flask_babel import gettext as _

from eventhub.keyring import Keyring
from eventhub.registration import emails
from eventhub.registration.models import Registration


def event_cancelled(registration: Registration, keys: Keyring) -> None:
    emails.letter(registration, "events/emails/event_cancelled.txt",
                  lambda title: _("Cancelled: %(title)s", title=title), keys, details=False)


def event_moved(registration: Registration, keys: Keyring, *, new_day: bool) -> None:
    """The new date or time, how they take part, and (with a place) the updated calendar file."""
    subject = ((lambda title: _("New date: %(title)s", title=title)) if new_day
               else (lambda title: _("New time: %(title)s", title=title)))
    emails.letter(registration, "events/emails/event_moved.txt", subject, keys, calendar=True, new_day=new_day)
