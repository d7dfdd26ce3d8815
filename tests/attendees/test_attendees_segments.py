"""Segments: the attendee list's filters and the mailing's audiences select the same people, from one definition."""
from __future__ import annotations

import html
import re
from datetime import UTC, datetime

import pytest
from werkzeug.datastructures import MultiDict

from eventhub.attendees import segments
from eventhub.attendees.services import Filters
from eventhub.checkin import services as checkin
from eventhub.mailings import services as mailings
from eventhub.registration import services
from tests.registration.support import KEYS, add_group_session, event_by_slug, register

ROW = re.compile(r'<th scope="row"[^>]*>.*?<a href="/manage/events/[^/]+/attendees/\d+">([^<]*)</a>', re.S)
EVERYONE = {"Åsa", "Bengt", "Cilla", "Dan", "Frida"}


@pytest.fixture
def crowd(app, signed_in):
    """Two seats per mode: Åsa (group A, checked in), Bengt (on site), Cilla (waitlisted), Dan (group Z),
    Frida (digital) and Eva (cancelled)."""
    slug = signed_in.slug
    with app.app_context():
        group_a, group_z = add_group_session(slug, [("Rum A", "on_site", 5), ("Zoom", "digital", 5)])
        asa = register(slug, "asa@example.se", name="Åsa", group_id=group_a).registration
        register(slug, "bengt@example.se", name="Bengt")
        register(slug, "cilla@example.se", name="Cilla")
        register(slug, "dan@example.se", name="Dan", mode="digital", group_id=group_z)
        eva = register(slug, "eva@example.se", name="Eva", mode="digital").registration
        services.cancel(eva.id, datetime.now(UTC), KEYS)
        register(slug, "frida@example.se", name="Frida", mode="digital")
        checkin.check_in_registration(event_by_slug(slug).id, asa.id, None, "segments-1", datetime.now(UTC))
    signed_in.groups = {"A": group_a, "Z": group_z}
    return signed_in


SEGMENTS = [
    ("all", EVERYONE),
    ("confirmed", {"Åsa", "Bengt", "Dan", "Frida"}),
    ("waitlist", {"Cilla"}),
    ("not_checked_in", {"Bengt"}),
    ("on_site", {"Åsa", "Bengt", "Cilla"}),
    ("digital", {"Dan", "Frida"}),
    ("no_group", {"Bengt", "Cilla", "Frida"}),
    ("group:A", {"Åsa"}),
    ("group:Z", {"Dan"}),
]


def _key(crowd, key: str) -> str:
    return segments.group_key(crowd.groups[key[6:]]) if key.startswith("group:") else key


def _listed(crowd, key: str) -> set[str]:
    response = crowd.client.get(f"/manage/events/{crowd.slug}/attendees",
                                query_string=Filters.for_segment(key).query_args())
    assert response.status_code == 200
    return {html.unescape(name) for name in ROW.findall(response.get_data(as_text=True))}


@pytest.mark.parametrize(("key", "expected"), SEGMENTS, ids=[key for key, _ in SEGMENTS])
def test_the_list_and_the_mailing_select_the_same_people(app, crowd, key, expected):
    key = _key(crowd, key)
    with app.app_context():
        emailed = {person.name for person in mailings.recipients(event_by_slug(crowd.slug).id, key)}
    assert emailed == expected
    # The list shows cancelled registrations too unless asked not to; a mailing never includes them.
    assert _listed(crowd, key) - {"Eva"} == expected


def test_the_mailing_offers_every_segment_the_list_filters_by(app, crowd):
    with app.app_context():
        event = event_by_slug(crowd.slug)
        offered = mailings.audience_choices(event)
    assert offered == ["all", "confirmed", "waitlist", "not_checked_in", "on_site", "digital", "no_group",
                       *(segments.group_key(group_id) for group_id in crowd.groups.values())]
    group_ids = set(crowd.groups.values())
    for key in offered:
        # Each audience is a view of the list: its filters, read back from the address, are that segment.
        args = MultiDict(Filters.for_segment(key).query_args())
        assert Filters.from_args(args, group_ids).segment_keys() == ([] if key == "all" else [key])


def test_the_list_offers_the_segments_as_filters(crowd):
    body = crowd.client.get(f"/manage/events/{crowd.slug}/attendees?lang=en").get_data(as_text=True)
    for value, label in [("confirmed", "Confirmed"), ("waitlisted", "Waitlisted"),
                         ("no", "A place on site, not checked in"), ("none", "In no discussion group"),
                         ("on_site", "On site"), ("digital", "Digital")]:
        assert re.search(rf'<option value="{value}"[^>]*>{label}</option>', body), (value, label)
    for group_id in crowd.groups.values():
        assert f'<option value="{group_id}"' in body


@pytest.mark.parametrize("key", ["group:0", "group:99999999999", "group:x", "everybody", ""])
def test_an_unknown_segment_is_refused(app, crowd, key):
    with app.app_context(), pytest.raises(segments.UnknownSegment):
        segments.condition(event_by_slug(crowd.slug).id, key)


def test_a_group_of_another_event_is_not_a_segment(app, crowd, make_event):
    other = make_event()
    with app.app_context():
        (foreign,) = add_group_session(other, [("Annan", "on_site", 5)])
        with pytest.raises(segments.UnknownSegment):
            segments.condition(event_by_slug(crowd.slug).id, segments.group_key(foreign))
