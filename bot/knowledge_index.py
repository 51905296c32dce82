"""The knowledge index on disk: Chroma vectors, the lexical index and the ingest manifest of one embedder."""

from __future__ import annotations

from pathlib import Path

from chromadb.api import ClientAPI

from bot.embedder import Embedder
from bot.lexical import LexicalIndex
from bot.store import VectorStore


class KnowledgeIndex:
    """Everything ingest writes and retrieval reads, for one store folder and one embedder."""

    def __init__(self, store_dir: Path, client: ClientAPI, embedder: Embedder, prefix: str = "veiviser") -> None:
        store_dir.mkdir(parents=True, exist_ok=True)
        self.store_dir = store_dir
        self.embedder = embedder
        self.vectors = VectorStore(client, embedder, prefix)
        self.lexical_path = store_dir / f"{prefix}-{embedder.id}.lexical.pkl"
        self.manifest_path = store_dir / f"{prefix}-{embedder.id}.manifest.json"

    def rebuild_lexical(self) -> LexicalIndex:
        """Rebuild BM25 from the chunks in Chroma and swap it in atomically."""
        chunks = self.vectors.all_chunks()
        index = LexicalIndex.build(((c.id, c.search_text, c.lang) for c in chunks), payload=chunks)
        index.save(self.lexical_path)
        return index

    def lexical_is_current(self) -> bool:
        return self.lexical_path.exists() and LexicalIndex.load(self.lexical_path).is_current

    def is_empty(self) -> bool:
        return self.vectors.count() == 0 or not self.lexical_path.exists()
