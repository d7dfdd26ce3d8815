"""The rules a registration request can break, by name; views turn them into words for the person."""
from __future__ import annotations

from datetime import datetime

from eventhub.modes import Mode


class RegistrationError(Exception):
    """Base for a registration request that breaks a rule (discussion groups' rules included)."""


class RegistrationClosed(RegistrationError):
    def __init__(self, reason: str, at: datetime | None = None):
        super().__init__(reason)
        self.reason = reason  # not_open_yet, closed, cancelled, past
        self.at = at


class ModeNotOffered(RegistrationError):
    pass


class LanguageNotOffered(RegistrationError):
    pass


class NoSeatsLeft(RegistrationError):
    def __init__(self, mode: Mode):
        super().__init__(mode)
        self.mode = mode


class AlreadyCancelled(RegistrationError):
    pass


class AlreadyRegistered(RegistrationError):
    """An organiser added an address that already has an active registration for the event."""

    def __init__(self, registration_id: int):
        super().__init__(registration_id)
        self.registration_id = registration_id


class MissingEmail(RegistrationError):
    pass


class NotWaitlisted(RegistrationError):
    """Only a waitlisted registration can be promoted."""
