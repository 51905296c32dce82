"""Engines for the records database, set up for many threads and several processes at once.

SQLite: WAL (readers never wait for the writer), a generous busy timeout, foreign keys on, and write
transactions opened with BEGIN IMMEDIATE, so two processes never both read and then both try to upgrade to a
write lock (which SQLite answers with "database is locked" without waiting). The driver's own transaction
handling is switched off and SQLAlchemy emits BEGIN itself (the recipe in SQLAlchemy's pysqlite docs).

PostgreSQL: psycopg 3 with a connection pool that checks connections before use (a restarted server does
not break the first request after it).
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

WRITE = "veiviser_write"  # execution option: this connection's transactions write
SQLITE_BUSY_TIMEOUT_S = 30.0
POSTGRES_CONNECT_TIMEOUT_S = 5


def make_engine(url: str) -> Engine:
    """An engine for a normalised URL (see `urls.normalise_url`); creates the SQLite file's folder."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False})
        _configure_sqlite(engine)
        return engine
    return create_engine(
        url, pool_pre_ping=True, pool_size=5, max_overflow=10,
        connect_args={"connect_timeout": POSTGRES_CONNECT_TIMEOUT_S, "application_name": "veiviser"},
    )


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # noqa: ANN001
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")  # WAL stays consistent; no fsync on every commit
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        writes = connection.get_execution_options().get(WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction that will write: committed on success, rolled back on error."""
    with engine.connect() as connection:
        connection.execution_options(**{WRITE: True})
        with connection.begin():
            yield connection


@contextmanager
def read_transaction(engine: Engine) -> Iterator[Connection]:
    """A connection in a read-only transaction (one consistent snapshot)."""
    with engine.connect() as connection:
        with connection.begin():
            yield connection
