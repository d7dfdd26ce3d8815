"""CPU time of one check-in scan inside the app, without gunicorn, wrk or the network.

    .venv/bin/python bench/scan_cpu.py                  # SQLite in a temporary directory
    .venv/bin/python bench/scan_cpu.py --database-url postgresql://postgres@127.0.0.1:5432/test

bench/checkin.py measures the door as a phone sees it, and on a shared two-core machine its
figures move by 15 % from run to run. This one measures what a change to the code costs: the
process CPU time (``time.process_time``) of N scans sent through Flask's test client to
POST /checkin/<slug>/api/scan, as a signed-in host with the scanner's CSRF header, in three
phases: first scans (green), the same tickets again (amber) and forged or unknown codes (red).
Process CPU time counts only this process, so other processes on the machine barely move it;
the database server's own CPU (PostgreSQL) is not in it. Run it from two checkouts one after the
other to compare two versions of the code (it uses only the app factory, the models and HTTP).
"""
from __future__ import annotations

import argparse
import os
import re
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sqlalchemy import create_engine, insert, select, text  # noqa: E402

from config import ProductionConfig, normalise_database_url  # noqa: E402
from eventhub import create_app  # noqa: E402
from eventhub.accounts import services as accounts  # noqa: E402
from eventhub.events.models import Event  # noqa: E402
from eventhub.extensions import db  # noqa: E402
from eventhub.registration import tokens  # noqa: E402
from eventhub.registration.models import Registration  # noqa: E402

SLUG, HOST, PASSWORD = "bench-scan", "host@bench.invalid", "bench-password-123"


def keys_of(app):
    """What the token functions take: the app's keyring, or the secret key itself in older code."""
    try:
        from eventhub import keyring  # noqa: PLC0415 (present from December 2026 on)
    except ImportError:
        return app.config["SECRET_KEY"]
    return keyring.of(app)


def build(database_url: str | None, tickets: int):
    settings = dict(SECRET_KEY=secrets.token_hex(32), RATELIMIT_ENABLED=False, SESSION_COOKIE_SECURE=False,
                    PREFERRED_URL_SCHEME="http")
    schema = None
    if database_url:
        schema = f"eventhub_bench_{secrets.token_hex(4)}"
        url = normalise_database_url(database_url)
        with create_engine(url, isolation_level="AUTOCOMMIT").connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        settings.update(SQLALCHEMY_DATABASE_URI=url,
                        SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"options": f"-c search_path={schema}"}})
    else:
        settings.update(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite")
    os.environ.setdefault("EVENTHUB_INSTANCE", tempfile.mkdtemp())
    app = create_app(ProductionConfig, **settings)
    keys, now = keys_of(app), datetime.now(UTC)
    with app.app_context():
        db.create_all()
        event = Event(slug=SLUG, title="Scan benchmark", starts_at=now + timedelta(minutes=10),
                      ends_at=now + timedelta(hours=3), format="hybrid", status="published",
                      on_site_seats=tickets, on_site_taken=tickets)
        db.session.add(event)
        db.session.flush()
        rows = []
        for i in range(tickets):
            salt = tokens.new_salt()
            rows.append(dict(event_id=event.id, name=f"Deltagare {i:04d}", email=f"p{i:04d}@bench.invalid",
                             organisation="Borås Stad", role_title="", sector="public", mode="on_site",
                             status="confirmed", language="sv", dietary_needs="", accessibility_needs="",
                             privacy_accepted_at=now, photo_consent=False, token_salt=salt,
                             token_hash=tokens.token_hash(tokens.manage_token(keys, salt)), ticket_version=1,
                             confirmed_at=now, created_at=now, updated_at=now))
        db.session.execute(insert(Registration), rows)
        user, _ = accounts.create_user(HOST, "Bench Värd", "host", now, password=PASSWORD)
        accounts.add_staff(event.id, user.id, "host", None)
        db.session.commit()
        people = list(db.session.scalars(select(Registration).order_by(Registration.id)))
        codes = [tokens.ticket_payload(keys, person) for person in people]
        top = people[-1].id
    forged = [f"EH1:{top + 1000 + i}-1-{'A' * 32}" if i % 2 else code[:-4] + "AAAA" for i, code in enumerate(codes)]
    return app, codes, forged, schema


def sign_in(client) -> str:
    page = client.get("/account/login").get_data()
    token = re.search(rb'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1).decode()
    answer = client.post("/account/login", data={"csrf_token": token, "email": HOST, "password": PASSWORD})
    assert answer.status_code == 303, answer.status_code
    scanner = client.get(f"/checkin/{SLUG}").get_data()
    return re.search(rb'<meta name="csrf-token" content="([^"]+)"', scanner).group(1).decode()


def phase(client, csrf: str, codes: list[str], colour: str) -> float:
    """CPU milliseconds per scan over ``codes``, each answer checked for ``colour``."""
    started = time.process_time()
    for code in codes:
        answer = client.post(f"/checkin/{SLUG}/api/scan", json={"code": code, "nonce": secrets.token_hex(12)},
                             headers={"X-CSRFToken": csrf})
        assert answer.status_code == 200 and answer.get_json()["result"]["colour"] == colour, answer.get_data()
    return (time.process_time() - started) * 1000 / len(codes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL URL; a private schema is created in it and dropped after")
    parser.add_argument("--tickets", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the amber and red phases (3)")
    args = parser.parse_args()
    app, codes, forged, schema = build(args.database_url, args.tickets)
    try:
        client = app.test_client()
        csrf = sign_in(client)
        phase(client, csrf, forged[:50], "red")  # warm-up: the first requests compile statements and templates
        green = phase(client, csrf, codes, "green")
        amber = [phase(client, csrf, codes, "amber") for _ in range(args.rounds)]
        red = [phase(client, csrf, forged, "red") for _ in range(args.rounds)]
    finally:
        if schema:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
            with create_engine(normalise_database_url(args.database_url), isolation_level="AUTOCOMMIT").connect() as c:
                c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    where = "PostgreSQL" if args.database_url else "SQLite"
    print(f"{where}, {args.tickets} tickets, CPU ms per scan in this process (median of {args.rounds} rounds):")
    print(f"  first scans (green)      {green:6.3f}")
    print(f"  scanned again (amber)    {statistics.median(amber):6.3f}   rounds {', '.join(f'{x:.3f}' for x in amber)}")
    print(f"  forged or unknown (red)  {statistics.median(red):6.3f}   rounds {', '.join(f'{x:.3f}' for x in red)}")


if __name__ == "__main__":
    main()
