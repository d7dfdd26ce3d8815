"""The organiser's overview of an event: the way to the door (scanner, door list, badges)."""
from __future__ import annotations

import pytest

from tests.attendees.support import sign_in, staff_member
from tests.registration.support import page_text


@pytest.mark.parametrize("format_, status, has_scanner", [
    ("hybrid", "published", True),
    ("on_site", "draft", True),
    ("digital", "published", False),  # nobody comes through a door
    ("hybrid", "cancelled", False),
])
def test_the_overview_opens_the_door_scanner_where_there_is_a_door(app, client, make_event, format_, status,
                                                                   has_scanner):
    slug = make_event(format=format_, status=status)
    staff_member(app, slug, "org@example.se", "organiser")
    sign_in(client, "org@example.se")

    response = client.get(f"/manage/events/{slug}")

    html = response.get_data(as_text=True)
    assert (f'href="/checkin/{slug}"' in html) is has_scanner
    assert ("Öppna incheckningen" in page_text(response)) is has_scanner
    # The door list and badges are there wherever people come through a door, cancelled or not.
    assert (f"/manage/events/{slug}/door-list.pdf" in html) is (format_ != "digital")
