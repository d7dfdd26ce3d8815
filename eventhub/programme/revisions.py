"""Content versions kept by the ORM itself, so no operation can forget them.

Any change to a programme item, its speakers or an event's discussion groups bumps
the item's ``revision`` (calendar SEQUENCE) and the event's ``updated_at`` (the
version PDFs and calendars are cached by); any change to the event's own row bumps its
``revision`` (the event's SEQUENCE). A deleted item leaves a tombstone so
calendar feeds can keep it with STATUS:CANCELLED. Seat counters are changed with
ORM-enabled UPDATE statements, which fire none of these hooks: a seat taken is not
new content.
"""
from sqlalchemy import event, insert, update
from sqlalchemy.orm import object_session

from eventhub.events.models import Event
from eventhub.groups.models import DiscussionGroup, GroupLeader
from eventhub.programme.models import CancelledProgrammeItem, ItemSpeaker, ProgrammeItem
from eventhub.types import utcnow


def _touch_event(connection, event_id: int) -> None:
    connection.execute(update(Event.__table__).where(Event.__table__.c.id == event_id).values(updated_at=utcnow()))


def _bump_item(connection, item_id: int) -> None:
    table = ProgrammeItem.__table__
    connection.execute(
        update(table).where(table.c.id == item_id).values(revision=table.c.revision + 1, updated_at=utcnow())
    )
    event_id = connection.execute(table.select().with_only_columns(table.c.event_id)
                                  .where(table.c.id == item_id)).scalar()
    if event_id is not None:
        _touch_event(connection, event_id)


def _item_changed(_mapper, connection, item):
    session = object_session(item)
    if session is not None and session.is_modified(item, include_collections=False):
        item.revision = (item.revision or 1) + 1
        _touch_event(connection, item.event_id)


def _event_changed(_mapper, _connection, event_row):
    # The event's own calendar SEQUENCE: one up with every change to its row (a seat taken is an
    # ORM-enabled UPDATE and fires no hook, so it is not a change).
    session = object_session(event_row)
    if session is not None and session.is_modified(event_row, include_collections=False):
        event_row.revision = (event_row.revision or 1) + 1


def _item_added(_mapper, connection, item):
    _touch_event(connection, item.event_id)


def _item_deleted(_mapper, connection, item):
    connection.execute(insert(CancelledProgrammeItem.__table__).values(
        event_id=item.event_id, item_id=item.id, title=item.title, audience=item.audience,
        starts_at=item.starts_at, ends_at=item.ends_at, revision=(item.revision or 1) + 1, cancelled_at=utcnow(),
    ))
    _touch_event(connection, item.event_id)


def _speaker_changed(_mapper, connection, part):
    _bump_item(connection, part.item_id)


def _group_changed(_mapper, connection, group):
    _bump_item(connection, group.item_id)


def _leader_changed(_mapper, connection, leader):
    table = DiscussionGroup.__table__
    item_id = connection.execute(table.select().with_only_columns(table.c.item_id)
                                 .where(table.c.id == leader.group_id)).scalar()
    if item_id is not None:
        _bump_item(connection, item_id)


_CHANGES = ("after_insert", "after_update", "after_delete")
HOOKS = [
    (Event, "before_update", _event_changed),
    (ProgrammeItem, "before_update", _item_changed),
    (ProgrammeItem, "after_insert", _item_added),
    (ProgrammeItem, "before_delete", _item_deleted),
    *((ItemSpeaker, change, _speaker_changed) for change in _CHANGES),
    *((DiscussionGroup, change, _group_changed) for change in _CHANGES),
    *((GroupLeader, change, _leader_changed) for change in _CHANGES),
]


def listen() -> None:
    """Register the hooks (create_app calls this; a second call changes nothing)."""
    for model, hook, handler in HOOKS:
        if not event.contains(model, hook, handler):
            event.listen(model, hook, handler)
