"""Servers that the deployment tests start for themselves: Redis, nginx, a private PostgreSQL database.

Each runs on free ports with its files in the test's temporary folder and is always stopped at the
end of its ``with`` block, whatever the test did.
"""
from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from config import normalise_database_url
from tests.conftest import PG_URL, require_or_skip
from tests.live_gunicorn import free_port

__all__ = ["free_port", "nginx_binary", "private_database", "redis_server", "stop", "wait_for_port"]


def wait_for_port(port: int, process: subprocess.Popen, log: Path, timeout: float = 60, host: str = "127.0.0.1"):
    """Until something accepts connections on the port; fails with the log's tail if the process dies first."""
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise AssertionError(f"{process.args[0]} exited with {process.returncode}:\n{tail(log)}")
        try:
            with socket.create_connection((host, port), timeout=1):
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"{process.args[0]} did not listen on {port} within {timeout} s:\n{tail(log)}")
        time.sleep(0.1)


def tail(log: Path, lines: int = 40) -> str:
    if not log.exists():
        return "(no log)"
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def stop(process: subprocess.Popen, timeout: float = 15) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def redis_server(folder: Path) -> Iterator[str]:
    """A Redis of the test's own on a free port (nothing saved to disk); yields its URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        require_or_skip("redis-server is not installed (Debian package redis-server)")
    folder.mkdir(parents=True, exist_ok=True)
    port, log = free_port(), folder / "redis.log"
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                                "--dir", str(folder), "--logfile", str(log)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, process, log, timeout=20)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        stop(process)


def nginx_binary() -> str:
    binary = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.path.exists(p)), None)
    if binary is None:
        require_or_skip("nginx is not installed (Debian package nginx; scripts/install-system-deps.sh installs it)")
    return binary


def postgres_url_or_skip() -> str:
    if not PG_URL:
        require_or_skip("EVENTHUB_TEST_DATABASE_URL is not set, so the PostgreSQL deployment test is skipped")
    return PG_URL


@contextmanager
def private_database(prefix: str = "eventhub_deploy") -> Iterator[str]:
    """A fresh PostgreSQL database on the test server (EVENTHUB_TEST_DATABASE_URL), dropped at the end.

    Yields its URL as an operator writes it (postgresql://...).
    """
    base = make_url(normalise_database_url(postgres_url_or_skip()))
    name = f"{prefix}_{secrets.token_hex(4)}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False).replace("postgresql+psycopg://",
                                                                                   "postgresql://", 1)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
