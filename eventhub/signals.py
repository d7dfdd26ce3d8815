"""What happened, for whoever listens (blinker signals). A core package says what changed, inside its
transaction; a package built on it reacts (``live`` puts it on the open pages once the transaction has
committed), so the core never imports what is built on it. A receiver must not fail the sender's work.

- ``attendance_changed`` (sender: the event's id): someone came in at the door, joined online, or a
  check-in was undone.
- ``key_points_saved`` (sender: the event's id, ``group_id``): a discussion group's key points were saved.
"""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

attendance_changed = _signals.signal("attendance-changed")
key_points_saved = _signals.signal("key-points-saved")
