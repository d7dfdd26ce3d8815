"""Uploaded material is kept in the database: every app server behind the proxy serves it alike."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from config import TestingConfig
from eventhub import create_app
from eventhub.extensions import db
from eventhub.materials.models import CHUNK_BYTES
from tests.accounts.support import make_user, sign_in
from tests.materials.test_materials import PDF, stored, upload

# Over two pieces in the database, so that reading crosses where one piece ends and the next begins.
LARGE_PDF = PDF + bytes(range(256)) * (CHUNK_BYTES * 2 // 256 + 7)


@pytest.fixture
def two_servers(database, tmp_path):
    """Two app servers on one database, each with a folder of its own (as on two machines)."""
    servers = [create_app(TestingConfig, **database, MATERIAL_FOLDER=str(tmp_path / name / "materials"))
               for name in ("one", "two")]
    yield servers
    for server in servers:
        with server.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def past(make_event):
    return make_event(starts_at=datetime.now(UTC) - timedelta(days=2), title="Seminarium")


@pytest.fixture
def uploaded(app, two_servers, past):
    """LARGE_PDF uploaded through the first server by an organiser of the past event."""
    make_user(app, "org@example.se", staff_of={past: "organiser"})
    organiser = two_servers[0].test_client()
    sign_in(organiser, "org@example.se")
    assert upload(organiser, past, LARGE_PDF, "Bilder för alla.pdf").status_code == 303
    [material] = stored(app, past)
    return f"/events/{past}/material/{material.id}"


def test_a_file_uploaded_on_one_server_downloads_from_the_other(two_servers, uploaded):
    response = two_servers[1].test_client().get(uploaded)

    assert response.status_code == 200
    assert response.data == LARGE_PDF
    assert response.content_length == len(LARGE_PDF)
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=\"Bilder for alla.pdf\"; filename*=UTF-8''Bilder%20f%C3%B6r%20alla.pdf")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response.cache_control.public and response.cache_control.max_age == 300
    assert not any(Path(server.config["MATERIAL_FOLDER"]).exists() for server in two_servers)  # no local copy


def test_a_download_answers_conditional_and_range_requests_across_pieces(two_servers, uploaded):
    client = two_servers[1].test_client()
    etag = client.get(uploaded).headers["ETag"]

    again = client.get(uploaded, headers={"If-None-Match": etag})
    start = CHUNK_BYTES - 10
    part = client.get(uploaded, headers={"Range": f"bytes={start}-{start + 19}"})

    assert again.status_code == 304 and again.data == b""
    assert part.status_code == 206
    assert part.data == LARGE_PDF[start:start + 20]
    assert part.headers["Content-Range"] == f"bytes {start}-{start + 19}/{len(LARGE_PDF)}"
