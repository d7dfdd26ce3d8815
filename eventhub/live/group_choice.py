"""Group choice, live: every open page learns at once when choice opens or closes and how many seats
each group has left.

The rules stay in ``groups`` (core, which never imports ``live``): this module watches the session
instead. On every flush it notes the events whose ``group_choice_open`` changed and those whose groups'
seats may have (a membership added, removed or changed, a group added, edited or removed); after the
commit it reads each noted event's state afresh, in one statement on a connection of its own, and
publishes two state messages on the live channel:

- ``group-choice`` ``{"open": bool}``: each person's page reads its choice section again;
- ``seats`` ``{"seats": {group id: seats left or None}, "modes": {group id: mode}, "version": n}``:
  public numbers, no names. ``version`` is the event's ``seats_version`` read in the same statement,
  so a page that hears two messages out of order (two workers publishing at once) keeps the newer.

How one person sees them (``state_views``): ``group-choice`` as it is; ``seats`` only for the groups
they may join (``groups.services.may_join``, by their mode). A rolled-back transaction publishes
nothing.
"""
from __future__ import annotations

from types import SimpleNamespace

from flask import current_app, has_app_context
from sqlalchemy import and_, event, inspect, select

from eventhub.events.models import Event
from eventhub.extensions import db
from eventhub.groups import services as groups
from eventhub.groups.models import DiscussionGroup, GroupMembership
from eventhub.live import channel, services
from eventhub.modes import Mode
from eventhub.programme.models import ItemKind, ProgrammeItem

CHOICE = "group-choice"
SEATS = "seats"
_NOTED = "live.group_choice"  # session.info: {event id: {kinds}} until the commit


# --- noticing the changes --------------------------------------------------------------------------

def _noted(session) -> dict[int, set[str]]:
    return session.info.setdefault(_NOTED, {})


def _after_flush(session, _context) -> None:
    noted, items = _noted(session), set()
    for row in session.dirty:
        if isinstance(row, Event) and inspect(row).attrs.group_choice_open.history.has_changes():
            noted.setdefault(row.id, set()).update((CHOICE, SEATS))
    for row in (*session.new, *session.dirty, *session.deleted):
        if isinstance(row, (GroupMembership, DiscussionGroup)) and row.item_id is not None:
            items.add(row.item_id)
    if items:
        for event_id in session.connection().execute(
                select(ProgrammeItem.event_id).where(ProgrammeItem.id.in_(items)).distinct()).scalars():
            noted.setdefault(event_id, set()).add(SEATS)


def _after_commit(session) -> None:
    noted = session.info.pop(_NOTED, None)
    if noted and has_app_context() and "live" in current_app.extensions:
        hub = channel.of(current_app)
        for event_id, kinds in noted.items():
            publish(hub, event_id, kinds)


def _forget(session, *_args) -> None:
    session.info.pop(_NOTED, None)


# --- what is published -------------------------------------------------------------------------------

def state(event_id: int) -> dict | None:
    """The event's group choice as the channel says it: open, seats left per group session's group, the
    seats version. One statement, on its own connection (the session has just committed)."""
    query = (select(Event.group_choice_open, Event.seats_version, Event.on_site_may_join_digital_groups,
                    DiscussionGroup.id, DiscussionGroup.mode,
                    DiscussionGroup.seats, DiscussionGroup.taken)
             .select_from(Event)
             .outerjoin(ProgrammeItem, and_(ProgrammeItem.event_id == Event.id,
                                            ProgrammeItem.kind == ItemKind.GROUP_SESSION))
             .outerjoin(DiscussionGroup, DiscussionGroup.item_id == ProgrammeItem.id)
             .where(Event.id == event_id))
    with db.engine.connect() as connection:
        rows = connection.execute(query).all()
    if not rows:
        return None
    seats, modes = {}, {}
    for row in rows:
        if row.id is not None:
            seats[str(row.id)] = None if row.seats is None else max(0, row.seats - row.taken)
            modes[str(row.id)] = row.mode
    return {"open": bool(rows[0].group_choice_open), "version": rows[0].seats_version, "seats": seats,
            "modes": modes, "on_site_digital": bool(rows[0].on_site_may_join_digital_groups)}


def publish(hub: channel.LocalHub, event_id: int, kinds=(CHOICE, SEATS)) -> None:
    now = state(event_id)
    if now is None:
        return
    if CHOICE in kinds:
        services.publish_state(hub, event_id, CHOICE, open=now["open"])
    if SEATS in kinds:
        services.publish_state(hub, event_id, SEATS, seats=now["seats"], modes=now["modes"], version=now["version"],
                               on_site_digital=now["on_site_digital"])


# --- how one person sees them ------------------------------------------------------------------------

def _choice_view(message: dict, viewer: services.Viewer) -> dict | None:
    return {"open": bool(message.get("open"))}


def _seats_view(message: dict, viewer: services.Viewer) -> dict | None:
    """The seats left of the groups this person may join (by their mode), nothing of the others."""
    place = SimpleNamespace(on_site_may_join_digital_groups=bool(message.get("on_site_digital")))
    modes = message.get("modes") or {}
    seats = {key: left for key, left in (message.get("seats") or {}).items()
             if key in modes and groups.may_join(place, Mode(viewer.mode), SimpleNamespace(mode=modes[key]))}
    if not seats:
        return None
    return {"seats": seats, "version": message.get("version")}


# --- wiring -------------------------------------------------------------------------------------------

_HOOKS = (("after_flush", _after_flush), ("after_commit", _after_commit), ("after_soft_rollback", _forget))


def init_app(app) -> None:
    """Register the state views and the session hooks (create_app calls this; again changes nothing)."""
    services.state_view(CHOICE)(_choice_view)
    services.state_view(SEATS)(_seats_view)
    for name, hook in _HOOKS:
        if not event.contains(db.session, name, hook):
            event.listen(db.session, name, hook)
