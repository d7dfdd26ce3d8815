"""Does "forgot password" take longer for an address that has an account? (a timing side channel)

    .venv/bin/python bench/forgot_password_timing.py

Serves the app with gunicorn (1 worker, SQLite in a temporary directory, one organiser account),
then POSTs /account/password/forgot 80 times, one at a time, alternating the account's address
and unknown ones, and prints the median and mean time of each kind (the first 4 of each left out
as warm-up). The two should be the same: the reset link is made after the answer has been sent.
"""
from __future__ import annotations

import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

from bench_support import gunicorn, http_request, venv_bin

REPO = Path(__file__).resolve().parent.parent
ACCOUNT = "org@example.se"
ROUNDS = 80
WARM_UP = 4


def make_database(url: str, secret_key: str, env: dict[str, str]) -> None:
    sys.path.insert(0, str(REPO))
    from config import ProductionConfig, normalise_database_url
    from eventhub import create_app
    from eventhub.accounts import services as accounts
    from eventhub.extensions import db

    subprocess.run([venv_bin("flask"), "db", "upgrade"], cwd=REPO, env=env, check=True, capture_output=True)
    app = create_app(ProductionConfig, SQLALCHEMY_DATABASE_URI=normalise_database_url(url), SECRET_KEY=secret_key)
    with app.app_context():
        accounts.create_user(ACCOUNT, "Org", "organiser", datetime.now(UTC), password=secrets.token_urlsafe(16))
        db.session.commit()
        db.engine.dispose()


def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix="eventhub-forgot-"))
    url, secret_key = f"sqlite:///{workdir / 'forgot.sqlite'}", secrets.token_hex(32)
    env = dict(os.environ, DATABASE_URL=url, FLASK_APP="wsgi.py", SECRET_KEY=secret_key, EVENTHUB_ENV="production",
               RATELIMIT_ENABLED="0", MAIL_BACKEND="folder", MAIL_FOLDER=str(workdir / "mail"))
    make_database(url, secret_key, env)
    with gunicorn("wsgi:app", env, workdir, workers=1) as served:
        port = served.port
        _status, headers, page = http_request(port, "GET", "/account/password/forgot")
        cookie = "; ".join(value.split(";")[0] for name, value in headers if name.lower() == "set-cookie")
        token = re.search(rb'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1).decode()
        times: dict[str, list[float]] = {"known": [], "unknown": []}
        for number in range(ROUNDS):
            kind = "known" if number % 2 else "unknown"
            email = ACCOUNT if kind == "known" else f"nobody{number}@example.se"
            body = urlencode({"csrf_token": token, "email": email}).encode()
            started = time.perf_counter()
            status, _headers, _body = http_request(port, "POST", "/account/password/forgot", body, {
                "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
            times[kind].append((time.perf_counter() - started) * 1000)
            if status != 303:
                print(f"POST gave {status}, not 303", file=sys.stderr)
                return 1
            time.sleep(0.02)  # let the work after the answer finish: one request at a time
    for kind, values in times.items():
        values = values[WARM_UP:]
        print(f"{kind:8s} median {statistics.median(values):.2f} ms  mean {statistics.mean(values):.2f} ms  "
              f"n={len(values)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
