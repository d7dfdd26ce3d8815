"""Rendered programme HTML, kept per content version.

The programme and discussion groups are the costly part of the event page (five
queries, a few hundred template calls) and change rarely. Their HTML is kept per
worker, keyed by the event's content version (``Event.updated_at``, which ORM hooks
bump on every programme, speaker, group or leader change), language and audience. A
change makes a new key, so nothing stale can be served; old keys fall out of the LRU.
Seats, the form and its CSRF token are rendered fresh on every request.
"""
from __future__ import annotations

from markupsafe import Markup

from eventhub.caching import LRU

MAX_ENTRIES = 256

_cache: LRU[Markup] = LRU(MAX_ENTRIES)


def get(key: tuple) -> Markup | None:
    return _cache.get(key)


def put(key: tuple, html: Markup) -> None:
    _cache.put(key, html)


def clear() -> None:
    _cache.clear()
