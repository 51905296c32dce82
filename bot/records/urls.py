"""Database URLs: the default SQLite file, accepted spellings, and redaction for logs and errors."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

SQLITE_FILE = "veiviser.sqlite3"
_POSTGRES_ALIASES = ("postgresql://", "postgres://", "postgresql+psycopg://")
_HELP = (
    "Set DATABASE_URL to sqlite:////absolute/path/veiviser.sqlite3 or "
    "postgresql+psycopg://user:password@host:5432/database, or leave it empty for SQLite in the store folder."
)


def default_sqlite_url(store: Path) -> str:
    """The SQLite file inside the store folder, as an absolute `sqlite:///` URL."""
    return f"sqlite:///{Path(store).expanduser().resolve() / SQLITE_FILE}"


def redact(url: str | URL) -> str:
    """The URL without its password, safe to log or show."""
    try:
        return (make_url(url) if isinstance(url, str) else url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable database URL>"


def normalise_url(url: str) -> str:
    """`url` in the form SQLAlchemy opens: PostgreSQL through psycopg 3, SQLite with an absolute path.

    Raises ValueError (saying what to do, never showing a password) for anything else.
    """
    url = url.strip()
    for alias in _POSTGRES_ALIASES:
        if url.startswith(alias):
            url = "postgresql+psycopg://" + url.removeprefix(alias)
            break
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ValueError(f"DATABASE_URL is not a database URL. {_HELP}") from None
    if parsed.drivername == "postgresql+psycopg":
        if not parsed.database:
            raise ValueError(f"DATABASE_URL {redact(parsed)} names no database. {_HELP}")
        return parsed.render_as_string(hide_password=False)
    if parsed.drivername in ("sqlite", "sqlite+pysqlite"):
        if not parsed.database or parsed.database == ":memory:":
            raise ValueError(f"DATABASE_URL {redact(parsed)}: an in-memory SQLite database is not supported. {_HELP}")
        return f"sqlite:///{Path(parsed.database).expanduser().resolve()}"
    raise ValueError(f"DATABASE_URL scheme {parsed.drivername!r} is not supported. {_HELP}")


def resolve_database_url(database_url: str, store: Path) -> str:
    """The URL to open: `database_url` normalised, or the store's own SQLite file when it is empty."""
    return normalise_url(database_url) if database_url.strip() else default_sqlite_url(store)
