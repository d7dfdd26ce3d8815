"""URL converters shared by every blueprint."""
from __future__ import annotations

from werkzeug.routing import IntegerConverter

from eventhub.types import MAX_ID


class IdConverter(IntegerConverter):
    """``<id:name>``: a database id, 1 to MAX_ID. Anything else is a 404 before the view runs,
    so a huge number in an address cannot overflow the database driver into a 500."""

    def __init__(self, url_map, *args, **kwargs):
        super().__init__(url_map, min=1, max=MAX_ID)
