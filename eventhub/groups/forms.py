"""The group's key points, as the leader (through their link) and the organiser write them."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, TextAreaField

from eventhub.fields import Form, at_most, strip
from eventhub.groups.models import KEY_POINTS_MAX


class KeyPointsForm(Form):
    key_points = TextAreaField(
        _l("Key points"), filters=[strip], validators=[at_most(KEY_POINTS_MAX)],
        description=_l("What the group talked about and arrived at, for the event's documentation page. "
                       "One point per line starting with a dash (-) makes a list; a blank line starts a new "
                       "paragraph."))
    # The version of the key points the writer started from (0: there were none yet).
    version = HiddenField()

    def started_from(self) -> int:
        """The version the writer started from; -1 for anything that is not one (then any key points
        saved meanwhile are shown beside the writer's text, as when someone else saved first)."""
        value = (self.version.data or "0").strip()
        return int(value) if value.isascii() and value.isdigit() and len(value) <= 9 else -1

    def fill_from(self, points) -> None:
        self.key_points.data = points.text if points is not None else ""
        self.version.data = str(points.version if points is not None else 0)
