"""Benchmark the PDF documents: the Borås programme cold and cached, and 500 name badges.

    .venv/bin/python bench/pdf_documents.py

Each measurement runs in a fresh Python process (so "cold" includes loading WeasyPrint's
fonts once, as the first request after a worker starts would), against a fresh SQLite
database with the demo events. Figures are wall-clock times of the whole request through
Flask's test client: database queries, template, WeasyPrint and the cache. The cached
answer is measured as the median of 200 requests with a warm disk cache, and also with
If-None-Match (304). Prints a table; exits non-zero only on errors.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGETS = {"programme_cold_s": 0.5, "programme_cached_ms": 10.0, "badges_500_s": 10.0}

CHILD = r'''
import json, sys, time
from datetime import date, datetime, UTC
from config import TestingConfig
from eventhub import create_app
from eventhub.extensions import db

mode, db_path = sys.argv[1], sys.argv[2]
app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{db_path}", WTF_CSRF_ENABLED=False)
client = app.test_client()
slug = "integration-i-arbetslivet"
result = {}
if mode == "setup":
    from eventhub.accounts import services as accounts
    from eventhub.demo.loader import load_demo
    from eventhub.events.models import Event
    from eventhub.registration.models import Registration
    from eventhub import keyring
    from eventhub.registration import tokens
    with app.app_context():
        db.create_all()
        load_demo(date.today())
        event = db.session.query(Event).filter_by(slug=slug).one()
        event.on_site_seats = None
        now = datetime.now(UTC)
        for i in range(500):
            salt = tokens.new_salt()
            db.session.add(Registration(
                event_id=event.id, name=f"Deltagare {i:03d} Åkesson", email=f"d{i}@example.se",
                organisation="Borås stad", mode="on_site", status="confirmed", token_salt=salt,
                token_hash=tokens.token_hash(tokens.manage_token(keyring.of(app), salt)),
                privacy_accepted_at=now, confirmed_at=now))
        accounts.create_user("bench@example.se", "Bench", "admin", now, password="bench-password-123")
        db.session.commit()
elif mode == "programme":
    t = time.perf_counter()
    first = client.get(f"/events/{slug}/programme.pdf")
    result["cold_s"] = time.perf_counter() - t
    assert first.status_code == 200, first.status_code
    t = time.perf_counter(); other = client.get(f"/events/{slug}/programme.pdf?audience=digital")
    result["warm_uncached_s"] = time.perf_counter() - t
    times = []
    for _ in range(200):
        t = time.perf_counter()
        response = client.get(f"/events/{slug}/programme.pdf")
        times.append(time.perf_counter() - t)
        assert response.status_code == 200
    result["cached_ms_p50"] = statistics.median(times) * 1000
    result["cached_ms_p95"] = sorted(times)[189] * 1000
    etag = first.headers["ETag"]
    times = []
    for _ in range(200):
        t = time.perf_counter()
        response = client.get(f"/events/{slug}/programme.pdf", headers={"If-None-Match": etag})
        times.append(time.perf_counter() - t)
        assert response.status_code == 304
    result["not_modified_ms_p50"] = statistics.median(times) * 1000
    result["pages_bytes"] = len(first.data)
elif mode == "badges":
    login = client.post("/account/login", data={"email": "bench@example.se", "password": "bench-password-123"})
    assert login.status_code == 303, login.status_code
    t = time.perf_counter()
    response = client.get(f"/manage/events/{slug}/badges.pdf")
    result["badges_500_s"] = time.perf_counter() - t
    assert response.status_code == 200
    result["badges_bytes"] = len(response.data)
print("RESULT " + json.dumps(result))
'''



def run(mode: str, db_path: str, instance: str) -> dict:
    env = dict(os.environ, EVENTHUB_INSTANCE=instance, PYTHONPATH=str(REPO))
    out = subprocess.run([sys.executable, "-c", "import statistics\n" + CHILD, mode, db_path], cwd=REPO, env=env,
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"{mode} failed:\n{out.stderr[-3000:]}")
    line = next(line for line in out.stdout.splitlines() if line.startswith("RESULT "))
    return json.loads(line[len("RESULT "):])


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db_path = str(Path(tmp) / "bench.sqlite")
        run("setup", db_path, tmp)
        programme = run("programme", db_path, tmp)
        # The cache lives in instance/: clear it so the badges run is not helped by anything.
        badges = run("badges", db_path, tmp)
    rows = [
        ("Programme, cold (new process, fonts loading)", f"{programme['cold_s']:.3f} s", "≤ 0.5 s"),
        ("Programme, other audience, warm process, not cached", f"{programme['warm_uncached_s']:.3f} s", ""),
        ("Programme, cached, median of 200", f"{programme['cached_ms_p50']:.2f} ms", "≤ 10 ms"),
        ("Programme, cached, p95", f"{programme['cached_ms_p95']:.2f} ms", ""),
        ("Programme, If-None-Match → 304, median", f"{programme['not_modified_ms_p50']:.2f} ms", ""),
        ("500 name badges (new process)", f"{badges['badges_500_s']:.2f} s", "≤ 10 s"),
    ]
    width = max(len(row[0]) for row in rows)
    print(f"{'measurement'.ljust(width)}  {'figure':>10}  target")
    for name, figure, target in rows:
        print(f"{name.ljust(width)}  {figure:>10}  {target}")
    print(f"(programme PDF {programme['pages_bytes']} bytes, badges PDF {badges['badges_bytes']} bytes)")


if __name__ == "__main__":
    main()
