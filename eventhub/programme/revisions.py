"""Content versions kept by the ORM itself, so no operation can forget them.

Whatever code changes a row that the public event page shows, these hooks say so:

- ``Event.version`` (what the event page's cached parts are keyed by, ``eventhub.caching``) and
  ``Event.updated_at`` (what PDFs and calendars are cached by) go one up, in SQL
  (``version = version + 1``, so two changes in one flush both count), on any change to the
  event's row, its partners, its material, its privacy notice, a programme item, a speaker part,
  a discussion group, a group leader, or a person in the people directory whom the programme
  shows. A person is shared by every event that shows them: a new name raises the version of
  each of those events;
- ``Event.version`` alone on a change to the documentation the page shows once the event is over
  (the summary, a photo, a group's key points): no PDF or calendar holds it;
- ``Event.questions_version`` and ``Event.version`` on a change to the organiser's own registration
  questions (the form the page holds; each worker reads the questions once per questions version);
- a programme item's ``revision`` (calendar SEQUENCE) goes up with any change to it, its
  speakers or its groups; the event's own ``revision`` (the event's SEQUENCE) with a change to
  its row. A deleted item leaves a tombstone so calendar feeds can keep it with STATUS:CANCELLED.

Seat counters are changed with ORM-enabled UPDATE statements, which fire none of these hooks: a
seat taken is not new content. They keep ``Event.seats_version`` themselves (``eventhub.seats``).
"""
from sqlalchemy import event, insert, select, union, update
from sqlalchemy.orm import object_session

from eventhub.documentation.models import EventDocumentation, EventPhoto
from eventhub.events.models import Event, Partner
from eventhub.groups.models import DiscussionGroup, GroupKeyPoints, GroupLeader
from eventhub.materials.models import EventMaterial
from eventhub.privacy.models import EventPrivacy
from eventhub.programme.models import CancelledProgrammeItem, ItemSpeaker, Person, ProgrammeItem
from eventhub.questions.models import RegistrationQuestion
from eventhub.types import utcnow

EVENT = Event.__table__
ITEM = ProgrammeItem.__table__
GROUP = DiscussionGroup.__table__


def _new_version(connection, where) -> None:
    connection.execute(update(EVENT).where(where).values(updated_at=utcnow(), version=EVENT.c.version + 1))


def _touch_event(connection, event_id: int | None) -> None:
    if event_id is not None:
        _new_version(connection, EVENT.c.id == event_id)


def _touch_page(connection, event_id: int | None) -> None:
    """What the event page alone shows (its documentation): the page's version, not ``updated_at``,
    which the programme's PDFs and calendars are kept by and which none of it is in."""
    if event_id is not None:
        # updated_at named as it is: its onupdate would otherwise move it too
        connection.execute(update(EVENT).where(EVENT.c.id == event_id).values(
            version=EVENT.c.version + 1, updated_at=EVENT.c.updated_at))


def _bump_item(connection, item_id: int) -> None:
    connection.execute(
        update(ITEM).where(ITEM.c.id == item_id).values(revision=ITEM.c.revision + 1, updated_at=utcnow())
    )
    _touch_event(connection, connection.execute(select(ITEM.c.event_id).where(ITEM.c.id == item_id)).scalar())


def _modified(row) -> bool:
    session = object_session(row)
    return session is not None and session.is_modified(row, include_collections=False)


def _item_changed(_mapper, connection, item):
    if _modified(item):
        item.revision = (item.revision or 1) + 1
        _touch_event(connection, item.event_id)


def _event_changed(_mapper, _connection, event_row):
    # The event's own calendar SEQUENCE: one up with every change to its row (a seat taken is an
    # ORM-enabled UPDATE and fires no hook, so it is not a change). The page's version rises in SQL:
    # a hook of this flush may have raised it already.
    if _modified(event_row):
        event_row.revision = (event_row.revision or 1) + 1
        event_row.version = Event.version + 1


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
    item_id = connection.execute(select(GROUP.c.item_id).where(GROUP.c.id == leader.group_id)).scalar()
    if item_id is not None:
        _bump_item(connection, item_id)


def _shown_on_event(_mapper, connection, row):
    """A partner, a piece of material or the privacy notice: shown on its event's page."""
    _touch_event(connection, row.event_id)


def _key_points_changed(_mapper, connection, points):
    """A group's key points: the documentation on its event's page (not the programme: no item's SEQUENCE)."""
    _touch_page(connection, connection.execute(
        select(ITEM.c.event_id).join(GROUP, GROUP.c.item_id == ITEM.c.id).where(GROUP.c.id == points.group_id)
    ).scalar())


def _documentation_changed(_mapper, connection, row):
    """The summary or a photo: shown on the event page once it is over."""
    _touch_page(connection, row.event_id)


def _question_changed(_mapper, connection, question):
    """A registration question: the form on its event's page, and the questions every worker keeps."""
    connection.execute(update(EVENT).where(EVENT.c.id == question.event_id).values(
        version=EVENT.c.version + 1, questions_version=EVENT.c.questions_version + 1,
        updated_at=EVENT.c.updated_at))


def events_showing(person_id: int):
    """The ids of the events whose programme shows the person, as a speaker or a group leader."""
    speakers, leaders = ItemSpeaker.__table__, GroupLeader.__table__
    return union(
        select(ITEM.c.event_id).join(speakers, speakers.c.item_id == ITEM.c.id)
        .where(speakers.c.person_id == person_id),
        select(ITEM.c.event_id).join(GROUP, GROUP.c.item_id == ITEM.c.id)
        .join(leaders, leaders.c.group_id == GROUP.c.id).where(leaders.c.person_id == person_id),
    )


def _person_changed(_mapper, connection, person):
    if _modified(person):
        _person_shown_anew(_mapper, connection, person)


def _person_shown_anew(_mapper, connection, person):
    # Before the UPDATE or DELETE, while the parts that show the person are still theirs.
    _new_version(connection, EVENT.c.id.in_(events_showing(person.id)))


_CHANGES = ("after_insert", "after_update", "after_delete")
HOOKS = [
    (Event, "before_update", _event_changed),
    (ProgrammeItem, "before_update", _item_changed),
    (ProgrammeItem, "after_insert", _item_added),
    (ProgrammeItem, "before_delete", _item_deleted),
    (Person, "before_update", _person_changed),
    (Person, "before_delete", _person_shown_anew),
    *((ItemSpeaker, change, _speaker_changed) for change in _CHANGES),
    *((DiscussionGroup, change, _group_changed) for change in _CHANGES),
    *((GroupLeader, change, _leader_changed) for change in _CHANGES),
    *((GroupKeyPoints, change, _key_points_changed) for change in _CHANGES),
    *((model, change, _shown_on_event) for model in (Partner, EventMaterial, EventPrivacy) for change in _CHANGES),
    *((model, change, _documentation_changed) for model in (EventDocumentation, EventPhoto) for change in _CHANGES),
    *((RegistrationQuestion, change, _question_changed) for change in _CHANGES),
]


def listen() -> None:
    """Register the hooks (create_app calls this; a second call changes nothing)."""
    for model, hook, handler in HOOKS:
        if not event.contains(model, hook, handler):
            event.listen(model, hook, handler)
