"""Interface words for the domain's values, in the current language (see shared/GLOSSARY.md).

Each list of choices is here once; forms, pages, exports and emails take their words from it.
"""
from flask_babel import lazy_gettext as _l
from flask_babel import pgettext

AUDIENCE = {
    "everyone": _l("Everyone"),
    "on_site": _l("On site"),
    "digital": _l("Digital"),
}
AUDIENCE_LONG = {
    "everyone": _l("For everyone, on site and digital"),
    "on_site": _l("For participants on site"),
    "digital": _l("For digital participants"),
}
MODE = {"on_site": _l("On site"), "digital": _l("Digital")}
# The four sectors of seed 001, and other.
SECTOR = {
    "business": _l("Business"),
    "academia": _l("Academia"),
    "public": _l("Public sector"),
    "non_profit": _l("Non-profit / civil society"),
    "other": _l("Other"),
}
# Each language by its own name, as language menus show them.
LANGUAGE = {"sv": "Svenska", "en": "English"}
# A button that changes to a language, in that language: people look for their own.
LANGUAGE_SWITCH = {"sv": "På svenska", "en": "In English"}
MODE_GROUPS = {"on_site": _l("Discussion groups on site"), "digital": _l("Digital discussion groups")}
FORMAT = {
    "on_site": _l("On site"),
    "digital": _l("Digital"),
    "hybrid": _l("On site and digital"),
}
ITEM_KIND = {
    "registration": _l("Registration"),
    "welcome": _l("Welcome"),
    "talk": _l("Talk"),
    "panel": _l("Panel"),
    "break": _l("Break"),
    "pitch": _l("Pitch"),
    "group_session": _l("Discussion groups"),
    "qa": _l("Questions"),
    "closing": _l("Closing"),
    "other": _l("Other"),
}
SPEAKER_ROLE = {
    "speaker": _l("Speaker"),
    "moderator": _l("Moderator"),
    "panellist": _l("Panellist"),
}
# Said under the audience switch and when a view cannot be shown as asked.
VIEWER_NOTE = {
    "on_site": _l("Showing the programme for participants on site."),
    "digital": _l("Showing the programme for digital participants."),
}
NOT_OFFERED = {
    "on_site": _l("This event has no on-site participants; showing the whole programme."),
    "digital": _l("This event has no digital participants; showing the whole programme."),
}
# Why the registration form is not there (registration.services.registration_state).
REGISTRATION_CLOSED = {
    "not_open_yet": _l("Registration has not opened yet."),
    "closed": _l("Registration is closed."),
    "cancelled": _l("The event is cancelled, so registration is closed."),
    "past": _l("This event has taken place."),
}
STATUS = {"draft": _l("Draft"), "published": _l("Published"), "cancelled": _l("Cancelled")}
MATERIAL_KIND = {"slides": _l("Slides"), "document": _l("Document"), "other": _l("Material")}

ACCOUNT_ROLE = {"admin": _l("Administrator"), "organiser": _l("Organiser"), "host": _l("Door host")}



def registration_status(status: str) -> str:
    """A registration's status; "cancelled" needs its own word (an event is "inställt", a person "avanmäld")."""
    return {
        "confirmed": pgettext("registration status", "Confirmed"),
        "waitlisted": pgettext("registration status", "Waitlisted"),
        "cancelled": pgettext("registration status", "Cancelled"),
    }.get(status, status)


def registration_statuses() -> list[tuple[str, str]]:
    return [(status, registration_status(status)) for status in ("confirmed", "waitlisted", "cancelled")]


ALL = {
    "account_role": ACCOUNT_ROLE,
    "audience": AUDIENCE,
    "audience_long": AUDIENCE_LONG,
    "mode": MODE,
    "sector": SECTOR,
    "language": LANGUAGE,
    "language_switch": LANGUAGE_SWITCH,
    "mode_groups": MODE_GROUPS,
    "format": FORMAT,
    "item_kind": ITEM_KIND,
    "speaker_role": SPEAKER_ROLE,
    "viewer_note": VIEWER_NOTE,
    "status": STATUS,
    "material_kind": MATERIAL_KIND,
}
