"""eventhub.seats: one counter for the event's seats per mode and a discussion group's seats."""
from __future__ import annotations

import pytest

from eventhub.events.models import SEATS as EVENT_SEATS
from eventhub.events.models import Event
from eventhub.extensions import db
from eventhub.groups.models import SEATS as GROUP_SEATS
from eventhub.groups.models import DiscussionGroup
from eventhub.modes import Mode
from tests.registration.support import add_group_session, event_by_slug, fresh


@pytest.fixture
def one_seat_each(app_ctx, make_event):
    """An event with one seat on site and a group with one seat: (counter, row id, row reader) pairs."""
    slug = make_event(on_site_seats=1, digital_seats=None)
    [group_id] = add_group_session(slug, [("Liten", "on_site", 1)])
    event_id = event_by_slug(slug).id

    def event_seats():
        db.session.expire_all()
        event = event_by_slug(slug)
        return event.on_site_seats, event.on_site_taken

    def group_seats():
        group = fresh(DiscussionGroup, group_id)
        return group.seats, group.taken

    return {"event": (EVENT_SEATS[Mode.ON_SITE], event_id, event_seats),
            "group": (GROUP_SEATS, group_id, group_seats)}


@pytest.mark.parametrize("kind", ["event", "group"])
def test_a_free_seat_is_taken_then_none_is_left(one_seat_each, kind):
    counter, row_id, seats = one_seat_each[kind]

    first, second = counter.take(row_id), counter.take(row_id)

    assert first is not None and not first.by_override
    assert second is None
    assert seats() == (1, 1)


@pytest.mark.parametrize("kind", ["event", "group"])
def test_an_override_raises_a_full_limit_by_one_and_says_so(one_seat_each, kind):
    counter, row_id, seats = one_seat_each[kind]
    counter.take(row_id)

    taken = counter.take(row_id, override=True)

    assert taken.by_override and taken.raised_to == 2
    assert seats() == (2, 2)
    assert counter.take(row_id, override=True).raised_to == 3


@pytest.mark.parametrize("kind", ["event", "group"])
def test_an_override_with_a_free_seat_takes_it_without_raising(one_seat_each, kind):
    counter, row_id, seats = one_seat_each[kind]

    taken = counter.take(row_id, override=True)

    assert not taken.by_override
    assert seats() == (1, 1)


@pytest.mark.parametrize("kind", ["event", "group"])
def test_release_gives_a_seat_back_and_never_goes_below_zero(one_seat_each, kind):
    counter, row_id, seats = one_seat_each[kind]
    counter.take(row_id)

    counter.release(row_id)
    counter.release(row_id)

    assert seats() == (1, 0)


def test_a_seat_taken_is_not_a_change_to_the_events_content(one_seat_each):
    counter, event_id, _seats = one_seat_each["event"]
    db.session.commit()

    before = db.session.get(Event, event_id).updated_at
    counter.take(event_id)
    db.session.commit()
    db.session.expire_all()

    assert db.session.get(Event, event_id).updated_at == before
