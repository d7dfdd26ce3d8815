"""Announcements on the live channel, who sees which, the stream that carries them, and the next item.

An announcement is for the people **with a place** (not the waitlist, not the cancelled): everyone,
one way of taking part (on site or digital), or one discussion group's members (those with a place in
it). Each person reads it in their language (the English words when the organiser wrote them, else
the Swedish), with what they need to act on it: a digital participant their personal join link (or
their digital group's own link), a person on site the group's room or the venue. With ``by_email`` it
also goes by email, through the outbox, in each person's language, to those who have not stopped the
organisers' emails; the page shows it to everyone it is for either way.

The live channel of one person (``follow``) is a stream of Server-Sent Events: what they may see and
have not seen (after ``Last-Event-ID``), then each new announcement for them as it is sent, a comment
as a heartbeat every ``heartbeat`` seconds, and an end after ``lifetime`` seconds (the browser comes
back with its last id). It holds no database connection while it waits: it reads the backlog, then
everything it shows comes in the message itself (``Notice``).
"""
from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from eventhub.audit import services as audit
from eventhub.database import commit
from eventhub.events.models import Event
from eventhub.extensions import db
from eventhub.groups import leaders
from eventhub.groups import services as groups
from eventhub.groups.models import DiscussionGroup, GroupKeyPoints, GroupLeader, GroupMembership
from eventhub.keyring import Keyring
from eventhub.live.channel import RESYNC, STAFF, LocalHub, Subscription
from eventhub.live.models import TEXT_MAX, Announcement, AnnouncementAudience
from eventhub.modes import Mode
from eventhub.programme import services as programme
from eventhub.programme.models import ProgrammeItem
from eventhub.registration import emails
from eventhub.registration.models import Registration, RegistrationStatus
from eventhub.text import CONTROL_CHARACTERS

BACKLOG = 20  # the newest a page shows, and a stream or poll sends at most, at once
EMAIL_TEMPLATE = "live/emails/announcement.txt"


class AnnouncementError(Exception):
    pass


class EmptyText(AnnouncementError):
    pass


class TextTooLong(AnnouncementError):
    pass


class UnknownAudience(AnnouncementError):
    pass


class NoRecipients(AnnouncementError):
    pass


class AlreadySent(AnnouncementError):
    """The same announcement to the same audience a moment ago: a double click, or the form sent again."""

    def __init__(self, announcement: Announcement):
        super().__init__(announcement.id)
        self.announcement = announcement


REPEAT_SECONDS = 60  # the same words to the same people within this time are taken as sent once


# --- the live event's other parts: state messages -------------------------------------------------------
# Beside announcements the channel carries *state* messages, ``{"kind": <kind>, ...}``: group choice
# opened, seats left, a question approved. Each part registers how one person sees a message of its
# kind (``state_view``: the data their page gets, or None when it is not for them); organisers' streams
# (``follow_event``) get every one as it is. A state message says how things are now, so a stream that
# reconnects simply asks the page to read them again (``hello``): they carry no id to resume from.

STATE_VIEWS: dict[str, Callable[[dict, Viewer], dict | None]] = {}


def state_view(kind: str):
    """Register how a person's stream shows the state messages of ``kind``."""
    def register(view: Callable[[dict, Viewer], dict | None]):
        STATE_VIEWS[kind] = view
        return view
    return register


def publish_state(hub: LocalHub, event_id: int, kind: str, *, staff_only: bool = False, **data) -> None:
    """Put a state message on every open stream of the event (the caller has committed what it says);
    ``staff_only``: on the organisers' streams only, the attendees' are not even woken."""
    hub.publish(event_id, {"kind": kind, **data, **({"to": STAFF} if staff_only else {})})


def _state_for(message: dict, viewer: Viewer | None) -> dict | None:
    kind = message.get("kind")
    if not isinstance(kind, str) or kind == "announcement":
        return None
    if viewer is None:
        return {key: value for key, value in message.items() if key != "to"}
    if message.get("to") == STAFF:
        return None
    view = STATE_VIEWS.get(kind)
    data = view(message, viewer) if view is not None else None
    return None if data is None else {"kind": kind, **data}


# --- who it is for --------------------------------------------------------------------------------

def audience_choices(event: Event) -> list[str]:
    """What the organiser may send to: everyone, each way of taking part (a hybrid event), each group."""
    keys = [AnnouncementAudience.ALL.value]
    if len(event.modes) > 1:
        keys += [mode.value for mode in event.modes]
    return keys + [f"group:{group.id}" for group in groups.of_event(event.id)]


def _parse(event_id: int, key: str) -> tuple[str, DiscussionGroup | None]:
    if key in (AnnouncementAudience.ALL, AnnouncementAudience.ON_SITE, AnnouncementAudience.DIGITAL):
        return key, None
    if key.startswith("group:") and key[6:].isdigit() and len(key) <= 20:
        group = next((g for g in groups.of_event(event_id) if g.id == int(key[6:])), None)
        if group is not None:
            return AnnouncementAudience.GROUP.value, group
    raise UnknownAudience(key)


def _recipients_query(event_id: int, audience: str, group_id: int | None):
    query = select(Registration).where(Registration.event_id == event_id,
                                       Registration.status == RegistrationStatus.CONFIRMED)
    if audience in (AnnouncementAudience.ON_SITE, AnnouncementAudience.DIGITAL):
        query = query.where(Registration.mode == audience)
    elif audience == AnnouncementAudience.GROUP:
        query = query.where(Registration.id.in_(
            select(GroupMembership.registration_id).where(GroupMembership.group_id == group_id,
                                                          GroupMembership.is_confirmed)))
    return query.order_by(Registration.id)


def check_text(text: str, required: bool = True) -> str:
    text = CONTROL_CHARACTERS.sub(" ", (text or "").replace("\r\n", "\n")).strip()
    text = " ".join(text.split())  # one paragraph: it is read at a glance
    if required and not text:
        raise EmptyText()
    if len(text) > TEXT_MAX:
        raise TextTooLong()
    return text


# --- what one person sees ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Notice:
    """An announcement as the live channel carries it: everything a stream needs to show it to anyone."""

    id: int
    event_id: int
    audience: str
    group_id: int | None
    text_sv: str
    text_en: str
    created_at: str  # ISO 8601, UTC
    group_place: str | None  # the group's room (on site)
    group_join_url: str | None  # the group's own meeting link (digital)

    @classmethod
    def of(cls, announcement: Announcement, group: DiscussionGroup | None = None) -> Notice:
        if group is None and announcement.group_id is not None:
            group = db.session.get(DiscussionGroup, announcement.group_id)
        return cls(announcement.id, announcement.event_id, announcement.audience, announcement.group_id,
                   announcement.text_sv, announcement.text_en, announcement.created_at.isoformat(),
                   group.place if group else None, group.join_url if group else None)

    @classmethod
    def from_message(cls, message: dict) -> Notice | None:
        try:
            return cls(**{key: message[key] for key in cls.__dataclass_fields__})
        except (KeyError, TypeError):
            return None

    def as_message(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Viewer:
    """The person a personal page or stream is for, as plain values (read once, then no database)."""

    registration_id: int
    event_id: int
    mode: str
    has_place: bool
    group_ids: frozenset[int]
    language: str
    venue: str | None
    join_link: str | None  # their personal join link, when the event has a meeting link


def viewer_of(registration: Registration, join_link: str | None) -> Viewer:
    event = registration.event
    group_ids = frozenset(m.group_id for m in registration.memberships if m.is_confirmed)
    return Viewer(registration.id, registration.event_id, registration.mode, registration.is_confirmed, group_ids,
                  registration.language, event.venue_name,
                  join_link if registration.mode == Mode.DIGITAL and event.join_url else None)


def is_for(notice: Notice, viewer: Viewer) -> bool:
    """The one rule of who sees an announcement."""
    if notice.event_id != viewer.event_id or not viewer.has_place:
        return False
    if notice.audience == AnnouncementAudience.ALL:
        return True
    if notice.audience == AnnouncementAudience.GROUP:
        return notice.group_id is not None and notice.group_id in viewer.group_ids
    return notice.audience == viewer.mode


@dataclass(frozen=True)
class Shown:
    """An announcement as one person sees it."""

    id: int
    text: str
    language: str  # of the text
    sent_at: datetime
    join_url: str | None  # digital: where to join
    place: str | None  # on site: the room or the venue


def shown(notice: Notice, viewer: Viewer) -> Shown | None:
    if not is_for(notice, viewer):
        return None
    english = viewer.language == "en" and notice.text_en.strip()
    if viewer.mode == Mode.DIGITAL:
        join, place = (notice.group_join_url if notice.audience == AnnouncementAudience.GROUP else None) \
            or viewer.join_link, None
    else:
        join = None
        place = (notice.group_place if notice.audience == AnnouncementAudience.GROUP else None) or viewer.venue
    return Shown(notice.id, notice.text_en if english else notice.text_sv, "en" if english else "sv",
                 _utc(notice.created_at), join, place)


def _utc(moment: str) -> datetime:
    parsed = datetime.fromisoformat(moment)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def for_viewer(viewer: Viewer, after: int = 0, limit: int = BACKLOG) -> list[Shown]:
    """What the person may see, sent after ``after``, oldest first (the newest ``limit``)."""
    if not viewer.has_place:
        return []
    rows = db.session.execute(
        select(Announcement, DiscussionGroup)
        .outerjoin(DiscussionGroup, DiscussionGroup.id == Announcement.group_id)
        .where(Announcement.event_id == viewer.event_id, Announcement.id > after)
        .order_by(Announcement.id.desc())
    )
    result = []
    for announcement, group in rows:
        seen = shown(Notice.of(announcement, group), viewer)
        if seen is not None:
            result.append(seen)
            if len(result) >= limit:
                break
    return result[::-1]


# --- sending ------------------------------------------------------------------------------------------

def _subject(title: str) -> str:
    return _("Announcement: %(title)s", title=title)


def send(event_id: int, key: str, text_sv: str, text_en: str, by_email: bool, actor_id: int, keys: Keyring,
         now: datetime, hub: LocalHub) -> Announcement:
    """Keep the announcement, its emails (``by_email``) and its audit entry in one transaction, then put it
    on every open page it is for."""
    text_sv, text_en = check_text(text_sv), check_text(text_en, required=False)
    audience, group = _parse(event_id, key)
    repeated = db.session.scalar(select(Announcement).where(
        Announcement.event_id == event_id, Announcement.audience == audience,
        Announcement.group_id == group.id if group else Announcement.group_id.is_(None),
        Announcement.text_sv == text_sv, Announcement.text_en == text_en,
        Announcement.created_at > now - timedelta(seconds=REPEAT_SECONDS)).limit(1))
    if repeated is not None:
        raise AlreadySent(repeated)
    recipients = _recipients_query(event_id, audience, group.id if group else None)
    # Only an email needs the people themselves; the page needs only how many (a thousand rows is a fifth
    # of a second of the organiser's wait).
    people = list(db.session.scalars(recipients)) if by_email else []
    count = len(people) if by_email else db.session.scalar(
        select(func.count()).select_from(recipients.subquery()))
    if not count:
        raise NoRecipients(key)
    announcement = Announcement(event_id=event_id, audience=audience, group_id=group.id if group else None,
                                group_title=group.title if group else "", text_sv=text_sv, text_en=text_en,
                                by_email=by_email, recipient_count=count, created_by=actor_id, created_at=now)
    db.session.add(announcement)
    db.session.flush()
    emailed = 0
    if by_email:
        for person in people:
            if person.mailings_stopped_at is not None:
                continue
            place = (group.place if group else None) or person.event.venue_name
            message = emails.letter(person, EMAIL_TEMPLATE, _subject, keys, details=False,
                                    text=announcement.text(person.language),
                                    digital=person.mode == Mode.DIGITAL and bool(person.event.join_url),
                                    group_join_url=group.join_url if group else None,
                                    place=place if person.mode == Mode.ON_SITE else None)
            emailed += message is not None
    announcement.emailed_count = emailed
    audit.record(actor_id, "announcement.sent", text_sv, event_id=event_id, title=text_sv, audience=audience,
                 group=group.title if group else None, recipients=count, emailed=emailed,
                 announcement_id=announcement.id)
    notice = Notice.of(announcement, group)
    commit()
    hub.publish(event_id, notice.as_message())
    return announcement


def history(event_id: int) -> list[Announcement]:
    """What the event's organisers have sent, newest first."""
    return list(db.session.scalars(select(Announcement).where(Announcement.event_id == event_id)
                                   .order_by(Announcement.id.desc())))


# --- the panel's view of the groups -------------------------------------------------------------------

@dataclass(frozen=True)
class GroupPoints:
    """One discussion group as the closing panel's moderator sees it: what it arrived at, so far."""

    group: DiscussionGroup
    key_points: GroupKeyPoints | None

    @property
    def text(self) -> str:
        return self.key_points.text if self.key_points else ""


def panel(event_id: int) -> list[tuple[ProgrammeItem, list[GroupPoints]]]:
    """Every group session of the event with its groups' key points, in programme order (two queries and
    the leaders)."""
    groups_of_event = groups.of_event(event_id)
    ids = [group.id for group in groups_of_event]
    if ids:  # their leaders, in one query more (the groups are the same objects: their lists fill in)
        db.session.scalars(select(DiscussionGroup).where(DiscussionGroup.id.in_(ids)).options(
            selectinload(DiscussionGroup.leaders).joinedload(GroupLeader.person))).all()
    points = leaders.key_points_of_groups(ids)
    sessions: dict[int, tuple[ProgrammeItem, list[GroupPoints]]] = {}
    for group in groups_of_event:
        sessions.setdefault(group.item_id, (group.item, []))[1].append(GroupPoints(group, points.get(group.id)))
    return list(sessions.values())


# --- the next item ------------------------------------------------------------------------------------

def next_item(event: Event, mode: str, now: datetime) -> ProgrammeItem | None:
    """The first item of the person's programme (their way of taking part) that has not begun."""
    return next((item for item in programme.items_for(event, Mode(mode)) if item.starts_at > now), None)


def next_for_room(event: Event, now: datetime) -> ProgrammeItem | None:
    """The first item of the whole programme (every audience's) that has not begun: the room's views."""
    return next((item for item in programme.items_for(event, None) if item.starts_at > now), None)


@dataclass(frozen=True)
class Audience:
    """One way of taking part as the organisers' console shows it: what is on now, what comes next."""

    mode: str
    now: list[ProgrammeItem]
    next: ProgrammeItem | None


def now_and_next(event: Event, now: datetime) -> list[Audience]:
    """For each way the event is attended: the items running now (parallel tracks, a group session) and
    the next one to begin, from that audience's own programme."""
    result = []
    for mode in event.modes:
        items = programme.items_for(event, Mode(mode))
        running = [item for item in items if item.starts_at <= now and (item.ends_at or item.starts_at) > now]
        result.append(Audience(mode, running, next((item for item in items if item.starts_at > now), None)))
    return result


# --- the stream ---------------------------------------------------------------------------------------

def sse(data: dict | None = None, event: str | None = None, event_id: int | None = None, comment: str | None = None,
        retry_ms: int | None = None) -> str:
    """One Server-Sent Events message (data as one line of JSON)."""
    lines = []
    if comment is not None:
        lines.append(f": {comment}")
    if retry_ms is not None:
        lines.append(f"retry: {retry_ms}")
    if event_id is not None:
        lines.append(f"id: {event_id}")
    if event is not None:
        lines.append(f"event: {event}")
    if data is not None:
        lines.append("data: " + json.dumps(data, ensure_ascii=False, separators=(",", ":")))
    return "\n".join(lines) + "\n\n"


def follow(viewer: Viewer, after: int, subscription: Subscription, render: Callable[[Shown], str], *,
           lifetime: float, heartbeat: float, retry_ms: int = 3000, on_end: Callable[[], None] | None = None,
           clock: Callable[[], float] = time.monotonic) -> Iterator[str]:
    """The person's live channel: ``subscription`` is taken before the backlog is read, so nothing sent
    in between is missed; ``render`` turns what they see into the HTML the page shows. At its end
    (``on_end``) the subscription is closed."""
    last = after
    try:
        yield sse({"after": after}, event="hello", retry_ms=retry_ms)
        backlog = for_viewer(viewer, after)
        db.session.remove()  # no connection held while the stream waits
        for item in backlog:
            last = max(last, item.id)
            yield sse({"id": item.id, "html": render(item)}, event="announcement", event_id=item.id)
        deadline = clock() + lifetime
        while (remaining := deadline - clock()) > 0:
            message = subscription.get(timeout=min(heartbeat, remaining))
            if message is None:
                yield sse(comment="heartbeat")
                continue
            if message == RESYNC:
                items = for_viewer(viewer, last)
                db.session.remove()
            elif (state := _state_for(message, viewer)) is not None:
                yield sse(state, event="state")
                continue
            elif "kind" in message:
                continue  # a part's state that is not for this person
            else:
                notice = Notice.from_message(message)
                item = shown(notice, viewer) if notice is not None and notice.id > last else None
                items = [item] if item is not None else []
            for item in items:
                last = max(last, item.id)
                yield sse({"id": item.id, "html": render(item)}, event="announcement", event_id=item.id)
        yield sse({"last": last}, event="bye")
    finally:
        subscription.close()
        if on_end is not None:
            on_end()


def follow_event(subscription: Subscription, *, lifetime: float, heartbeat: float, retry_ms: int = 3000,
                 on_end: Callable[[], None] | None = None, only: frozenset[str] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> Iterator[str]:
    """An organisers' stream of the event (the console, the moderator's and the projector's views): every
    state message as it comes, and ``resync`` when some may have been lost. No database at all.
    With ``only``, the stream of someone who is not an organiser (a group leader): just the kind of each
    of those state messages, so their page knows what to read again, and none of the data."""
    try:
        yield sse({}, event="hello", retry_ms=retry_ms)
        deadline = clock() + lifetime
        while (remaining := deadline - clock()) > 0:
            message = subscription.get(timeout=min(heartbeat, remaining))
            if message is None:
                yield sse(comment="heartbeat")
            elif message == RESYNC:
                yield sse({}, event="resync")
            elif (state := _state_for(message, None)) is not None:
                if only is None:
                    yield sse(state, event="state")
                elif state["kind"] in only:
                    yield sse({"kind": state["kind"]}, event="state")
            elif only is None:
                yield sse({"id": message.get("id")}, event="announcement")
        yield sse({}, event="bye")
    finally:
        subscription.close()
        if on_end is not None:
            on_end()
