"""What the benchmarks share: finding the venv's tools, a free port, a fresh database, CPU time.

Each bench script runs as ``python bench/<name>.py``, so this module is importable as
``bench_support`` from its own folder.
"""
from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # config and eventhub, for the database helpers

TICK = os.sysconf("SC_CLK_TCK")  # /proc/<pid>/stat counts CPU time in clock ticks


class BenchError(RuntimeError):
    """A step failed: the numbers would not mean anything."""


def venv_bin(name: str) -> str:
    """The tool next to the running interpreter (the project's .venv), else the repo's .venv."""
    for directory in (Path(sys.executable).parent, REPO / ".venv" / "bin"):
        candidate = directory / name
        if candidate.exists():
            return str(candidate)
    raise BenchError(f"{name} not found next to {sys.executable} or in {REPO / '.venv/bin'}")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_step(args: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise BenchError(f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    return result.stdout


@contextmanager
def fresh_database(database_url: str | None, workdir: Path):
    """Yield the DATABASE_URL of an empty database that exists only for this run."""
    if not database_url:
        yield f"sqlite:///{workdir / 'bench.sqlite'}"
        return
    sys.path.insert(0, str(REPO))
    from sqlalchemy import create_engine, make_url, text

    from config import normalise_database_url

    if not make_url(normalise_database_url(database_url)).drivername.startswith("postgresql"):
        raise BenchError("--database-url must be a PostgreSQL URL (SQLite is the default)")
    schema = f"eventhub_bench_{secrets.token_hex(4)}"
    admin = create_engine(normalise_database_url(database_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    print(f"PostgreSQL: private schema {schema} (dropped at the end)")
    try:
        # libpq's "options" puts the app, its migrations and its queries in our schema only.
        url = make_url(database_url).update_query_dict({"options": f"-c search_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _stat_fields(pid: int) -> list[str]:
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rsplit(")", 1)[1].split()  # fields from 3 (state) on


def process_tree_cpu(root: int) -> float:
    """CPU seconds (user + system) used so far by a process and its direct children."""
    total = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = _stat_fields(int(entry))
        except OSError:
            continue
        if int(entry) == root or int(fields[1]) == root:  # fields[1] is the parent pid
            total += (int(fields[11]) + int(fields[12])) / TICK  # utime, stime
    return total

