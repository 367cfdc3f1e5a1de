"""SQLite tuning for the embedded default: WAL, foreign keys, a busy timeout, and explicit BEGINs.

pysqlite's own transaction handling is switched off so that SQLAlchemy emits BEGIN itself; a write path
asks for `BEGIN IMMEDIATE` via `write_transaction()` so two writers queue on the lock instead of
failing with "database is locked" when one upgrades a read lock.
"""

from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine

BUSY_TIMEOUT_MS = 30_000


@event.listens_for(Engine, "connect")
def _on_connect(dbapi_connection, connection_record):
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


READ_ONLY_METHODS = {"GET", "HEAD", "OPTIONS"}


def default_begin_mode() -> str:
    """IMMEDIATE for anything that may write (POST requests, CLI commands, jobs); deferred for page reads.

    A deferred transaction that reads and then writes fails at once with "database is locked" when
    another writer committed in between (WAL cannot upgrade a stale snapshot); taking the write lock at
    BEGIN makes writers queue on busy_timeout instead. GET requests stay deferred so reads run in parallel.
    """
    from flask import has_request_context, request

    if has_request_context() and request.method in READ_ONLY_METHODS:
        return ""
    return "IMMEDIATE"


@event.listens_for(Engine, "begin")
def _on_begin(conn):
    if conn.dialect.name == "sqlite":
        mode = conn.get_execution_options().get("sqlite_begin") or default_begin_mode()
        conn.exec_driver_sql(f"BEGIN {mode}".strip())


@contextmanager
def write_transaction(session):
    """Run a block in one transaction that takes the write lock up front on SQLite.

    Commits on success, rolls back on any exception. On PostgreSQL it is an ordinary transaction.
    """
    if hasattr(session, "registry"):  # a scoped_session: work on the session it currently holds
        session = session()
    if session.in_transaction():
        session.commit()
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
