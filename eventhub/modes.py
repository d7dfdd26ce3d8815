"""Participation mode and audience: the two words that drive the product.

A *mode* is how a person takes part (on site or digital). An *audience* is who a
programme item is for: one mode, or everyone.
"""
from enum import StrEnum


class Mode(StrEnum):
    ON_SITE = "on_site"
    DIGITAL = "digital"


class Audience(StrEnum):
    EVERYONE = "everyone"
    ON_SITE = "on_site"
    DIGITAL = "digital"


def sql_in(enum_cls: type[StrEnum]) -> str:
    """The IN (...) list for a CHECK constraint over an enum's values."""
    return "(" + ", ".join(f"'{member.value}'" for member in enum_cls) + ")"
