"""Database URLs: accepted spellings, the default SQLite file, and no password in any message."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.records.urls import normalise_url, redact, resolve_database_url
from tests.conftest import make_settings


@pytest.mark.parametrize("given", [
    "postgresql://veiviser:pw@db.example:5432/veiviser",
    "postgres://veiviser:pw@db.example:5432/veiviser",
    "postgresql+psycopg://veiviser:pw@db.example:5432/veiviser",
])
def test_postgres_spellings_use_psycopg(given: str) -> None:
    assert normalise_url(given) == "postgresql+psycopg://veiviser:pw@db.example:5432/veiviser"


def test_sqlite_paths_become_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert normalise_url("sqlite:///rel/db.sqlite3") == f"sqlite:///{tmp_path / 'rel' / 'db.sqlite3'}"
    assert normalise_url(f"sqlite:///{tmp_path}/db.sqlite3") == f"sqlite:///{tmp_path}/db.sqlite3"


@pytest.mark.parametrize("given", ["mysql://root:s3cret@db/veiviser", "sqlite://", "sqlite:///:memory:",
                                   "postgresql://u:s3cret@db:5432", "not a url"])
def test_unsupported_urls_say_what_to_do_without_the_password(given: str) -> None:
    with pytest.raises(ValueError) as raised:
        normalise_url(given)
    assert "DATABASE_URL" in str(raised.value) and "s3cret" not in str(raised.value)


def test_redact_hides_the_password() -> None:
    assert redact("postgresql+psycopg://u:s3cret@db:5432/v") == "postgresql+psycopg://u:***@db:5432/v"


def test_settings_default_to_sqlite_in_the_store(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "store")
    assert settings.database_url_resolved == f"sqlite:///{(tmp_path / 'store').resolve()}/veiviser.sqlite3"
    assert (settings.history_turns, settings.history_ttl_s, settings.retention_days) == (6, 86400, 365)
    assert make_settings(tmp_path, database_url="postgres://u@h:1/d").database_url_resolved == (
        "postgresql+psycopg://u@h:1/d"
    )
    assert resolve_database_url("  ", tmp_path) == f"sqlite:///{tmp_path.resolve()}/veiviser.sqlite3"
    with pytest.raises(ValueError):
        make_settings(tmp_path, database_url="mongodb://h/d").database_url_resolved
