"""The group leader's page and its link: ``/leader/<token>``, one per discussion group.

The leader needs no account: the organiser makes the link on the group's page in the agenda
builder, copies or emails it to whoever leads the group, and can revoke it or make a new one (the
old one then stops working). The secret is made as the attendee's link is (``registration.tokens``):
an HMAC of a random salt under the app's key, 192 bits, with only its SHA-256 kept for look-up.

Through it the leader sees their group (its title, session, place, how many are in it) and writes
the group's key points, which the event's documentation page shows once the event is over (public
content, in Markdown, sanitised when shown). The organiser may write them too. Two people writing
at once do not overwrite each other unseen: each save names the version it started from
(``GroupKeyPoints.version``), and a save on an older one is refused with both texts kept.
"""
from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from eventhub import signals
from eventhub.audit import services as audit
from eventhub.database import commit
from eventhub.extensions import db
from eventhub.groups.models import (
    DiscussionGroup,
    GroupKeyPoints,
    GroupLeader,
    GroupLeaderLink,
    GroupMembership,
    KeyPointsAuthor,
    MembershipStatus,
)
from eventhub.keyring import Keyring
from eventhub.modes import Mode
from eventhub.programme.models import ProgrammeItem
from eventhub.registration.models import Registration

# What a token can look like: URL-safe base64 of 24 bytes. Anything else is not looked up.
TOKEN_LENGTH = 32


class LeaderLinkError(Exception):
    """Base for a refused change to a leader's link or a group's key points."""


class GroupNotFound(LeaderLinkError):
    """No such group in this event."""


class KeyPointsChanged(LeaderLinkError):
    """Someone else saved the key points after this writer opened them: nothing was saved."""

    def __init__(self, current: GroupKeyPoints):
        super().__init__(current.group_id)
        self.current = current


# --- the link ------------------------------------------------------------------------------

def leader_token(keys: Keyring, salt: str) -> str:
    """URL-safe, 192 bits; kept apart from every other secret by its prefix."""
    return base64.urlsafe_b64encode(keys.mac(f"group-leader:{salt}")[:24]).decode().rstrip("=")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _group_of(event_id: int, group_id: int) -> DiscussionGroup:
    group = db.session.scalar(
        select(DiscussionGroup).join(ProgrammeItem, ProgrammeItem.id == DiscussionGroup.item_id)
        .where(DiscussionGroup.id == group_id, ProgrammeItem.event_id == event_id))
    if group is None:
        raise GroupNotFound(group_id)
    return group


def make_link(event_id: int, group_id: int, actor_id: int, keys: Keyring, now: datetime) -> str:
    """A new leader's link for the group (the old one, if any, stops working); its token."""
    group = _group_of(event_id, group_id)
    salt = secrets.token_hex(16)
    token = leader_token(keys, salt)
    link = db.session.get(GroupLeaderLink, group.id)
    renewed = link is not None
    if link is None:
        link = GroupLeaderLink(group_id=group.id)
        db.session.add(link)
    link.token_salt, link.token_hash = salt, token_hash(token)
    link.created_at = now
    audit.record(actor_id, "groups.leader_link_made", group.title, event_id=event_id, group_id=group.id,
                 renewed=renewed)
    commit()
    return token


def revoke_link(event_id: int, group_id: int, actor_id: int) -> bool:
    """The group's leader's link stops working; False if it had none (nothing is logged then)."""
    group = _group_of(event_id, group_id)
    link = db.session.get(GroupLeaderLink, group.id)
    if link is None:
        return False
    db.session.delete(link)
    audit.record(actor_id, "groups.leader_link_revoked", group.title, event_id=event_id, group_id=group.id)
    commit()
    return True


def link_of(group_id: int) -> GroupLeaderLink | None:
    return db.session.get(GroupLeaderLink, group_id)


def token_of(link: GroupLeaderLink | None, keys: Keyring) -> str | None:
    """The link's token, for the organiser to copy or send again."""
    return leader_token(keys, link.token_salt) if link is not None else None


def links_of(group_ids: list[int]) -> dict[int, GroupLeaderLink]:
    """The links of these groups that have one, by group id (one query)."""
    if not group_ids:
        return {}
    return {link.group_id: link for link in db.session.scalars(
        select(GroupLeaderLink).where(GroupLeaderLink.group_id.in_(group_ids)))}


def group_by_token(token: str | None) -> DiscussionGroup | None:
    """The group whose leader's link this is, with its session, event and leaders; None if none is."""
    if not token or len(token) != TOKEN_LENGTH:
        return None
    return db.session.scalar(
        select(DiscussionGroup).join(GroupLeaderLink, GroupLeaderLink.group_id == DiscussionGroup.id)
        .where(GroupLeaderLink.token_hash == token_hash(token))
        .options(joinedload(DiscussionGroup.item).joinedload(ProgrammeItem.event),
                 selectinload(DiscussionGroup.leaders).joinedload(GroupLeader.person)))


# --- the leader's page ------------------------------------------------------------------------

@dataclass(frozen=True)
class LeaderPage:
    group: DiscussionGroup
    members: int  # with a place in the group
    waitlisted: int
    key_points: GroupKeyPoints | None
    arrived: int = 0  # of the members: checked in at the door (on site) or joined by their link (digital)

    @property
    def item(self) -> ProgrammeItem:
        return self.group.item

    @property
    def event(self):
        return self.group.item.event


def leader_page(group: DiscussionGroup) -> LeaderPage:
    # The link needs no account and may be passed on: the page counts the members, and how many have
    # come, but never names them.
    came = case((Registration.mode == Mode.ON_SITE, Registration.checked_in_at.is_not(None)),
                else_=Registration.first_joined_at.is_not(None))
    counts = {status: (count, arrived) for status, count, arrived in db.session.execute(
        select(GroupMembership.status, func.count(), func.count(case((came, 1))))
        .join(Registration, Registration.id == GroupMembership.registration_id)
        .where(GroupMembership.group_id == group.id).group_by(GroupMembership.status)).all()}
    members, arrived = counts.get(MembershipStatus.CONFIRMED, (0, 0))
    return LeaderPage(group=group, members=members, waitlisted=counts.get(MembershipStatus.WAITLISTED, (0, 0))[0],
                      key_points=key_points_of(group.id), arrived=arrived)


# --- key points ----------------------------------------------------------------------------------

def key_points_of(group_id: int) -> GroupKeyPoints | None:
    return db.session.get(GroupKeyPoints, group_id)


def key_points_of_groups(group_ids: list[int]) -> dict[int, GroupKeyPoints]:
    """The key points of these groups that have any, by group id (one query)."""
    if not group_ids:
        return {}
    return {points.group_id: points for points in db.session.scalars(
        select(GroupKeyPoints).where(GroupKeyPoints.group_id.in_(group_ids)))}


def _current_points(group_id: int) -> GroupKeyPoints | None:
    """The group's key points as saved now, locked until this save ends (PostgreSQL; SQLite writes one
    at a time). None: nothing is saved yet, and two first saves may then meet at the write."""
    return db.session.get(GroupKeyPoints, group_id, with_for_update=True)


def save_key_points(group: DiscussionGroup, text: str, now: datetime, *, version: int | None,
                    actor_id: int | None = None) -> GroupKeyPoints:
    """Keep the group's key points as written. ``version`` is the one the writer started from (0:
    there were none); KeyPointsChanged if someone saved another since. ``actor_id`` is the
    organiser's account; None means the leader, through their link."""
    text = (text or "").strip()
    event_id = group.item.event_id  # read now: nothing may be flushed before the write below
    points = _current_points(group.id)
    if version is not None and points is not None and points.version != version:
        raise KeyPointsChanged(points)
    if points is None:
        points = GroupKeyPoints(group_id=group.id, version=0)
        db.session.add(points)
    if points.text == text and points.version:
        return points  # saved twice: nothing new
    points.text, points.updated_at, points.version = text, now, points.version + 1
    points.written_by = KeyPointsAuthor.ORGANISER if actor_id is not None else KeyPointsAuthor.LEADER
    if actor_id is None:
        audit.record(None, "groups.key_points_saved_by_leader", group.title, event_id=event_id, group_id=group.id)
    else:
        audit.record(actor_id, "groups.key_points_saved", group.title, event_id=event_id, group_id=group.id)
    signals.key_points_saved.send(event_id, group_id=group.id, version=points.version)
    try:
        commit()
    except IntegrityError:  # the other writer's first save came in between this one's look and its write
        db.session.rollback()
        current = db.session.get(GroupKeyPoints, group.id)
        if current is None:
            raise
        raise KeyPointsChanged(current) from None
    return points
