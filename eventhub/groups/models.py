from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint, select, update
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from eventhub.events.models import Event
from eventhub.extensions import db
from eventhub.modes import Mode, sql_in
from eventhub.programme.models import ProgrammeItem
from eventhub.seats import SeatCounter
from eventhub.text import web_url
from eventhub.types import UTCDateTime, utcnow


class DiscussionGroup(db.Model):
    """A discussion group (samtalsgrupp) inside a group-session programme item."""

    __tablename__ = "discussion_group"
    __table_args__ = (
        CheckConstraint(f"mode IN {sql_in(Mode)}", name="mode_valid"),
        CheckConstraint("seats IS NULL OR seats >= 0", name="seats_non_negative"),
        CheckConstraint("taken >= 0 AND (seats IS NULL OR taken <= seats)", name="taken_within_seats"),
        CheckConstraint("seats_added >= 0", name="seats_added_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("programme_item.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    mode: Mapped[str] = mapped_column(String(16))
    seats: Mapped[int | None] = mapped_column(Integer)  # None means unlimited
    taken: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Seats overrides added beyond the planned limit (eventhub.seats): a copy starts from the plan.
    seats_added: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    place: Mapped[str | None] = mapped_column(String(200))  # room, for on-site groups
    # Like the event's join URL: only for the group's own members, never public.
    join_url: Mapped[str | None] = mapped_column(String(500))
    position: Mapped[int] = mapped_column(Integer, default=0)

    item: Mapped[ProgrammeItem] = relationship(back_populates="groups")
    leaders: Mapped[list[GroupLeader]] = relationship(
        back_populates="group", order_by="GroupLeader.position", cascade="all, delete-orphan"
    )

    @validates("join_url")
    def _check_url(self, key: str, value: str | None) -> str | None:
        return web_url(value, key)

    def __repr__(self) -> str:
        return f"<DiscussionGroup {self.title!r} {self.mode}>"

    @property
    def seats_left(self) -> int | None:
        return None if self.seats is None else max(0, self.seats - self.taken)

    @property
    def planned_seats(self) -> int | None:
        """The limit as the organiser set it, without the seats overrides added."""
        return None if self.seats is None else max(0, self.seats - self.seats_added)


class GroupLeader(db.Model):
    __tablename__ = "group_leader"
    __table_args__ = (UniqueConstraint("group_id", "person_id", name="uq_group_leader_group_person"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("discussion_group.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="RESTRICT"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    group: Mapped[DiscussionGroup] = relationship(back_populates="leaders")
    person: Mapped[Person] = relationship()  # noqa: F821


def _event_seats_changed(group_id: int):
    """A group's places left are shown on its event's page: the event's seats version goes one up."""
    item_id = select(DiscussionGroup.item_id).where(DiscussionGroup.id == group_id).scalar_subquery()
    event_id = select(ProgrammeItem.event_id).where(ProgrammeItem.id == item_id).scalar_subquery()
    return update(Event).where(Event.id == event_id).values({Event.seats_version: Event.seats_version + 1})


# A group's seats, taken and given back by its members (eventhub.seats).
SEATS = SeatCounter(DiscussionGroup.id, DiscussionGroup.taken, DiscussionGroup.seats, added=DiscussionGroup.seats_added,
                    version=_event_seats_changed)


class MembershipStatus(StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"


class GroupMembership(db.Model):
    """A registration's place (or waitlist place) in one discussion group."""

    __tablename__ = "group_membership"
    __table_args__ = (
        # One group per group session per person.
        UniqueConstraint("registration_id", "item_id", name="uq_group_membership_registration_item"),
        CheckConstraint(f"status IN {sql_in(MembershipStatus)}", name="status_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("discussion_group.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("programme_item.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    group: Mapped[DiscussionGroup] = relationship()
    registration: Mapped[Registration] = relationship(back_populates="memberships")  # noqa: F821

    @hybrid_property
    def is_confirmed(self) -> bool:
        """A place in the group, not its waitlist (also usable in queries)."""
        return self.status == MembershipStatus.CONFIRMED

    @hybrid_property
    def is_waitlisted(self) -> bool:
        return self.status == MembershipStatus.WAITLISTED


# Key points are Markdown: room for a page of notes, not a report.
KEY_POINTS_MAX = 10_000


class KeyPointsAuthor(StrEnum):
    LEADER = "leader"  # through the group leader's link
    ORGANISER = "organiser"


class GroupLeaderLink(db.Model):
    """The group leader's own page, ``/leader/<token>``: one link per group, for whoever leads it.

    Made like the attendee's link (``registration.tokens``): the token is an HMAC of this random
    salt under the app's secret key, so the organiser can copy it again at any time, and only its
    SHA-256 is stored for look-up, so a copy of the database alone opens nothing. Revoking the link
    deletes the row; a new link has a new salt, so the old one stops working.
    """

    __tablename__ = "group_leader_link"

    group_id: Mapped[int] = mapped_column(ForeignKey("discussion_group.id", ondelete="CASCADE"), primary_key=True)
    token_salt: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    group: Mapped[DiscussionGroup] = relationship()


class GroupKeyPoints(db.Model):
    """What a discussion group arrived at, in Markdown (sanitised when shown), written by its leader
    through their link or by an organiser. Public content: the event's documentation page shows it
    once the event is over. A row of its own, not a column of the group: writing it is not a change
    to the programme (no calendar SEQUENCE, no content version moves)."""

    __tablename__ = "group_key_points"
    __table_args__ = (
        CheckConstraint(f"length(text) <= {KEY_POINTS_MAX}", name="text_length"),
        CheckConstraint(f"written_by IN {sql_in(KeyPointsAuthor)}", name="written_by_valid"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    group_id: Mapped[int] = mapped_column(ForeignKey("discussion_group.id", ondelete="CASCADE"), primary_key=True)
    text: Mapped[str] = mapped_column(Text, default="")
    written_by: Mapped[str] = mapped_column(String(16))
    # One up with every save: a save names the version it started from (groups.leaders.save_key_points).
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    group: Mapped[DiscussionGroup] = relationship()


class GroupChoiceInvitation(db.Model):
    """The email that group choice is open, sent to one person once: opening choice again (after
    closing it, or a second click) writes to nobody who has had it."""

    __tablename__ = "group_choice_invitation"

    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"),
                                                 primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
