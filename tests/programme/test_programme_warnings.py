"""Programme warnings (warnings.find_warnings): each kind with known data, and what is not warned about.

The hybrid event runs 13:00–16:00 Stockholm time (11:00–14:00 UTC); times below are local.
"""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from eventhub.extensions import db
from eventhub.groups.models import DiscussionGroup, GroupLeader
from eventhub.programme import warnings
from eventhub.programme.models import ItemSpeaker, Person, ProgrammeItem
from tests.programme.conftest import event_by_slug

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def at(clock: str) -> datetime:
    hour, minute = (int(part) for part in clock.split(":"))
    return datetime(2030, 10, 20, hour, minute, tzinfo=STOCKHOLM)


def add(event, title, start, end=None, kind="talk", audience="everyone", speakers=(), groups=()):
    item = ProgrammeItem(event_id=event.id, title=title, kind=kind, audience=audience, starts_at=at(start),
                         ends_at=at(end) if end else None)
    item.speakers = [ItemSpeaker(person=person, position=i) for i, person in enumerate(speakers)]
    item.groups = list(groups)
    db.session.add(item)
    return item


def group(title, mode="on_site", leaders=()):
    return DiscussionGroup(title=title, mode=mode, leaders=[GroupLeader(person=p, position=i)
                                                            for i, p in enumerate(leaders)])


def found(event) -> list[tuple]:
    db.session.expire_all()
    return [(w.code, tuple(item.title for item in w.items), w.person.name if w.person else None,
             w.group.title if w.group else None, w.mode) for w in warnings.find_warnings(event)]


@pytest.fixture
def event(app, event_slug):
    with app.app_context():
        yield event_by_slug(event_slug)


def test_a_clean_programme_has_no_warnings(event):
    lars = Person(name="Lars")
    add(event, "Registrering", "12:30", "13:00", kind="registration")  # arrival before the start is fine
    add(event, "Välkommen", "13:00", "13:15", speakers=[lars])
    add(event, "I salen", "13:15", "13:30", audience="on_site", speakers=[lars])  # after, not at the same time
    add(event, "På nätet", "13:15", "13:30", audience="digital")  # other audience: in parallel, not overlapping
    add(event, "Gruppsamtal", "13:30", "15:00", kind="group_session", groups=[group("A"), group("B", "digital")])
    add(event, "Avrundning", "16:00", kind="closing")  # a start only, at the very end
    db.session.commit()
    assert found(event) == []


def test_items_for_the_same_audience_overlap(event):
    add(event, "Alla", "13:00", "13:30")
    add(event, "Salen", "13:15", "13:45", audience="on_site")  # everyone overlaps both audiences
    add(event, "Nätet 1", "14:00", "14:30", audience="digital")
    add(event, "Nätet 2", "14:20", "14:40", audience="digital")
    add(event, "Salen 2", "14:00", "14:30", audience="on_site")  # with the digital ones: no clash
    add(event, "Ögonblick", "15:00")  # no end, at the same start as another: still together
    add(event, "Samtidigt", "15:00", "15:10")
    db.session.commit()
    assert [w[:2] for w in found(event)] == [
        ("overlap", ("Alla", "Salen")),
        ("overlap", ("Nätet 1", "Nätet 2")),
        ("overlap", ("Ögonblick", "Samtidigt")),
    ]


def test_items_outside_the_event_hours(event):
    add(event, "Registrering", "12:00", "12:25", kind="registration")
    add(event, "Tidig välkomst", "12:30", "13:00", kind="welcome")
    add(event, "Drar över", "15:45", "16:15")
    add(event, "Efteråt", "16:30", kind="other")
    db.session.commit()
    assert [w[:2] for w in found(event)] == [
        ("outside_hours", ("Tidig välkomst",)),
        ("outside_hours", ("Drar över",)),
        ("outside_hours", ("Efteråt",)),
    ]


def test_a_person_in_two_places_at_once(event):
    anna, olle = Person(name="Anna Ahl"), Person(name="Olle Berg")
    add(event, "Salen", "13:15", "13:30", audience="on_site", speakers=[anna])
    add(event, "Nätet", "13:15", "13:30", audience="digital", speakers=[anna])  # parallel, but one Anna
    add(event, "Grupper", "14:00", "15:00", kind="group_session",
        groups=[group("G1", leaders=[olle]), group("G2", "digital", leaders=[olle])])
    db.session.commit()
    assert found(event) == [
        ("double_booked", ("Salen", "Nätet"), "Anna Ahl", None, None),
        ("double_booked", ("Grupper",), "Olle Berg", None, None),
    ]


def test_a_group_session_without_groups(event):
    add(event, "Gruppsamtal", "14:00", "15:00", kind="group_session")
    db.session.commit()
    assert found(event) == [("no_groups", ("Gruppsamtal",), None, None, None)]


def test_an_on_site_event_with_digital_items_and_groups(event):
    event.format = "on_site"
    add(event, "Strömmat", "13:00", "13:30", audience="digital")
    add(event, "Grupper", "14:00", "15:00", kind="group_session", groups=[group("På Zoom", "digital")])
    db.session.commit()
    assert found(event) == [
        ("audience_not_offered", ("Strömmat",), None, None, "digital"),
        ("group_not_offered", ("Grupper",), None, "På Zoom", "digital"),
    ]


def test_a_digital_event_with_on_site_items(event):
    event.format = "digital"
    add(event, "I salen", "13:00", "13:30", audience="on_site")
    add(event, "För alla", "13:30", "14:00")
    db.session.commit()
    assert found(event) == [("audience_not_offered", ("I salen",), None, None, "on_site")]


def test_warnings_are_listed_in_words_on_the_programme_page(app, agenda):
    with app.app_context():
        event = event_by_slug(agenda.slug)
        event.format = "on_site"
        anna = Person(name="Anna Ahl")
        add(event, "Alla", "13:00", "13:30", speakers=[anna])
        add(event, "Nätet", "13:15", "13:45", audience="digital", speakers=[anna])
        add(event, "Grupper", "14:00", "15:00", kind="group_session")
        add(event, "Sent", "16:00", "16:30")
        db.session.commit()
    page = agenda.get("/?lang=en").get_data(as_text=True)
    assert "5 things to check" in page
    for text in ("overlap, and they share an audience.",
                 "is for digital participants, but the event is on site only.",
                 "Anna Ahl is in two places at once:",
                 "is a group session without discussion groups.",
                 "is outside the event", "hours (13:00–16:00)."):
        assert text in page, text
    assert '<a href="#item-' in page.split('id="warnings"')[1].split("</section>")[0]


def test_warnings_do_not_block_saving(app, agenda):
    agenda.add_item(title="Först", starts="13:00", ends="13:30")
    agenda.add_item(title="Krock", starts="13:10", ends="13:40")  # overlaps: saved all the same
    agenda.add_item(title="Efter", starts="17:00", ends="17:30")
    page = agenda.get("/?lang=en").get_data(as_text=True)
    assert "2 things to check" in page and "Krock" in page and "Efter" in page


def test_overlap_rule_for_items_without_an_end():
    def item(start, end=None):
        return ProgrammeItem(starts_at=at(start), ends_at=at(end) if end else None)

    assert warnings.overlaps(item("13:00", "14:00"), item("13:30"))
    assert not warnings.overlaps(item("13:00", "13:30"), item("13:30", "14:00"))  # back to back
    assert not warnings.overlaps(item("13:00", "13:30"), item("13:30"))
    assert warnings.overlaps(item("13:30"), item("13:30"))
    assert not warnings.overlaps(item("13:30"), item("13:45"))
