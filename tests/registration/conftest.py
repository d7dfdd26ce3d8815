"""Fixtures for the registration tests; helpers are plain functions in support.py."""
from __future__ import annotations


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "slow: real parallel HTTP against gunicorn; always run, but the slowest tests here")
