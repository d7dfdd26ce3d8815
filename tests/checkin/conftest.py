"""Fixtures for the check-in tests; helpers are plain functions in support.py."""
from __future__ import annotations

import pytest


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "slow: real parallel HTTP against gunicorn; always run, but the slowest tests here")


@pytest.fixture
def slug(make_event):
    """A hybrid event with five seats per mode."""
    return make_event(on_site_seats=5, digital_seats=5, group_choice_open=True)


@pytest.fixture
def door(app, slug):
    """A host of ``slug`` at the door, signed in on its own client."""
    from tests.checkin.support import open_door

    return open_door(app, slug, "vard@example.se")
