"""What the benchmarks share: the venv's tools, a free port, a fresh database, gunicorn, HTTP, CPU time.

Each bench script runs as ``python bench/<name>.py``, so this module is importable as
``bench_support`` from its own folder.
"""
from __future__ import annotations

import http.client
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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


def run_step(args: list[str], env: dict[str, str], cwd: Path = REPO) -> str:
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
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



def pids_cpu(pids: list[int]) -> float:
    """CPU seconds used so far by these processes (PostgreSQL backends are not gunicorn's children)."""
    total = 0.0
    for pid in pids:
        try:
            fields = _stat_fields(pid)
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / TICK
    return total


def machine_busy() -> float:
    """CPU seconds all cores have spent busy since boot (everything but idle and iowait)."""
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / TICK


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def code_version() -> str:
    """The commit measured, and whether the working tree differs from it."""
    try:
        commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown (not a git checkout)"
    return commit + (" with uncommitted changes" if dirty else "")


def resolve_commit(commit: str) -> str:
    """The full hash of ``commit`` (a short hash, a branch, a tag) in this repository."""
    try:
        return subprocess.run(["git", "-C", str(REPO), "rev-parse", "--verify", f"{commit}^{{commit}}"],
                              capture_output=True, text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError) as error:
        raise BenchError(f"no commit {commit!r} in {REPO}") from error


def checkout(commit: str, into: Path) -> Path:
    """The tree of ``commit`` exported into ``into`` (``git archive``: no worktree, nothing in .git
    changes), its translations compiled (the .mo files are not in git), served with this venv."""
    into.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(REPO), "archive", "--format=tar", commit],
                             capture_output=True, timeout=120, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, capture_output=True, timeout=120, check=True)
    run_step([venv_bin("pybabel"), "-q", "compile", "-d", "translations", "-f"], dict(os.environ), cwd=into)
    return into


def http_request(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
                 timeout: float = 30) -> tuple[int, list[tuple[str, str]], bytes]:
    """One request on a new connection to 127.0.0.1:``port``: status, headers, body."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        conn.close()


class Browser:
    """Just enough of a browser: cookies kept by hand, so production's Secure cookies work over plain
    HTTP on 127.0.0.1 (a cookie jar would rightly refuse to send them)."""

    def __init__(self, port: int, user_agent: str = "eventhub-bench"):
        self.port, self.user_agent = port, user_agent
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes | str | None = None, headers: dict | None = None,
                conn: http.client.HTTPConnection | None = None) -> tuple[int, bytes, dict[str, str]]:
        """Status, body and headers; a str body is sent as a form. ``conn`` keeps a connection alive."""
        own = conn is None
        conn = conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        all_headers = {"User-Agent": self.user_agent, "Accept-Language": "sv", **(headers or {})}
        if self.cookies:
            all_headers["Cookie"] = self.cookie_header()
        if isinstance(body, str):
            all_headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        try:
            conn.request(method, path, body=body, headers=all_headers)
            response = conn.getresponse()
            data = response.read()
        finally:
            if own:
                conn.close()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, data, dict(response.getheaders())

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())


@dataclass
class Served:
    port: int
    pid: int
    log_path: Path
    command: str

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextmanager
def gunicorn(app_spec: str, env: dict[str, str], workdir: Path, *, name: str = "gunicorn", workers: int = 2,
             extra: tuple[str, ...] | list[str] = (), timeout: float = 60, cwd: Path = REPO) -> Iterator[Served]:
    """Serve ``app_spec`` with gunicorn on a free port; yield once it answers GET /; stop it afterwards.
    ``cwd`` is the checkout whose code is served (another commit's, for a side-by-side run)."""
    port = free_port()
    log_path = workdir / f"{name}.log"
    args = [venv_bin("gunicorn"), "--workers", str(workers), "--bind", f"127.0.0.1:{port}", *extra, app_spec]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(args, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise BenchError(f"gunicorn exited with {process.returncode}:\n{log_path.read_text()[-3000:]}")
            try:
                http_request(port, "GET", "/", timeout=5)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise BenchError(f"gunicorn did not answer:\n{log_path.read_text()[-3000:]}") from None
                time.sleep(0.1)
        yield Served(port, process.pid, log_path, " ".join(args))
        booted = log_path.read_text(errors="replace").count("Booting worker")
        if booted > workers:  # a worker killed (timeout) and replaced: its CPU time is lost from the figures
            print(f"  warning: gunicorn booted {booted} workers for {workers}; see the log:\n"
                  + "\n".join(log_path.read_text(errors="replace").splitlines()[-15:]))
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
