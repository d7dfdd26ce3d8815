"""Secrets for manage links and tickets.

Each is an HMAC of a per-registration random salt under the app's secret key. The
database stores only the salt and a SHA-256 of the manage token, so a copy of the
database alone yields no working link, while the same link can be emailed again.
"""
from __future__ import annotations

import base64
import hashlib
import re
import secrets

from eventhub.keyring import Keyring
from eventhub.types import MAX_ID


def new_salt() -> str:
    return secrets.token_hex(16)  # 128 bits


def manage_token(keys: Keyring, salt: str) -> str:
    """URL-safe, 192 bits."""
    return base64.urlsafe_b64encode(keys.mac(f"manage:{salt}")[:24]).decode().rstrip("=")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# ASCII only, as the ticket's: ``<registration id>-<secret>``.
_UNSUBSCRIBE = re.compile(r"([0-9]{1,19})-([A-Za-z0-9_-]{32})", re.ASCII)


def unsubscribe_token(keys: Keyring, registration) -> str:
    """The key of the link that stops the organisers' mailings (List-Unsubscribe): the registration's
    id and a secret of its own, 192 bits. Not the manage token: mail programs and providers read,
    fetch and post this link, and it must open nothing but that one choice. A new manage link (a
    corrected address) makes a new one, so the old address's copies stop working too."""
    return f"{registration.id}-{unsubscribe_secret(keys, registration.token_salt)}"


def unsubscribe_secret(keys: Keyring, salt: str) -> str:
    return base64.urlsafe_b64encode(keys.mac(f"unsubscribe:{salt}")[:24]).decode()


def parse_unsubscribe_token(token: str) -> tuple[int, str] | None:
    """(registration id, secret) from the link's key, or None if it cannot be one."""
    match = _UNSUBSCRIBE.fullmatch(token or "")
    if match is None or not 0 < int(match[1]) <= MAX_ID:
        return None
    return int(match[1]), match[2]


TICKET_PREFIX = "EH1:"  # a version tag lets the scanner refuse codes it does not understand


def ticket_payload(keys: Keyring, registration, version: int | None = None) -> str:
    """What the door QR encodes: ``EH1:<registration id>-<ticket version>-<secret>``.

    The id lets the server find the ticket in one look-up; the secret (an HMAC under the
    app's key) makes it impossible to forge; the version makes a cancelled or changed
    ticket stop working. ``version`` names an earlier ticket (the one a cancelled person holds).
    """
    version = registration.ticket_version if version is None else version
    secret = ticket_secret(keys, registration.token_salt, version)
    return f"{TICKET_PREFIX}{registration.id}-{version}-{secret}"


def held_version(version: int, status: str) -> int:
    """The version of the ticket a person holds, given the registration's ``ticket_version`` and
    ``status``: cancelling raises the version (so the old ticket stops working), but the door must
    still recognise the cancelled ticket to say so."""
    return version - 1 if status == "cancelled" and version > 1 else version


# ASCII only: str.isdigit() and int() also take other scripts' digits ("¹", "١"), which no ticket has.
_PAYLOAD = re.compile(r"([0-9]{1,19})-([0-9]{1,9})-([A-Z2-7]{1,64})", re.ASCII)


def is_ticket_payload(text: str) -> bool:
    """Whether a scanned code claims to be a door QR (it is then read as one, never as a typed code)."""
    return (text or "").strip().startswith(TICKET_PREFIX)


def parse_ticket_payload(text: str) -> tuple[int, int, str] | None:
    """(registration id, version, secret) from a scanned code, or None if it is not one of ours."""
    text = (text or "").strip()
    if not text.startswith(TICKET_PREFIX) or len(text) > 100:
        return None
    match = _PAYLOAD.fullmatch(text[len(TICKET_PREFIX):])
    if match is None or not 0 < int(match[1]) <= MAX_ID:
        return None
    return int(match[1]), int(match[2]), match[3]


def ticket_secret(keys: Keyring, salt: str, version: int) -> str:
    """What the door QR encodes: 160 bits, changes with ticket_version so old tickets stop working."""
    return base64.b32encode(keys.mac(f"ticket:{salt}:{version}")[:20]).decode().rstrip("=")


CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # no I, L, O, U: nothing to misread at the door


def ticket_code(keys: Keyring, registration) -> str:
    """The short code of the person's current ticket, printed next to its QR code."""
    return short_code(keys, registration.token_salt, registration.ticket_version)


def short_code(keys: Keyring, salt: str, version: int) -> str:
    """Eight characters a host can type when the camera fails, e.g. ``7K2M-X9QD`` (40 bits)."""
    value = int.from_bytes(keys.mac(f"short:{salt}:{version}")[:5], "big")
    chars = "".join(CROCKFORD[(value >> shift) & 31] for shift in range(35, -1, -5))
    return f"{chars[:4]}-{chars[4:]}"
