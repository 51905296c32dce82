"""Every record the channels need, in one SQL database: SQLite by default, PostgreSQL via DATABASE_URL.

`Records.open(url)` connects and runs the Alembic migrations shipped in `migrations/` to head. The tables are
in `schema.py`; `store.py` holds the `Records` API.
"""

from bot.records.results import HistoryTurn, UnknownMentorRequest, UnknownTurn
from bot.records.store import Records
from bot.records.urls import normalise_url, redact, resolve_database_url

__all__ = ["HistoryTurn", "Records", "UnknownMentorRequest", "UnknownTurn", "normalise_url", "redact",
           "resolve_database_url"]
