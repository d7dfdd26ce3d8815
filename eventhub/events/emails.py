"""The email that tells a registrant their event is cancelled."""
from __future__ import annotations

from flask_babel import gettext as _

from eventhub.keyring import Keyring
from eventhub.registration import emails
from eventhub.registration.models import Registration


def event_cancelled(registration: Registration, keys: Keyring) -> None:
    emails.letter(registration, "events/emails/event_cancelled.txt",
                  lambda title: _("Cancelled: %(title)s", title=title), keys, details=False)
