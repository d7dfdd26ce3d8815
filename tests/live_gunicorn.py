"""gunicorn serving wsgi:app on a test's own database, for real parallel requests.

Used by the concurrency tests (registration, check-in): each starts a server on the
database the ``app`` fixture made (a SQLite file or the run's PostgreSQL schema), fires
requests from many threads, then counts what the database holds.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from config import TestingConfig

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = Path(sys.executable).parent / "gunicorn"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    def __init__(self, url: str, log: Path):
        self.url, self.log = url, log

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def database_url(database: dict) -> str:
    """DATABASE_URL for the server: the ``database`` fixture's URL, with the PostgreSQL schema in it."""
    url = database["SQLALCHEMY_DATABASE_URI"]
    if "EVENTHUB_PG_SCHEMA" in database:
        url += ("&" if "?" in url else "?") + f"options=-csearch_path%3D{database['EVENTHUB_PG_SCHEMA']}"
    return url


@contextmanager
def serve(database: dict, tmp_path: Path, secret_key: str = TestingConfig.SECRET_KEY, workers: int = 4,
          threads: int = 4, start_timeout: float = 60, **environment: str) -> Iterator[Gunicorn]:
    """Run gunicorn on the test's database until the block ends; rate limits off unless overridden.

    ``start_timeout`` is generous: on a busy two-core machine, workers take a while to import the app.
    """
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key != "EVENTHUB_ENV"}
    env.update(DATABASE_URL=database_url(database), SECRET_KEY=secret_key, RATELIMIT_ENABLED="0",
               EVENTHUB_INSTANCE=str(tmp_path / "instance"), MAIL_BACKEND="folder")
    env.update(environment)
    log = tmp_path / "gunicorn.log"
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [str(GUNICORN), "--workers", str(workers), "--threads", str(threads), "--bind", f"127.0.0.1:{port}",
             # --timeout: a worker the busy machine starves of CPU for gunicorn's default 30 s is not
             # killed with the tests' requests in flight (seen as "connection closed without response").
             "--timeout", "120", "--graceful-timeout", "5", "--error-logfile", "-", "--preload", "wsgi:app"],
            cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
        )
    served = Gunicorn(f"http://127.0.0.1:{port}", log)
    try:
        deadline = time.monotonic() + start_timeout
        while True:
            assert process.poll() is None, f"gunicorn exited:\n{served.log_tail()}"
            try:
                if requests.get(served.url + "/", timeout=10).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, f"gunicorn did not start:\n{served.log_tail()}"
            time.sleep(0.1)
        yield served
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
