"""The emails organisers' actions on a registration send the person, in the person's language.

A corrected address is told at both ends: the old address only that it changed (no link: it may
be a stranger's), the new one the personal link and, with an on-site place, the ticket.
"""
from __future__ import annotations

from flask_babel import gettext as _

from eventhub.keyring import Keyring
from eventhub.registration import emails
from eventhub.registration.models import Registration


def masked(address: str) -> str:
    """An address as the old one is told it: enough for the person to know it, little for a stranger."""
    local, _at, domain = address.partition("@")
    return f"{local[:1]}…@{domain}"


def email_changed_old(registration: Registration, new_address: str, keys: Keyring) -> None:
    """To the address the registration has now, before it changes (the caller changes it next)."""
    emails.letter(registration, "attendees/emails/email_changed_old.txt",
                  lambda title: _("Your email address is changed: %(title)s", title=title), keys, details=False,
                  new_address=masked(new_address))


def email_changed_new(registration: Registration, keys: Keyring) -> None:
    emails.letter(registration, "attendees/emails/email_changed_new.txt",
                  lambda title: _("Your registration link: %(title)s", title=title), keys,
                  details=not registration.is_cancelled, ticket=True, calendar=True)


def link_sent(registration: Registration, keys: Keyring) -> None:
    emails.letter(registration, "attendees/emails/link_sent.txt",
                  lambda title: _("Your registration link: %(title)s", title=title), keys,
                  details=not registration.is_cancelled, ticket=True)
