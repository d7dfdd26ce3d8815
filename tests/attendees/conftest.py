"""Fixtures for the organisers' attendee pages; helpers are plain functions in support.py."""
from __future__ import annotations

from types import SimpleNamespace

import pytest


@pytest.fixture
def signed_in(app, client, hybrid):
    """An organiser of the ``hybrid`` event, signed in on ``client``."""
    from tests.attendees.support import sign_in, staff_member

    user_id = staff_member(app, hybrid, "organiser@example.se", "organiser")
    sign_in(client, "organiser@example.se")
    return SimpleNamespace(client=client, slug=hybrid, user_id=user_id)
