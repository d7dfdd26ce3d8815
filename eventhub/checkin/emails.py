"""The reminder that brings a digital participant their personal join link."""
from __future__ import annotations

from flask_babel import gettext as _

from eventhub.keyring import Keyring
from eventhub.registration import emails
from eventhub.registration.models import Registration


def join_reminder(registration: Registration, keys: Keyring) -> None:
    # The message gives the link itself, so the letter does not also say where it will appear.
    emails.letter(registration, "checkin/emails/join_reminder.txt",
                  lambda title: _("Your join link: %(title)s", title=title), keys, join_link_given=True)
