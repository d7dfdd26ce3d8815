"""Photos for the documentation page: what may be uploaded (clear messages, nothing typed lost, nothing
kept on failure), what is kept of a photo (no EXIF, GPS, XMP or comment; upright; two sizes), who may
fetch it, the photo-consent list beside the upload, and changing, moving and deleting photos."""
from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from eventhub.accounts import services as accounts
from eventhub.audit.models import AuditEntry
from eventhub.documentation import photos as photo_files
from eventhub.documentation import services as documentation
from eventhub.documentation.models import EventPhoto, PhotoChunk
from eventhub.extensions import db
from eventhub.privacy import services as privacy
from eventhub.registration import services as registration
from tests.accounts.support import make_user, post, sign_in, user_by_email
from tests.documentation.support import CAMERA, COMMENT, PAST, XMP, add_photo, photo_bytes
from tests.registration.support import KEYS, count, event_by_slug, page_text, register


@pytest.fixture
def past(make_event):
    return make_event(starts_at=PAST, title="Forumträff")


@pytest.fixture
def organiser(app, client, past):
    make_user(app, "org@example.se", staff_of={past: "organiser"})
    client.set_cookie("lang", "en")
    sign_in(client, "org@example.se")
    return client


def noisy_jpeg(size=(1600, 1200)) -> bytes:
    """A photo that does not compress (noise), so that its bytes are many and every one is needed."""
    out = io.BytesIO()
    Image.effect_noise(size, 80).convert("RGB").save(out, "JPEG", quality=95)
    return out.getvalue()


def upload(client, slug, data: bytes | None, filename="foto.jpg", alt_sv="Deltagare i salen", alt_en="", caption=""):
    fields = {"alt_sv": alt_sv, "alt_en": alt_en, "caption": caption}
    if data is not None:
        fields["photo"] = (io.BytesIO(data), filename)
    return post(client, f"/manage/events/{slug}/documentation/photos", fields, content_type="multipart/form-data")


def also_organiser_of(app, slug) -> None:
    with app.app_context():
        accounts.add_staff(event_by_slug(slug).id, user_by_email("org@example.se").id, "organiser", None)
        db.session.commit()


def stored(app, slug) -> list[EventPhoto]:
    with app.app_context():
        return documentation.photos_of(event_by_slug(slug).id)


def kept_bytes(app, photo_id: int, size: str = "large") -> bytes:
    with app.app_context():
        return b"".join(db.session.scalars(select(PhotoChunk.data).where(
            PhotoChunk.photo_id == photo_id, PhotoChunk.size == size).order_by(PhotoChunk.number)))


# --- what may be uploaded ----------------------------------------------------------------------

@pytest.mark.parametrize(("data", "filename", "message"), [
    (b"%PDF-1.4\n%%EOF\n", "bilder.pdf", "Upload a JPEG, PNG or WebP photo"),
    (b"%PDF-1.4\n%%EOF\n", "foto.jpg", "Upload a JPEG, PNG or WebP photo"),  # a PDF renamed
    (photo_bytes("GIF"), "foto.gif", "Upload a JPEG, PNG or WebP photo"),
    (photo_bytes("GIF"), "foto.png", "Upload a JPEG, PNG or WebP photo"),  # a GIF renamed
    (noisy_jpeg((400, 300))[:8_000], "foto.jpg", "Upload a JPEG, PNG or WebP photo"),  # cut short
    (b"", "foto.jpg", "The file is empty."),
    (None, None, "Choose a photo to upload."),
], ids=["pdf", "pdf-renamed", "gif", "gif-renamed", "truncated", "empty", "no-file"])
def test_an_upload_that_is_no_photo_is_refused_with_the_texts_kept(app, organiser, past, data, filename, message):
    response = upload(organiser, past, data, filename, alt_sv="Deltagare i salen", alt_en="People in the hall",
                      caption="Inledningen")

    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert message in page_text(response)
    assert 'value="Deltagare i salen"' in body and 'value="People in the hall"' in body
    assert 'value="Inledningen"' in body
    assert stored(app, past) == []
    with app.app_context():
        assert count(PhotoChunk) == 0


def test_a_photo_larger_than_the_limit_is_refused_with_its_size(app, organiser, past):
    app.config["PHOTO_MAX_BYTES"] = 50_000
    data = noisy_jpeg()
    assert len(data) > 50_000

    response = upload(organiser, past, data)

    assert response.status_code == 422
    assert "The photo is larger than 50 kB. Make it smaller and upload it again." in page_text(response)
    assert 'value="Deltagare i salen"' in response.get_data(as_text=True)
    assert stored(app, past) == []


def test_a_photo_with_too_many_pixels_is_refused_before_it_is_decoded(monkeypatch):
    monkeypatch.setattr(photo_files, "MAX_PIXELS", 1000)
    with pytest.raises(photo_files.TooManyPixels):
        photo_files.clean_photo(io.BytesIO(photo_bytes(size=(40, 30))), "foto.jpg", 1_000_000)


def test_a_photo_without_alt_text_is_refused_and_the_file_must_be_chosen_again(app, organiser, past):
    response = upload(organiser, past, photo_bytes(), alt_sv="   ", alt_en="Only English", caption="Salen")

    assert response.status_code == 422
    text = page_text(response)
    assert "Describe the photo in Swedish for those who cannot see it." in text
    assert "Choose the photo again: a browser does not keep a chosen file when the page comes back." in text
    body = response.get_data(as_text=True)
    assert 'value="Only English"' in body and 'value="Salen"' in body
    assert 'aria-invalid="true"' in body
    assert stored(app, past) == []


def test_an_english_event_requires_its_alt_text_in_english(app, organiser, make_event):
    slug = make_event(starts_at=PAST, language="en")
    also_organiser_of(app, slug)

    refused = upload(organiser, slug, photo_bytes(), alt_sv="Deltagare", alt_en="")
    taken = upload(organiser, slug, photo_bytes(), alt_sv="", alt_en="People at the tables")

    assert refused.status_code == 422
    assert "Describe the photo in English for those who cannot see it." in page_text(refused)
    assert taken.status_code == 303
    assert [photo.alt_en for photo in stored(app, slug)] == ["People at the tables"]


def test_the_service_refuses_a_photo_without_alt_text_too(app, past):
    with app.app_context(), pytest.raises(documentation.MissingAltText):
        add_photo(past, alt="")


def test_the_upload_page_reminds_of_consent_and_says_what_is_allowed(organiser, past):
    text = page_text(organiser.get(f"/manage/events/{past}/documentation/photos"))
    assert "Only people who agreed may be recognisable" in text
    assert "JPEG, PNG or WebP, at most 20 MB." in text
    assert "the place it was taken (GPS) and other metadata are left out" in text


# --- what is kept ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("fmt", "filename", "content_type"), [
    ("JPEG", "IMG_0042.JPG", "image/jpeg"), ("PNG", "skärmbild.png", "image/png"), ("WEBP", "foto.webp", "image/webp"),
])
def test_an_uploaded_photo_keeps_none_of_its_metadata(app, organiser, past, fmt, filename, content_type):
    original = photo_bytes(fmt)
    assert CAMERA.encode() in original  # the upload carries the camera and where it was (EXIF, GPS)
    assert (b"Hemlig plats" in original) == (fmt != "PNG")  # and XMP, which PNG files keep elsewhere

    response = upload(organiser, past, original, filename, caption="Inledningen")

    assert response.status_code == 303
    [photo] = stored(app, past)
    assert photo.content_type == content_type and photo.caption == "Inledningen"
    for size in ("large", "small"):
        kept = kept_bytes(app, photo.id, size)
        image = Image.open(io.BytesIO(kept))
        assert image.format == fmt
        assert not image.getexif(), size
        assert "exif" not in image.info and "xmp" not in image.info and "comment" not in image.info
        for secret in (CAMERA.encode(), b"Hemlig plats", XMP, COMMENT, b"Exif\x00\x00"):
            assert secret not in kept, (size, secret)


def test_a_photo_is_kept_upright_and_in_two_sizes_no_larger_than_it_was(app, organiser, past):
    # Taken with the phone on its side: the pixels lie 1200 wide, EXIF says "turn 90° clockwise".
    response = upload(organiser, past, photo_bytes(size=(3000, 2000), orientation=6))

    assert response.status_code == 303
    [photo] = stored(app, past)
    assert (photo.width, photo.height) == (1333, 2000)  # upright: taller than wide, at most 2000 px
    assert (photo.small_width, photo.small_height) == (533, 800)
    large = Image.open(io.BytesIO(kept_bytes(app, photo.id))).convert("RGB")
    assert large.size == (1333, 2000)
    assert large.getpixel((large.width - 20, 20))[0] > 150  # the top left mark is now top right
    with app.app_context():
        small = add_photo(past, data=photo_bytes(size=(300, 200)))
        # never enlarged
        assert (small.width, small.height, small.small_width, small.small_height) == (300, 200, 300, 200)


def test_an_upload_is_audit_logged_without_the_file_name(app, organiser, past):
    upload(organiser, past, photo_bytes(), "anna-svensson-privat.jpg", alt_sv="Deltagare i salen")
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "documentation.photo_uploaded"))
        assert entry.details["title"] == "Deltagare i salen"
        assert "anna-svensson" not in str(entry.details) + entry.summary


# --- who may fetch a photo --------------------------------------------------------------------------

def test_a_photo_of_a_past_public_event_is_for_everyone_and_cached_briefly(app, client, past):
    with app.app_context():
        photo_id = add_photo(past).id
    url, small = f"/events/{past}/photos/{photo_id}", f"/events/{past}/photos/{photo_id}/small"

    response = client.get(url)
    again = client.get(url, headers={"If-None-Match": response.headers["ETag"]})

    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert response.cache_control.public and response.cache_control.max_age == 300
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox")
    assert again.status_code == 304
    assert Image.open(io.BytesIO(client.get(small).data)).size == (800, 533)


@pytest.mark.parametrize("overrides", [
    {"starts_at": datetime.now(UTC) + timedelta(days=3)},  # not over yet
    {"starts_at": PAST, "status": "draft"},
], ids=["before-the-event", "draft"])
def test_a_photo_is_only_for_the_organisers_before_the_event_is_public_and_over(app, client, make_event, overrides):
    slug = make_event(**overrides)
    with app.app_context():
        url = f"/events/{slug}/photos/{add_photo(slug).id}"

    assert client.get(url).status_code == 404
    make_user(app, "org@example.se", staff_of={slug: "organiser"})
    sign_in(client, "org@example.se")
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"


def test_a_photo_is_not_found_under_another_events_address(app, client, past, make_event):
    other = make_event(starts_at=PAST)
    with app.app_context():
        photo_id = add_photo(past).id
    assert client.get(f"/events/{other}/photos/{photo_id}").status_code == 404


# --- the photo-consent list ------------------------------------------------------------------------------

def test_the_consent_list_shows_who_agreed_and_who_did_not_as_they_answer_now(app, organiser, make_event):
    past = make_event(on_site_seats=10, digital_seats=10)  # people register before the event
    also_organiser_of(app, past)
    with app.app_context():
        event = event_by_slug(past)
        register(past, "anna@example.se", name="Anna Andersson", photo_consent=True,
                          organisation="Borås stad")
        register(past, "bo@example.se", "digital", name="Bo Berg", photo_consent=False)
        withdrawn = register(past, "cia@example.se", name="Cia Carlsson", photo_consent=True).registration
        gone = register(past, "dan@example.se", name="Dan Dahl", photo_consent=True).registration
        erased = register(past, "eva@example.se", name="Eva Ek", photo_consent=False).registration
        privacy.set_photo_consent(withdrawn.id, False)
        registration.cancel(gone.id, datetime.now(UTC), KEYS)
        privacy.anonymise([erased.id], datetime.now(UTC), KEYS)
        db.session.commit()
        consents = documentation.photo_consents(event.id)

    assert [row.name for row in consents.agreed] == ["Anna Andersson"]
    assert [row.name for row in consents.declined] == ["Bo Berg", "Cia Carlsson"]
    text = page_text(organiser.get(f"/manage/events/{past}/documentation/photos"))
    declined_at = text.index("Did not agree to appear in photos (2)")
    agreed_at = text.index("Agreed to appear in photos (1)")
    assert "Bo Berg" in text[declined_at:agreed_at] and "Cia Carlsson" in text[declined_at:agreed_at]
    assert "Anna Andersson Borås stad On site" in text[agreed_at:]
    assert "Dan Dahl" not in text and "Eva Ek" not in text


# --- changing, moving, deleting ---------------------------------------------------------------------------

def test_the_organiser_changes_a_photos_texts_and_an_empty_alt_text_is_refused(app, organiser, past):
    with app.app_context():
        url = f"/manage/events/{past}/documentation/photos/{add_photo(past, alt='Gammal text').id}"

    refused = post(organiser, url, {"alt_sv": "", "alt_en": "New", "caption": "Ny bildtext"})
    saved = post(organiser, url, {"alt_sv": "Ny text", "alt_en": "New text", "caption": "Ny bildtext"})

    assert refused.status_code == 422
    assert "Describe the photo in Swedish" in page_text(refused) and 'value="Ny bildtext"' in refused.get_data(
        as_text=True)
    assert saved.status_code == 303
    [kept] = stored(app, past)
    assert (kept.alt_sv, kept.alt_en, kept.caption) == ("Ny text", "New text", "Ny bildtext")


def test_photos_move_earlier_and_later_and_not_past_either_end(app, organiser, past):
    with app.app_context():
        ids = [add_photo(past, alt=f"Foto {n}").id for n in range(3)]

    def order():
        return [photo.id for photo in stored(app, past)]

    post(organiser, f"/manage/events/{past}/documentation/photos/{ids[2]}/move", {"direction": "up"})
    assert order() == [ids[0], ids[2], ids[1]]
    post(organiser, f"/manage/events/{past}/documentation/photos/{ids[0]}/move", {"direction": "down"})
    assert order() == [ids[2], ids[0], ids[1]]
    response = post(organiser, f"/manage/events/{past}/documentation/photos/{ids[2]}/move", {"direction": "up"})
    assert response.status_code == 303 and order() == [ids[2], ids[0], ids[1]]
    post(organiser, f"/manage/events/{past}/documentation/photos/{ids[0]}/move", {"direction": "sideways"})
    assert order() == [ids[2], ids[0], ids[1]]


def test_a_deleted_photo_is_gone_with_its_bytes(app, organiser, client, past):
    with app.app_context():
        photo_id = add_photo(past).id

    response = post(organiser, f"/manage/events/{past}/documentation/photos/{photo_id}/delete")

    assert response.status_code == 303
    assert stored(app, past) == []
    with app.app_context():
        assert count(PhotoChunk) == 0
    assert client.get(f"/events/{past}/photos/{photo_id}").status_code == 404
