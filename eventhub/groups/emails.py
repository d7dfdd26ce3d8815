"""Emails about a person's discussion group: a place, a waitlist place, a place that came free."""
from __future__ import annotations

from flask_babel import gettext as _

from eventhub.groups.models import DiscussionGroup
from eventhub.keyring import Keyring
from eventhub.registration import emails
from eventhub.registration.models import Registration

KINDS = ("group_confirmed", "group_waitlisted", "group_promoted")


def send(registration: Registration, kind: str, group: DiscussionGroup, keys: Keyring) -> None:
    assert kind in KINDS
    emails.letter(registration, f"groups/emails/{kind}.txt",
                  lambda title: _("Your discussion group: %(title)s", title=title), keys, group=group)
