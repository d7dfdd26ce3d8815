"""The documentation page's photos under the event's privacy settings: kept until the organisers delete them,
or deleted by ``flask privacy purge`` when the event sets a period; in the data download and the notice."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from eventhub.documentation.models import EventPhoto, PhotoChunk
from eventhub.extensions import db
from eventhub.privacy import retention
from eventhub.privacy.models import EventPrivacy
from tests.documentation.support import add_photo
from tests.privacy.conftest import ENDED
from tests.privacy.support import audit, registered, token_of
from tests.registration.support import KEYS, event_by_slug

BEFORE = ENDED - timedelta(days=2)


def _keep_photos(slug: str, days: int | None) -> None:
    event = event_by_slug(slug)
    event.privacy = EventPrivacy(photo_retention_days=days)
    db.session.commit()


def _photos(slug: str) -> tuple[int, int]:
    event_id = event_by_slug(slug).id
    photos = db.session.scalar(select(func.count()).select_from(EventPhoto).where(EventPhoto.event_id == event_id))
    chunks = db.session.scalar(select(func.count()).select_from(PhotoChunk))
    return photos, chunks


def test_photos_go_at_their_period_not_a_minute_before(app_ctx, past):
    _keep_photos(past, 90)
    add_photo(past), add_photo(past, alt="Panelen på scenen")
    version = event_by_slug(past).version

    assert retention.purge(ENDED + timedelta(days=89, hours=23, minutes=59), KEYS).photos_deleted == 0
    assert _photos(past)[0] == 2

    report = retention.purge(ENDED + timedelta(days=90), KEYS)
    assert report.photos_deleted == 2
    assert _photos(past) == (0, 0)  # both sizes of each photo too
    db.session.expire_all()
    assert event_by_slug(past).version > version  # the kept event page shows them no more
    (entry,) = audit(past, "privacy.photos_deleted")
    assert entry.summary == "2 photos deleted 90 days after the event" and entry.user_id is None
    # A second run finds nothing and writes nothing.
    assert retention.purge(ENDED + timedelta(days=91), KEYS).events == []
    assert len(audit(past, "privacy.photos_deleted")) == 1


@pytest.mark.parametrize("settings", [None, "no period"])
def test_photos_without_a_period_stay_until_the_organisers_delete_them(app_ctx, past, settings):
    if settings:
        _keep_photos(past, None)
    add_photo(past)
    report = retention.purge(ENDED + timedelta(days=3650), KEYS)
    assert report.photos_deleted == 0 and _photos(past)[0] == 1


def test_a_dry_run_counts_the_photos_and_deletes_none(app_ctx, past):
    _keep_photos(past, 30)
    add_photo(past)
    assert retention.purge(ENDED + timedelta(days=30), KEYS, dry_run=True).photos_deleted == 1
    assert _photos(past)[0] == 1


def test_the_data_download_lists_the_events_photos_and_when_they_go(app, client, past):
    with app.app_context():
        _keep_photos(past, 60)
        photo_id = add_photo(past, alt="Deltagare i samtal", alt_en="People talking", caption="Grupp A").id
        token = token_of(registered(past, "anna@example.se", now=BEFORE))
    data = json.loads(client.get(f"/r/{token}/my-data.json").get_data(as_text=True))
    photos = data["event_photos"]
    assert "photo_consent" in photos["note"]
    assert photos["deleted_on"] == (ENDED + timedelta(days=60)).isoformat() == data["retention"]["photos_deleted_on"]
    assert [(p["photo_id"], p["alt_text_sv"], p["alt_text_en"], p["caption"]) for p in photos["photos"]] == [
        (photo_id, "Deltagare i samtal", "People talking", "Grupp A")]


@pytest.mark.parametrize(("days", "lang", "says"), [
    (None, "sv", "Bilder från evenemanget finns kvar på evenemangets sida tills arrangörerna tar bort dem."),
    (None, "en", "Photos from the event stay on the event page until the organisers delete them."),
    (60, "sv", "Bilder från evenemanget tas bort 60 dagar efter evenemanget"),
    (1, "en", "Photos from the event are deleted 1 day after the event"),
])
def test_the_privacy_notice_says_how_long_photos_are_kept(app, client, past, days, lang, says):
    with app.app_context():
        _keep_photos(past, days)
    page = client.get(f"/events/{past}/privacy?lang={lang}")
    assert page.status_code == 200
    assert says in page.get_data(as_text=True)
