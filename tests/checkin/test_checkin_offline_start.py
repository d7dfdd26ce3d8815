"""What lets the scanner start without a network: its service worker, the list of files it keeps,
and the manifest that installs it on a host's phone."""
from __future__ import annotations

import json
import re
from pathlib import Path

from eventhub.checkin import views

STATIC = Path(views.__file__).parents[2] / "static"


def test_service_worker_is_served_at_the_scanner_scope_and_keeps_every_scanner_file(client):
    response = client.get("/checkin/sw.js")

    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    body = response.get_data(as_text=True)
    kept = json.loads(re.search(r"const ASSETS = (\[.*?\]);", body).group(1))
    modules = {f"/static/js/checkin/{path.name}" for path in (STATIC / "js" / "checkin").glob("*.js")}
    assert modules <= set(kept), "a scanner module the service worker would not keep"
    assert "/static/css/app.css" in kept and "/static/vendor/jsqr/jsQR.js" in kept
    assert all((STATIC / url.removeprefix("/static/")).is_file() for url in kept)
    assert "/api/" in body  # the API is never answered from the cache


def test_scanner_page_names_its_worker_cache_and_when_to_forget(app, slug, door):
    page = door.client.get(f"/checkin/{slug}").get_data(as_text=True)

    cache = re.search(r'data-offline-cache="(eventhub-scanner-[0-9a-f]{12})"', page).group(1)
    assert f'"{cache}"' in door.client.get("/checkin/sw.js").get_data(as_text=True)
    assert 'data-service-worker="/checkin/sw.js"' in page
    assert re.search(r'data-forget-after="\d{4}-\d\d-\d\dT', page)
    assert f'rel="manifest" href="/checkin/{slug}/manifest.webmanifest"' in page


def test_manifest_installs_this_event_s_scanner_for_its_hosts_only(app, slug, door, client):
    response = door.client.get(f"/checkin/{slug}/manifest.webmanifest")

    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    manifest = response.get_json()
    assert manifest["start_url"] == f"/checkin/{slug}" and manifest["display"] == "standalone"
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}
    assert client.get(f"/checkin/{slug}/manifest.webmanifest").status_code in (302, 401, 403)
