"""The health check: is the database up, is the shared rate-limit store (Redis) up, how long is the outbox queue.

It reports states, counts and ages, never anything about a person, so a load balancer or a monitor
may read it without signing in.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from limits.storage import Storage, storage_from_string
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from eventhub.extensions import db
from eventhub.mail import services as mail

# A store that does not answer within this many seconds counts as down: the check must answer
# before the load balancer gives up on it.
STORE_TIMEOUT = 2.0

_stores: dict[str, Storage] = {}


@dataclass(frozen=True)
class Report:
    database: bool
    shared_store: bool | None  # None: limits are kept in each process's memory, nothing to check
    backlog: mail.Backlog | None  # None when the database could not be asked
    now: datetime

    @property
    def healthy(self) -> bool:
        return self.database and self.shared_store is not False

    def as_json(self) -> dict:
        def state(ok: bool | None) -> str:
            return "not configured" if ok is None else "ok" if ok else "down"

        outbox = None
        if self.backlog is not None:
            oldest = self.backlog.oldest_due_at
            outbox = {"due": self.backlog.due, "retrying": self.backlog.retrying,
                      "oldest_due_age_seconds": None if oldest is None else
                      max(0, round((self.now - oldest).total_seconds()))}
        return {"status": "ok" if self.healthy else "unavailable", "database": state(self.database),
                "redis": state(self.shared_store), "outbox": outbox}


def database_up() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return False
    return True


def store_up(uri: str, options: dict) -> bool | None:
    """Ping the rate-limit store the app is configured with (the limiter's own client, ``limits``)."""
    if uri.startswith("memory://"):
        return None
    store = _stores.get(uri)
    if store is None:
        if uri.startswith(("redis", "rediss")):
            options = {"socket_connect_timeout": STORE_TIMEOUT, "socket_timeout": STORE_TIMEOUT, **options}
        store = _stores[uri] = storage_from_string(uri, **options)
    return bool(store.check())


def report(now: datetime, store_uri: str, store_options: dict) -> Report:
    database = database_up()
    backlog = mail.backlog(now) if database else None
    if database:
        db.session.rollback()  # a read only: end the transaction the queries opened
    return Report(database=database, shared_store=store_up(store_uri, store_options), backlog=backlog, now=now)
