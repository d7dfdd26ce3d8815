"""Fixtures for the privacy tests; helpers are plain functions in support.py."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

ENDED = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)  # the end of the "past" event: retention counts from here


@pytest.fixture
def upcoming(make_event):
    """A hybrid event in a month, two seats per mode, group choice open."""
    return make_event(on_site_seats=2, digital_seats=2, group_choice_open=True, organiser_name="Agenda 2030 i Väst",
                      contact_email="kontakt@example.se")


@pytest.fixture
def past(make_event):
    """A hybrid event that ended at ``ENDED``."""
    return make_event(starts_at=ENDED - timedelta(hours=3), organiser_name="Agenda 2030 i Väst")
