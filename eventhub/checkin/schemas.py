"""What the scanner sends to the check-in API, read through pydantic models.

A body that is not what our scanner sends is refused with our own JSON error (``bad_request``),
never Flask-WTF's HTML 400, which the scanner would take for an expired CSRF token and retry.
An offline queue is read item by item (``SyncItem``): one item the server cannot read must not
hold up the rest of the phone's queue.
"""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictInt, StrictStr, ValidationError

NONCE_MIN, NONCE_MAX = 8, 64
CODE_MAX = 200
SYNC_MAX = 500


def _time(value: Any) -> datetime | None:
    """An ISO time with its offset (``Z`` too); none given is None; a time without an offset is None."""
    if not value:
        return None
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment if moment.tzinfo else None


def _time_or_none(value: Any) -> datetime | None:
    """As ``_time``, but a time that cannot be read is the server's time (None), as for a phone whose clock is off."""
    try:
        return _time(value)
    except ValueError:
        return None


def _code(value: Any) -> Any:
    if isinstance(value, str) and (not value.strip() or len(value) > CODE_MAX):
        raise ValueError("not a ticket code")
    return value


Nonce = Annotated[StrictStr, Field(min_length=NONCE_MIN, max_length=NONCE_MAX)]
Code = Annotated[StrictStr, BeforeValidator(_code)]
ScanTime = Annotated[datetime | None, BeforeValidator(_time)]
Truthy = Annotated[bool, BeforeValidator(bool)]  # the scanner sends true; anything truthy counts


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Scan(_Body):
    code: Code
    nonce: Nonce
    scanned_at: ScanTime = None
    offline: Truthy = False


class CheckInFound(_Body):
    registration_id: StrictInt
    nonce: Nonce
    scanned_at: ScanTime = None
    offline: Truthy = False


class Sync(_Body):
    items: list[Any] = Field(max_length=SYNC_MAX)


def _readable_code(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() and len(value) <= CODE_MAX else None


def _whole_number(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class SyncItem(_Body):
    """One scan from an offline queue: a code, or a registration found by name. What the server
    cannot read becomes None: such an item is answered "no ticket matches", by its nonce."""

    nonce: Nonce
    code: Annotated[str | None, BeforeValidator(_readable_code)] = None
    registration_id: Annotated[int | None, BeforeValidator(_whole_number)] = None
    scanned_at: Annotated[datetime | None, BeforeValidator(_time_or_none)] = None

    @staticmethod
    def nonce_of(item: Any) -> str | None:
        """The nonce an unreadable item came with, if it is text, so the phone can drop it by it."""
        nonce = item.get("nonce") if isinstance(item, dict) else None
        return nonce if isinstance(nonce, str) and len(nonce) <= NONCE_MAX else None

    @classmethod
    def read(cls, item: Any) -> SyncItem | None:
        """The item, or None if it has no nonce to be answered by (our scanner always sends one)."""
        if not isinstance(item, dict):
            return None
        try:
            return cls.model_validate(item)
        except ValidationError:
            return None


class Undo(_Body):
    check_in_id: StrictInt


class Switch(_Body):
    registration_id: StrictInt


class Search(_Body):
    q: Annotated[str, BeforeValidator(lambda value: value[:100] if isinstance(value, str) else "")] = ""


class WalkIn(_Body):
    name: Annotated[str, BeforeValidator(lambda value: value if isinstance(value, str) else "")] = ""
    email: Annotated[str | None, BeforeValidator(lambda value: value if isinstance(value, str) else None)] = None
    nonce: Nonce
