"""Discussion groups' rules, called directly (eventhub.groups.services), on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from eventhub.extensions import db
from eventhub.groups import services as groups
from eventhub.groups.models import DiscussionGroup, GroupMembership
from eventhub.registration import errors, services
from eventhub.registration.models import Registration
from tests.registration.support import (
    KEYS,
    add_group_session,
    count,
    fresh,
    memberships,
    outbox,
    register,
    register_many,
)

NOW = datetime.now(UTC)


def _subjects(email) -> list[str]:
    return [message.subject for message in outbox(email)]


def test_choose_group_own_mode_confirmed(app_ctx, hybrid):
    on_site_group, _digital_group = add_group_session(hybrid, [("På plats", "on_site", 3), ("Digital", "digital", 3)])
    rid = register(hybrid, "anna@example.se").registration.id

    membership = groups.choose(rid, on_site_group, NOW, KEYS)

    assert membership.status == "confirmed"
    assert fresh(DiscussionGroup, on_site_group).taken == 1
    assert _subjects("anna@example.se")[-1] == "Din samtalsgrupp: Forumträff"
    assert "Du har en plats i samtalsgruppen" in outbox("anna@example.se")[-1].body_text


def test_choose_group_of_other_mode_not_allowed(app_ctx, hybrid):
    on_site_group, digital_group = add_group_session(hybrid, [("På plats", "on_site", 3), ("Digital", "digital", 3)])
    on_site = register(hybrid, "anna@example.se", "on_site").registration.id
    digital = register(hybrid, "bert@example.se", "digital").registration.id

    with pytest.raises(groups.GroupNotAllowed):
        groups.choose(digital, on_site_group, NOW, KEYS)
    with pytest.raises(groups.GroupNotAllowed):  # the event does not let on-site people join digital groups
        groups.choose(on_site, digital_group, NOW, KEYS)
    db.session.rollback()
    assert count(GroupMembership) == 0
    assert fresh(DiscussionGroup, on_site_group).taken == fresh(DiscussionGroup, digital_group).taken == 0


def test_choose_group_on_site_may_join_digital_when_event_allows(app_ctx, make_event):
    slug = make_event(group_choice_open=True, on_site_may_join_digital_groups=True)
    on_site_group, digital_group = add_group_session(slug, [("På plats", "on_site", 3), ("Digital", "digital", 3)])
    on_site = register(slug, "anna@example.se", "on_site").registration.id
    digital = register(slug, "bert@example.se", "digital").registration.id

    assert groups.choose(on_site, digital_group, NOW, KEYS).status == "confirmed"
    with pytest.raises(groups.GroupNotAllowed):  # it only works one way
        groups.choose(digital, on_site_group, NOW, KEYS)


def test_choose_group_of_another_event_not_allowed(app_ctx, hybrid, make_event):
    other = make_event(group_choice_open=True)
    [foreign_group] = add_group_session(other, [("Annan", "on_site", 3)])
    rid = register(hybrid, "anna@example.se").registration.id

    with pytest.raises(groups.GroupNotAllowed):
        groups.choose(rid, foreign_group, NOW, KEYS)


def test_choose_group_when_choice_closed_raises(app_ctx, make_event):
    slug = make_event(group_choice_open=False)
    [group] = add_group_session(slug, [("På plats", "on_site", 3)])
    rid = register(slug, "anna@example.se").registration.id

    with pytest.raises(groups.GroupChoiceClosed):
        groups.choose(rid, group, NOW, KEYS)
    with pytest.raises(groups.GroupChoiceClosed):
        register(slug, "bert@example.se", group_id=group)
    db.session.rollback()
    assert count(GroupMembership) == 0
    assert count(Registration) == 1


def test_choose_group_switch_in_same_session_frees_old_seat(app_ctx, hybrid):
    first, second = add_group_session(hybrid, [("Ett", "on_site", 3), ("Två", "on_site", 3)])
    [later] = add_group_session(hybrid, [("Senare", "on_site", 3)], minutes_after_start=120)
    rid = register(hybrid, "anna@example.se").registration.id

    groups.choose(rid, first, NOW, KEYS)
    groups.choose(rid, second, NOW, KEYS)
    groups.choose(rid, later, NOW, KEYS)  # another group session: a second group is fine

    assert sorted(m.group_id for m in fresh(Registration, rid).memberships) == sorted([second, later])
    assert [fresh(DiscussionGroup, g).taken for g in (first, second, later)] == [0, 1, 1]


def test_choose_group_same_group_twice_keeps_one_seat(app_ctx, hybrid):
    [group] = add_group_session(hybrid, [("Ett", "on_site", 3)])
    rid = register(hybrid, "anna@example.se").registration.id

    groups.choose(rid, group, NOW, KEYS)
    groups.choose(rid, group, NOW, KEYS)

    assert len(memberships(group)) == 1
    assert fresh(DiscussionGroup, group).taken == 1


def test_choose_full_group_waitlists_and_promotes_when_member_leaves(app_ctx, make_event):
    slug = make_event(on_site_seats=None, group_choice_open=True)
    [group] = add_group_session(slug, [("Liten grupp", "on_site", 1)])
    anna, bert, cleo = register_many(slug, 3)
    groups.choose(anna, group, NOW, KEYS)

    assert groups.choose(bert, group, NOW, KEYS).status == "waitlisted"
    assert groups.choose(cleo, group, NOW, KEYS).status == "waitlisted"
    assert "Liten grupp" in outbox("person001@example.se")[-1].body_text

    groups.leave(anna, group, KEYS)

    status = {m.registration_id: m.status for m in memberships(group)}
    assert status == {bert: "confirmed", cleo: "waitlisted"}
    assert fresh(DiscussionGroup, group).taken == 1
    assert "har blivit ledig" in outbox("person001@example.se")[-1].body_text


def test_cancel_member_of_full_group_promotes_group_waitlist(app_ctx, make_event):
    slug = make_event(on_site_seats=None, group_choice_open=True)
    [group] = add_group_session(slug, [("Liten grupp", "on_site", 1)])
    anna, bert = register_many(slug, 2)
    groups.choose(anna, group, NOW, KEYS)
    groups.choose(bert, group, NOW, KEYS)

    services.cancel(anna, NOW, KEYS)

    [membership] = memberships(group)
    assert (membership.registration_id, membership.status) == (bert, "confirmed")
    assert fresh(DiscussionGroup, group).taken == 1


def test_choose_group_waitlisted_registration_needs_seat_first(app_ctx, make_event):
    slug = make_event(on_site_seats=0, group_choice_open=True)
    [group] = add_group_session(slug, [("På plats", "on_site", 3)])
    rid = register(slug, "anna@example.se").registration.id

    with pytest.raises(groups.NeedsSeatFirst):
        groups.choose(rid, group, NOW, KEYS)
    db.session.rollback()
    assert count(GroupMembership) == 0
    assert fresh(DiscussionGroup, group).taken == 0


def test_register_with_group_takes_group_seat_only_when_confirmed(app_ctx, make_event):
    slug = make_event(on_site_seats=1, group_choice_open=True)
    [group] = add_group_session(slug, [("På plats", "on_site", 3)])

    confirmed = register(slug, "anna@example.se", group_id=group).registration.id
    waitlisted = register(slug, "bert@example.se", group_id=group).registration.id

    assert [m.registration_id for m in memberships(group, "confirmed")] == [confirmed]
    assert fresh(Registration, waitlisted).memberships == []
    assert fresh(DiscussionGroup, group).taken == 1


def test_choose_group_after_event_raises_closed(app_ctx, hybrid):
    [group] = add_group_session(hybrid, [("På plats", "on_site", 3)])
    rid = register(hybrid, "anna@example.se").registration.id

    with pytest.raises(errors.RegistrationClosed) as raised:
        groups.choose(rid, group, NOW + timedelta(days=60), KEYS)
    assert raised.value.reason == "past"



def test_db_check_refuses_group_taken_over_seats(app_ctx, hybrid):
    [group] = add_group_session(hybrid, [("Liten grupp", "on_site", 2)])

    with pytest.raises(IntegrityError):
        db.session.execute(text("UPDATE discussion_group SET taken = 3 WHERE id = :id"), {"id": group})
    db.session.rollback()
    assert fresh(DiscussionGroup, group).taken == 0


@pytest.mark.parametrize(("person", "group", "event_allows", "may"), [
    ("on_site", "on_site", False, True),
    ("digital", "digital", False, True),
    ("digital", "on_site", True, False),
    ("on_site", "digital", False, False),
    ("on_site", "digital", True, True),
], ids=["own-on-site", "own-digital", "never-digital-to-room", "not-allowed", "allowed-by-the-event"])
def test_may_join_follows_mode_and_the_events_choice(app_ctx, make_event, person, group, event_allows, may):
    slug = make_event(on_site_may_join_digital_groups=event_allows)
    [group_id] = add_group_session(slug, [("Grupp", group, 3)])
    row = fresh(DiscussionGroup, group_id)

    assert groups.may_join(row.item.event, person, row) is may


def test_place_beyond_a_full_group_says_which_limit_the_override_raised(app_ctx, hybrid):
    [group] = add_group_session(hybrid, [("Liten", "on_site", 1)])
    anna, bert = register_many(hybrid, 2)
    assert groups.place(anna, group, KEYS).raised == []

    assert groups.place(bert, group, KEYS).membership.is_waitlisted
    placed = groups.place(bert, group, KEYS, override=True)  # from the waitlist into the group

    assert placed.membership.is_confirmed
    assert [(limit.what, limit.seats, limit.seats_before, limit.group_id) for limit in placed.raised] == [
        ("Liten", 2, 1, group)]
    assert (fresh(DiscussionGroup, group).seats, fresh(DiscussionGroup, group).taken) == (2, 2)


def test_places_of_lists_confirmed_places_by_session(app_ctx, make_event):
    slug = make_event(on_site_seats=None, group_choice_open=True)
    [small] = add_group_session(slug, [("Liten", "on_site", 1)])
    [later] = add_group_session(slug, [("Senare", "on_site", 3)], minutes_after_start=120)
    anna, bert = register_many(slug, 2)
    groups.choose(anna, small, NOW, KEYS)
    groups.choose(bert, small, NOW, KEYS)  # waitlisted
    groups.choose(bert, later, NOW, KEYS)

    places = groups.places_of(fresh(Registration, bert))

    assert [membership.group_id for membership in places.values()] == [later]
    assert groups.members(small) == (1, 1)
