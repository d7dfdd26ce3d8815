"""Known devices: a browser that has signed in to an account before is not locked out of it.

Failed sign-ins are limited per account (see accounts.views.login), and a limit anyone can trip
would let a stranger lock a host out on the day of the event. So a successful sign-in leaves a
signed cookie naming the account (by a keyed hash, not the address), and that browser is exempt
from the per-account limit; the per-address limit still applies to it. This is OWASP's
"device cookie" defence against lockout.
"""
from __future__ import annotations

from itsdangerous import BadSignature, URLSafeTimedSerializer

from eventhub.keyring import Keyring

COOKIE = "eventhub_device"
MAX_AGE = 365 * 24 * 3600
MAX_ACCOUNTS = 5  # a shared door phone may know a few hosts


def _serializer(keys: Keyring) -> URLSafeTimedSerializer:
    return keys.serializer("eventhub-known-device")


def _account_hash(keys: Keyring, email: str) -> str:
    return keys.mac("device:" + email).hex()[:32]


def accounts_in(keys: Keyring, token: str | None) -> list[str]:
    """The account hashes a device cookie holds; none if it is missing, forged or too old."""
    if not token:
        return []
    try:
        value = _serializer(keys).loads(token, max_age=MAX_AGE)
    except BadSignature:
        return []
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def is_known(keys: Keyring, token: str | None, email: str) -> bool:
    return _account_hash(keys, email) in accounts_in(keys, token)


def remember(keys: Keyring, token: str | None, email: str) -> str:
    """The cookie's new value after ``email`` signed in on this device (most recent first)."""
    mine = _account_hash(keys, email)
    others = [item for item in accounts_in(keys, token) if item != mine]
    return _serializer(keys).dumps([mine, *others][:MAX_ACCOUNTS])
