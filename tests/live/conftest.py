"""An event with people on site and online, a group each way, for the live channel's tests."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from eventhub.extensions import db
from eventhub.groups import services as groups
from eventhub.groups.models import DiscussionGroup
from eventhub.mail.models import OutboxMessage
from eventhub.registration import services
from eventhub.registration.tokens import manage_token
from tests.registration.support import KEYS, add_group_session, event_by_slug, register


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "slow: real parallel HTTP against gunicorn; always run, but the slowest tests here")


@dataclass
class Forum:
    slug: str
    event_id: int
    anna: int  # on site, Swedish, in the on-site group
    bertil: int  # on site, waitlisted
    cecilia: int  # digital, English, in the digital group
    david: int  # digital, cancelled
    on_site_group: int
    digital_group: int
    tokens: dict[str, str]


@pytest.fixture
def forum(app, make_event, make_item):
    slug = make_event(on_site_seats=1, digital_seats=5, group_choice_open=True, title="Forumträff <Borås>",
                      venue_name="Textile Fashion Center", join_url="https://meet.example.org/forum",
                      starts_at=datetime.now(UTC) + timedelta(hours=1))
    make_item(slug, 30, title="Pitch", audience="everyone")
    make_item(slug, 0, title="Bara digitalt", audience="digital")
    with app.app_context():
        on_site_group, digital_group = add_group_session(slug, [("Grupp i salen", "on_site", 10),
                                                                ("Grupp på nätet", "digital", 10)])
        db.session.get(DiscussionGroup, on_site_group).place = "Sal 3"
        db.session.get(DiscussionGroup, digital_group).join_url = "https://meet.example.org/grupp"
        db.session.commit()
        people = {
            "anna": register(slug, "anna@example.se").registration,
            "bertil": register(slug, "bertil@example.se").registration,
            "cecilia": register(slug, "cecilia@example.se", mode="digital", language="en").registration,
            "david": register(slug, "david@example.se", mode="digital").registration,
        }
        now = datetime.now(UTC)
        services.cancel(people["david"].id, now, KEYS)
        groups.choose(people["anna"].id, on_site_group, now, KEYS)
        groups.choose(people["cecilia"].id, digital_group, now, KEYS)
        db.session.query(OutboxMessage).delete()
        db.session.commit()
        ids = (people[name].id for name in ("anna", "bertil", "cecilia", "david"))
        return Forum(slug, event_by_slug(slug).id, *ids,
                     on_site_group, digital_group,
                     {name: manage_token(KEYS, person.token_salt) for name, person in people.items()})
