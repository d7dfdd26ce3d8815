"""Fixtures for the registration tests; helpers are plain functions in support.py."""
from __future__ import annotations

from types import SimpleNamespace

import pytest


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "slow: real parallel HTTP against gunicorn; always run, but the slowest tests here")


@pytest.fixture
def hybrid(make_event):
    """A hybrid event, open for registration, with two seats per mode and group choice open."""
    return make_event(on_site_seats=2, digital_seats=2, group_choice_open=True)


@pytest.fixture
def signed_in(app, client, hybrid):
    """An organiser of the ``hybrid`` event, signed in on ``client``."""
    from tests.registration.attendees_support import sign_in, staff_member

    user_id = staff_member(app, hybrid, "organiser@example.se", "organiser")
    sign_in(client, "organiser@example.se")
    return SimpleNamespace(client=client, slug=hybrid, user_id=user_id)
