"""Rendered programme HTML, kept per content version.

The programme and discussion groups are the costly part of the event page (five
queries, a few hundred template calls) and change rarely. Their HTML is kept per
worker, keyed by the event's content version (``Event.updated_at``, which ORM hooks
bump on every programme, speaker, group or leader change), language and audience. A
change makes a new key, so nothing stale can be served; old keys fall out of the LRU.
Seats, the form and its CSRF token are rendered fresh on every request.
"""
from __future__ import annotations

import threading
from collections import OrderedDict

from markupsafe import Markup

MAX_ENTRIES = 256

_cache: OrderedDict[tuple, Markup] = OrderedDict()
_lock = threading.Lock()


def get(key: tuple) -> Markup | None:
    with _lock:
        html = _cache.get(key)
        if html is not None:
            _cache.move_to_end(key)
        return html


def put(key: tuple, html: Markup) -> None:
    with _lock:
        _cache[key] = html
        _cache.move_to_end(key)
        while len(_cache) > MAX_ENTRIES:
            _cache.popitem(last=False)


def clear() -> None:
    with _lock:
        _cache.clear()
