"""An embedder that remembers its vectors on disk (SQLite, keyed by the embedder id, passage or query, and the
text), so that a benchmark store rebuilt after a change in loading or chunking embeds only the passages whose text
is new, and a second run over the same questions embeds none of them."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Sequence

import numpy as np

from bot.embedder import Embedder


class CachingEmbedder:
    """Wraps an embedder: queries pass through, passages are looked up first and only the missing ones embedded."""

    def __init__(self, inner: Embedder, path: Path) -> None:
        self.inner = inner
        self.id = inner.id  # the same collection as the embedder it stands for
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL)")
        self.hits = self.misses = 0

    @property
    def dim(self) -> int:
        return self.inner.dim

    def _key(self, text: str, kind: str) -> str:
        scope = self.inner.id if kind == "passage" else f"{self.inner.id}\x1f{kind}"
        return hashlib.sha256(f"{scope}\x1f{text}".encode("utf-8")).hexdigest()

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._cached(texts, "query", self.inner.embed_queries)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._cached(texts, "passage", self.inner.embed_passages)

    def _cached(self, texts: Sequence[str], kind: str, embed) -> np.ndarray:  # noqa: ANN001 - the inner method
        keys = [self._key(t, kind) for t in texts]
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(keys), 500):
            part = keys[start : start + 500]
            rows = self._db.execute(
                f"SELECT key, vector FROM vectors WHERE key IN ({','.join('?' * len(part))})", part
            ).fetchall()
            found.update((k, np.frombuffer(v, dtype=np.float32)) for k, v in rows)
        missing = [i for i, k in enumerate(keys) if k not in found]
        if kind == "passage":
            self.hits += len(keys) - len(missing)
            self.misses += len(missing)
        if missing:
            vectors = embed([texts[i] for i in missing])
            with self._db:
                self._db.executemany(
                    "INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                    [(keys[i], np.asarray(v, dtype=np.float32).tobytes()) for i, v in zip(missing, vectors)],
                )
            found.update((keys[i], np.asarray(v, dtype=np.float32)) for i, v in zip(missing, vectors))
        if not keys:
            return np.zeros((0, self.inner.dim), dtype=np.float32)
        return np.stack([found[k] for k in keys])

    def close(self) -> None:
        self._db.close()
