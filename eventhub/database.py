"""The database as every package uses it: who commits, the connection settings, Swedish text search.

Who commits: a service that changes data ends its unit of work with ``commit()``. A service
that builds on others makes them one transaction with ``with atomic():``; inside the block
their ``commit()`` only flushes, and the block commits when it ends or rolls everything back
if it raises. Views, forms, templates and commands never commit (docs/architecture.md).
"""
from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import and_, func
from sqlalchemy import event as sa_event
from sqlalchemy import text as sql
from sqlalchemy.exc import SQLAlchemyError

from eventhub.extensions import db

logger = logging.getLogger(__name__)
_DEPTH = "eventhub.atomic_depth"


def commit() -> None:
    """End a service's work: commit now, or when the enclosing ``atomic()`` block ends."""
    if db.session.info.get(_DEPTH):
        db.session.flush()
    else:
        db.session.commit()


@contextmanager
def atomic() -> Iterator[None]:
    """The services called inside are one transaction: committed at the end, rolled back on an error."""
    session = db.session()
    depth = session.info.get(_DEPTH, 0)
    session.info[_DEPTH] = depth + 1
    try:
        yield
    except BaseException:
        session.info[_DEPTH] = depth
        if depth == 0:
            session.rollback()
        raise
    session.info[_DEPTH] = depth
    if depth == 0:
        session.commit()


# --- purged data gone from disk too --------------------------------------------------------
_FORGET = "eventhub.forget_on_disk"
BUSY_TIMEOUT_MS, CHECKPOINT_WAIT_MS = 30_000, 2_000


def forget_on_disk(*tables: str) -> None:
    """After this unit of work commits, what it erased from these tables leaves the disk as well.

    SQLite (with ``secure_delete``, see ``_on_connect``) overwrites deleted content in the database
    file, but the old pages stay in the write-ahead log until a checkpoint: the WAL is checkpointed
    and truncated. PostgreSQL keeps old row versions in the table until VACUUM makes their space
    reusable; VACUUM cannot run in a transaction, so it runs on its own autocommit connection after
    the commit (docs/security.md says what it does not do). A rollback forgets the request.
    """
    db.session().info.setdefault(_FORGET, set()).update(tables)


def _after_commit(session) -> None:
    tables = session.info.pop(_FORGET, None)
    if not tables:
        return
    engine = session.get_bind()
    try:
        _clean_files(engine, tables)
    except SQLAlchemyError:
        # The erasure itself is committed: say so in the log rather than fail the person's request.
        logger.warning("could not clean the database files after a purge (%s)", ", ".join(sorted(tables)),
                       exc_info=True)


def _clean_files(engine, tables: set[str]) -> None:
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if engine.dialect.name == "sqlite":
            # A reader still in its transaction holds the checkpoint back: wait a little, not the 30 s a
            # writer waits. Then the pages are copied anyway at SQLite's next automatic checkpoint.
            connection.exec_driver_sql(f"PRAGMA busy_timeout={CHECKPOINT_WAIT_MS}")
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        elif engine.dialect.name == "postgresql":
            for table in sorted(tables):
                connection.execute(sql(f"VACUUM {connection.dialect.identifier_preparer.quote(table)}"))


def _after_rollback(session, _previous_transaction) -> None:
    session.info.pop(_FORGET, None)


# --- connections ---------------------------------------------------------------------------

def _on_connect(dbapi_connection, _record) -> None:
    if not type(dbapi_connection).__module__.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    # WAL lets readers work while one writer writes; SQLite ignores foreign keys unless told.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # Writers queue for SQLite's single write lock. A registration holds it while its email and
    # ticket are rendered, so under load (gunicorn threads, a busy machine) 5 s was not enough and
    # requests failed with "database is locked"; waiting up to 30 s is better than failing.
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Deleted and overwritten content is zeroed in the file, so an erased name is not left in free space.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()
    dbapi_connection.create_function("eventhub_lower", 1, _python_lower, deterministic=True)


def init_app(app) -> None:
    """Set up every connection the app's engines open (called by create_app)."""
    with app.app_context():
        for engine in db.engines.values():
            if not sa_event.contains(engine, "connect", _on_connect):
                sa_event.listen(engine, "connect", _on_connect)
    if not sa_event.contains(db.session, "after_commit", _after_commit):
        sa_event.listen(db.session, "after_commit", _after_commit)
        sa_event.listen(db.session, "after_soft_rollback", _after_rollback)


# --- text search -------------------------------------------------------------------------
# Search is case-insensitive in Swedish too. PostgreSQL's ``lower()`` knows Å, Ä and Ö.
# SQLite's ``lower()`` and ``LIKE`` only fold ASCII, so there ``contains_text`` does it in two
# steps: a plain LIKE with each non-ASCII letter as a one-character wildcard (fast, in C, and
# never misses a match), then, only for rows that pass, a Python ``str.lower`` registered on
# each connection (``eventhub_lower``). An ASCII-only search needs the first step alone.

def _python_lower(value):
    return value.lower() if isinstance(value, str) else value


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def contains_text(column, term: str, sqlite: bool):
    """``column`` contains ``term``, ignoring case, Swedish letters included (see above)."""
    pattern = f"%{_escape_like(term.lower())}%"
    if not sqlite:
        return func.lower(column).like(pattern, escape="\\")
    rough = "".join(char if char.isascii() else "_" for char in pattern)
    if rough == pattern:
        return column.like(pattern, escape="\\")
    return and_(column.like(rough, escape="\\"), func.eventhub_lower(column).like(pattern, escape="\\"))
