"""Segments: the parts of an event's registrations organisers pick out, defined once.

The attendee list's filters and the mailing's audiences offer the same segments and read
them from here, so "the waitlist" or "not checked in" selects the same people on both pages:

- ``confirmed``: has a place (either mode);
- ``waitlist``: on the event's waitlist;
- ``not_checked_in``: has a place on site and has not been checked in at the door (digital
  participants are never checked in, so they are not "missing");
- ``no_group``: in no discussion group, neither with a place nor on a group's waitlist;
- ``on_site`` / ``digital``: takes part that way (a place or the waitlist);
- ``group:<id>``: has a place in that discussion group;
- ``answer:<question id>:<value>``: answered one of the organiser's questions with choices (a choice's
  id, or yes / no; never a special-category question, whose answers no list or mailing selects by);
- once the event has begun, who took part as ``eventhub.attendance`` counts it:
  ``attended_on_site`` (checked in at the door), ``attended_online`` (used the join link, or is
  in an imported Teams or Zoom attendance report) and ``no_show`` (had a place, came neither way).

A segment is only a condition on ``Registration``; whoever uses it adds what else it needs
(a mailing leaves out cancelled people and those without an address, the list has its
other filters).
"""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, literal, select, true

from eventhub.attendance import services as attendance
from eventhub.extensions import db
from eventhub.groups.models import DiscussionGroup, GroupMembership
from eventhub.modes import Mode
from eventhub.programme.models import ProgrammeItem
from eventhub.questions.models import COUNTED_KINDS, QuestionKind, RegistrationAnswer, RegistrationQuestion
from eventhub.registration.models import Registration, RegistrationStatus
from eventhub.types import MAX_ID

ALL = "all"
CONFIRMED = "confirmed"
WAITLIST = "waitlist"
NOT_CHECKED_IN = "not_checked_in"
NO_GROUP = "no_group"
ATTENDED_ON_SITE = "attended_on_site"
ATTENDED_ONLINE = "attended_online"
NO_SHOW = "no_show"
GROUP_PREFIX = "group:"
ANSWER_PREFIX = "answer:"


class UnknownSegment(Exception):
    """Not a segment, or a group of another event."""


def group_key(group_id: int) -> str:
    return f"{GROUP_PREFIX}{group_id}"


def group_id_of(key: str) -> int | None:
    """The group a ``group:<id>`` key names (any number a database id can be), else None."""
    if not key.startswith(GROUP_PREFIX) or not key[len(GROUP_PREFIX):].isdigit():
        return None
    number = int(key[len(GROUP_PREFIX):])
    return number if 0 < number <= MAX_ID else None


def answer_key(question_id: int, value: str) -> str:
    return f"{ANSWER_PREFIX}{question_id}:{value}"


def answer_of(key: str) -> tuple[int, str] | None:
    """The question and value an ``answer:<id>:<value>`` key names, else None."""
    if not key.startswith(ANSWER_PREFIX):
        return None
    question, _sep, value = key[len(ANSWER_PREFIX):].partition(":")
    if not question.isdigit() or not 0 < int(question) <= MAX_ID or not value.isalnum() or len(value) > 8:
        return None
    return int(question), value


def _answer_condition(event_id: int, question_id: int, value: str) -> ColumnElement[bool]:
    question = db.session.get(RegistrationQuestion, question_id)
    if question is None or question.event_id != event_id or question.special or question.kind not in COUNTED_KINDS:
        raise UnknownSegment(f"{ANSWER_PREFIX}{question_id}:{value}")
    if question.kind == QuestionKind.CHOICES:  # the chosen ids, separated by spaces
        matches = (literal(" ") + RegistrationAnswer.value + literal(" ")).contains(f" {value} ", autoescape=True)
    else:
        matches = RegistrationAnswer.value == value
    return select(RegistrationAnswer.registration_id).where(
        RegistrationAnswer.registration_id == Registration.id, RegistrationAnswer.question_id == question_id,
        matches).exists()


def offered(modes: Sequence[Mode], group_ids: Sequence[int], begun: bool = False) -> list[str]:
    """The segments an event with these modes and groups offers, in the order pages list them;
    who took part only once it has ``begun`` (before, everyone would be a no-show)."""
    keys = [ALL, CONFIRMED, WAITLIST]
    if Mode.ON_SITE in modes:
        keys.append(NOT_CHECKED_IN)
    if len(modes) > 1:
        keys += [mode.value for mode in modes]
    if group_ids:
        keys.append(NO_GROUP)
        keys += [group_key(group_id) for group_id in group_ids]
    if begun:
        keys += [key for key, mode in ((ATTENDED_ON_SITE, Mode.ON_SITE), (ATTENDED_ONLINE, Mode.DIGITAL))
                 if mode in modes] + [NO_SHOW]
    return keys


def _in_event(event_id: int, group_id: int) -> bool:
    return db.session.scalar(
        select(DiscussionGroup.id).join(ProgrammeItem, ProgrammeItem.id == DiscussionGroup.item_id)
        .where(DiscussionGroup.id == group_id, ProgrammeItem.event_id == event_id)
    ) is not None


def condition(event_id: int, key: str) -> ColumnElement[bool]:
    """The condition on ``Registration`` that selects the segment; ``UnknownSegment`` otherwise."""
    if key == ALL:
        return true()
    if key == CONFIRMED:
        return Registration.status == RegistrationStatus.CONFIRMED
    if key == WAITLIST:
        return Registration.status == RegistrationStatus.WAITLISTED
    if key == NOT_CHECKED_IN:
        return ((Registration.status == RegistrationStatus.CONFIRMED) & (Registration.mode == Mode.ON_SITE)
                & Registration.checked_in_at.is_(None))
    if key == ATTENDED_ON_SITE:
        return attendance.attended_on_site()
    if key == ATTENDED_ONLINE:
        return attendance.attended_online()
    if key == NO_SHOW:
        return attendance.no_show()
    if key in (Mode.ON_SITE, Mode.DIGITAL):
        return Registration.mode == key
    if key == NO_GROUP:
        return ~select(GroupMembership.id).where(GroupMembership.registration_id == Registration.id).exists()
    answer = answer_of(key)
    if answer is not None:
        return _answer_condition(event_id, *answer)
    group_id = group_id_of(key)
    if group_id is not None and _in_event(event_id, group_id):
        return select(GroupMembership.id).where(
            GroupMembership.registration_id == Registration.id, GroupMembership.group_id == group_id,
            GroupMembership.is_confirmed).exists()
    raise UnknownSegment(key)
