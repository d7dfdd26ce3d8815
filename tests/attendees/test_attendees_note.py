"""The organisers' internal note on a registration: theirs alone to read, the person's data all the same."""
from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime

import pytest

from eventhub.attendees import operations
from eventhub.privacy import services as privacy
from eventhub.registration.models import NOTE_MAX, Registration
from tests.attendees.support import audit_entries, post_form
from tests.checkin.support import Door
from tests.registration.support import KEYS, event_by_slug, fresh, page_text, register, token_for

NOTE = "Ringde 2/12: <b>behöver</b> parkering\nnära entrén & ramp"


def detail_url(slug, registration_id):
    return f"/manage/events/{slug}/attendees/{registration_id}"


def save_note(signed_in, registration_id, note):
    page = detail_url(signed_in.slug, registration_id)
    return post_form(signed_in.client, page + "?lang=en", page + "/note?lang=en", note=note)


@pytest.fixture
def anna(app, signed_in):
    with app.app_context():
        return register(signed_in.slug, "anna@example.se", name="Anna Andersson").registration.id


def test_a_note_is_saved_shown_escaped_and_logged_without_its_text(app, signed_in, anna):
    assert save_note(signed_in, anna, NOTE.replace("\n", "\r\n")).status_code == 303

    page = signed_in.client.get(detail_url(signed_in.slug, anna) + "?lang=en").get_data(as_text=True)
    assert "&lt;b&gt;behöver&lt;/b&gt; parkering\nnära entrén &amp; ramp" in page
    assert "<b>behöver</b>" not in page
    with app.app_context():
        assert fresh(Registration, anna).organiser_note == NOTE
        [entry] = audit_entries(signed_in.slug, "attendees.note_changed")
        assert entry.user_id == signed_in.user_id and entry.details == {"registration_id": anna, "change": "added"}
        assert "parkering" not in entry.summary


def test_changing_and_removing_the_note_are_logged_as_such_and_the_same_note_not_at_all(app, signed_in, anna):
    save_note(signed_in, anna, "Första")
    save_note(signed_in, anna, "Första")
    save_note(signed_in, anna, "Andra")
    save_note(signed_in, anna, "   ")
    with app.app_context():
        assert fresh(Registration, anna).organiser_note == ""
        assert [e.details["change"] for e in audit_entries(signed_in.slug, "attendees.note_changed")] == [
            "added", "changed", "removed"]


def test_a_note_over_the_limit_is_refused_and_what_was_typed_is_kept(app, signed_in, anna):
    typed = "x" * (NOTE_MAX + 1)
    response = save_note(signed_in, anna, typed)
    assert response.status_code == 422
    assert f"At most {NOTE_MAX} characters." in page_text(response)
    assert typed in response.get_data(as_text=True)
    with app.app_context():
        assert fresh(Registration, anna).organiser_note == ""


def test_a_note_at_the_limit_with_line_breaks_from_a_browser_fits(app, signed_in, anna):
    typed = ("x" * 9 + "\r\n") * (NOTE_MAX // 10)  # NOTE_MAX characters as the page counts them
    assert save_note(signed_in, anna, typed).status_code == 303
    with app.app_context():
        assert len(fresh(Registration, anna).organiser_note) == NOTE_MAX - 1  # the last line break trimmed


def test_the_database_refuses_a_note_over_the_limit(app, signed_in, anna):
    from sqlalchemy.exc import IntegrityError

    from eventhub.extensions import db

    with app.app_context():
        fresh(Registration, anna).organiser_note = "x" * (NOTE_MAX + 1)
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        with pytest.raises(operations.NoteTooLong):
            operations.update_note(event_by_slug(signed_in.slug).id, anna, "x" * (NOTE_MAX + 1), signed_in.user_id)


def _pdf_text(body: bytes) -> str:
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=body, capture_output=True, check=True
                          ).stdout.decode()


def _person_page(signed_in, app):
    return signed_in.client.get(f"/r/{token_for(app, 'anna@example.se')}?lang=en").get_data(as_text=True)


WHERE_IT_MUST_NOT_BE = {
    "the person's own page": _person_page,
    "the attendee list": lambda s, app: s.client.get(f"/manage/events/{s.slug}/attendees").get_data(as_text=True),
    "the CSV export": lambda s, app: s.client.get(f"/manage/events/{s.slug}/exports/attendees.csv").get_data(
        as_text=True),
    "the Excel export": lambda s, app: s.client.get(f"/manage/events/{s.slug}/exports/attendees-excel.csv").data
    .decode("utf-8-sig"),
    "the door list": lambda s, app: _pdf_text(s.client.get(f"/manage/events/{s.slug}/door-list.pdf").data),
    "the badges": lambda s, app: _pdf_text(s.client.get(f"/manage/events/{s.slug}/badges.pdf").data),
    "the scanner's tickets": lambda s, app: Door(s.client, s.slug, s.user_id, "O").get("tickets").get_data(
        as_text=True),
    "the scanner's search": lambda s, app: Door(s.client, s.slug, s.user_id, "O").post(
        "search", {"q": "Anna"}).get_data(as_text=True),
}


@pytest.mark.parametrize("where", list(WHERE_IT_MUST_NOT_BE), ids=list(WHERE_IT_MUST_NOT_BE))
def test_the_note_is_on_no_other_page_list_or_export(app, signed_in, anna, where):
    save_note(signed_in, anna, "HEMLIGANTECKNING")
    text = WHERE_IT_MUST_NOT_BE[where](signed_in, app)
    assert "Anna" in text  # the person is there; their note is not
    assert "HEMLIGANTECKNING" not in text


def test_the_note_is_in_the_persons_data_download_and_gone_when_their_data_is(app, client, signed_in, anna):
    save_note(signed_in, anna, "Behöver parkering")
    token = token_for(app, "anna@example.se")
    data = json.loads(client.get(f"/r/{token}/my-data.json").get_data(as_text=True))
    assert data["registration"]["organisers_note"] == "Behöver parkering"

    with app.app_context():
        privacy.erase(anna, datetime.now(UTC), KEYS)
        assert fresh(Registration, anna).organiser_note == ""
        with pytest.raises(operations.Anonymised):
            operations.update_note(event_by_slug(signed_in.slug).id, anna, "Igen", signed_in.user_id)
    assert 'id="note"' not in signed_in.client.get(detail_url(signed_in.slug, anna)).get_data(as_text=True)
