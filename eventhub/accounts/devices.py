"""Known devices: a browser that has signed in to an account before is not locked out of it.

Failed sign-ins are limited per account (see accounts.views.login), and a limit anyone can trip
would let a stranger lock a host out on the day of the event. So a successful sign-in leaves a
signed cookie naming the account (by a keyed hash, not the address), and that browser is exempt
from the per-account limit; the per-address limit still applies to it. This is OWASP's
"device cookie" defence against lockout.
"""
from __future__ import annotations

import hashlib
import hmac

from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "eventhub_device"
MAX_AGE = 365 * 24 * 3600
MAX_ACCOUNTS = 5  # a shared door phone may know a few hosts


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="eventhub-known-device")


def _account_hash(secret_key: str, email: str) -> str:
    return hmac.new(secret_key.encode(), b"device:" + email.encode(), hashlib.sha256).hexdigest()[:32]


def accounts_in(secret_key: str, token: str | None) -> list[str]:
    """The account hashes a device cookie holds; none if it is missing, forged or too old."""
    if not token:
        return []
    try:
        value = _serializer(secret_key).loads(token, max_age=MAX_AGE)
    except BadSignature:
        return []
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def is_known(secret_key: str, token: str | None, email: str) -> bool:
    return _account_hash(secret_key, email) in accounts_in(secret_key, token)


def remember(secret_key: str, token: str | None, email: str) -> str:
    """The cookie's new value after ``email`` signed in on this device (most recent first)."""
    mine = _account_hash(secret_key, email)
    others = [item for item in accounts_in(secret_key, token) if item != mine]
    return _serializer(secret_key).dumps([mine, *others][:MAX_ACCOUNTS])
