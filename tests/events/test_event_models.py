"""Rules the event models keep whatever code sets them (eventhub.events.models, eventhub.groups.models)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from eventhub import _import_models
from eventhub.events.models import Event, Partner
from eventhub.extensions import db
from eventhub.groups.models import DiscussionGroup
from eventhub.materials.models import EventMaterial
from eventhub.modes import Mode

_import_models()  # every model, so the relationships resolve without an app
START = datetime(2026, 10, 20, 11, 0, tzinfo=UTC)

# Every organiser-given address that ends up in an href (or a participant's join button).
URL_FIELDS = [
    (Event, "recording_url"),
    (Event, "join_url"),
    (Partner, "url"),
    (EventMaterial, "url"),
    (DiscussionGroup, "join_url"),
]


@pytest.mark.parametrize(("model", "field"), URL_FIELDS)
@pytest.mark.parametrize("bad", [
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD4=",
    "vbscript:msgbox(1)",
    "//evil.example/x",
    "example.org/no-scheme",
    "https://",
])
def test_url_fields_refuse_non_web_addresses(model, field, bad):
    with pytest.raises(ValueError, match=field):
        model(**{field: bad})


@pytest.mark.parametrize(("model", "field"), URL_FIELDS)
@pytest.mark.parametrize("good", ["https://example.org/a?b=c#d", "http://example.org", "HTTPS://EXAMPLE.ORG/"])
def test_url_fields_accept_web_addresses(model, field, good):
    assert getattr(model(**{field: good}), field) == good


@pytest.mark.parametrize(("model", "field"), URL_FIELDS)
def test_url_fields_accept_none_blank_and_strip_spaces(model, field):
    assert getattr(model(**{field: None}), field) is None
    assert getattr(model(**{field: "  "}), field) is None
    assert getattr(model(**{field: "  https://example.org/x "}), field) == "https://example.org/x"


def test_event_modes_follow_format():
    assert Event(format="hybrid").modes == (Mode.ON_SITE, Mode.DIGITAL)
    assert Event(format="digital").modes == (Mode.DIGITAL,)
    assert Event(format="on_site").modes == (Mode.ON_SITE,)


def test_event_status_properties():
    assert Event(status="published").is_published and not Event(status="published").is_cancelled
    assert Event(status="cancelled").is_cancelled and not Event(status="cancelled").is_published
    assert not Event(status="draft").is_published


@pytest.mark.parametrize("overrides", [
    {"ends_at": START},  # ends when it starts
    {"ends_at": START - timedelta(hours=1)},
    {"format": "online"},
    {"status": "hidden"},
    {"on_site_seats": -1},
    {"slug": ""},
])
def test_event_check_constraints_refuse_bad_rows(app, overrides):
    values = dict(slug="e", title="E", starts_at=START, ends_at=START + timedelta(hours=2),
                  format="hybrid", status="published")
    values.update(overrides)
    with app.app_context():
        db.session.add(Event(**values))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_event_slug_is_unique(app, make_event):
    make_event(slug="same")
    with pytest.raises(IntegrityError):
        make_event(slug="same")


def test_deleting_event_deletes_its_programme(app, make_event, make_item):
    from eventhub.programme.models import ProgrammeItem

    slug = make_event()
    make_item(slug, 0)
    make_item(slug, 15)
    with app.app_context():
        db.session.delete(db.session.scalar(db.select(Event).where(Event.slug == slug)))
        db.session.commit()
        assert db.session.scalar(db.select(db.func.count()).select_from(ProgrammeItem)) == 0
