"""Fixtures for the evaluation: the forum of the attendance samples with its people, an organiser signed in."""
from __future__ import annotations

import pytest

from tests.evaluation.support import make_forum_with_people, sign_in_organiser


@pytest.fixture
def forum(app, make_event):
    """The forum of 9 March 2026 with its registrations (see support.make_forum_with_people)."""
    return make_forum_with_people(app, make_event)


@pytest.fixture
def organiser(app, client, forum):
    """An organiser of the forum, signed in on ``client``."""
    return sign_in_organiser(app, client, forum)
