"""The knowledge index of one store and one embedder: Chroma's chunks (the truth), the local snapshot cache and
the ingest manifest."""

from __future__ import annotations

import logging
import os
import pickle
from pathlib import Path

from chromadb.api import ClientAPI

from bot.embedder import Embedder
from bot.snapshot import IndexSnapshot, ids_digest
from bot.store import VectorStore
from bot.text import TOKENIZER_VERSION

log = logging.getLogger(__name__)
CACHE_FORMAT = 3


class KnowledgeIndex:
    """Everything ingest writes and retrieval reads, for one store folder and one embedder."""

    def __init__(self, store_dir: Path, client: ClientAPI, embedder: Embedder, prefix: str = "veiviser") -> None:
        store_dir.mkdir(parents=True, exist_ok=True)
        self.store_dir = store_dir
        self.embedder = embedder
        self.vectors = VectorStore(client, embedder, prefix)
        self.collection = self.vectors.name
        self.cache_path = store_dir / f"{self.collection}.snapshot.pkl"
        self.manifest_path = store_dir / f"{self.collection}.manifest.json"

    def load_snapshot(self, version: int) -> IndexSnapshot:
        """The snapshot of what Chroma holds now: the cached one when it matches (same content version and the
        same chunk ids), else rebuilt from Chroma and cached. A missing or damaged cache is simply rebuilt."""
        digest = ids_digest(self.vectors.all_ids())
        cached = self._read_cache()
        if cached is not None and cached.version == version and cached.digest == digest:
            return cached
        snapshot = self.build_snapshot(version)
        self.save_snapshot(snapshot)
        return snapshot

    def build_snapshot(self, version: int) -> IndexSnapshot:
        """A new snapshot from every chunk in Chroma, with its vectors."""
        chunks, vectors = self.vectors.all_chunks_with_vectors()
        return IndexSnapshot.build(chunks, version, vectors)

    def save_snapshot(self, snapshot: IndexSnapshot) -> None:
        """Cache a snapshot atomically (temporary file, then rename), so other processes on this host load it
        instead of rebuilding it."""
        tmp = self.cache_path.with_name(f"{self.cache_path.name}.{os.getpid()}.tmp")
        payload = {"format": CACHE_FORMAT, "tokenizer": TOKENIZER_VERSION, "version": snapshot.version,
                   "lexical": snapshot.lexical, "vectors": snapshot.vectors}
        try:
            with open(tmp, "wb") as handle:
                pickle.dump(payload, handle, protocol=pickle.HIGHEST_PROTOCOL)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.cache_path)
        except OSError as exc:  # a full or read-only disk costs a rebuild later, not the answer
            log.warning("could not cache the index snapshot in %s: %s", self.cache_path, exc)
            tmp.unlink(missing_ok=True)

    def _read_cache(self) -> IndexSnapshot | None:
        try:
            with open(self.cache_path, "rb") as handle:
                payload = pickle.load(handle)
            if payload.get("format") != CACHE_FORMAT or payload.get("tokenizer") != TOKENIZER_VERSION:
                return None
            return IndexSnapshot.from_lexical(payload["lexical"], int(payload["version"]), payload["vectors"])
        except FileNotFoundError:
            return None
        except Exception as exc:  # noqa: BLE001 - a damaged cache is rebuilt from Chroma
            log.warning("the snapshot cache %s is damaged (%s); rebuilding it from the store", self.cache_path, exc)
            return None
