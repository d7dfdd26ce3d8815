"""Fixtures for the registration tests; helpers are plain functions in support.py."""
from __future__ import annotations

import pytest


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "slow: real parallel HTTP against gunicorn; always run, but the slowest tests here")


@pytest.fixture
def hybrid(make_event):
    """A hybrid event, open for registration, with two seats per mode and group choice open."""
    return make_event(on_site_seats=2, digital_seats=2, group_choice_open=True)
