"""The day as it happens, live: people coming in (at the door, or online by their join link) and the
groups' key points as their leaders save them.

The core says what happened through the kernel's signals (``signals.attendance_changed`` from the door and
the join link, ``signals.key_points_saved`` from the groups), inside its transaction; this module notes
it on the session and, once the transaction has committed, puts a state message on the live channel (a
rolled-back one puts nothing):

- ``attendance`` ``{}``: someone came (or a check-in was undone). No figures in it: counting would add a
  statement to every scan at the door, the hot path, for pages that may not be open; the organisers'
  console reads ``figures`` when it hears of it, and a group leader's page reads its list of members;
- ``key-points`` ``{"group_id", "version"}``: for the panel's view of every group's points and the console.

Neither is for attendees' pages: both go to the organisers' streams only (``staff_only``).
"""
from __future__ import annotations

from flask import current_app, has_app_context
from sqlalchemy import case, event, func, select

from eventhub import signals
from eventhub.extensions import db
from eventhub.live import channel, services
from eventhub.modes import Mode
from eventhub.registration.models import Registration, RegistrationStatus

ATTENDANCE = "attendance"
KEY_POINTS = "key-points"
_NOTED = "live.arrivals"  # session.info: what to publish after the commit


def _note(item: tuple) -> None:
    db.session.info.setdefault(_NOTED, set()).add(item)


def _attendance_changed(event_id: int, **_) -> None:
    _note((ATTENDANCE, event_id, None))


def _key_points_saved(event_id: int, group_id: int, version: int, **_) -> None:
    _note((KEY_POINTS, event_id, (group_id, version)))


def figures(event_id: int) -> dict:
    """People with a place and how many of them have come, per way of taking part (one statement)."""
    came = case((Registration.mode == Mode.ON_SITE, Registration.checked_in_at.is_not(None)),
                else_=Registration.first_joined_at.is_not(None))
    query = (select(Registration.mode, func.count(), func.count(case((came, 1))))
             .where(Registration.event_id == event_id, Registration.status == RegistrationStatus.CONFIRMED)
             .group_by(Registration.mode))
    rows = db.session.execute(query).all()
    result = {mode.value: {"expected": 0, "arrived": 0} for mode in Mode}
    for mode, expected, arrived in rows:
        result[mode] = {"expected": expected, "arrived": arrived}
    return result


def publish(hub: channel.LocalHub, noted: set[tuple]) -> None:
    for event_id in sorted({event_id for kind, event_id, _ in noted if kind == ATTENDANCE}):
        services.publish_state(hub, event_id, ATTENDANCE, staff_only=True)
    for _, event_id, (group_id, version) in sorted(item for item in noted if item[0] == KEY_POINTS):
        services.publish_state(hub, event_id, KEY_POINTS, group_id=group_id, version=version, staff_only=True)


def _after_commit(session) -> None:
    noted = session.info.pop(_NOTED, None)
    if noted and has_app_context() and "live" in current_app.extensions:
        publish(channel.of(current_app), noted)


def _forget(session, *_args) -> None:
    session.info.pop(_NOTED, None)


def init_app(app) -> None:
    """Listen to the core's signals and the session's commits (create_app calls this; again changes nothing)."""
    signals.attendance_changed.connect(_attendance_changed)
    signals.key_points_saved.connect(_key_points_saved)
    for name, hook in (("after_commit", _after_commit), ("after_soft_rollback", _forget)):
        if not event.contains(db.session, name, hook):
            event.listen(db.session, name, hook)
