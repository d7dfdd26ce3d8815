"""Rendered parts of the public pages, kept by a content version (Flask-Caching), and a small LRU.

The cache (``extensions.cache``) is Flask-Caching's: a SimpleCache per worker process by default,
Redis when ``CACHE_URL`` is set (config.py), so that every worker of every app server shares one
copy. What goes in is public and the same for every visitor; whatever differs per visitor (the
form's CSRF token, flashed messages, the signed-in header) is never in it.

A key names everything its value depends on: the content version of what it shows (for the event
page ``Event.version``, raised by the ORM hooks of ``programme.revisions`` whatever code changes
it, and ``Event.seats_version``, raised by the seat counters), the language, the audience, the
host the links point to. A change makes a new key, so nothing stale is ever served, and nothing
has to be deleted: old keys fall out (the least recently used, or after ``CACHE_DEFAULT_TIMEOUT``).
Every key also carries a stamp of the code (the package, templates and compiled translations):
app servers running another release never read each other's HTML; and one of the database's
address, so a backup restored into a new database starts with nothing kept (restored in place, its
versions go back: ``flask clear-cache``).

A cache that fails (Redis down) is a miss: the page is rendered as if nothing were kept, and a
warning is logged.
"""
from __future__ import annotations

import hashlib
import logging
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable
from functools import cache as once
from pathlib import Path
from typing import Generic, TypeVar

from redis.exceptions import RedisError
from sqlalchemy import make_url

from eventhub.extensions import cache

V = TypeVar("V")
logger = logging.getLogger(__name__)

# What the stamp of the code is made of, under each root.
CODE_PATTERNS = ("**/*.py", "**/*.html", "**/*.txt", "**/*.xml", "**/*.mo")


def init_app(app, roots: Iterable[str | Path]) -> None:
    """Bind the cache to the app, its keys prefixed with the configured prefix, the code's stamp and
    the database's (installations sharing a Redis, or a backup restored into a new database, never
    read each other's parts)."""
    database = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).render_as_string(hide_password=True)
    prefix = (f"{app.config.get('CACHE_KEY_PREFIX', 'eventhub:')}{code_stamp(tuple(str(root) for root in roots))}"
              f":{hashlib.sha256(database.encode()).hexdigest()[:8]}:")
    cache.init_app(app, config={"CACHE_KEY_PREFIX": prefix})


@once
def code_stamp(roots: tuple[str, ...]) -> str:
    """A digest of the files that make the HTML (computed once per process): the same release on
    every server gives the same stamp, another release another."""
    digest = hashlib.sha256()
    for root in roots:
        base = Path(root)
        for path in sorted({path for pattern in CODE_PATTERNS for path in base.glob(pattern) if path.is_file()}):
            digest.update(str(path.relative_to(base)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def key(kind: str, *parts) -> str:
    """The key of one value: its kind, then a digest of what it depends on (any text, even a Host
    header a client wrote, gives a key of fixed form that no other parts give)."""
    return f"{kind}:{hashlib.sha256(repr(parts).encode()).hexdigest()[:40]}"


def kept(name: str, build: Callable[[], V]) -> V:
    """The value kept under ``name``; else ``build()``, kept for the next request."""
    try:
        value = cache.get(name)
    except (RedisError, OSError) as error:
        logger.warning("cache unavailable, rendering afresh: %s", error)
        return build()
    if value is None:
        value = build()
        put(name, value)
    return value


def get(name: str):
    """The value kept under ``name``, or None (nothing kept, or the cache unavailable)."""
    try:
        return cache.get(name)
    except (RedisError, OSError) as error:
        logger.warning("cache unavailable: %s", error)
        return None


def put(name: str, value) -> None:
    try:
        cache.set(name, value)
    except (RedisError, OSError) as error:
        logger.warning("cache unavailable, not kept: %s", error)


def clear() -> None:
    """Forget every kept value (of this app's cache: this process's, or the shared one's prefix), and this
    process's LRUs."""
    cache.clear()
    for lru in list(_LRUS):
        lru.clear()


_LRUS: weakref.WeakSet = weakref.WeakSet()


class LRU(Generic[V]):
    """A small thread-safe LRU for values kept per worker process under a content-version key."""

    def __init__(self, max_entries: int = 256):
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple, V] = OrderedDict()
        self._lock = threading.Lock()
        _LRUS.add(self)

    def get(self, key: tuple) -> V | None:
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, key: tuple, value: V) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
