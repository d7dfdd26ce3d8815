"""The app's secret key as one small object that services are handed (see docs/architecture.md).

Everything secret that EventHub derives (manage links, tickets, short codes, device cookies) is
an HMAC or a signature under the app's ``SECRET_KEY``. Services never read the key from the
configuration: the view or command that calls them passes the app's keyring, built once by
``create_app``, and tests pass one of their own.
"""
from __future__ import annotations

import hashlib
import hmac

from flask import current_app
from itsdangerous import URLSafeTimedSerializer

EXTENSION = "eventhub.keyring"


class Keyring:
    def __init__(self, secret_key: str):
        self._secret = secret_key

    def mac(self, message: str) -> bytes:
        """HMAC-SHA-256 of ``message`` under the secret key: 32 bytes."""
        return hmac.new(self._secret.encode(), message.encode(), hashlib.sha256).digest()

    def serializer(self, salt: str) -> URLSafeTimedSerializer:
        """Signed, timestamped values (cookies) under the secret key, kept apart by ``salt``."""
        return URLSafeTimedSerializer(self._secret, salt=salt)

    def __repr__(self) -> str:
        return "<Keyring>"  # never the key itself, not even in a traceback


def init_app(app) -> None:
    app.extensions[EXTENSION] = Keyring(app.config["SECRET_KEY"])


def of(app) -> Keyring:
    return app.extensions[EXTENSION]


def current() -> Keyring:
    """The running app's keyring, for views and commands to hand to services."""
    return of(current_app)
