"""Chroma access: the client (embedded or server) and the chunk collection of one embedder."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any, Sequence

import chromadb
import numpy as np
from chromadb.api import ClientAPI
from chromadb.api.shared_system_client import SharedSystemClient
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.config import Settings as ChromaSettings

from bot.embedder import Embedder
from bot.models import Chunk

log = logging.getLogger(__name__)


class _UnboundEmbedder:
    """Stands in when Chroma rebuilds the function from stored config; Veiviser always passes its own."""

    dim = 0

    def __init__(self, embedder_id: str) -> None:
        self.id = embedder_id

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        raise RuntimeError("Pass Veiviser's embedder explicitly; vectors are never computed by Chroma itself.")

    embed_passages = embed_queries


class ChromaEmbeddingFunction(EmbeddingFunction[Documents]):
    """Our embedder as Chroma's embedding function, so Chroma never falls back to its downloading default."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder

    def __call__(self, input: Documents) -> Embeddings:
        return list(self._embedder.embed_passages(list(input)))

    def embed_query(self, input: Documents) -> Embeddings:
        return list(self._embedder.embed_queries(list(input)))

    @staticmethod
    def name() -> str:
        return "veiviser"

    def get_config(self) -> dict[str, Any]:
        return {"embedder_id": self._embedder.id}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> "ChromaEmbeddingFunction":
        return ChromaEmbeddingFunction(_UnboundEmbedder(str(config.get("embedder_id", ""))))

    def default_space(self) -> str:
        return "cosine"

    def is_legacy(self) -> bool:
        return False


class StoreDamaged(RuntimeError):
    """The embedded Chroma store cannot be opened; the message says how to rebuild it."""


def make_chroma_client(store_dir: Path, host: str = "", port: int = 8000, repair: bool = False) -> ClientAPI:
    """Chroma server when `host` is set, else an embedded store under `store_dir/chroma`.

    A damaged embedded store is moved aside (kept for inspection) and replaced by an empty one when `repair` is
    set, as ingest does (it then embeds everything again); otherwise `StoreDamaged` says to run ingest."""
    settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if host:
        return chromadb.HttpClient(host=host, port=port, settings=settings)
    path = store_dir / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    try:
        return chromadb.PersistentClient(path=str(path), settings=settings)
    except Exception as exc:  # noqa: BLE001 - Chroma raises several types for a damaged folder
        if not repair:
            raise StoreDamaged(
                f"The vector store in {path} cannot be opened ({exc}). Run `veiviser ingest` to rebuild it "
                "(the damaged folder is kept next to it)."
            ) from exc
        aside = path.with_name(f"chroma.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
        log.warning("the vector store in %s is damaged (%s); moved to %s and rebuilt by this ingest", path, exc, aside)
        path.rename(aside)
        path.mkdir()
        SharedSystemClient.clear_system_cache()  # Chroma caches the failed client of this path
        return chromadb.PersistentClient(path=str(path), settings=settings)


def collection_name(prefix: str, embedder_id: str) -> str:
    """Collection names carry the embedder id so vectors of two models never mix."""
    return f"{prefix}-{embedder_id}"[:200]


class VectorStore:
    """The chunks of one embedder in one Chroma collection."""

    def __init__(self, client: ClientAPI, embedder: Embedder, prefix: str = "veiviser") -> None:
        self.embedder = embedder
        self.name = collection_name(prefix, embedder.id)
        self._collection = client.get_or_create_collection(
            name=self.name,
            embedding_function=ChromaEmbeddingFunction(embedder),
            configuration={"hnsw": {"space": "cosine", "ef_search": 100}},
        )

    def count(self) -> int:
        return self._collection.count()

    def add(self, chunks: Sequence[Chunk], vectors: np.ndarray, batch: int = 2000) -> None:
        """Insert chunks with precomputed passage vectors."""
        for start in range(0, len(chunks), batch):
            part = chunks[start : start + batch]
            self._collection.upsert(
                ids=[c.id for c in part],
                documents=[c.text for c in part],
                metadatas=[c.metadata() for c in part],
                embeddings=vectors[start : start + batch],
            )

    def delete(self, ids: Sequence[str]) -> None:
        if ids:
            self._collection.delete(ids=list(ids))

    def update_metadata(self, chunks: Sequence[Chunk]) -> None:
        """Rewrite the metadata of stored chunks (a file moved, or new front matter over the same text). The text
        needs no update: a chunk id is a hash of it (and passing it would make Chroma embed it again)."""
        for start in range(0, len(chunks), 2000):
            part = chunks[start : start + 2000]
            self._collection.update(ids=[c.id for c in part], metadatas=[c.metadata() for c in part])

    def existing_ids(self, ids: Sequence[str]) -> set[str]:
        """Which of `ids` are already stored (their vectors need not be computed again)."""
        if not ids:
            return set()
        return set(self._collection.get(ids=list(ids), include=[])["ids"])

    def all_ids(self) -> set[str]:
        return set(self._collection.get(include=[])["ids"])

    def all_chunks(self) -> list[Chunk]:
        """Every chunk in the collection."""
        data = self._collection.get(include=["documents", "metadatas"])
        return [
            Chunk.from_metadata(i, d or "", m or {})
            for i, d, m in zip(data["ids"], data["documents"], data["metadatas"])
        ]

    def all_chunks_with_vectors(self) -> tuple[list[Chunk], np.ndarray]:
        """Every chunk and its stored passage vector, in the same order (for building a snapshot)."""
        data = self._collection.get(include=["documents", "metadatas", "embeddings"])
        chunks = [
            Chunk.from_metadata(i, d or "", m or {})
            for i, d, m in zip(data["ids"], data["documents"], data["metadatas"])
        ]
        embeddings = data.get("embeddings")
        vectors = np.asarray(embeddings if embeddings is not None and len(embeddings) else np.zeros((0, 0)),
                             dtype=np.float32)
        return chunks, vectors
