from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventhub.extensions import db
from eventhub.modes import Mode, sql_in


class DiscussionGroup(db.Model):
    """A discussion group (samtalsgrupp) inside a group-session programme item."""

    __tablename__ = "discussion_group"
    __table_args__ = (
        CheckConstraint(f"mode IN {sql_in(Mode)}", name="mode_valid"),
        CheckConstraint("seats IS NULL OR seats >= 0", name="seats_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("programme_item.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    mode: Mapped[str] = mapped_column(String(16))
    seats: Mapped[int | None] = mapped_column(Integer)  # None means unlimited
    place: Mapped[str | None] = mapped_column(String(200))  # room, for on-site groups
    # Like the event's join URL: only for the group's own members, never public.
    join_url: Mapped[str | None] = mapped_column(String(500))
    position: Mapped[int] = mapped_column(Integer, default=0)

    item: Mapped["ProgrammeItem"] = relationship(back_populates="groups")  # noqa: F821
    leaders: Mapped[list[GroupLeader]] = relationship(
        back_populates="group", order_by="GroupLeader.position", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<DiscussionGroup {self.title!r} {self.mode}>"


class GroupLeader(db.Model):
    __tablename__ = "group_leader"
    __table_args__ = (UniqueConstraint("group_id", "person_id", name="uq_group_leader_group_person"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("discussion_group.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="RESTRICT"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    group: Mapped[DiscussionGroup] = relationship(back_populates="leaders")
    person: Mapped["Person"] = relationship()  # noqa: F821
