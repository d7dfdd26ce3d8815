"""Which programme items a viewer sees, and how they line up in time (eventhub.programme.services).

Most tests build transient objects (no database); the last ones check the same rules on rows
loaded back from SQLite and PostgreSQL.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from eventhub import _import_models
from eventhub.events.models import Event
from eventhub.groups.models import DiscussionGroup
from eventhub.modes import Audience, Mode
from eventhub.programme import services
from eventhub.programme.models import ProgrammeItem

_import_models()  # every model, so the relationships resolve without an app
START = datetime(2026, 10, 20, 11, 0, tzinfo=UTC)


def _item(title, audience="everyone", minutes=0, position=0, item_id=None, groups=()):
    starts_at = START + timedelta(minutes=minutes)
    return ProgrammeItem(
        id=item_id, title=title, audience=audience, kind="talk", position=position,
        starts_at=starts_at, ends_at=starts_at + timedelta(minutes=15), groups=list(groups),
    )


def _event(fmt="hybrid", items=()):
    return Event(
        slug="e", title="E", format=fmt, status="published",
        starts_at=START, ends_at=START + timedelta(hours=3), programme_items=list(items),
    )


def _split_event(fmt="hybrid"):
    """Like the Borås 13:15 slot: one item for everyone, one per mode."""
    return _event(fmt, [
        _item("For all", "everyone", 0),
        _item("In the room", "on_site", 15, position=0),
        _item("Online", "digital", 15, position=1),
    ])


def _titles(items):
    return [item.title for item in items]


def test_items_for_on_site_viewer_sees_everyone_and_on_site_items():
    event = _split_event()
    assert _titles(services.items_for(event, Mode.ON_SITE)) == ["For all", "In the room"]


def test_items_for_digital_viewer_sees_everyone_and_digital_items():
    event = _split_event()
    assert _titles(services.items_for(event, Mode.DIGITAL)) == ["For all", "Online"]


def test_items_for_whole_programme_of_hybrid_event_shows_every_item():
    event = _split_event()
    assert _titles(services.items_for(event, None)) == ["For all", "In the room", "Online"]


def test_items_for_digital_only_event_whole_programme_excludes_on_site_items():
    event = _split_event("digital")
    assert _titles(services.items_for(event, None)) == ["For all", "Online"]


def test_items_for_on_site_only_event_whole_programme_excludes_digital_items():
    event = _split_event("on_site")
    assert _titles(services.items_for(event, None)) == ["For all", "In the room"]


def test_visible_audiences_digital_only_event_has_no_on_site_audience():
    event = _event("digital")
    assert services.visible_audiences(event, None) == {Audience.EVERYONE, Audience.DIGITAL}


def test_visible_audiences_viewer_sees_one_mode_and_everyone():
    event = _event("hybrid")
    assert services.visible_audiences(event, Mode.ON_SITE) == {Audience.EVERYONE, Audience.ON_SITE}
    assert services.visible_audiences(event, None) == set(Audience)


@pytest.mark.parametrize("raw", [None, "", "everyone"])
def test_parse_audience_empty_or_everyone_means_whole_programme(raw):
    assert services.parse_audience(_event("hybrid"), raw) is None


@pytest.mark.parametrize(("fmt", "raw", "expected"), [
    ("hybrid", "on_site", Mode.ON_SITE),
    ("hybrid", "digital", Mode.DIGITAL),
    ("digital", "digital", Mode.DIGITAL),
    ("on_site", "on_site", Mode.ON_SITE),
])
def test_parse_audience_offered_mode_returns_mode(fmt, raw, expected):
    assert services.parse_audience(_event(fmt), raw) is expected


def test_parse_audience_on_site_for_digital_only_event_raises_not_offered():
    with pytest.raises(services.AudienceNotOffered) as caught:
        services.parse_audience(_event("digital"), "on_site")
    assert caught.value.mode is Mode.ON_SITE


def test_parse_audience_digital_for_on_site_only_event_raises_not_offered():
    with pytest.raises(services.AudienceNotOffered) as caught:
        services.parse_audience(_event("on_site"), "digital")
    assert caught.value.mode is Mode.DIGITAL


@pytest.mark.parametrize("raw", ["onsite", "ON_SITE", "Digital", "both", "hybrid", "on_site ", "<script>"])
def test_parse_audience_unknown_value_raises_unknown_audience(raw):
    with pytest.raises(services.UnknownAudience):
        services.parse_audience(_event("hybrid"), raw)


def test_audience_errors_share_a_base_class():
    # The view catches the two separately; anything else catching AudienceError sees both.
    assert issubclass(services.UnknownAudience, services.AudienceError)
    assert issubclass(services.AudienceNotOffered, services.AudienceError)


def test_ordered_sorts_by_start_then_position():
    late = _item("late", minutes=30, item_id=1)
    second = _item("second at 15", minutes=15, position=1, item_id=2)
    first = _item("first at 15", minutes=15, position=0, item_id=3)
    early = _item("early", minutes=0, position=5, item_id=4)
    assert _titles(services.ordered([late, second, first, early])) == [
        "early", "first at 15", "second at 15", "late",
    ]


def test_ordered_same_start_and_position_falls_back_to_id():
    b = _item("b", item_id=7)
    a = _item("a", item_id=3)
    assert _titles(services.ordered([b, a])) == ["a", "b"]


def test_slots_group_items_starting_together():
    event = _split_event()
    slots = services.slots(services.items_for(event, None))
    assert [len(slot.items) for slot in slots] == [1, 2]
    assert [slot.is_parallel for slot in slots] == [False, True]
    assert _titles(slots[1].items) == ["In the room", "Online"]
    assert slots[1].starts_at == START + timedelta(minutes=15)


def test_slots_one_viewer_has_no_parallel_slot():
    event = _split_event()
    slots = services.slots(services.items_for(event, Mode.DIGITAL))
    assert not any(slot.is_parallel for slot in slots)
    assert [_titles(slot.items) for slot in slots] == [["For all"], ["Online"]]


def test_slots_empty_programme_has_no_slots():
    assert services.slots([]) == []


def _group_event(fmt="hybrid"):
    groups = [
        DiscussionGroup(title="Room A", mode="on_site", position=0),
        DiscussionGroup(title="Online A", mode="digital", position=0),
        DiscussionGroup(title="Room B", mode="on_site", position=1),
    ]
    item = _item("Groups", groups=groups)
    return _event(fmt, [item]), item


def test_groups_by_mode_whole_programme_lists_on_site_then_digital():
    event, item = _group_event()
    result = [(mode, [g.title for g in groups]) for mode, groups in services.groups_by_mode(event, item, None)]
    assert result == [(Mode.ON_SITE, ["Room A", "Room B"]), (Mode.DIGITAL, ["Online A"])]


def test_groups_by_mode_digital_viewer_sees_only_digital_groups():
    event, item = _group_event()
    result = [(mode, [g.title for g in groups]) for mode, groups in services.groups_by_mode(event, item, Mode.DIGITAL)]
    assert result == [(Mode.DIGITAL, ["Online A"])]


def test_groups_by_mode_digital_only_event_hides_on_site_groups():
    event, item = _group_event("digital")
    assert [mode for mode, _groups in services.groups_by_mode(event, item, None)] == [Mode.DIGITAL]


# --- the same rules on rows loaded back from the database ---------------------------------


def test_items_for_loaded_event_orders_by_start_then_position(app, make_event, make_item):
    from eventhub.events import services as events

    slug = make_event()
    make_item(slug, 30, title="third")
    make_item(slug, 0, title="second", position=1)
    make_item(slug, 0, title="first", position=0)
    make_item(slug, 45, title="digital only", audience="digital")
    make_item(slug, 45, title="on site only", audience="on_site", position=1)
    with app.app_context():
        event = events.get_public_event(slug)
        assert _titles(event.programme_items) == ["first", "second", "third", "digital only", "on site only"]
        assert _titles(services.items_for(event, Mode.ON_SITE)) == ["first", "second", "third", "on site only"]
        slots = services.slots(services.items_for(event, None))
        assert [_titles(slot.items) for slot in slots] == [
            ["first", "second"], ["third"], ["digital only", "on site only"],
        ]


def test_items_for_loaded_digital_event_excludes_on_site_items(app, make_event, make_item):
    from eventhub.events import services as events

    slug = make_event(format="digital")
    make_item(slug, 0, title="for all")
    make_item(slug, 15, title="in the room", audience="on_site")
    with app.app_context():
        event = events.get_public_event(slug)
        assert _titles(services.items_for(event, None)) == ["for all"]
        with pytest.raises(services.AudienceNotOffered):
            services.parse_audience(event, "on_site")
