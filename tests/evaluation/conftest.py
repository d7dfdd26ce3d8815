"""Fixtures for the evaluation: the forum of the attendance samples with its people, an organiser signed in."""
from __future__ import annotations

from types import SimpleNamespace

import pytest


@pytest.fixture
def forum(app, make_event):
    """The forum of 9 March 2026 with its registrations (tests/attendance/support.PEOPLE): Bengt and Zäta
    checked in at the door (Zäta online too), Cecilia joined by her link; the others did not come."""
    from tests.attendance.support import make_forum, seat_people

    slug = make_forum(make_event, recording_url="https://play.example.se/forum", contact_email="forum@example.se")
    with app.app_context():
        ids = seat_people(slug)
    return SimpleNamespace(slug=slug, ids=ids)


@pytest.fixture
def organiser(app, client, forum):
    """An organiser of the forum, signed in on ``client``."""
    from tests.attendees.support import sign_in, staff_member

    forum.user_id = staff_member(app, forum.slug, "ulla@forum.example", "organiser")
    sign_in(client, "ulla@forum.example")
    forum.client = client
    return forum
