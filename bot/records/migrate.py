"""Bring a records database to the newest schema with the Alembic migrations shipped in this package.

No alembic.ini is needed: the `Config` is built here and points at `bot/records/migrations`. Several
processes may start at once on one database:

- PostgreSQL: the upgrade runs under a session-level `pg_advisory_lock`, so one process migrates and the
  others wait, then find the schema at head and do nothing.
- SQLite: the upgrade runs in one `BEGIN IMMEDIATE` transaction (SQLite's DDL is transactional), so a second
  process waits for the first one's write lock and then sees its result; a "locked" or "already exists"
  error from a lost race is retried.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import OperationalError

from bot.records.engine import WRITE

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
ADVISORY_LOCK_KEY = 0x76656976  # "veiv"; paired with a hash of the database name
_LOCK = text("SELECT pg_advisory_lock(:key, hashtext(current_database()))")
_UNLOCK = text("SELECT pg_advisory_unlock(:key, hashtext(current_database()))")
SQLITE_ATTEMPTS = 5


def alembic_config(url: str | None = None) -> Config:
    """The Alembic configuration of the records migrations (`url` only for development use from a shell)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> None:
    """Run every pending migration; a no-op when the database is already at head."""
    if engine.dialect.name == "postgresql":
        _upgrade_postgresql(engine)
    else:
        _upgrade_sqlite(engine)


def _run(connection: Connection) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def _upgrade_postgresql(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execute(_LOCK, {"key": ADVISORY_LOCK_KEY})
        connection.commit()
        try:
            with connection.begin():
                _run(connection)
        finally:
            connection.execute(_UNLOCK, {"key": ADVISORY_LOCK_KEY})
            connection.commit()


def _upgrade_sqlite(engine: Engine) -> None:
    for attempt in range(1, SQLITE_ATTEMPTS + 1):
        try:
            with engine.connect() as connection:
                connection.execution_options(**{WRITE: True})
                with connection.begin():
                    _run(connection)
            return
        except OperationalError as exc:
            message = str(exc.orig).lower()
            if attempt == SQLITE_ATTEMPTS or not ("locked" in message or "already exists" in message):
                raise
            log.info("records migration raced another process (%s); retrying", exc.orig)
            time.sleep(0.1 * attempt)
